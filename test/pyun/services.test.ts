// The rest of the P云 gateway, one service at a time, over real HTTP.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakePyunCloud, type FakePyunCloud } from '../../scripts/fake-pyun-cloud.js';
import { createPyunFace } from '../../src/downlink/pyun/face.js';
import { PYUN_KINDS } from '../../src/uplink/pyun/sender.js';
import { startHarness, type Harness } from '../multicloud/harness.js';
import { T } from '../helpers/site.js';

const UUID = 'park-uuid-0001';
let cloud: FakePyunCloud;
let h: Harness;
let call: (service: string, params?: Record<string, unknown>) => Promise<Record<string, any>>;

beforeEach(async () => {
  cloud = await startFakePyunCloud({ appSecret: 's', gatewayKey: 'k' });
  h = await startHarness({
    clouds: `  pyun: { enabled: true, parkUuid: ${UUID}, appSecret: s, gatewayKey: k, uplinkUrl: "${cloud.url}", gates: { G-OUT: out-1 } }`,
    patchBase: (b) =>
      b.replace(
        '  - { id: out-1, direction: exit, area: main }',
        '  - { id: out-1, name: 东门出口, direction: exit, area: main, camera: cam-out }\ndevices:\n  - { id: cam-out, type: zhenshi, ipaddr: 192.168.9.22 }',
      ),
    factories: [createPyunFace],
    streams: [{ stream: 'pyun', kinds: PYUN_KINDS }],
  });
  const gw = `${h.base}/gateway/1.0/dispatch`;
  call = (service, params = {}) => cloud.call(gw, service, { park_uuid: UUID, ...params });
});
afterEach(async () => {
  await h.close();
  await cloud.close();
});

function enter(plate: string, at = '2026-03-02 08:00:00') {
  h.t.clock.now = T(at);
  return h.t.site.enter({ plate, laneId: 'in-1', time: h.t.clock.now, actor: { kind: 'lane' } }).order!
    .orderNo;
}

