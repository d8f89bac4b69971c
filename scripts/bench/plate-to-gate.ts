// Plate-to-gate latency: a Zhenshi push → (a) the HTTP reply that opens, (b) the Modbus OPEN coil written on
// the relay board, for known monthly cars, through the real daemon (camera driver → lane → site.enter in a
// SQLite transaction with its outbox rows → reply + Modbus coil). 16 lanes, 10,000 reads.
//
// Two processes, as on a site: this one runs the daemon (and, for the baseline, a bare node:http echo server
// answering the same POST); a child process plays the lane hardware — 16 camera simulators and 16 Modbus
// relay boards — and measures from its side of the wire. Each lane pushes one read, waits for the reply and
// the open coil, lets the car drive through (60 ms) and pushes the next, as a real lane does. The baseline
// runs the same pushes against the echo server in the same run.
//   npx tsx scripts/bench/plate-to-gate.ts [--reads 10000] [--lanes 16] [--image]
import http from 'node:http';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';

function arg(name: string, d: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : d;
}
const READS = arg('reads', 10_000);
const LANES = arg('lanes', 16);
const WITH_IMAGE = process.argv.includes('--image');
const WARMUP = Math.min(500, Math.floor(READS / 10));
const PER_LANE = Math.ceil(READS / LANES);
const plateOf = (lane: number, k: number) =>
  `京A${String(lane).padStart(2, '0')}${String(k).padStart(4, '0')}`;

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

// ------------------------------------------------------------------ the lane hardware (child process)

async function devicesSide(): Promise<void> {
  const { ModbusTcpRelaySim } = await import('../../src/devices/sim/modbus-relay.js');
  const { ZhenshiCameraSim } = await import('../../src/devices/sim/zhenshi-camera.js');
  const boards = await Promise.all(
    Array.from({ length: LANES }, async () => {
      const s = new ModbusTcpRelaySim({ travelMs: 10 });
      return { sim: s, addr: await s.start() };
    }),
  );
  const coilWaiters: Array<((t: number) => void) | undefined> = boards.map(() => undefined);
  boards.forEach((b, i) =>
    b.sim.gate.on('coil', (coil: number, v: boolean) => {
      if (coil === 0 && v) coilWaiters[i]?.(performance.now());
    }),
  );
  const say = (o: unknown) => process.stdout.write(JSON.stringify(o) + '\n');
  say({ boards: boards.map((b) => b.addr) });
  const lines = createInterface({ input: process.stdin });
  const { camera, baseline } = JSON.parse(await new Promise<string>((r) => lines.once('line', r)));
  const image = WITH_IMAGE ? Buffer.alloc(200 * 1024, 0xab) : undefined;

  async function run(url: string, withCoil: boolean) {
    const cams = Array.from(
      { length: LANES },
      (_, i) => new ZhenshiCameraSim({ url, serialno: `LANE-${i}` }),
    );
    const reply: number[] = [];
    const coil: number[] = [];
    let failures = 0;
    const t0all = performance.now();
    await Promise.all(
      cams.map(async (cam, lane) => {
        for (let k = 0; k < PER_LANE; k++) {
          const coilAt = withCoil ? new Promise<number>((res) => (coilWaiters[lane] = res)) : undefined;
          const t0 = performance.now();
          const r = await cam.push(plateOf(lane, k), { image });
          if (r.status !== 200 || r.body.Response_AlarmInfoPlate?.info !== 'ok') failures++;
          let tc = NaN;
          if (coilAt) {
            tc = await Promise.race([coilAt, new Promise<number>((res) => setTimeout(() => res(NaN), 5000))]);
            if (Number.isNaN(tc)) failures++;
          }
          if (k >= WARMUP / LANES) {
            reply.push(r.ms);
            if (!Number.isNaN(tc)) coil.push(tc - t0);
          }
          // the car drives through while the open pulse ends; the next car follows
          await new Promise((res) => setTimeout(res, 60));
        }
      }),
    );
    return { reply, coil, failures, seconds: (performance.now() - t0all) / 1000 };
  }

  const daemonRun = await run(camera, true);
  const baseRun = await run(baseline, false);
  await Promise.all(boards.map((b) => b.sim.dispose()));
  // a large line: exit only once the pipe took all of it
  process.stdout.write(JSON.stringify({ daemon: daemonRun, baseline: baseRun }) + '\n', () =>
    process.exit(0),
  );
}

