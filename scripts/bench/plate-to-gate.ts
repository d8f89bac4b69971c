// Plate-to-gate latency: a Zhenshi push → (a) the HTTP reply that opens, (b) the Modbus OPEN coil
// written on the relay board. 16 lanes (camera + relay board each), one read in flight per lane as
// real cameras do (and the next car only after the arm was commanded), 10,000 reads. Baseline: a bare node:http server answering the same POST in the
// same process and run, so the ratios say what our code costs on top of Node's HTTP stack.
//   npx tsx scripts/bench/plate-to-gate.ts [--reads 10000] [--lanes 16] [--image]
// The full daemon path: camera driver → lane → site.enter (SQLite transaction, outbox) → reply + Modbus coil.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { parseConfig } from '../../src/config/load.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { ModbusTcpRelaySim } from '../../src/devices/sim/modbus-relay.js';
import { ZhenshiCameraSim, postRaw } from '../../src/devices/sim/zhenshi-camera.js';

function arg(name: string, d: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : d;
}
const READS = arg('reads', 10_000);
const LANES = arg('lanes', 16);
const WITH_IMAGE = process.argv.includes('--image');
const WARMUP = Math.min(500, Math.floor(READS / 10));

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}
const fmt = (ms: number) => `${ms.toFixed(3)} ms`;