describe('P云 gateway services', () => {
  it('direct.enter creates an unplated stay and opens the entry gate; a second scan is 1403', async () => {
    h.t.clock.now = T('2026-03-02 08:00:00');
    const r = await call('service.parking.direct.enter', {
      passport: 'PP-1',
      gate_id: 'in-1',
      plate: 'PP-1',
      enter_time: '20260302080000',
      mobile: '138',
    });
    expect(r).toMatchObject({
      result_code: '1001',
      plate: 'PP-1',
      enter_time: '20260302080000',
      parking_time: '0',
      car_type: '1',
    });
    expect(h.t.site.getOrder(r.parking_serial)).toMatchObject({ cardNo: 'PP-1', state: 'in' });
    expect(h.t.lanes.commands).toContainEqual({ laneId: 'in-1', command: 'open' });
    expect(
      (await call('service.parking.direct.enter', { passport: 'PP-1', gate_id: 'in-1' })).result_code,
    ).toBe('1403');
    // billing by passport, and at the exit lane with the car waiting there
    h.t.clock.now = T('2026-03-02 09:00:00');
    expect((await call('service.parking.payment.billing', { passport: 'PP-1' })).parking_serial).toBe(
      r.parking_serial,
    );
    h.t.lanes.waitingByLane.set('out-1', r.parking_serial);
    expect((await call('service.parking.payment.billing', { gate_id: 'G-OUT' })).parking_serial).toBe(
      r.parking_serial,
    );
    h.t.lanes.waitingByLane.clear();
    expect(
      (await call('service.parking.payment.billing', { gate_id: 'G-OUT', passport: 'PP-1' })).result_code,
    ).toBe('1500');
    expect((await call('service.parking.payment.billing', { gate_id: 'G-OUT' })).result_code).toBe('1002');
    expect((await call('service.parking.payment.billing', { gate_id: 'in-1', plate: 'x' })).result_code).toBe(
      '1002',
    );
  });

  it('vip (auto-pay), estimate, discount create/destroy', async () => {
    const orderNo = enter('粤B50005');
    h.t.clock.now = T('2026-03-02 10:00:00');
    expect(
      (await call('service.parking.vip', { parking_serial: orderNo, credits: '5000', plate: '粤B50005' }))
        .result_code,
    ).toBe('1001');
    expect(h.t.site.getOrder(orderNo)!.autoPay).toBe(true);
    expect((await call('service.parking.vip', { plate: '粤Z0000', credits: '1' })).result_code).toBe('1002');

    const q = h.t.site.quote({ orderNo, at: h.t.clock.now })!;
    const est = await call('service.parking.payment.estimate', {
      parking_serial: orderNo,
      free_time: '60',
      free_value: '100',
    });
    expect(est.result_code).toBe('1001');
    expect(Number(est.free_value)).toBeGreaterThan(100);
    expect(Number(est.free_value)).toBeLessThanOrEqual(q.due);
    expect(est.total_value).toBe(String(q.total));

    expect(
      (
        await call('service.parking.discount.create', {
          parking_serial: orderNo,
          grant_serial: 'G1',
          type: '1',
          value: '300',
        })
      ).result_code,
    ).toBe('1001');
    expect(
      (
        await call('service.parking.discount.create', {
          parking_serial: orderNo,
          grant_serial: 'G1',
          type: '1',
          value: '300',
        })
      ).result_code,
    ).toBe('1001');
    expect(h.t.site.quote({ orderNo, at: h.t.clock.now })!.due).toBe(q.due - 300);
    expect(
      (
        await call('service.parking.discount.create', {
          parking_serial: orderNo,
          grant_serial: 'G2',
          type: '6',
          value: '500',
        })
      ).result_code,
    ).toBe('1500');
    const bill = await call('service.parking.payment.billing', { plate: '粤B50005' });
    expect(bill.free_value).toBe('300');
    expect((await call('service.parking.discount.destroy', { grant_serial: 'G1' })).result_code).toBe('1001');
    expect(h.t.site.quote({ orderNo, at: h.t.clock.now })!.due).toBe(q.due);
    expect((await call('service.parking.discount.destroy', { grant_serial: 'nope' })).result_code).toBe(
      '1002',
    );
    expect(
      (await call('service.parking.discount.create', { plate: '粤B50005', grant_serial: 'G3', type: '3' }))
        .result_code,
    ).toBe('1001');
    expect(h.t.site.quote({ orderNo, at: h.t.clock.now })!.due).toBe(0);
  });

  it('record.update corrects the plate and marks a stay left', async () => {
    const orderNo = enter('粤B6000');
    expect(
      (
        await call('service.parking.record.update', {
          parking_serial: orderNo,
          plate: '粤B60006',
          reason: '识别错误',
        })
      ).result_code,
    ).toBe('1001');
    expect(h.t.site.getOrder(orderNo)!.plate).toBe('粤B60006');
    expect(
      (await call('service.parking.record.update', { parking_serial: orderNo, enter_time: '20260302070000' }))
        .result_code,
    ).toBe('1500');
    expect(
      (
        await call('service.parking.record.update', {
          parking_serial: orderNo,
          leave_time: '20260302090000',
          reason: '已离场',
        })
      ).result_code,
    ).toBe('1001');
    expect(h.t.site.getOrder(orderNo)).toMatchObject({
      state: 'out',
      release: 'abnormal',
      exitTime: T('2026-03-02 09:00:00'),
    });
    expect(
      (await call('service.parking.record.update', { parking_serial: orderNo, leave_time: '20260302090000' }))
        .result_code,
    ).toBe('1403');
    expect((await call('service.parking.record.update', { parking_serial: 'none' })).result_code).toBe(
      '1002',
    );
  });

  it('gate.control / .status / .capture and device.list', async () => {
    expect((await call('service.parking.gate.status', { gate_id: 'G-OUT' })).status).toBe('CLOSE');
    expect(
      (await call('service.parking.gate.control', { gate_id: 'G-OUT', status: 'KEEP_OPEN', reason: '高峰' }))
        .result_code,
    ).toBe('1001');
    expect(h.t.lanes.commands).toContainEqual({ laneId: 'out-1', command: 'keepOpen' });
    expect((await call('service.parking.gate.status', { gate_id: 'G-OUT' })).status).toBe('KEEP_OPEN');
    expect(
      (await call('service.parking.gate.control', { gate_id: 'nope', status: 'OPEN' })).result_code,
    ).toBe('1500');
    expect(
      (await call('service.parking.gate.control', { gate_id: 'out-1', status: 'SPIN' })).result_code,
    ).toBe('1400');
    h.t.lanes.failNext = 'relay offline';
    expect(
      (await call('service.parking.gate.control', { gate_id: 'out-1', status: 'OPEN' })).result_code,
    ).toBe('1500');
    const cap = await call('service.parking.gate.capture', { gate_id: 'out-1' });
    expect(cap.result_code).toBe('1001');
    expect(Buffer.from(cap.capture_image_base64, 'base64').subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect((await call('service.parking.gate.capture', { gate_id: 'in-1' })).result_code).toBe('1500');
    const dl = await call('service.parking.device.list');
    expect(dl.device_list).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ uuid: 'in-1', type: 2 }),
        expect.objectContaining({ uuid: 'out-1', type: 3, name: '东门出口' }),
        expect.objectContaining({ uuid: 'cam-out', type: 1 }),
      ]),
    );
  });

  it('blacklist and fixed cars (vip.*), reservations', async () => {
    expect(
      (
        await call('service.parking.blacklist.create', {
          plate: '粤B70007',
          reason: '逃费',
          start_time: '20260301000000',
          end_time: '20270301000000',
        })
      ).result_code,
    ).toBe('1001');
    expect(h.t.site.blacklist('粤B70007')).toHaveLength(1);
    h.t.clock.now = T('2026-03-02 08:00:00');
    expect(
      h.t.site.enter({ plate: '粤B70007', laneId: 'in-1', time: h.t.clock.now, actor: { kind: 'lane' } })
        .decision.code,
    ).toBe('deny-blacklist');
    expect((await call('service.parking.blacklist.delete', { plate: '粤B70007' })).result_code).toBe('1001');
    expect((await call('service.parking.blacklist.delete', { plate: '粤B70007' })).result_code).toBe('1002');

    const create = {
      plate: '粤B80008',
      card_id: 'C8',
      type: '1',
      start_time: '20260301000000',
      end_time: '20260401000000',
      realname: '张三',
      mobile: '13800000000',
      value: '30',
      quantity: '1',
      pay_value: '30000',
    };
    expect((await call('service.parking.vip.create', create)).result_code).toBe('1001');
    expect((await call('service.parking.vip.create', create)).result_code).toBe('1403');
    const q = await call('service.parking.vip.query', { plate: '粤B80008' });
    expect(q).toMatchObject({
      result_code: '1001',
      card_id: 'C8',
      plate: '粤B80008',
      end_time: '20260401000000',
      realname: '张三',
    });
    const renew = {
      card_id: 'C8',
      type: '1',
      pay_serial: 'R1',
      pay_value: '30000',
      value: '30',
      quantity: '1',
      pay_time: '20260320120000',
      renewal_start_time: '20260401000000',
      renewal_end_time: '20260501000000',
      pay_origin: '8',
    };
    expect((await call('service.parking.vip.renewal', renew)).result_code).toBe('1001');
    expect((await call('service.parking.vip.renewal', renew)).result_code).toBe('1001');
    expect((await call('service.parking.vip.query', { card_id: 'C8' })).end_time).toBe('20260501000000');
    expect(
      (await call('service.parking.vip.update', { card_id: 'C8', mobile: '13900000000' })).result_code,
    ).toBe('1001');
    expect(h.t.site.getCard({ cardNo: 'C8' })!.phone).toBe('13900000000');
    // a valid monthly card: billing says fixed car, nothing to pay
    const orderNo = enter('粤B80008', '2026-03-10 08:00:00');
    h.t.clock.now = T('2026-03-10 12:00:00');
    expect((await call('service.parking.payment.billing', { plate: '粤B80008' })).result_code).toBe('1003');
    expect(h.t.site.getOrder(orderNo)!.carType).toBe(2);
    expect((await call('service.parking.vip.sync')).vip_list).toHaveLength(1);
    expect(
      (await call('service.parking.charge_type.list')).charge_type_list.map((c: any) => c.charge_type),
    ).toContain('temp-small');
    expect((await call('service.parking.vip.delete', { card_id: 'C8' })).result_code).toBe('1001');
    expect((await call('service.parking.vip.query', { card_id: 'C8' })).result_code).toBe('1002');

    const apply = {
      apply_no: 'AP1',
      plate: '粤B90009',
      start_time: '20260302090000',
      end_time: '20260302180000',
      pay_value: '500',
    };
    expect((await call('service.parking.reserve.apply', apply)).result_code).toBe('1001');
    expect((await call('service.parking.reserve.apply', apply)).result_code).toBe('1001');
    expect(h.t.site.getBooking({ bookingNo: 'AP1' })[0]).toMatchObject({ prepaid: 500, state: 'active' });
    expect((await call('service.parking.reserve.cancel', { apply_no: 'AP1' })).result_code).toBe('1001');
    expect((await call('service.parking.reserve.cancel', { apply_no: 'AP9' })).result_code).toBe('1002');
  });
});
