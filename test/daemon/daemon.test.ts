import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { openDb, integrityCheck } from '../../src/storage/db.js';
import { demoConfigCopy, spawnDaemon } from '../helpers/daemon.js';

const require = createRequire(import.meta.url);

describe('daemon on the demo config', () => {
  it('answers /healthz and /metrics, and stops within 5 s on SIGTERM leaving a sound SQLite file', async () => {
    const demo = await demoConfigCopy();
    const base = `http://127.0.0.1:${demo.ports.downlink}`;
    const d = await spawnDaemon(demo.file, {}, `${base}/healthz`);
    try {
      const h = (await (await fetch(`${base}/healthz`)).json()) as any;
      expect(h.components.storage.status).toBe('ok');
      expect(Object.keys(h.components.devices.detail)).toEqual(
        expect.arrayContaining(['gate-in-1', 'gate-out-1', 'cam-in-1']),
      );
      // devices come online against their simulators
      const deadline = Date.now() + 8000;
      let status = h.status;
      while (status !== 'ok' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        status = ((await (await fetch(`${base}/healthz`)).json()) as any).status;
      }
      expect(status).toBe('ok');
      const m = await fetch(`${base}/metrics`);
      expect(m.headers.get('content-type')).toMatch(/text\/plain/);
      const text = await m.text();
      expect(text).toMatch(/parkedge_device_up\{device="gate-in-1",type="modbus-relay"\} 1/);
      expect(text).toMatch(/parkedge_area_free_spaces\{area="main"\} \d+/);
      expect(text).toContain('parkedge_process_resident_memory_bytes');
    } finally {
      const [code, ms] = await d.stop('SIGTERM');
      expect(code).toBe(0);
      expect(ms).toBeLessThan(5000);
    }
    const db = openDb(demo.dbFile, { readonly: true });
    expect(integrityCheck(db)).toBe('ok');
    db.close();
  });

  it('speaks sd_notify: READY=1, WATCHDOG=1 and STOPPING=1 arrive on NOTIFY_SOCKET', async () => {
    const unix = require('unix-dgram') as {
      createSocket(
        t: string,
        cb: (msg: Buffer) => void,
      ): { bind(p: string): void; close(): void; on(e: string, f: (...a: unknown[]) => void): void };
    };
    const demo = await demoConfigCopy();
    const sockPath = join(demo.dir, 'notify.sock');
    const got: string[] = [];
    const sock = unix.createSocket('unix_dgram', (msg) => got.push(msg.toString()));
    sock.on('error', () => undefined);
    sock.bind(sockPath);
    const d = await spawnDaemon(demo.file, { NOTIFY_SOCKET: sockPath, WATCHDOG_USEC: '400000' });
    try {
      const deadline = Date.now() + 5000;
      while (
        !(got.some((m) => m.includes('READY=1')) && got.some((m) => m.includes('WATCHDOG=1'))) &&
        Date.now() < deadline
      )
        await new Promise((r) => setTimeout(r, 50));
      expect(got.some((m) => m.split('\n').includes('READY=1'))).toBe(true);
      expect(got.some((m) => m.includes(`MAINPID=${d.child.pid}`))).toBe(true);
      const before = got.filter((m) => m === 'WATCHDOG=1').length;
      await new Promise((r) => setTimeout(r, 500));
      // every 200 ms (half of WATCHDOG_USEC)
      expect(got.filter((m) => m === 'WATCHDOG=1').length).toBeGreaterThan(before);
    } finally {
      const [code] = await d.stop('SIGTERM');
      expect(code).toBe(0);
    }
    expect(got).toContain('STOPPING=1');
    expect(got.indexOf('STOPPING=1')).toBeGreaterThan(got.findIndex((m) => m.includes('READY=1')));
    sock.close();
  });

  it('refuses to start on a broken config with the problem and its path', async () => {
    const demo = await demoConfigCopy((cfg) => {
      cfg.lanes[1].gate = 'gate-9';
    });
    await expect(spawnDaemon(demo.file)).rejects.toThrow(/lanes\[1\]\.gate: device "gate-9" is not defined/);
  });
});
