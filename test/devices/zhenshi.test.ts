import { afterEach, describe, expect, it } from 'vitest';
import { DeviceManager, type DeviceHealthEvent } from '../../src/devices/manager.js';
import { ZhenshiCameraSim, postRaw } from '../../src/devices/sim/zhenshi-camera.js';
import type { PlateRead } from '../../src/devices/interfaces.js';
import { lotConfig, testLogger, tmpDir, waitFor } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup() {
  const cfg = lotConfig([
    { id: 'cam1', type: 'zhenshi', serialno: 'SN-1', heartbeatTimeoutSec: 1, replyTimeoutMs: 300 },
    { id: 'cam2', type: 'zhenshi', ipaddr: '10.9.9.9' },
    { id: 'led1', type: 'fk-led', transport: 'camera', camera: 'cam1', serialChannel: 0 },
    { id: 'g1', type: 'camera-relay', camera: 'cam1', io: 0 },
  ]);
  const imageDir = tmpDir('parkedge-img-');
  const mgr = new DeviceManager({ config: cfg, logger: testLogger(), imageDir });
  const events: DeviceHealthEvent[] = [];
  mgr.events.on('health', (e: DeviceHealthEvent) => events.push(e));
  await mgr.start();
  cleanups.push(() => mgr.stop());
  const a = mgr.cameraServerAddress();
  const base = `http://${a.host}:${a.port}`;
  const sim = new ZhenshiCameraSim({ url: `${base}/zhenshi`, serialno: 'SN-1' });
  return { mgr, sim, base, events, imageDir };
}

