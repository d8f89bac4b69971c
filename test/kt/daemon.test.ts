// KT on the real daemon: the demo lot's devices are simulators (Zhenshi cameras pushing to the camera server,
// Modbus relay boards behind the gates); the fake KT cloud receives the reports and calls the downlink.
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { loadConfig } from '../../src/config/load.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { ZhenshiCameraSim } from '../../src/devices/sim/zhenshi-camera.js';
import { startFakeKtCloud, type FakeKtCloud } from '../../scripts/fake-kt-cloud.js';
import { demoConfigCopy } from '../helpers/daemon.js';
import { T } from '../helpers/site.js';

const KEY = '693207DB8148FBC9D8410179';
const UP = { user: 'ktup', pwd: 'up-secret' };
const DOWN = { user: 'ktapi', pwd: 'down-secret' };

let daemon: Daemon | undefined;
let cloud: FakeKtCloud | undefined;
afterEach(async () => {
  await daemon?.stop();
  await cloud?.close();
  daemon = cloud = undefined;
});

async function start(clock: { now: number }, cloudPricing = false) {
  cloud = await startFakeKtCloud({ key: KEY, user: UP.user, pwd: UP.pwd, now: () => clock.now });
  const url = cloud.url;
  const demo = await demoConfigCopy((cfg) => {
    cfg.simulators = cfg.simulators.filter((s: { kind: string }) => s.kind !== 'camera');
    cfg.clouds = { kt: { enabled: true, key: KEY, downlink: DOWN, uplink: { url, ...UP }, cloudPricing } };
  });
  daemon = new Daemon({
    config: loadConfig(demo.file, {}),
    logger: pino({ level: 'silent' }),
    now: () => clock.now,
    env: {},
  });
  await daemon.start();
  const c = daemon.devices.cameraServerAddress();
  const camUrl = `http://${c.host}:${c.port}/zhenshi`;
  const downlink = `http://127.0.0.1:${daemon.downlinkAddress().port}`;
  const exitCoil = () =>
    daemon!.simulators.gates.get('sim-gate-out-1')!.gate.writes.filter((w) => w.coil === 0 && w.value).length;
  return {
    camIn: new ZhenshiCameraSim({ url: camUrl, serialno: 'SIM-IN-1' }),
    camOut: new ZhenshiCameraSim({ url: camUrl, serialno: 'SIM-OUT-1' }),
    downlink,
    exitCoil,
  };
}

describe('KT on the daemon with simulated devices', () => {
  it('a whole stay: camera entry → PostCarInInfo → GetParkingPaymentInfo → PayParkingFee twice (charged once) → camera exit opens the gate → PostPayDetail and PostCarBillDetail', async () => {
    const clock = { now: T('2026-03-02 08:00') };
    const { camIn, camOut, downlink, exitCoil } = await start(clock);
    expect((await camIn.push('京A11113', { time: clock.now })).body.Response_AlarmInfoPlate?.info).toBe('ok');
    const inReport = await cloud!.waitFor((r) => r.name === 'PostCarInInfo');
    expect(inReport.data).toMatchObject({
      plateNo: '京A11113',
      entryTime: '2026-03-02 08:00:00',
      parkCode: 'DEMO01',
    });

    clock.now = T('2026-03-02 10:00');
    const info = await cloud!.callDownlink(
      downlink,
      'GetParkingPaymentInfo',
      { parkCode: 'DEMO01', plateNo: 'A11113' },
      DOWN,
    );
    expect(info.resCode).toBe(0);
    const bill = (info.data as any[])[0];
    expect(bill.payable).toBe(800); // demo tariff, 08:00–10:00: first hour 4.00, then 2 × 30 min at 2.00
    const pay = {
      parkCode: 'DEMO01',
      orderNo: bill.orderNo,
      amount: bill.payable,
      discount: 0,
      payType: 4,
      payMethod: 4,
    };
    expect((await cloud!.callDownlink(downlink, 'PayParkingFee', pay, DOWN)).resCode).toBe(0);
    expect((await cloud!.callDownlink(downlink, 'PayParkingFee', pay, DOWN)).resCode).toBe(0);
    const order = daemon!.site.findStay({ plate: '京A11113' })!;
    expect(daemon!.site.payments(order.orderNo).filter((p) => p.channel === 'kt')).toHaveLength(1);

    clock.now = T('2026-03-02 10:05');
    const out = await camOut.push('京A11113', { time: clock.now });
    expect(out.body.Response_AlarmInfoPlate?.info).toBe('ok');
    await expect.poll(exitCoil).toBe(1);
    const payDetail = await cloud!.waitFor((r) => r.name === 'PostPayDetail');
    const billDetail = await cloud!.waitFor((r) => r.name === 'PostCarBillDetail');
    // paid before the exit (preMoney) and one bill of 8.00 by WeChat (payMoney), in fen
    expect(payDetail.data).toMatchObject({ plateNo: '京A11113', preMoney: 800, payMoney: 0 });
    expect(billDetail.data).toMatchObject({ plateNo: '京A11113', totalMoney: 800, payMoney: 800 });
    expect(cloud!.received.filter((r) => r.name === 'PostCarInInfo')).toHaveLength(1);
  });

  it('cloud pricing: AutonomousCalfee sets the fee at the exit; a fee of 0 opens the gate with no payment', async () => {
    const clock = { now: T('2026-03-02 08:00') };
    const { camIn, camOut, exitCoil } = await start(clock, true);
    cloud!.setReply('AutonomousCalfee', () => ({ resCode: 0, resMsg: '', data: [{ payMoney: 0 }] }));
    await camIn.push('京A22222', { time: clock.now });
    clock.now = T('2026-03-02 10:00');
    const out = await camOut.push('京A22222', { time: clock.now });
    // the camera's reply comes from the local tariff at once; the cloud's answer opens the gate right after
    expect(out.body.Response_AlarmInfoPlate?.info).not.toBe('ok');
    await expect.poll(exitCoil).toBe(1);
    const asked = await cloud!.waitFor((r) => r.name === 'AutonomousCalfee');
    expect(asked.data).toMatchObject({
      plateNo: '京A22222',
      entryTime: '2026-03-02 08:00:00',
      leaveTime: '2026-03-02 10:00:00',
    });
    expect(daemon!.site.lastStay('京A22222')!.state).toBe('out');
  });
});
