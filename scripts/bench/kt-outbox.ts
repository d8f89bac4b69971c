// KT outbox drain rate: KT_BENCH_BACKLOG (default 50 000) PostCarInInfo reports queued while the cloud was
// away, then drained by the real dispatcher and KT sender (3DES, HTTP keep-alive, resCode check, one
// fsync'd delivery mark per report) into the fake KT cloud on loopback. Target ≥ 1 000 reports/s.
// Run: npx tsx scripts/bench/kt-outbox.ts        quick: KT_BENCH_BACKLOG=5000 npx tsx …
import { rmSync } from 'node:fs';
import { Registry } from 'prom-client';
import { startFakeKtCloud } from '../fake-kt-cloud.js';
import { createKtFace, KT_KINDS } from '../../src/downlink/kt/index.js';
import { OutboxDispatcher } from '../../src/uplink/dispatcher.js';
import { KEY, UP, benchSite, env, plateOf } from './kt-common.js';

const BACKLOG = env('KT_BENCH_BACKLOG', 50_000);
const clock = { now: Date.parse('2026-03-02T08:00:00+08:00') };
const cloud = await startFakeKtCloud({ key: KEY, user: UP.user, pwd: UP.pwd, now: () => clock.now });
const { dir, config, store, site, logger } = benchSite({
  uplinkUrl: cloud.url,
  streams: [{ stream: 'kt', kinds: KT_KINDS }],
  now: () => clock.now,
});

// the backlog, written by the entry use-case itself (nested in one transaction so seeding is quick)
let t0 = performance.now();
store.tx(() => {
  for (let i = 0; i < BACKLOG; i++)
    site.enter({ plate: plateOf(i), laneId: 'in-1', time: clock.now, actor: { kind: 'lane' } });
});
process.stderr.write(`queued ${BACKLOG} reports in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);

const face = createKtFace({ config, site, logger, metrics: new Registry(), now: () => clock.now });
const dispatcher = new OutboxDispatcher({
  store,
  logger,
  senders: [face.sender!],
  now: () => clock.now,
  idleMs: 50,
});
t0 = performance.now();
dispatcher.start();
for (;;) {
  await new Promise((r) => setTimeout(r, 100));
  const s = dispatcher.stats()[0];
  if (s.backlog === 0) break;
  if (performance.now() - t0 > 600_000) throw new Error('drain took more than 10 minutes');
}
const seconds = (performance.now() - t0) / 1000;
await dispatcher.stop();
const stats = dispatcher.stats()[0];
const names = new Set(cloud.received.map((r) => r.data.plateNo));
await cloud.close();
store.close();
rmSync(dir, { recursive: true, force: true });

const rate = BACKLOG / seconds;
console.log(`\nKT outbox drain, ${BACKLOG} queued PostCarInInfo, concurrency ${face.sender!.concurrency}\n`);
console.log('| reports | received by the cloud | distinct cars | failed attempts | seconds | reports/s |');
console.log('|---:|---:|---:|---:|---:|---:|');
console.log(
  `| ${BACKLOG} | ${cloud.received.length} | ${names.size} | ${stats.failed} | ${seconds.toFixed(1)} | ${rate.toFixed(0)} |`,
);
console.log(
  `\ntarget ≥ 1000 reports/s ${rate >= 1000 ? 'PASS' : 'FAIL'}${cloud.received.length === BACKLOG ? '' : ' (count mismatch!)'}`,
);
