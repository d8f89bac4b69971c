// Several clouds at once: P云, Bolink, the LAN OpenApi and KT on one site. Each cloud drains its own outbox
// stream; money taken through any of them (or at the booth) is visible to all, and none can take it twice.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakePyunCloud, type FakePyunCloud } from '../../scripts/fake-pyun-cloud.js';
import { startFakeBolinkCloud, type FakeBolinkCloud } from '../../scripts/fake-bolink-cloud.js';
import { startFakeKtCloud, type FakeKtCloud } from '../../scripts/fake-kt-cloud.js';
import { lanCall, type LanCallOptions } from '../../scripts/lanapi-client.js';
import { createPyunFace } from '../../src/downlink/pyun/face.js';
import { createBolinkFace } from '../../src/downlink/bolink/face.js';
import { createLanApiFace, type LanApiExtension } from '../../src/downlink/lanapi/face.js';
import { createKtFace, KT_KINDS } from '../../src/downlink/kt/index.js';
import { PYUN_KINDS } from '../../src/uplink/pyun/sender.js';
import { BOLINK_KINDS } from '../../src/uplink/bolink/sender.js';
import { startHarness, waitFor, type Harness } from './harness.js';
import { T } from '../helpers/site.js';

const KT_KEY = 'F7A0B971B199FD2A1017CEC5';
const KT_DOWN = { user: 'ktapi', pwd: '0306A9' };
const LAN: LanCallOptions = { parkKey: 'PK0001', appId: 'APP01', appSecret: 'lan-secret' };
const UUID = 'park-uuid-0001';

let pyun: FakePyunCloud;
let bolink: FakeBolinkCloud;
let kt: FakeKtCloud;
let h: Harness;
let gw: string;
let lanBase: string;
const clock = { now: T('2026-03-02 08:00:00') };

beforeEach(async () => {
  clock.now = T('2026-03-02 08:00:00');
  pyun = await startFakePyunCloud({ appSecret: 'sec', gatewayKey: 'gwk' });
  bolink = await startFakeBolinkCloud({ ukey: 'UK', holdMs: 300 });
  kt = await startFakeKtCloud({
    key: KT_KEY,
    user: 'up',
    pwd: 'uppwd',
    timezone: 'Asia/Shanghai',
    now: () => h.t.clock.now,
  });
  h = await startHarness({
    clouds: `  pyun: { enabled: true, parkUuid: ${UUID}, appSecret: sec, gatewayKey: gwk, uplinkUrl: "${pyun.url}" }
  bolink: { enabled: true, unionId: "1", parkId: "21835", localId: edge, ukey: UK, url: "${bolink.url}", retryMs: 50, queryOrder: { startAfterMs: 5000, everyMs: 2000, stopAfterMs: 10000 } }
  lanapi: { enabled: true, parkKey: PK0001, appId: APP01, appSecret: lan-secret }
  kt:
    enabled: true
    parkCode: "1"
    key: ${KT_KEY}
    downlink: { user: ${KT_DOWN.user}, pwd: ${KT_DOWN.pwd} }
    uplink: { url: "${kt.url}", user: up, pwd: uppwd, timeoutMs: 2000, autoPayTimeoutMs: 300 }
    freeSpaceEverySec: 3600`,
    extraYaml: 'servers:\n  lanapi: { host: 127.0.0.1, port: 0 }\n',
    factories: [createPyunFace, createBolinkFace, createLanApiFace, createKtFace],
    streams: [
      { stream: 'pyun', kinds: PYUN_KINDS },
      { stream: 'bolink', kinds: BOLINK_KINDS },
      { stream: 'kt', kinds: KT_KINDS },
    ],
  });
  gw = `${h.base}/gateway/1.0/dispatch`;
  const lan = h.faces.find((f) => f.name === 'lanapi')!.extensions![0] as LanApiExtension;
  lanBase = `http://127.0.0.1:${lan.address()!.port}`;
});
afterEach(async () => {
  await h.close();
  await Promise.all([pyun.close(), bolink.close(), kt.close()]);
});

