import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakePyunCloud, type FakePyunCloud } from '../../scripts/fake-pyun-cloud.js';
import { createPyunFace, type PyunExtension } from '../../src/downlink/pyun/face.js';
import { PYUN_KINDS } from '../../src/uplink/pyun/sender.js';
import { pyunGatewaySign } from '../../src/codecs/pyun.js';
import { startHarness, waitFor, type Harness } from '../multicloud/harness.js';
import { T } from '../helpers/site.js';

const KEY = 'gw-key-123';
const SECRET = 'app-secret-456';
const UUID = 'park-uuid-0001';

let cloud: FakePyunCloud;
let h: Harness;
let gw: string;

beforeEach(async () => {
  cloud = await startFakePyunCloud({ appSecret: SECRET, gatewayKey: KEY });
  h = await startHarness({
    clouds: `  pyun:
    enabled: true
    parkUuid: ${UUID}
    appSecret: ${SECRET}
    gatewayKey: ${KEY}
    uplinkUrl: ${cloud.url}
    payPollMs: 20
    payPollForMs: 3000`,
    factories: [createPyunFace],
    streams: [{ stream: 'pyun', kinds: PYUN_KINDS }],
  });
  gw = `${h.base}/gateway/1.0/dispatch`;
});
afterEach(async () => {
  await h.close();
  await cloud.close();
});

function signedOk(reply: Record<string, unknown>) {
  return String(reply.sign) === pyunGatewaySign(reply, KEY, true);
}

