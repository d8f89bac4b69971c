// Enter + exit use-cases per second on the file-backed store (WAL, synchronous=FULL), each one atomic unit
// with its events and outbox rows, against bare single-row fsync'd transactions measured in the same run.
// Two ways of committing: one fsync per use-case, and the daemon's group commit with 16 lanes in flight
// (each lane waits for its commit before the next car, as the daemon waits before answering).
// Run: npx tsx scripts/bench/usecases.ts [cars]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { parseConfig } from '../../src/config/load.js';
import { Store, openDb } from '../../src/storage/index.js';
import { Site } from '../../src/site/site.js';
import { BASE_YAML } from '../../test/helpers/site.js';

const cars = Number(process.argv[2] ?? 8000);
const LANES = 16;
const dir = mkdtempSync(join(tmpdir(), 'pe-bench-uc-'));

function bare(): number {
  const db = openDb(join(dir, 'base.db'));
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
  const ins = db.prepare('INSERT INTO t (v) VALUES (?)');
  const tx = db.transaction((v: string) => ins.run(v));
  const t0 = performance.now();
  for (let i = 0; i < cars * 2; i++) tx('x'.repeat(64));
  const ms = performance.now() - t0;
  db.close();
  return ((cars * 2) / ms) * 1000;
}

function makeSite(name: string, group: boolean) {
  const cfg = parseConfig(BASE_YAML.replace('spaces: 100', `spaces: ${cars + 10}`), 'bench', {});
  const store = Store.open(join(dir, `${name}.db`));
  store.groupCommit = group;
  const clock = { now: Date.parse('2026-03-02T08:00:00+08:00') };
  const site = new Site({
    store,
    config: cfg,
    logger: pino({ level: 'silent' }),
    now: () => clock.now,
    outboxStreams: [
      { stream: 'kt', kinds: 'all' },
      { stream: 'pyun', kinds: 'all' },
    ],
  });
  return { store, site, clock };
}

const plates = Array.from({ length: cars }, (_, i) => `粤B${String(i).padStart(5, '0')}`);

function sequential(): number {
  const { store, site, clock } = makeSite('seq', false);
  const t0 = performance.now();
  for (const p of plates) site.enter({ plate: p, laneId: 'in-1', time: clock.now, actor: { kind: 'lane' } });
  const exitAt = clock.now + 20 * 60_000; // inside the free minutes: every exit opens
  for (const p of plates) site.exit({ plate: p, laneId: 'out-1', time: exitAt, actor: { kind: 'lane' } });
  const ms = performance.now() - t0;
  store.close();
  return ((cars * 2) / ms) * 1000;
}

async function grouped(): Promise<{ perSec: number; commits: number }> {
  const { store, site, clock } = makeSite('group', true);
  let commits = 0;
  const flush = store.flush.bind(store);
  store.flush = () => {
    commits++;
    flush();
  };
  const t0 = performance.now();
  let next = 0;
  const lane = async (step: (p: string) => void) => {
    for (;;) {
      const i = next++;
      if (i >= plates.length) return;
      step(plates[i]);
      await site.durable();
    }
  };
  await Promise.all(
    Array.from({ length: LANES }, () =>
      lane((p) => site.enter({ plate: p, laneId: 'in-1', time: clock.now, actor: { kind: 'lane' } })),
    ),
  );
  next = 0;
  const exitAt = clock.now + 20 * 60_000;
  await Promise.all(
    Array.from({ length: LANES }, () =>
      lane((p) => site.exit({ plate: p, laneId: 'out-1', time: exitAt, actor: { kind: 'lane' } })),
    ),
  );
  const ms = performance.now() - t0;
  const left = site.searchOrders({ state: 'in', pageSize: 1 }).total;
  store.close();
  if (left !== 0) throw new Error(`${left} stays not closed`);
  return { perSec: ((cars * 2) / ms) * 1000, commits };
}

const b = bare();
const s = sequential();
const g = await grouped();
rmSync(dir, { recursive: true, force: true });
console.log(
  `enter + exit use-cases, file-backed store (WAL, synchronous=FULL), ${cars} cars, 2 outbox streams`,
);
console.log(`  bare 1-row fsync'd transactions (baseline) : ${b.toFixed(0)} tx/s`);
console.log(
  `  one commit per use-case                    : ${s.toFixed(0)} use-cases/s  (${(s / b).toFixed(2)}× baseline)`,
);
console.log(
  `  group commit, ${LANES} lanes in flight           : ${g.perSec.toFixed(0)} use-cases/s  (${(g.perSec / b).toFixed(2)}× baseline, ${((cars * 2) / g.commits).toFixed(1)} use-cases per fsync)`,
);
console.log(
  `  target ≥ 2,000 use-cases/s                 : ${g.perSec >= 2000 ? 'met' : 'MISSED'} (daemon mode)`,
);