describe('zhenshi camera over HTTP push', () => {
  it('hands the read to the lane and answers with its decision, LED frames and voice', async () => {
    const { mgr, sim, base } = await setup();
    const reads: PlateRead[] = [];
    mgr.camera('cam1')!.onRead(async (r) => {
      reads.push(r);
      return {
        open: true,
        lines: [{ text: r.plate, colour: 'green' }, { text: '欢迎光临' }],
        voice: `${r.plate},欢迎光临`,
      };
    });
    const jpeg = Buffer.from('ffd8ffe000104a464946000101ffd9', 'hex');
    const r = await sim.push('粤B12345', { image: jpeg, colorType: 2, confidence: 91, triggerType: 2 });
    expect(r.status).toBe(200);
    const body = r.body.Response_AlarmInfoPlate!;
    expect(body.info).toBe('ok');
    expect(body.serialData?.length).toBe(3);
    expect(sim.led.windows.get(0)).toBe('粤B12345');
    expect(sim.led.windows.get(1)).toBe('欢迎光临');
    expect(sim.led.spoken).toEqual(['粤B12345,欢迎光临']);
    expect(reads[0]).toMatchObject({
      plate: '粤B12345',
      colour: 'yellow',
      confidence: 91,
      cameraId: 'cam1',
      trigger: 'io',
      offline: false,
    });
    expect(reads[0].imageUrl).toMatch(/^\/images\/cam1-/);
    const img = await fetch(base + reads[0].imageUrl);
    expect(img.status).toBe(200);
    expect(Buffer.from(await img.arrayBuffer())).toEqual(jpeg);
    expect((await fetch(base + '/images/..%2F..%2Fetc%2Fpasswd')).status).toBe(404);
    expect(mgr.get('cam1')!.health().status).toBe('online');
  });

  it('drops re-sends of the same plateid and never opens for offline records', async () => {
    const { mgr, sim } = await setup();
    const reads: PlateRead[] = [];
    mgr.camera('cam1')!.onRead(async (r) => {
      reads.push(r);
      return { open: true };
    });
    expect((await sim.push('京A11111', { plateid: 77 })).body.Response_AlarmInfoPlate!.info).toBe('ok');
    expect((await sim.push('京A11111', { plateid: 77 })).body.Response_AlarmInfoPlate!.info).toBe('no');
    const off = await sim.push('京A22222', { plateid: 78, isoffline: 1 });
    expect(off.body.Response_AlarmInfoPlate!.info).toBe('no');
    expect((await sim.push('京A22222', { plateid: 78, isoffline: 1 })).status).toBe(200);
    expect(reads.map((r) => [r.plate, r.offline])).toEqual([
      ['京A11111', false],
      ['京A22222', true],
    ]);
  });

  it('answers without opening when the lane is too slow', async () => {
    const { mgr, sim } = await setup();
    mgr.camera('cam1')!.onRead(() => new Promise((r) => setTimeout(() => r({ open: true }), 2000)));
    const r = await sim.push('京A33333');
    expect(r.body.Response_AlarmInfoPlate!.info).toBe('no');
    expect(r.ms).toBeLessThan(1500);
  });

  it('heartbeats bring the camera online, silence takes it offline — once each', async () => {
    const { mgr, sim, events } = await setup();
    expect(mgr.get('cam1')!.health().status).toBe('offline');
    await sim.heartbeat();
    expect(mgr.get('cam1')!.health().status).toBe('online');
    await sim.heartbeat();
    await waitFor(() => mgr.get('cam1')!.health().status === 'offline', 3000, 'heartbeat timeout');
    await sim.heartbeat();
    const cam1 = events.filter((e) => e.id === 'cam1').map((e) => e.health.status);
    expect(cam1).toEqual(['online', 'offline', 'online']);
    // the gate and LED riding on the camera follow its health
    expect(mgr.healthTable().find((r) => r.id === 'g1')!.health.status).toBe('online');
    expect(mgr.healthTable().find((r) => r.id === 'led1')!.health.status).toBe('online');
  });

  it('manual open and LED text issued between pushes go out with the next heartbeat reply', async () => {
    const { mgr, sim } = await setup();
    await sim.heartbeat();
    const opened = mgr.gate('g1')!.open();
    const shown = mgr.display('led1')!.show([{ text: '车位已满', colour: 'red' }]);
    const hb = await sim.heartbeat();
    await opened;
    await shown;
    expect(hb.body.Response_AlarmInfoPlate!.info).toBe('ok');
    expect(sim.led.windows.get(0)).toBe('车位已满');
    expect(sim.relayPulses).toHaveLength(1);
  });

  it('a gate command issued inside the lane handler rides on that reply (no deadlock)', async () => {
    const { mgr, sim } = await setup();
    await sim.heartbeat();
    mgr.camera('cam1')!.onRead(async () => {
      await mgr.gate('g1')!.open();
      await mgr.display('led1')!.speak('一路顺风');
      return { open: false };
    });
    const r = await sim.push('京A44444');
    expect(r.body.Response_AlarmInfoPlate!.info).toBe('ok');
    expect(sim.led.spoken).toEqual(['一路顺风']);
  });

  it('commands to an offline camera reject at once', async () => {
    const { mgr } = await setup();
    await expect(mgr.gate('g1')!.open()).rejects.toThrow(/offline/);
  });

  it('answers malformed pushes with 4xx JSON errors and keeps serving', async () => {
    const { sim, base } = await setup();
    const url = `${base}/zhenshi`;
    const bad = await postRaw(url, '{not json', 'application/json');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/JSON/);
    const wrongType = await postRaw(
      url,
      JSON.stringify({ AlarmInfoPlate: { serialno: 'SN-1', result: { PlateResult: { license: 123 } } } }),
      'application/json',
    );
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error).toMatch(/license/);
    const unknown = await postRaw(
      url,
      JSON.stringify(new ZhenshiCameraSim({ url, serialno: 'NOPE' }).buildPush('京A1')),
      'application/json',
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatch(/unknown camera/);
    const huge = await postRaw(url, Buffer.alloc(9 * 1024 * 1024, 0x20), 'application/json').catch((e) => ({
      status: -1,
      body: { error: String(e) },
    }));
    expect([413, -1]).toContain(huge.status);
    expect((await postRaw(url, '[1,2]', 'application/json')).status).toBe(400);
    expect((await postRaw(url, JSON.stringify({ hello: 1 }), 'application/json')).status).toBe(400);
    expect((await postRaw(`${base}/nowhere`, '{}', 'application/json')).status).toBe(404);
    expect((await fetch(`${base}/zhenshi`)).status).toBe(405);
    const ok = await sim.push('京A55555');
    expect(ok.status).toBe(200);
  });

  it('matches a camera by ipaddr when it has no serialno configured', async () => {
    const { mgr, base } = await setup();
    const reads: string[] = [];
    mgr.camera('cam2')!.onRead(async (r) => {
      reads.push(r.cameraId);
      return { open: false };
    });
    const sim2 = new ZhenshiCameraSim({ url: `${base}/zhenshi`, serialno: 'OTHER', ipaddr: '10.9.9.9' });
    expect((await sim2.push('京A66666')).status).toBe(200);
    expect(reads).toEqual(['cam2']);
  });
});