async function bolinkAsk(service: string, data: Record<string, unknown>) {
  const before = bolink.of(service).length;
  bolink.queue(service, data);
  const a = await waitFor(() => bolink.of(service)[before], 5000, `bolink answer ${service}`);
  return a.data;
}
const ktCall = async (endpoint: string, data: unknown) =>
  (await kt.callDownlink(h.base, endpoint, data, KT_DOWN)) as { resCode: number; data: any[] };

describe('several clouds on one site', () => {
  it('each cloud has its own outbox stream: one cloud down does not hold the others back', async () => {
    const { site } = h.t;
    pyun.down = true;
    site.enter({ plate: '粤B10001', laneId: 'in-1', time: h.t.clock.now, actor: { kind: 'lane' } });
    await waitFor(() => bolink.of('inpark')[0], 5000, 'bolink inpark');
    await kt.waitFor((r) => r.name === 'PostCarInInfo', 5000);
    expect(pyun.of('enter')).toHaveLength(0);
    pyun.down = false;
    h.t.clock.now += 10_000;
    await waitFor(() => pyun.of('enter')[0], 5000, 'pyun enter after recovery');
    const stats = new Map(h.dispatcher.stats().map((s) => [s.stream, s]));
    expect(stats.get('pyun')!.failed).toBeGreaterThan(0);
    expect(stats.get('bolink')!.failed).toBe(0);
    expect(bolink.of('inpark')).toHaveLength(1);
  });

  it('paid through P云: every other cloud quotes it as paid and none can be paid again', async () => {
    const { site } = h.t;
    h.t.clock.now = T('2026-03-02 08:00:00');
    const orderNo = site.enter({
      plate: '粤B20002',
      laneId: 'in-1',
      time: h.t.clock.now,
      actor: { kind: 'lane' },
    }).order!.orderNo;
    h.t.clock.now = T('2026-03-02 10:00:00');
    const due = site.quote({ orderNo, at: h.t.clock.now })!.due;
    expect(due).toBeGreaterThan(0);

    const bill = await pyun.call(gw, 'service.parking.payment.billing', {
      park_uuid: UUID,
      plate: '粤B20002',
    });
    expect(bill.pay_value).toBe(String(due));
    const paid = await pyun.call(gw, 'service.parking.payment.result', {
      park_uuid: UUID,
      parking_serial: orderNo,
      parking_order: bill.parking_order,
      pay_serial: 'P1',
      value: String(due),
      pay_time: '20260302100000',
      pay_origin: '8',
    });
    expect(paid.result_code).toBe('1001');

    // Bolink
    const qp = await bolinkAsk('query_price', { park_id: '21835', car_number: '粤B20002', pay_scene: 0 });
    expect(qp).toMatchObject({ state: 1, order_id: orderNo, price: 0, total: due / 100 });
    const bp = await bolinkAsk('prepay_order', {
      car_number: '粤B20002',
      prepay: due / 100,
      order_id: orderNo,
      park_id: '21835',
      trade_no: 'B1',
      prepay_type: 1,
    });
    expect(bp.state).toBe(0);
    // LAN
    const lp = await lanCall(lanBase, 'GetOrderPrice', { OrderNo: orderNo }, LAN);
    expect(lp.Data).toMatchObject({ TotalAmountDue: due / 100, TotalAmountPaid: 0 });
    const ls = await lanCall(
      lanBase,
      'PaySuccess',
      {
        OrderNo: orderNo,
        TotalAmountPaid: due / 100,
        PaymentOrderNo: 'L1',
        PaymentTime: '2026-03-02 10:00:10',
      },
      { ...LAN, method: 'POST' },
    );
    expect(ls.ResultCode).toBe(409);
    // KT
    const kq = await ktCall('GetParkingPaymentInfo', { parkCode: '1', plateNo: '粤B20002' });
    expect(kq.resCode).toBe(0);
    expect(kq.data[0]).toMatchObject({ payable: 0, totalFee: String(due) });
    const kp = await ktCall('PayParkingFee', {
      parkCode: '1',
      orderNo: kq.data[0].orderNo,
      amount: due,
      payType: 4,
      payMethod: 4,
    });
    expect(kp.resCode).not.toBe(0);
    // P云 itself, another payment order for the same stay
    const again = await pyun.call(gw, 'service.parking.payment.result', {
      park_uuid: UUID,
      parking_serial: orderNo,
      parking_order: 'PO-2',
      pay_serial: 'P2',
      value: String(due),
      pay_time: '20260302100100',
      pay_origin: '4',
    });
    expect(again.result_code).toBe('1403');

    expect(site.payments(orderNo)).toHaveLength(1);
    expect(h.t.lanes.paidOrders).toEqual([orderNo]);

    // the car leaves; each cloud hears of the exit with the money P云 took
    h.t.clock.now = T('2026-03-02 10:05:00');
    expect(
      site.exit({ plate: '粤B20002', laneId: 'out-1', time: h.t.clock.now, actor: { kind: 'lane' } }).decision
        .open,
    ).toBe(true);
    const leave = await waitFor(() => pyun.of('leave')[0], 5000, 'pyun leave');
    expect(leave.params.online_value).toBe(String(due));
    const outpark = await waitFor(() => bolink.of('outpark')[0], 5000, 'bolink outpark');
    expect(outpark.data).toMatchObject({ order_id: orderNo, pay_type: 'cash', total: due / 100 });
    const ktOut = await kt.waitFor((r) => r.name === 'PostPayDetail', 5000);
    expect(ktOut.data).toMatchObject({ plateNo: '粤B20002', preMoney: due, payMoney: 0 });
  });

  it('paid at the booth: P云, Bolink, LAN and KT all see nothing due and refuse more money', async () => {
    const { site } = h.t;
    h.t.clock.now = T('2026-03-02 08:00:00');
    const orderNo = site.enter({
      plate: '粤B30003',
      laneId: 'in-1',
      time: h.t.clock.now,
      actor: { kind: 'lane' },
    }).order!.orderNo;
    h.t.clock.now = T('2026-03-02 09:30:00');
    const due = site.quote({ orderNo, at: h.t.clock.now })!.due;
    site.pay({
      orderNo,
      amount: due,
      channel: 'cash',
      serial: 'BOOTH-1',
      method: 'cash',
      time: h.t.clock.now,
      actor: { kind: 'booth', name: 'op1' },
    });

    const bill = await pyun.call(gw, 'service.parking.payment.billing', {
      park_uuid: UUID,
      plate: '粤B30003',
    });
    expect(bill).toMatchObject({ result_code: '1001', pay_value: '0', paid_value: String(due) });
    const pr = await pyun.call(gw, 'service.parking.payment.result', {
      park_uuid: UUID,
      parking_serial: orderNo,
      parking_order: bill.parking_order,
      pay_serial: 'PX',
      value: String(due),
      pay_time: '20260302093000',
      pay_origin: '8',
    });
    expect(pr.result_code).toBe('1403');
    const qp = await bolinkAsk('query_price', {
      park_id: '21835',
      order_id: orderNo,
      car_number: '粤B30003',
      pay_scene: 0,
    });
    expect(qp.price).toBe(0);
    const lp = await lanCall(lanBase, 'GetOrderPrice', { OrderNo: orderNo }, LAN);
    expect(lp.Data.TotalAmountPaid).toBe(0);
    const kq = await ktCall('GetParkingPaymentInfo', { parkCode: '1', plateNo: '粤B30003' });
    expect(kq.data[0].payable).toBe(0);
    expect(site.payments(orderNo)).toHaveLength(1);
  });
});
