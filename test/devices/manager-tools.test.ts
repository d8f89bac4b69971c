import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceManager, SimulatorSet, type DeviceHealthEvent } from '../../src/devices/manager.js';
import { doctor, formatDoctorTable, discover, simCommand } from '../../src/devices/index.js';
import { ModbusTcpRelaySim } from '../../src/devices/sim/modbus-relay.js';
import { OnvifDeviceSim } from '../../src/devices/sim/onvif-device.js';
import { HikvisionCameraSim } from '../../src/devices/sim/hikvision-camera.js';
import { lotConfig, testLogger, tmpDir, waitFor } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('DeviceManager', () => {
  it('start() never throws: dead boards, missing serial ports and a busy camera port are retried', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const busy = (blocker.address() as net.AddressInfo).port;
    const deadPort = await freePort();
    const cfg = lotConfig(
      [
        { id: 'g-dead', type: 'modbus-relay', host: '127.0.0.1', port: deadPort, timeoutMs: 200 },
        { id: 'led-missing', type: 'fk-led', path: '/nonexistent/ttyUSB7' },
        { id: 'cam1', type: 'zhenshi', serialno: 'S1' },
      ],
      { servers: { cameras: { host: '127.0.0.1', port: busy } } },
    );
    const mgr = new DeviceManager({ config: cfg, logger: testLogger(), imageDir: tmpDir() });
    const events: DeviceHealthEvent[] = [];
    mgr.events.on('health', (e: DeviceHealthEvent) => events.push(e));
    await mgr.start();
    cleanups.push(() => mgr.stop());
    const table = mgr.healthTable();
    expect(table.map((r) => [r.id, r.kind, r.ktDeviceType, r.health.status])).toEqual([
      ['g-dead', 'gate', 4, 'offline'],
      ['led-missing', 'display', 3, 'offline'],
      ['cam1', 'camera', 2, 'offline'],
    ]);
    // the relay board comes up later on the same address: online without a restart
    const sim = new ModbusTcpRelaySim();
    await sim.start('127.0.0.1', deadPort);
    cleanups.push(() => sim.dispose());
    await waitFor(() => mgr.gate('g-dead')!.health().status === 'online', 10000, 'gate online');
    expect(events.filter((e) => e.id === 'g-dead').map((e) => e.health.status)).toEqual(['online']);
    expect(mgr.gate('g-dead')!.kind).toBe('gate');
    expect(mgr.display('led-missing')).toBeDefined();
    expect(mgr.camera('g-dead')).toBeUndefined();
    await expect(mgr.snapshot('g-dead')).rejects.toThrow(/not a camera/);

    // camera server port frees up → the server binds on retry
    await new Promise<void>((r) => blocker.close(() => r()));
    await waitFor(
      async () =>
        (await fetch(`http://127.0.0.1:${busy}/healthz`)
          .then((r) => r.status)
          .catch(() => 0)) === 200,
      10000,
      'camera server bound',
    );
  });

  it('SimulatorSet runs the demo lot: gate simulator + camera pushing to the camera server', async () => {
    const gatePort = await freePort();
    const cfg = lotConfig(
      [
        { id: 'cam-in', type: 'zhenshi', serialno: 'DEMO-IN' },
        {
          id: 'gate-in',
          type: 'modbus-relay',
          host: '127.0.0.1',
          port: gatePort,
          inputs: { openLimit: 0, closedLimit: 1, loop: 2 },
          pollMs: 50,
        },
      ],
      {
        simulators: [
          { kind: 'gate', id: 'sim-gate-in', port: gatePort, travelMs: 100 },
          {
            kind: 'camera',
            id: 'sim-cam-in',
            camera: 'cam-in',
            serialno: 'DEMO-IN',
            plates: ['京A12345'],
            intervalSec: 0.3,
            heartbeatSec: 0.2,
          },
          { kind: 'onvif', id: 'sim-onvif', port: 0 },
        ],
      },
    );
    const mgr = new DeviceManager({ config: cfg, logger: testLogger(), imageDir: tmpDir() });
    const sims = new SimulatorSet({
      config: cfg,
      logger: testLogger(),
      cameraServer: () => mgr.cameraServerAddress(),
    });
    await sims.start();
    cleanups.push(() => sims.stop());
    await mgr.start();
    cleanups.push(() => mgr.stop());
    const gate = mgr.gate('gate-in')!;
    mgr.camera('cam-in')!.onRead(async (r) => {
      await gate.open();
      return { open: false, lines: [{ text: r.plate }] };
    });
    await waitFor(
      () => sims.gates.get('sim-gate-in')!.gate.arm === 'opened',
      5000,
      'arm opened by a simulated read',
    );
    await waitFor(() => gate.state() === 'opened', 3000, 'driver sees opened');
    expect(mgr.get('cam-in')!.health().status).toBe('online');
    expect(sims.cameras.get('sim-cam-in')!.replies.some((r) => r.status === 200)).toBe(true);
  });
});

