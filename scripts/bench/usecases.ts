// Enter + exit use-cases per second on the file-backed store (WAL, synchronous=FULL), each one SQLite
// transaction with its events and outbox rows, against a baseline of bare single-row INSERT transactions
// on the same kind of file measured in the same run.
// Run: npx tsx scripts/bench/usecases.ts [cars]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { parseConfig } from '../../src/config/load.js';
import { Store, openDb } from '../../src/storage/index.js';
import { Site } from '../../src/site/site.js';
import { BASE_YAML } from '../../test/helpers/site.js';

const cars = Number(process.argv[2] ?? 5000);
const dir = mkdtempSync(join(tmpdir(), 'pe-bench-uc-'));

// baseline: one fsync'ed transaction per row, as many transactions as the use-cases make
const base = openDb(join(dir, 'base.db'));
base.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
const ins = base.prepare('INSERT INTO t (v) VALUES (?)');
const tx = base.transaction((v: string) => ins.run(v));
let t0 = performance.now();
for (let i = 0; i < cars * 2; i++) tx('x'.repeat(64));
const baseMs = performance.now() - t0;
base.close();

const cfg = parseConfig(BASE_YAML.replace('spaces: 100', `spaces: ${cars + 10}`), 'bench', {});
const store = Store.open(join(dir, 'site.db'));
let now = Date.parse('2026-03-02T08:00:00+08:00');
const site = new Site({
  store,
  config: cfg,
  logger: pino({ level: 'silent' }),
  now: () => now,
  outboxStreams: process.env.NOSTREAM ? [] : [{ stream: 'kt', kinds: 'all' }, { stream: 'pyun', kinds: 'all' }],
});
const plates = Array.from({ length: cars }, (_, i) => `粤B${String(i).padStart(5, '0')}`);
t0 = performance.now();
for (const p of plates) site.enter({ plate: p, laneId: 'in-1', time: now, actor: { kind: 'lane' } });
now += 20 * 60_000; // inside the free minutes: every exit opens
for (const p of plates) site.exit({ plate: p, laneId: 'out-1', time: now, actor: { kind: 'lane' } });
const ucMs = performance.now() - t0;
const outbox = (store.db.prepare('SELECT count(*) n FROM outbox').get() as { n: number }).n;
store.close();
rmSync(dir, { recursive: true, force: true });

const perSec = (cars / ucMs) * 1000;
console.log(`enter+exit use-cases on a file-backed store (WAL, synchronous=FULL), ${cars} cars, 2 outbox streams`);
console.log(`  bare 1-row transactions : ${(((cars * 2) / baseMs) * 1000).toFixed(0)} tx/s`);
console.log(`  enter+exit pairs        : ${perSec.toFixed(0)} /s  (${((cars * 2 / ucMs) * 1000).toFixed(0)} use-cases/s, ${outbox} outbox rows)`);
console.log(`  ratio to the bare tx    : ${(baseMs / ucMs).toFixed(2)}  (1.0 = as fast as a bare single-row commit)`);
console.log(`  target ≥ 2,000 pairs/s  : ${perSec >= 2000 ? 'met' : 'MISSED'}`);