describe('P云: a whole stay', () => {
  it('enter → billing → pay through P云 → leave, reports carry the right money', async () => {
    const { site, clock, lanes } = h.t;
    clock.now = T('2026-03-02 08:00:00');
    const entered = site.enter({
      plate: '粤B12345',
      laneId: 'in-1',
      time: clock.now,
      actor: { kind: 'lane' },
    });
    const orderNo = entered.order!.orderNo;
    const enter = await waitFor(() => cloud.of('enter')[0], 5000, 'enter report');
    expect(enter.signOk).toBe(true);
    expect(enter.params).toMatchObject({
      park_uuid: UUID,
      parking_serial: orderNo,
      plate: '粤B12345',
      car_type: '1',
      enter_time: String(T('2026-03-02 08:00:00')),
    });

    clock.now = T('2026-03-02 10:00:00');
    const bill = await cloud.call(gw, 'service.parking.payment.billing', {
      park_uuid: UUID,
      plate: '粤B12345',
    });
    expect(bill.result_code).toBe('1001');
    expect(signedOk(bill)).toBe(true);
    const due = site.quote({ plate: '粤B12345', at: clock.now })!.due;
    expect(due).toBeGreaterThan(0);
    expect(bill).toMatchObject({
      parking_serial: orderNo,
      enter_time: '20260302080000',
      parking_time: '7200',
      pay_value: String(due),
      paid_value: '0',
      total_value: String(due),
    });

    const notify = {
      park_uuid: UUID,
      parking_serial: orderNo,
      parking_order: bill.parking_order,
      pay_serial: 'PS0001',
      pay_time: '20260302100010',
      value: String(due),
      pay_value: String(due),
      pay_origin: '8',
      pay_origin_desc: '微信',
    };
    const r1 = await cloud.call(gw, 'service.parking.payment.result', notify);
    expect(r1.result_code).toBe('1001');
    expect(lanes.paidOrders).toEqual([orderNo]);
    // P云 repeats notifications: answered 1001 again, charged once
    const r2 = await cloud.call(gw, 'service.parking.payment.result', notify);
    expect(r2.result_code).toBe('1001');
    const r3 = await cloud.call(gw, 'service.parking.payment.result', { ...notify, pay_serial: undefined });
    expect(r3.result_code).toBe('1001');
    expect(site.payments(orderNo)).toHaveLength(1);
    expect(lanes.paidOrders).toEqual([orderNo]);
    // a different payment for money already paid is refused (P云 refunds on 1403)
    const r4 = await cloud.call(gw, 'service.parking.payment.result', {
      ...notify,
      pay_serial: 'PS0002',
      parking_order: `20260302100100${orderNo}`,
    });
    expect(r4.result_code).toBe('1403');
    expect(site.payments(orderNo)).toHaveLength(1);

    const again = await cloud.call(gw, 'service.parking.payment.billing', {
      park_uuid: UUID,
      plate: '粤B12345',
    });
    expect(again).toMatchObject({ result_code: '1001', pay_value: '0', paid_value: String(due) });

    clock.now = T('2026-03-02 10:05:00');
    const out = site.exit({ plate: '粤B12345', laneId: 'out-1', time: clock.now, actor: { kind: 'lane' } });
    expect(out.decision.open).toBe(true);
    const leave = await waitFor(() => cloud.of('leave')[0], 5000, 'leave report');
    expect(leave.signOk).toBe(true);
    expect(leave.params).toMatchObject({
      parking_serial: orderNo,
      enter_time: enter.params.enter_time,
      leave_time: String(clock.now),
      online_value: String(due),
      cash_value: '0',
    });
    const list = JSON.parse(leave.params.payment_list);
    expect(list).toEqual([
      expect.objectContaining({ pay_type: '2', value: due, parking_order: bill.parking_order }),
    ]);

    const detail = await cloud.call(gw, 'service.parking.detail', {
      park_uuid: UUID,
      parking_serial: orderNo,
    });
    expect(detail.result_code).toBe('1001');
    expect(signedOk(detail)).toBe(true);
    expect(detail).toMatchObject({
      parking_serial: orderNo,
      plate: '粤B12345',
      car_type: '1',
      enter_time: '20260302080000',
      leave_time: '20260302100500',
      parking_time: '7500',
    });
    expect(detail.payments).toEqual([
      {
        parking_order: bill.parking_order,
        pay_serial: 'PS0001',
        pay_type: 2,
        pay_time: '20260302100010',
        value: due,
      },
    ]);
    // a notify after the car left is refused as a revoked order
    const late = await cloud.call(gw, 'service.parking.payment.result', {
      ...notify,
      pay_serial: 'PS0003',
      parking_order: 'X1',
    });
    expect(late.result_code).toBe('1403');
  });

  it('rejects bad signs (1401), unknown services (1503), foreign parks and unknown plates', async () => {
    const bad = await cloud.call(
      gw,
      'service.parking.payment.billing',
      { park_uuid: UUID, plate: '粤B1' },
      { badSign: true },
    );
    expect(bad.result_code).toBe('1401');
    expect(signedOk(bad)).toBe(true);
    const unk = await cloud.call(gw, 'service.parking.nope', { park_uuid: UUID });
    expect(unk.result_code).toBe('1503');
    const other = await cloud.call(gw, 'service.parking.realtime', { park_uuid: 'someone-else' });
    expect(other.result_code).toBe('1400');
    const none = await cloud.call(gw, 'service.parking.payment.billing', {
      park_uuid: UUID,
      plate: '粤Z99999',
    });
    expect(none.result_code).toBe('1002');
    const garbage = await fetch(gw, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{nope',
    });
    expect(((await garbage.json()) as Record<string, unknown>).result_code).toBe('1400');
  });

  it('accepts a request signed with empty values dropped', async () => {
    const body: Record<string, unknown> = {
      service: 'service.parking.realtime',
      version: '1.0',
      charset: 'UTF-8',
      park_uuid: UUID,
      gate_id: '',
    };
    body.sign = pyunGatewaySign(body, KEY, false);
    const r = (await (
      await fetch(gw, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    ).json()) as Record<string, unknown>;
    expect(r.result_code).toBe('1001');
    expect(r.total).toBe('100');
  });

  it('prepay: fresh pay_partner every attempt, polls internal/payment until paid, async notify is a duplicate', async () => {
    const { site, clock, lanes } = h.t;
    clock.now = T('2026-03-02 08:00:00');
    const orderNo = site.enter({
      plate: '粤B22222',
      laneId: 'in-1',
      time: clock.now,
      actor: { kind: 'lane' },
    }).order!.orderNo;
    clock.now = T('2026-03-02 09:30:00');
    const ext = h.faces[0].extensions![0] as PyunExtension;
    cloud.prepayMode = 'refuse';
    const first = await ext.prepay({ orderNo, gateId: 'out-1' });
    expect(first.status).toBe('failed');
    cloud.prepayMode = 'accept';
    cloud.settleAfterPolls = 2;
    const second = await ext.prepay({ orderNo, gateId: 'out-1' });
    expect(second.status).toBe('paid');
    const partners = cloud.of('prepay').map((m) => m.params.pay_partner);
    expect(partners).toHaveLength(2);
    expect(new Set(partners).size).toBe(2);
    expect(cloud.of('payment').length).toBeGreaterThanOrEqual(2);
    expect(cloud.of('payment').every((m) => m.signOk && m.method === 'GET')).toBe(true);
    const pp = cloud.of('prepay')[1].params;
    expect(pp.enter_time).toBe(String(T('2026-03-02 08:00:00')));
    expect(Number(pp.total_value)).toBe(Number(pp.free_value) + Number(pp.pay_value));
    expect(site.quote({ orderNo, at: clock.now })!.due).toBe(0);
    expect(lanes.paidOrders).toEqual([orderNo]);
    // P云's async result for the same prepay (parking_order = pay_partner) is a duplicate
    const paySerial = second.status === 'paid' ? second.paySerial : undefined;
    const r = await cloud.call(gw, 'service.parking.payment.result', {
      park_uuid: UUID,
      parking_serial: orderNo,
      parking_order: partners[1],
      pay_serial: paySerial,
      value: pp.pay_value,
      pay_time: '20260302093001',
      pay_origin: '0',
      autopay_type: '2',
    });
    expect(r.result_code).toBe('1001');
    expect(site.payments(orderNo)).toHaveLength(1);
    // nothing due: no call at all
    expect((await ext.prepay({ orderNo })).status).toBe('nothing-due');
    expect(cloud.of('prepay')).toHaveLength(2);
  });

  it('reports survive the cloud being down (outbox retries)', async () => {
    const { site, clock } = h.t;
    cloud.down = true;
    site.enter({ plate: '粤B33333', laneId: 'in-1', time: clock.now, actor: { kind: 'lane' } });
    await new Promise((r) => setTimeout(r, 150));
    expect(cloud.of('enter')).toHaveLength(0);
    cloud.down = false;
    // the dispatcher's clock is the test clock: move it past the backoff
    clock.now += 10_000;
    await waitFor(() => cloud.of('enter')[0], 5000, 'enter after recovery');
    expect(cloud.of('enter')).toHaveLength(1);
  });
});
