// Exit auto-pay through the real daemon (src/daemon/faces.ts wires each cloud's charge into the lanes'
// exit hook), with the demo lot's camera and Modbus simulators and the fake clouds on loopback.
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { loadConfig } from '../../src/config/load.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { ZhenshiCameraSim } from '../../src/devices/sim/zhenshi-camera.js';
import { startFakePyunCloud, type FakePyunCloud } from '../../scripts/fake-pyun-cloud.js';
import { startFakeBolinkCloud, type FakeBolinkCloud } from '../../scripts/fake-bolink-cloud.js';
import { demoConfigCopy } from '../helpers/daemon.js';
import { T } from '../helpers/site.js';

const UUID = '40e06b24-7320-4a61-8d97-7ebccb364a87';
let daemon: Daemon | undefined;
let pyun: FakePyunCloud | undefined;
let bolink: FakeBolinkCloud | undefined;
afterEach(async () => {
  await daemon?.stop();
  await pyun?.close();
  await bolink?.close();
  daemon = pyun = bolink = undefined;
});

async function start(clock: { now: number }, clouds: Record<string, unknown>) {
  const demo = await demoConfigCopy((cfg) => {
    cfg.simulators = cfg.simulators.filter((s: { kind: string }) => s.kind !== 'camera');
    cfg.clouds = clouds;
  });
  daemon = new Daemon({
    config: loadConfig(demo.file, {}),
    logger: pino({ level: 'silent' }),
    now: () => clock.now,
    env: {},
  });
  await daemon.start();
  const c = daemon.devices.cameraServerAddress();
  const url = `http://${c.host}:${c.port}/zhenshi`;
  return {
    camIn: new ZhenshiCameraSim({ url, serialno: 'SIM-IN-1' }),
    camOut: new ZhenshiCameraSim({ url, serialno: 'SIM-OUT-1' }),
    downlink: `http://127.0.0.1:${daemon.downlinkAddress().port}`,
    exitCoil: () =>
      daemon!.simulators.gates.get('sim-gate-out-1')!.gate.writes.filter((w) => w.coil === 0 && w.value)
        .length,
  };
}

describe('exit auto-pay on the daemon', () => {
  it('P云: a stay marked by service.parking.vip is charged through internal/prepay at the exit and the gate opens', async () => {
    const clock = { now: T('2026-03-02 08:00') };
    pyun = await startFakePyunCloud({ appSecret: 'sec', gatewayKey: 'gwk' });
    const { camIn, camOut, downlink, exitCoil } = await start(clock, {
      pyun: { enabled: true, parkUuid: UUID, appSecret: 'sec', gatewayKey: 'gwk', uplinkUrl: pyun.url },
    });
    await camIn.push('粤B12345', { time: clock.now });
    const stay = daemon!.site.findStay({ plate: '粤B12345' })!;
    const vip = await pyun.call(`${downlink}/gateway/1.0/dispatch`, 'service.parking.vip', {
      park_uuid: UUID,
      parking_serial: stay.orderNo,
      plate: '粤B12345',
      credits: 10000,
    });
    expect(vip.result_code).toBe('1001');
    clock.now = T('2026-03-02 10:00');
    const out = await camOut.push('粤B12345', { time: clock.now });
    expect(out.body.Response_AlarmInfoPlate?.info).not.toBe('ok');
    await expect.poll(exitCoil).toBe(1);
    const prepay = pyun.of('prepay')[0];
    expect(prepay.params).toMatchObject({
      plate: '粤B12345',
      parking_serial: stay.orderNo,
      total_value: '800',
    });
    expect(daemon!.site.lastStay('粤B12345')).toMatchObject({ state: 'out', paid: 800 });
  });

  it('P云: a stay nobody marked is not charged; the car waits for payment', async () => {
    const clock = { now: T('2026-03-02 08:00') };
    pyun = await startFakePyunCloud({ appSecret: 'sec', gatewayKey: 'gwk' });
    const { camIn, camOut, exitCoil } = await start(clock, {
      pyun: { enabled: true, parkUuid: UUID, appSecret: 'sec', gatewayKey: 'gwk', uplinkUrl: pyun.url },
    });
    await camIn.push('粤B22222', { time: clock.now });
    clock.now = T('2026-03-02 10:00');
    await camOut.push('粤B22222', { time: clock.now });
    await new Promise((r) => setTimeout(r, 300));
    expect(pyun.of('prepay')).toHaveLength(0);
    expect(exitCoil()).toBe(0);
    expect(daemon!.lanes.waiting('out-1')).toBe(daemon!.site.findStay({ plate: '粤B22222' })!.orderNo);
  });

  it('Bolink: a wallet with enough balance is charged at the exit; the e-pay result (state 1) opens the gate', async () => {
    const clock = { now: T('2026-03-02 08:00') };
    bolink = await startFakeBolinkCloud({ ukey: 'UK', holdMs: 200 });
    const { camIn, camOut, exitCoil } = await start(clock, {
      bolink: {
        enabled: true,
        unionId: '1',
        parkId: '21835',
        localId: 'edge',
        ukey: 'UK',
        url: bolink.url,
        retryMs: 50,
      },
    });
    await camIn.push('粤B33333', { time: clock.now });
    bolink.queue('update_balance', { car_number: '粤B33333', balance: 20 });
    await expect.poll(() => bolink!.uploads.some((u) => u.service === 'update_balance')).toBe(true);
    clock.now = T('2026-03-02 10:00');
    await camOut.push('粤B33333', { time: clock.now });
    await expect
      .poll(() => bolink!.uploads.find((u) => u.service === 'outpark' && u.data.pay_type === 'wallet'))
      .toBeTruthy();
    const charge = bolink.uploads.find((u) => u.service === 'outpark' && u.data.pay_type === 'wallet')!;
    expect(charge.data).toMatchObject({ car_number: '粤B33333', total: 8 });
    expect(exitCoil()).toBe(0);
    bolink.queue('outpark', {
      state: 1,
      order_id: charge.data.order_id,
      trade_no: 'BL-T-1',
      pay_type: 'wallet',
      pay_channel: 2,
      pay_time: Math.floor(clock.now / 1000),
      total: 8,
      car_number: '粤B33333',
    });
    await expect.poll(exitCoil, { timeout: 5000 }).toBe(1);
    expect(daemon!.site.lastStay('粤B33333')).toMatchObject({ state: 'out', paid: 800 });
  });
});