describe('installer tools', () => {
  it('doctor gives one verdict per device and ok=false when one fails', async () => {
    const relay = new ModbusTcpRelaySim();
    const ra = await relay.start();
    cleanups.push(() => relay.dispose());
    const ov = new OnvifDeviceSim({ manufacturer: 'Acme', model: 'M1', serialNumber: 'X1' });
    const oa = await ov.start();
    cleanups.push(() => ov.stop());
    const hk = new HikvisionCameraSim({ username: 'admin', password: 'pw' });
    await hk.start();
    cleanups.push(() => hk.stop());
    const dead = await freePort();
    const cfg = lotConfig([
      {
        id: 'g1',
        type: 'modbus-relay',
        host: ra.host,
        port: ra.port,
        inputs: { openLimit: 0, closedLimit: 1, loop: 2 },
      },
      { id: 'g2', type: 'modbus-relay', host: '127.0.0.1', port: dead, timeoutMs: 300 },
      { id: 'ov1', type: 'onvif', host: oa.host, port: oa.port },
      { id: 'hk1', type: 'hikvision', url: hk.url(), username: 'admin', password: 'pw' },
      { id: 'zs1', type: 'zhenshi', serialno: 'Z' },
      { id: 'led1', type: 'fk-led', path: '/nonexistent/ttyS99' },
    ]);
    const { rows, ok } = await doctor(cfg, testLogger(), { timeoutMs: 1500 });
    const v = Object.fromEntries(rows.map((r) => [r.id, r.verdict]));
    expect(v).toEqual({ g1: 'ok', g2: 'fail', ov1: 'ok', hk1: 'ok', zs1: 'warn', led1: 'fail' });
    expect(ok).toBe(false);
    expect(rows.find((r) => r.id === 'g1')!.detail).toMatch(/arm closed/);
    expect(rows.find((r) => r.id === 'ov1')!.detail).toMatch(/Acme M1 s\/n X1/);
    const table = formatDoctorTable(rows);
    expect(table.split('\n')[0]).toMatch(/^DEVICE\s+TYPE\s+VERDICT\s+DETAIL/);
    expect(table).toMatch(/g2\s+modbus-relay\s+FAIL/);
  });

  it('discover finds an ONVIF responder on loopback (probe target configurable)', async () => {
    const ov = new OnvifDeviceSim({ manufacturer: 'Acme', model: 'LPR-9' });
    await ov.start();
    cleanups.push(() => ov.stop());
    const d = await ov.startDiscovery({ host: '127.0.0.1', port: 0 });
    const r = await discover({ target: d, bind: '127.0.0.1', timeoutMs: 500 });
    expect(r.onvif).toHaveLength(1);
    expect(r.onvif[0]).toMatchObject({ urn: ov.urn, name: 'LPR-9', hardware: 'Acme' });
    expect(r.onvif[0].xaddrs[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/onvif\/device_service$/);
    expect(Array.isArray(r.serialPorts)).toBe(true);
  });

  it('simCommand runs a gate simulator in the foreground until stopped', async () => {
    const port = await freePort();
    const ac = new AbortController();
    const running = simCommand(
      'gate',
      { port: String(port), travel: '50' },
      { signal: ac.signal, logger: testLogger() },
    );
    const cfg = lotConfig([
      { id: 'g', type: 'modbus-relay', host: '127.0.0.1', port, inputs: { openLimit: 0, closedLimit: 1 } },
    ]);
    await waitFor(
      async () => (await doctor(cfg, testLogger(), { timeoutMs: 500 })).ok,
      5000,
      'sim answering',
    );
    ac.abort();
    await running;
    await expect(simCommand('led', {}, { logger: testLogger() })).rejects.toThrow(/path/);
  });
});
