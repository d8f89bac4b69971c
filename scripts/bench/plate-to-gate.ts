// Plate-to-gate latency: a Zhenshi push → (a) the HTTP reply that opens, (b) the Modbus OPEN coil
// written on the relay board. 16 lanes (camera + relay board each), one read in flight per lane as
// real cameras do, 10,000 reads. Baseline: a bare node:http server answering the same POST in the
// same process and run, so the ratios say what our code costs on top of Node's HTTP stack.
//   npx tsx scripts/bench/plate-to-gate.ts [--reads 10000] [--lanes 16] [--image]
// Uses DeviceManager with a trivial lane handler; the full daemon path (lanes + site + SQLite) will
// replace the handler once lanes/ is wired.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { parseConfig } from '../../src/config/load.js';
import { DeviceManager } from '../../src/devices/manager.js';
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
  const imageDir = mkdtempSync(join(tmpdir(), 'pe-bench-'));
  const boards = await Promise.all(
    Array.from({ length: LANES }, async () => {
      const s = new ModbusTcpRelaySim({ travelMs: 10 });
      return { sim: s, addr: await s.start() };
    }),
  );
  const devices = boards.flatMap((b, i) => [
    { id: `cam${i}`, type: 'zhenshi', serialno: `LANE-${i}`, replyTimeoutMs: 5000 },
    { id: `gate${i}`, type: 'modbus-relay', host: b.addr.host, port: b.addr.port, pulseMs: 50, pollMs: 1000 },
  ]);
  const cfg = parseConfig(
    JSON.stringify({
      site: { parkCode: 'BENCH', name: 'bench', areas: [{ id: 'a', name: 'a', spaces: 1000 }] },
      tariffs: { t: { periods: [{ from: '00:00', to: '00:00', steps: [{ every: 60, price: 100 }] }] } },
      billing: { temp: { small: 't', large: 't' } },
      servers: { cameras: { host: '127.0.0.1', port: 0 } },
      devices,
    }),
    'bench',
    {},
  );
  const mgr = new DeviceManager({ config: cfg, logger, imageDir });
  await mgr.start();
  const a = mgr.cameraServerAddress();
  const url = `http://${a.host}:${a.port}/zhenshi`;

  // coil-ON timestamps per lane, matched in order to that lane's reads (one read in flight per lane)
  const coilOn: number[][] = boards.map(() => []);
  boards.forEach((b, i) =>
    b.sim.gate.on('coil', (coil: number, v: boolean) => {
      if (coil === 0 && v) coilOn[i].push(performance.now());
    }),
  );
  for (let i = 0; i < LANES; i++) {
    const gate = mgr.gate(`gate${i}`)!;
    mgr.camera(`cam${i}`)!.onRead(async () => {
      await gate.open();
      return { open: true, lines: [{ text: '欢迎光临' }] };
    });
  }

  const image = WITH_IMAGE ? Buffer.alloc(200 * 1024, 0xab) : undefined;
  const cams = Array.from({ length: LANES }, (_, i) => new ZhenshiCameraSim({ url, serialno: `LANE-${i}` }));
  const perLane = Math.ceil(READS / LANES);
  const sent: number[][] = cams.map(() => []);
  const reply: number[] = [];
  let failures = 0;
  await Promise.all(
    cams.map(async (cam, lane) => {
      for (let k = 0; k < perLane; k++) {
        const t0 = performance.now();
        sent[lane].push(t0);
        const r = await cam.push(`京A${String(lane).padStart(2, '0')}${String(k % 1000).padStart(3, '0')}`, {
          image,
        });
        if (r.status !== 200 || r.body.Response_AlarmInfoPlate?.info !== 'ok') failures++;
        if (k >= WARMUP / LANES) reply.push(r.ms);
      }
    }),
  );
  const coil: number[] = [];
  for (let lane = 0; lane < LANES; lane++) {
    for (let k = Math.ceil(WARMUP / LANES); k < sent[lane].length && k < coilOn[lane].length; k++)
      coil.push(coilOn[lane][k] - sent[lane][k]);
  }
  await mgr.stop();
  await Promise.all(boards.map((b) => b.sim.dispose()));

  const payloads = Array.from({ length: perLane * LANES }, (_, i) =>
    JSON.stringify(cams[i % LANES].buildPush(`京B${String(i % 100000).padStart(5, '0')}`, { image })),
  );
  const base = await baseline(payloads);
  rmSync(imageDir, { recursive: true, force: true });

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
  if (failures) console.log(`failures: ${failures}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
