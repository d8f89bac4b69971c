import { afterEach, describe, expect, it } from 'vitest';
import { DeviceManager } from '../../src/devices/manager.js';
import { HikvisionCameraSim } from '../../src/devices/sim/hikvision-camera.js';
import { OnvifDeviceSim, PLACEHOLDER_JPEG } from '../../src/devices/sim/onvif-device.js';
import { postRaw } from '../../src/devices/sim/zhenshi-camera.js';
import { httpRequest } from '../../src/devices/http/digest.js';
import type { PlateRead } from '../../src/devices/interfaces.js';
import { lotConfig, testLogger, tmpDir, waitFor } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('hikvision ISAPI camera', () => {
  it('parses the multipart ANPR push, stores the picture and opens via barrierGate with digest auth', async () => {
    const hk = new HikvisionCameraSim({ username: 'admin', password: 's3cret' });
    await hk.start();
    cleanups.push(() => hk.stop());
    const cfg = lotConfig([
      {
        id: 'hk1',
        type: 'hikvision',
        url: hk.url(),
        username: 'admin',
        password: 's3cret',
        ipaddr: '192.0.2.10',
      },
      { id: 'hkgate', type: 'camera-relay', camera: 'hk1' },
    ]);
    const mgr = new DeviceManager({ config: cfg, logger: testLogger(), imageDir: tmpDir() });
    await mgr.start();
    cleanups.push(() => mgr.stop());
    expect(mgr.get('hk1')!.health().status).toBe('online');
    expect(mgr.get('hkgate')!.health().status).toBe('online');
    const reads: PlateRead[] = [];
    mgr.camera('hk1')!.onRead(async (r) => {
      reads.push(r);
      return { open: true };
    });
    const a = mgr.cameraServerAddress();
    const r = await hk.push(`http://${a.host}:${a.port}/hikvision`, '浙A0D123', '192.0.2.10');
    expect(r.status).toBe(200);
    await waitFor(() => hk.barrier.length === 1, 3000, 'barrierGate open');
    expect(hk.barrier).toEqual(['open']);
    expect(reads[0]).toMatchObject({ plate: '浙A0D123', colour: 'blue', confidence: 93, cameraId: 'hk1' });
    expect(reads[0].imageUrl).toMatch(/^\/images\/hk1-/);

    await mgr.gate('hkgate')!.close();
    expect(hk.barrier).toEqual(['open', 'close']);
    await expect(mgr.gate('hkgate')!.keepOpen()).rejects.toThrow(/not supported/);
    const info = mgr.cameraInfo('hk1')!;
    expect(await info.identity()).toMatchObject({ manufacturer: 'Hikvision', serialNumber: 'HKSIM0001' });
    expect(await mgr.snapshot('hk1')).toEqual(PLACEHOLDER_JPEG);

    const wrong = await httpRequest({
      url: hk.url() + '/ISAPI/System/deviceInfo',
      username: 'admin',
      password: 'nope',
    });
    expect(wrong.status).toBe(401);

    const bad = await postRaw(`http://${a.host}:${a.port}/hikvision`, '<notAnAlert/>', 'application/xml');
    expect(bad.status).toBe(400);
    const unknown = await hk.push(`http://${a.host}:${a.port}/hikvision`, '浙A0D124', '198.51.100.1');
    expect(unknown.status).toBe(404);
    const trunc = await postRaw(
      `http://${a.host}:${a.port}/hikvision`,
      '--x\r\nContent-Disposition: form-data; name="a"\r\n',
      'multipart/form-data; boundary=x',
    );
    expect(trunc.status).toBe(400);
  });

  it('wrong credentials mark the camera as fault, not offline', async () => {
    const hk = new HikvisionCameraSim({ username: 'admin', password: 'right' });
    await hk.start();
    cleanups.push(() => hk.stop());
    const mgr = new DeviceManager({
      config: lotConfig([
        { id: 'hk1', type: 'hikvision', url: hk.url(), username: 'admin', password: 'wrong' },
      ]),
      logger: testLogger(),
      imageDir: tmpDir(),
    });
    await mgr.start();
    cleanups.push(() => mgr.stop());
    expect(mgr.healthTable()[0].health).toMatchObject({
      status: 'fault',
      reason: expect.stringMatching(/401/),
    });
  });
});

describe('onvif device', () => {
  it('connects with the onvif client, reads identity and fetches the snapshot JPEG', async () => {
    const sim = new OnvifDeviceSim({ manufacturer: 'Acme', model: 'LPR-9', serialNumber: 'ACME-42' });
    const a = await sim.start();
    cleanups.push(() => sim.stop());
    const mgr = new DeviceManager({
      config: lotConfig([
        { id: 'ov1', type: 'onvif', host: a.host, port: a.port, timeoutMs: 2000, pollSec: 1 },
      ]),
      logger: testLogger(),
      imageDir: tmpDir(),
    });
    await mgr.start();
    cleanups.push(() => mgr.stop());
    expect(mgr.get('ov1')!.health().status).toBe('online');
    const info = mgr.cameraInfo('ov1')!;
    expect(await info.identity()).toEqual({
      manufacturer: 'Acme',
      model: 'LPR-9',
      serialNumber: 'ACME-42',
      firmwareVersion: '1.0.0',
    });
    expect(await mgr.snapshot('ov1')).toEqual(PLACEHOLDER_JPEG);
    expect(await info.reachable()).toBe(true);
    expect(sim.requests).toEqual(
      expect.arrayContaining(['GetSystemDateAndTime', 'GetServices', 'GetProfiles', 'GetVideoSources']),
    );

    // power cut → offline at the next poll; power back → online, no restart
    sim.up = false;
    await waitFor(() => mgr.get('ov1')!.health().status === 'offline', 6000, 'offline');
    sim.up = true;
    await waitFor(() => mgr.get('ov1')!.health().status === 'online', 8000, 'online again');
  });
});
