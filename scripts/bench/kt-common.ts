// Shared pieces of the KT benchmarks: a lot on a real SQLite file, bulk seeding (bench-only fast path through
// the storage repositories, one transaction), and a keep-alive HTTP load generator run in a child process so
// that it never shares the server's event loop.
import { fork } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { parseConfig } from '../../src/config/load.js';
import { Store } from '../../src/storage/index.js';
import { Site, plateKeyOf } from '../../src/site/site.js';
import type { OutboxStream } from '../../src/site/events.js';
import { BASE_YAML } from '../../test/helpers/site.js';

export const KEY = 'F7A0B971B199FD2A1017CEC5';
export const DOWN = { user: 'ktapi', pwd: '0306A9' };
export const UP = { user: 'third', pwd: 'up-secret' };
export const env = (name: string, def: number) => Number(process.env[name] ?? def);

export function benchSite(opts: {
  uplinkUrl?: string;
  streams?: OutboxStream[];
  spaces?: number;
  now: () => number;
}) {
  const dir = mkdtempSync(join(tmpdir(), 'pe-bench-kt-'));
  const yaml = `${BASE_YAML.replace('spaces: 100', `spaces: ${opts.spaces ?? 1_000_000}`)}
clouds:
  kt:
    enabled: true
    parkCode: "1"
    key: ${KEY}
    downlink: { user: ${DOWN.user}, pwd: ${DOWN.pwd} }
${opts.uplinkUrl ? `    uplink: { url: "${opts.uplinkUrl}", user: ${UP.user}, pwd: ${UP.pwd} }\n    concurrency: 16` : ''}
`;
  const config = parseConfig(yaml, 'bench.yaml', {});
  // KT_BENCH_DB: start from a copy of a lot seeded earlier (same sizes), to skip the 35 s seeding
  if (process.env.KT_BENCH_DB) copyFileSync(process.env.KT_BENCH_DB, join(dir, 'park.db'));
  const store = Store.open(join(dir, 'park.db'));
  const logger = pino({ level: 'silent' });
  const site = new Site({ store, config, logger, now: opts.now, outboxStreams: opts.streams });
  return { dir, config, store, site, logger };
}

const LETTERS = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const PROV = '京沪粤苏浙闽川鄂湘皖';
/** A distinct civil plate for every i below 10 × 24 × 24³ × 10² (≈ 33 M). */
export function plateOf(i: number): string {
  let n = i;
  const d2 = String(n % 100).padStart(2, '0');
  n = Math.floor(n / 100);
  let mid = '';
  for (let k = 0; k < 3; k++) {
    mid += LETTERS[n % 24];
    n = Math.floor(n / 24);
  }
  const city = LETTERS[n % 24];
  n = Math.floor(n / 24);
  return `${PROV[n % 10]}${city}${mid}${d2}`;
}

/**
 * Bench-only seeding: `inLot` stays still inside and `done` finished stays spread over the last `days` days,
 * written straight through the repositories in one transaction (the use-cases would fsync each one).
 */
export function seedStays(
  store: Store,
  o: { inLot: number; done: number; now: number; days?: number },
): void {
  if (process.env.KT_BENCH_DB) return;
  const days = o.days ?? 365;
  const t0 = performance.now();
  let seq = 0;
  const no = (t: number) => `${t}${String(++seq).padStart(8, '0')}`;
  store.tx(() => {
    for (let i = 0; i < o.done; i++) {
      const plate = plateOf(1_000_000 + (i % 400_000));
      const entry = o.now - Math.floor(((i + 0.5) / o.done) * days * 86_400_000) - 3_600_000;
      const orderNo = no(entry);
      store.orders.insert({
        orderNo,
        plate,
        plateKey: plateKeyOf(plate),
        plateColour: 'blue',
        carType: 0,
        vehicleClass: 'small',
        areaId: 'main',
        entryLane: 'in-1',
        entryTime: entry,
        now: entry,
      });
      store.orders.finish({
        orderNo,
        exitLane: 'out-1',
        exitTime: entry + 3_600_000,
        totalFee: 800,
        release: 'paid',
        now: entry + 3_600_000,
      });
    }
    for (let i = 0; i < o.inLot; i++) {
      const plate = plateOf(i);
      const entry = o.now - ((i % 720) + 1) * 60_000;
      store.orders.insert({
        orderNo: no(entry),
        plate,
        plateKey: plateKeyOf(plate),
        plateColour: 'blue',
        carType: 0,
        vehicleClass: 'small',
        areaId: 'main',
        entryLane: 'in-1',
        entryTime: entry,
        now: entry,
      });
    }
  });
  store.db.pragma('optimize');
  process.stderr.write(
    `seeded ${o.inLot} in the lot + ${o.done} finished stays in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
  );
}

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
}

/** Drive `url` with POST bodies (round robin) from a child process: `connections` keep-alive sockets for `seconds`. */
export function load(o: {
  url: string;
  bodies: string[];
  headers: Record<string, string>;
  connections: number;
  seconds: number;
  check?: string;
}): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL('./kt-load-client.ts', import.meta.url)), [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.once('message', (m) => {
      resolve(m as LoadResult);
      child.kill();
    });
    child.once('error', reject);
    child.send(o);
  });
}

export function pct(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
