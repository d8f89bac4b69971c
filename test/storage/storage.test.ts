import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { openDb, migrate, backup, integrityCheck } from '../../src/storage/db.js';
import { MIGRATIONS } from '../../src/storage/migrations.js';
import { Store } from '../../src/storage/index.js';

const dir = () => mkdtempSync(join(tmpdir(), 'pe-store-'));

describe('storage', () => {
  it('migrates an empty file to the latest version, and a re-run changes nothing', () => {
    const file = join(dir(), 'a.db');
    const db = openDb(file);
    const r1 = migrate(db);
    expect(r1.from).toBe(0);
    expect(r1.to).toBe(MIGRATIONS[MIGRATIONS.length - 1].version);
    expect(r1.applied).toEqual(MIGRATIONS.map((m) => m.version));
    const tables = (
      db.prepare(`SELECT name FROM sqlite_master WHERE type='table' ORDER BY name`).all() as Array<{
        name: string;
      }>
    ).map((t) => t.name);
    for (const t of [
      'orders',
      'payments',
      'discounts',
      'card_holders',
      'card_plates',
      'blacklist',
      'bookings',
      'areas',
      'devices',
      'change_orders',
      'outbox',
      'audit',
      'events',
    ])
      expect(tables).toContain(t);
    db.close();
    const again = openDb(file);
    expect(migrate(again)).toEqual({ from: r1.to, to: r1.to, applied: [] });
    expect(again.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(again.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(again.pragma('foreign_keys', { simple: true })).toBe(1);
    again.close();
  });

  it('enforces one payment per (channel, serial) and foreign keys', () => {
    const s = Store.open(join(dir(), 'b.db'));
    s.areas.sync([{ id: 'main', name: 'm', spaces: 10 }]);
    s.orders.insert({
      orderNo: 'O1',
      plate: '粤B12345',
      plateKey: 'B12345',
      plateColour: 'blue',
      carType: 0,
      vehicleClass: 'small',
      areaId: 'main',
      entryTime: 1,
      now: 1,
    });
    const p = {
      orderNo: 'O1',
      channel: 'kt',
      serial: 'S1',
      amount: 100,
      discount: 0,
      freeMinutes: 0,
      method: 'wechat',
      time: 2,
    };
    s.orders.insertPayment(p);
    expect(() => s.orders.insertPayment(p)).toThrow(/UNIQUE/);
    expect(() => s.orders.insertPayment({ ...p, serial: 'S2', orderNo: 'nope' })).toThrow(/FOREIGN KEY/);
    expect(() =>
      s.orders.insert({
        orderNo: 'O2',
        plate: '粤B12345',
        plateKey: 'B12345',
        plateColour: 'blue',
        carType: 0,
        vehicleClass: 'small',
        areaId: 'main',
        entryTime: 1,
        now: 1,
      }),
    ).toThrow(/UNIQUE/);
    s.close();
  });

  it('takes an online backup while another connection keeps writing; the copy passes integrity_check', async () => {
    const d = dir();
    const file = join(d, 'live.db');
    const store = Store.open(file);
    store.areas.sync([{ id: 'main', name: 'm', spaces: 10 }]);
    store.close();
    // a writer in another thread, like the daemon writing while `parkedge db backup` runs
    const worker = new Worker(
      `const D = require(${JSON.stringify(require.resolve('better-sqlite3'))});
       const db = new D(${JSON.stringify(file)}); db.pragma('journal_mode = WAL'); db.pragma('busy_timeout = 5000');
       const ins = db.prepare("INSERT INTO events (time, type, payload) VALUES (?, 'bench', ?)");
       const { parentPort } = require('node:worker_threads');
       let n = 0; let stop = false;
       parentPort.on('message', () => { stop = true; });
       (function loop() { for (let i = 0; i < 200; i++) ins.run(Date.now(), 'x'.repeat(200)); n += 200;
         if (n === 200) parentPort.postMessage('writing');
         if (stop) { db.close(); parentPort.postMessage(n); } else setImmediate(loop); })();`,
      { eval: true },
    );
    await new Promise((r) => worker.once('message', r));
    const reader = openDb(file);
    const target = join(d, 'copy.db');
    await backup(reader, target);
    reader.close();
    worker.postMessage('stop');
    const written = await new Promise<number>((r) => worker.once('message', r));
    expect(written).toBeGreaterThan(0);
    expect(existsSync(target)).toBe(true);
    const copy = openDb(target, { readonly: true });
    expect(integrityCheck(copy)).toBe('ok');
    expect((copy.prepare('SELECT count(*) n FROM events').get() as { n: number }).n).toBeGreaterThan(0);
    copy.close();
  });
});
