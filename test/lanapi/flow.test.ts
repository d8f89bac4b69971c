import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLanApiFace, type LanApiExtension } from '../../src/downlink/lanapi/face.js';
import { lanCall, type LanCallOptions } from '../../scripts/lanapi-client.js';
import { startHarness, type Harness } from '../multicloud/harness.js';
import { T } from '../helpers/site.js';

const OPTS: LanCallOptions = { parkKey: 'PK0001', appId: 'APP01', appSecret: 'lan-secret' };
let h: Harness;
let base: string;

beforeEach(async () => {
  h = await startHarness({
    clouds: `  lanapi:
    enabled: true
    parkKey: PK0001
    appId: APP01
    appSecret: lan-secret
    timestampWindowSec: 60`,
    extraYaml: 'servers:\n  lanapi: { host: 127.0.0.1, port: 0 }\n',
    factories: [createLanApiFace],
    streams: [],
  });
  const ext = h.faces[0].extensions![0] as LanApiExtension;
  base = `http://127.0.0.1:${ext.address()!.port}`;
});
afterEach(async () => {
  await h.close();
});

describe('LAN OpenApi', () => {
  it('a whole stay: GetOrderPrice (GET with body), GetLaneOrder, PaySuccess opens the lane, idempotent', async () => {
    const { site, clock, lanes } = h.t;
    clock.now = T('2026-03-02 08:00:00');
    const orderNo = site.enter({
      plate: '粤B660PP',
      laneId: 'in-1',
      time: clock.now,
      actor: { kind: 'lane' },
    }).order!.orderNo;
    clock.now = T('2026-03-02 10:00:00');
    const q = site.quote({ orderNo, at: clock.now })!;
    expect(q.due).toBeGreaterThan(0);

    const price = await lanCall(base, 'GetOrderPrice', { orderNo }, OPTS);
    expect(Object.keys(price)).toEqual(['ResultCode', 'ResultMsg', 'ResultId', 'Data']);
    expect(price.ResultCode).toBe(200);
    expect(price.ResultId).toMatch(/^\d{19}$/);
    expect(price.Data).toMatchObject({
      OrderNo: orderNo,
      LicensePlateNumber: '粤B660PP',
      EntryTime: '2026-03-02 08:00:00',
      CalcTime: '2026-03-02 10:00:00',
      TotalAmountDue: q.total / 100,
      TotalAmountPaid: q.due / 100,
      DiscountAmount: 0,
      PlateCouponNos: [],
    });
    const detail = price.Data.CalcDetail as Array<Record<string, unknown>>;
    expect(detail.length).toBe(q.quote.lines.length);
    expect(detail.reduce((s, l) => s + Math.round(Number(l.CalcAmount) * 100), 0)).toBe(
      q.quote.lines.reduce((s, l) => s + l.amount, 0),
    );
    expect(detail[0]).toMatchObject({
      AreaNo: 'main',
      AreaName: '外场',
      StartTime: '2026-03-02 08:00:00',
      IsOverTime: 0,
      IsCarExpire: 0,
    });

    const post = await lanCall(
      base,
      'GetOrderPrice',
      { LicensePlateNumber: '粤B660PP' },
      { ...OPTS, method: 'POST' },
    );
    expect(post.Data.OrderNo).toBe(orderNo);

    lanes.waitingByLane.set('out-1', orderNo);
    const lane = await lanCall(base, 'GetLaneOrder', { LaneNo: 'out-1' }, OPTS);
    expect(lane).toMatchObject({ ResultCode: 200, Data: { OrderNo: orderNo, ChargeMoney: q.due / 100 } });

    const pay = {
      OrderNo: orderNo,
      TotalAmountDue: q.total / 100,
      TotalAmountPaid: q.due / 100,
      DiscountAmount: 0,
      PaymentTime: '2026-03-02 10:00:30',
      PaymentMethod: 'wechat',
      PaymentOrderNo: 'LAN-0001',
      Remarks: '',
      PlateCouponNos: [],
    };
    const short = await lanCall(
      base,
      'PaySuccess',
      { ...pay, PaymentOrderNo: 'LAN-0000', TotalAmountPaid: 0.01 },
      { ...OPTS, method: 'POST' },
    );
    expect(short.ResultCode).toBe(400);
    expect(lanes.paidOrders).toEqual([]);
    const ok = await lanCall(base, 'PaySuccess', pay, { ...OPTS, method: 'POST' });
    expect(ok).toMatchObject({ ResultCode: 200, Data: { OrderNo: orderNo, PaymentOrderNo: 'LAN-0001' } });
    expect(lanes.paidOrders).toEqual([orderNo]);
    const dup = await lanCall(base, 'PaySuccess', pay, { ...OPTS, method: 'POST' });
    expect(dup.ResultCode).toBe(200);
    expect(site.payments(orderNo)).toHaveLength(1);
    expect(lanes.paidOrders).toEqual([orderNo]);
    const twice = await lanCall(
      base,
      'PaySuccess',
      { ...pay, PaymentOrderNo: 'LAN-0002' },
      { ...OPTS, method: 'POST' },
    );
    expect(twice.ResultCode).toBe(409);
    expect(site.payments(orderNo)).toHaveLength(1);

    const after = await lanCall(base, 'GetOrderPrice', { OrderNo: orderNo }, OPTS);
    expect(after.Data).toMatchObject({ TotalAmountDue: q.total / 100, TotalAmountPaid: 0 });
    clock.now = T('2026-03-02 10:05:00');
    expect(
      site.exit({ plate: '粤B660PP', laneId: 'out-1', time: clock.now, actor: { kind: 'lane' } }).decision
        .open,
    ).toBe(true);
  });

  it('rejects bad signs, stale timestamps, replayed nonces, wrong keys, unknown APIs and orders', async () => {
    const data = { OrderNo: 'nope' };
    expect((await lanCall(base, 'GetOrderPrice', data, { ...OPTS, sign: 'bad' })).ResultCode).toBe(401);
    expect((await lanCall(base, 'GetOrderPrice', data, { ...OPTS, appSecret: 'wrong' })).ResultCode).toBe(
      401,
    );
    expect((await lanCall(base, 'GetOrderPrice', data, { ...OPTS, parkKey: 'PK9' })).ResultCode).toBe(401);
    expect(
      (await lanCall(base, 'GetOrderPrice', data, { ...OPTS, timeStamp: String(Date.now() - 61_000) }))
        .ResultCode,
    ).toBe(403);
    expect(
      (await lanCall(base, 'GetOrderPrice', data, { ...OPTS, timeStamp: String(Date.now() + 61_000) }))
        .ResultCode,
    ).toBe(403);
    expect((await lanCall(base, 'GetOrderPrice', data, { ...OPTS, timeStamp: '20260302' })).ResultCode).toBe(
      403,
    );
    const first = await lanCall(base, 'GetOrderPrice', data, { ...OPTS, nonce: 'n-1' });
    expect(first.ResultCode).toBe(404);
    const replay = await lanCall(base, 'GetOrderPrice', data, { ...OPTS, nonce: 'n-1' });
    expect(replay).toMatchObject({ ResultCode: 403, Data: null });
    expect((await lanCall(base, 'NoSuchApi', data, OPTS)).ResultCode).toBe(404);
    const raw = await fetch(`${base}/Api/V2/OpenApi/GetOrderPrice`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{bad',
    });
    expect(((await raw.json()) as { ResultCode: number }).ResultCode).toBe(400);
  });
});