async function baseline(payloads: string[]): Promise<number[]> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const body = JSON.stringify({ Response_AlarmInfoPlate: { info: 'ok' } });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/zhenshi`;
  const lat: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: LANES }, async () => {
      for (;;) {
        const i = next++;
        if (i >= payloads.length) return;
        const r = await postRaw(url, payloads[i], 'application/json');
        if (i >= WARMUP) lat.push(r.ms);
      }
    }),
  );
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  return lat;
}

async function main(): Promise<void> {
  const logger = pino({ level: 'silent' });
  const dir = mkdtempSync(join(tmpdir(), 'pe-bench-'));
  const boards = await Promise.all(
    Array.from({ length: LANES }, async () => {
      const s = new ModbusTcpRelaySim({ travelMs: 10 });
      return { sim: s, addr: await s.start() };
    }),
  );
  const devices = boards.flatMap((b, i) => [
    { id: `cam${i}`, type: 'zhenshi', serialno: `LANE-${i}`, replyTimeoutMs: 5000 },
    { id: `gate${i}`, type: 'modbus-relay', host: b.addr.host, port: b.addr.port, pulseMs: 50, pollMs: 1000 },
    { id: `led${i}`, type: 'fk-led', transport: 'camera', camera: `cam${i}` },
  ]);
  const lanes = boards.map((_, i) => ({
    id: `in${i}`,
    direction: 'entry',
    area: 'a',
    camera: `cam${i}`,
    gate: `gate${i}`,
    display: `led${i}`,
    dedupeSeconds: 0,
  }));
  const cfg = parseConfig(
    JSON.stringify({
      site: {
        parkCode: 'BENCH',
        name: 'bench',
        dataDir: dir,
        areas: [{ id: 'a', name: 'a', spaces: 1_000_000 }],
      },
      tariffs: { t: { periods: [{ from: '00:00', to: '00:00', steps: [{ every: 60, price: 100 }] }] } },
      billing: { temp: { small: 't', large: 't' } },
      servers: {
        cameras: { host: '127.0.0.1', port: 0 },
        downlink: { host: '127.0.0.1', port: 0 },
        booth: { host: '127.0.0.1', port: 0 },
      },
      devices,
      lanes,
    }),
    'bench',
    {},
  );
  // the real daemon: storage, site use-cases, lanes, device drivers, downlink and booth servers
  const daemon = new Daemon({ config: cfg, logger, env: {} });
  await daemon.start();
  const perLane = Math.ceil(READS / LANES);
  // every read is a known monthly car entering (distinct plates: each read makes a new stay)
  const plateOf = (lane: number, k: number) =>
    `京A${String(lane).padStart(2, '0')}${String(k).padStart(4, '0')}`;
  daemon.store.tx(() => {
    for (let lane = 0; lane < LANES; lane++)
      for (let k = 0; k < perLane; k++)
        daemon.site.addCard(
          {
            cardNo: `M${lane}-${k}`,
            carType: 2,
            plates: [plateOf(lane, k)],
            validFrom: Date.now() - 86_400_000,
            validTo: Date.now() + 30 * 86_400_000,
          },
          { kind: 'cli' },
        );
  });
  const a = daemon.devices.cameraServerAddress();
  const url = `http://${a.host}:${a.port}/zhenshi`;

  // per lane, the next coil-ON write on the board resolves the waiting read
  const coilWaiters: Array<((t: number) => void) | undefined> = boards.map(() => undefined);
  boards.forEach((b, i) =>
    b.sim.gate.on('coil', (coil: number, v: boolean) => {
      if (coil === 0 && v) coilWaiters[i]?.(performance.now());
    }),
  );

  const image = WITH_IMAGE ? Buffer.alloc(200 * 1024, 0xab) : undefined;
  const cams = Array.from({ length: LANES }, (_, i) => new ZhenshiCameraSim({ url, serialno: `LANE-${i}` }));
  const reply: number[] = [];
  const coil: number[] = [];
  let failures = 0;
  const t0all = performance.now();
  await Promise.all(
    cams.map(async (cam, lane) => {
      for (let k = 0; k < perLane; k++) {
        const coilAt = new Promise<number>((res) => (coilWaiters[lane] = res));
        const t0 = performance.now();
        const r = await cam.push(plateOf(lane, k), { image });
        if (r.status !== 200 || r.body.Response_AlarmInfoPlate?.info !== 'ok') failures++;
        const tc = await Promise.race([
          coilAt,
          new Promise<number>((res) => setTimeout(() => res(NaN), 5000)),
        ]);
        if (Number.isNaN(tc)) failures++;
        if (k >= WARMUP / LANES) {
          reply.push(r.ms);
          if (!Number.isNaN(tc)) coil.push(tc - t0);
        }
        // the car drives through while the open pulse ends; the next car follows
        await new Promise((res) => setTimeout(res, 60));
      }
    }),
  );
  const seconds = (performance.now() - t0all) / 1000;
  const stays = daemon.site.searchOrders({ state: 'in', pageSize: 1 }).total;
  await daemon.stop();
  await Promise.all(boards.map((b) => b.sim.dispose()));

  const payloads = Array.from({ length: perLane * LANES }, (_, i) =>
    JSON.stringify(cams[i % LANES].buildPush(`京B${String(i % 100000).padStart(5, '0')}`, { image })),
  );
  const base = await baseline(payloads);
  rmSync(dir, { recursive: true, force: true });

  const row = (name: string, xs: number[]) => {
    const p50 = pct(xs, 50);
    const p99 = pct(xs, 99);
    console.log(
      `${name.padEnd(34)} n=${String(xs.length).padEnd(6)} p50 ${fmt(p50).padStart(10)}  p99 ${fmt(p99).padStart(10)}` +
        `   ×baseline p50 ${(p50 / pct(base, 50)).toFixed(2)}  p99 ${(p99 / pct(base, 99)).toFixed(2)}`,
    );
  };
  console.log(
    `plate-to-gate: ${perLane * LANES} reads, ${LANES} lanes, image ${WITH_IMAGE ? '200 KiB' : 'none'}, warm-up ${WARMUP}`,
  );
  row('baseline node:http echo', base);
  row('(a) push → reply with info:"ok"', reply);
  row('(b) push → Modbus OPEN coil written', coil);
  console.log(
    `${((perLane * LANES) / seconds).toFixed(0)} reads/s over ${seconds.toFixed(1)} s; each lane: read → reply → coil → 60 ms → next read`,
  );
  console.log(
    `stays recorded: ${stays} (monthly cars; each read one SQLite transaction with its outbox rows)`,
  );
  if (failures) console.log(`failures: ${failures}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