// ------------------------------------------------------------------ the daemon (this process)

async function daemonSide(): Promise<void> {
  const { parseConfig } = await import('../../src/config/load.js');
  const { Daemon } = await import('../../src/daemon/daemon.js');
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      fileURLToPath(import.meta.url),
      '--role',
      'devices',
      '--reads',
      String(READS),
      '--lanes',
      String(LANES),
      ...(WITH_IMAGE ? ['--image'] : []),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const fromChild = createInterface({ input: child.stdout! });
  const next = () => new Promise<any>((r) => fromChild.once('line', (l) => r(JSON.parse(l))));
  const { boards } = (await next()) as { boards: Array<{ host: string; port: number }> };

  const dir = mkdtempSync(join(tmpdir(), 'pe-bench-'));
  const devices = boards.flatMap((b, i) => [
    { id: `cam${i}`, type: 'zhenshi', serialno: `LANE-${i}`, replyTimeoutMs: 5000 },
    { id: `gate${i}`, type: 'modbus-relay', host: b.host, port: b.port, pulseMs: 50, pollMs: 1000 },
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
  const daemon = new Daemon({ config: cfg, logger: pino({ level: 'silent' }), env: {} });
  await daemon.start();
  daemon.store.tx(() => {
    for (let lane = 0; lane < LANES; lane++)
      for (let k = 0; k < PER_LANE; k++)
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
  daemon.store.flush();

  const echo = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const body = JSON.stringify({ Response_AlarmInfoPlate: { info: 'ok' } });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
  const a = daemon.devices.cameraServerAddress();
  child.stdin!.write(
    JSON.stringify({
      camera: `http://${a.host}:${a.port}/zhenshi`,
      baseline: `http://127.0.0.1:${(echo.address() as AddressInfo).port}/zhenshi`,
    }) + '\n',
  );
  const result = await next();
  const stays = daemon.site.searchOrders({ state: 'in', pageSize: 1 }).total;
  echo.closeAllConnections();
  echo.close();
  await daemon.stop();
  rmSync(dir, { recursive: true, force: true });

  const base: number[] = result.baseline.reply;
  const fmt = (ms: number) => `${ms.toFixed(3)} ms`;
  const row = (name: string, xs: number[]) => {
    const p50 = pct(xs, 50);
    const p99 = pct(xs, 99);
    console.log(
      `${name.padEnd(36)} n=${String(xs.length).padEnd(6)} p50 ${fmt(p50).padStart(10)}  p99 ${fmt(p99).padStart(10)}` +
        `   ×baseline p50 ${(p50 / pct(base, 50)).toFixed(2)}  p99 ${(p99 / pct(base, 99)).toFixed(2)}`,
    );
  };
  console.log(
    `plate-to-gate: ${PER_LANE * LANES} reads, ${LANES} lanes, image ${WITH_IMAGE ? '200 KiB' : 'none'}, warm-up ${WARMUP}`,
  );
  console.log('devices (cameras, relay boards) in a child process; the daemon alone in this one');
  row('baseline node:http echo', base);
  row('(a) push → reply with info:"ok"', result.daemon.reply);
  row('(b) push → Modbus OPEN coil written', result.daemon.coil);
  console.log(
    `${((PER_LANE * LANES) / result.daemon.seconds).toFixed(0)} reads/s over ${result.daemon.seconds.toFixed(1)} s; each lane: read → reply → coil → 60 ms → next read`,
  );
  console.log(
    `stays recorded: ${stays} (monthly cars; each read one SQLite transaction with its outbox rows)`,
  );
  const p99 = pct(result.daemon.coil, 99);
  console.log(
    `target p99 ≤ 15 ms and ≤ 3× baseline: reply ${pct(result.daemon.reply, 99) <= 15 && pct(result.daemon.reply, 99) / pct(base, 99) <= 3 ? 'met' : 'MISSED'}, coil ${p99 <= 15 && p99 / pct(base, 99) <= 3 ? 'met' : 'MISSED'}`,
  );
  if (result.daemon.failures || result.baseline.failures)
    console.log(`failures: daemon ${result.daemon.failures}, baseline ${result.baseline.failures}`);
}

const role = process.argv.includes('--role') ? process.argv[process.argv.indexOf('--role') + 1] : 'daemon';
(role === 'devices' ? devicesSide() : daemonSide()).catch((e) => {
  console.error(e);
  process.exit(1);
});
