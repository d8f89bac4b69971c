import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeBolinkCloud, type FakeBolinkCloud } from '../../scripts/fake-bolink-cloud.js';
import { createBolinkFace, type BolinkExtension } from '../../src/downlink/bolink/face.js';
import { BOLINK_KINDS } from '../../src/uplink/bolink/sender.js';
import { startHarness, waitFor, type Harness } from '../multicloud/harness.js';
import { T } from '../helpers/site.js';

const UKEY = 'UKEY0123456789AB';
let cloud: FakeBolinkCloud;
let h: Harness;
let ext: BolinkExtension;

async function start(extra = '') {
  h = await startHarness({
    clouds: `  bolink:
    enabled: true
    unionId: "200208"
    parkId: "21835"
    localId: "edge_1001"
    ukey: ${UKEY}
    url: ${cloud.url}
    retryMs: 50
    queryOrder: { startAfterMs: 40, everyMs: 30, stopAfterMs: 400 }
    channels: { A1: out-1, E1: in-1 }
${extra}`,
    factories: [createBolinkFace],
    streams: [{ stream: 'bolink', kinds: BOLINK_KINDS }],
  });
  ext = h.faces[0].extensions![0] as BolinkExtension;
}

beforeEach(async () => {
  cloud = await startFakeBolinkCloud({ ukey: UKEY, holdMs: 300 });
});
afterEach(async () => {
  await h?.close();
  await cloud.close();
});

/** wait for the park's answer to a downstream message */
const answer = (service: string, n = 1) => waitFor(() => cloud.of(service)[n - 1], 5000, `answer ${service}`);

describe('Bolink: a whole stay', () => {
  it('inpark → query_price → prepay_order → outpark, in yuan and unix seconds', async () => {
    await start();
    const { site, clock, lanes } = h.t;
    clock.now = T('2026-03-02 08:00:00');
    const orderNo = site.enter({
      plate: '京GH0093',
      laneId: 'in-1',
      time: clock.now,
      actor: { kind: 'lane' },
    }).order!.orderNo;
    const inpark = await answer('inpark');
    expect(inpark.signOk).toBe(true);
    expect(cloud.logins).toBe(1);
    expect(inpark.data).toMatchObject({
      car_number: '京GH0093',
      order_id: orderNo,
      in_time: T('2026-03-02 08:00:00') / 1000,
      in_channel_id: 'E1',
      car_cost_type: 1,
    });

    clock.now = T('2026-03-02 10:00:00');
    const due = site.quote({ orderNo, at: clock.now })!.due;
    cloud.queue('query_price', { park_id: '21835', car_number: '京GH0093', order_id: '', pay_scene: 0 });
    const qp = await answer('query_price');
    expect(qp.signOk).toBe(true);
    expect(qp.data).toMatchObject({
      state: 1,
      order_id: orderNo,
      price: due / 100,
      duration: 120,
      query_time: clock.now / 1000,
    });
    // a price went out: query_order polling begins (every 30 ms from 40 ms in this config)
    await waitFor(() => cloud.of('query_order').length >= 2, 5000, 'query_order polls');
    expect(cloud.of('query_order')[0].data).toMatchObject({
      order_id: orderNo,
      car_number: '京GH0093',
      pay_scene: 'prepay',
    });

    cloud.queue('prepay_order', {
      car_number: '京GH0093',
      prepay: due / 100,
      order_id: orderNo,
      park_id: '21835',
      trade_no: 'BL0001',
      query_time: clock.now / 1000,
      prepay_type: 1,
    });
    const pr = await answer('prepay_order');
    expect(pr.data).toMatchObject({
      state: 1,
      order_id: orderNo,
      prepay: due / 100,
      park_id: '21835',
      trade_no: 'BL0001',
    });
    expect(lanes.paidOrders).toEqual([orderNo]);
    // the same money again (Bolink retries) is charged once
    cloud.queue('prepay_order', {
      car_number: '京GH0093',
      prepay: due / 100,
      order_id: orderNo,
      park_id: '21835',
      trade_no: 'BL0001',
      prepay_type: 1,
    });
    expect((await answer('prepay_order', 2)).data).toMatchObject({ state: 1 });
    expect(site.payments(orderNo)).toHaveLength(1);
    // different money for a stay with nothing due is refused
    cloud.queue('prepay_order', {
      car_number: '京GH0093',
      prepay: 1,
      order_id: orderNo,
      park_id: '21835',
      trade_no: 'BL0002',
      prepay_type: 1,
    });
    expect((await answer('prepay_order', 3)).data).toMatchObject({ state: 0 });
    expect(site.payments(orderNo)).toHaveLength(1);
    // polling stopped once paid
    await waitFor(() => ext.polling().length === 0, 2000, 'polling stops');

    clock.now = T('2026-03-02 10:10:00');
    expect(
      site.exit({ plate: '京GH0093', laneId: 'out-1', time: clock.now, actor: { kind: 'lane' } }).decision
        .open,
    ).toBe(true);
    const outpark = await answer('outpark');
    expect(outpark.data).toMatchObject({
      order_id: orderNo,
      out_time: clock.now / 1000,
      in_time: T('2026-03-02 08:00:00') / 1000,
      duration: 130,
      pay_type: 'scancode',
      total: 0,
      out_channel_id: 'A1',
    });
  });

  it('exit e-pay: outpark wallet, the car is released only on a state-1 result, answered with state/errmsg/trade_no/order_id/pay_time', async () => {
    await start();
    const { site, clock, lanes } = h.t;
    clock.now = T('2026-03-02 08:00:00');
    const orderNo = site.enter({
      plate: '京A11111',
      laneId: 'in-1',
      time: clock.now,
      actor: { kind: 'lane' },
    }).order!.orderNo;
    clock.now = T('2026-03-02 09:00:00');
    const exit = site.exit({ plate: '京A11111', laneId: 'out-1', time: clock.now, actor: { kind: 'lane' } });
    expect(exit.decision.code).toBe('wait-payment');
    const due = exit.decision.due!;
    await ext.chargeAtExit({ orderNo, laneId: 'out-1', payType: 'wallet' });
    const req = cloud.of('outpark')[0];
    expect(req.data).toMatchObject({
      order_id: orderNo,
      pay_type: 'wallet',
      total: due / 100,
      out_channel_id: 'A1',
    });

    cloud.queue('outpark', {
      state: 0,
      order_id: orderNo,
      trade_no: 'T0',
      pay_type: 'wallet',
      pay_time: 1772413200,
      total: due / 100,
      errmsg: '余额不足',
    });
    await answer('outpark', 2);
    expect(lanes.paidOrders).toEqual([]);
    const result = {
      state: 1,
      order_id: orderNo,
      trade_no: 'T1',
      pay_type: 'wallet',
      pay_channel: 2,
      pay_time: 1772413260,
      total: due / 100,
      car_number: '京A11111',
      out_channel_id: 'A1',
    };
    cloud.queue('outpark', result);
    const a = await answer('outpark', 3);
    expect(a.data).toEqual({ state: 1, errmsg: '', trade_no: 'T1', order_id: orderNo, pay_time: 1772413260 });
    expect(lanes.paidOrders).toEqual([orderNo]);
    cloud.queue('outpark', result);
    expect((await answer('outpark', 4)).data).toMatchObject({ state: 1 });
    expect(site.payments(orderNo)).toHaveLength(1);
    expect(site.payments(orderNo)[0]).toMatchObject({ channel: 'bolink', serial: 'T1', amount: due });

    // Bolink closed this order itself: no second outpark when the car drives out
    clock.now = T('2026-03-02 09:02:00');
    site.exit({ plate: '京A11111', laneId: 'out-1', time: clock.now, actor: { kind: 'lane' } });
    await waitFor(() => h.dispatcher.stats()[0].backlog === 0, 5000, 'outbox drained');
    expect(cloud.of('outpark')).toHaveLength(4);
  });

  it('logs in again on a token error, both for uploads and for the long poll', async () => {
    await start();
    const { site, clock } = h.t;
    await waitFor(() => cloud.logins === 1 && cloud.polls >= 1, 5000, 'first login');
    cloud.expireTokens();
    site.enter({ plate: '京B22222', laneId: 'in-1', time: clock.now, actor: { kind: 'lane' } });
    await answer('inpark');
    expect(cloud.logins).toBeGreaterThanOrEqual(2);
    // the poll picks the new token up and still receives messages
    cloud.queue('update_balance', { car_number: '京B22222', balance: 12.5 });
    expect((await answer('update_balance')).data).toMatchObject({ state: 1, car_number: '京B22222' });
    expect(ext.balanceOf('京B22222')).toBe(1250);
    expect(h.t.site.cloudState('bolink').get('token')).toBeTruthy();
  });

  it('query_order: the async answer records the payment; polling stops after the window when nothing is paid', async () => {
    await start();
    const { site, clock } = h.t;
    clock.now = T('2026-03-02 08:00:00');
    const a = site.enter({ plate: '京C33333', laneId: 'in-1', time: clock.now, actor: { kind: 'lane' } })
      .order!.orderNo;
    const b = site.enter({ plate: '京C44444', laneId: 'in-1', time: clock.now, actor: { kind: 'lane' } })
      .order!.orderNo;
    clock.now = T('2026-03-02 09:00:00');
    const due = site.quote({ orderNo: a, at: clock.now })!.due;
    cloud.queue('query_price', { park_id: '21835', car_number: '京C33333', order_id: a, pay_scene: 0 });
    cloud.queue('query_price', { park_id: '21835', car_number: '京C44444', order_id: b, pay_scene: 0 });
    await answer('query_price', 2);
    await waitFor(
      () => cloud.of('query_order').some((u) => u.data.order_id === a),
      5000,
      'query_order for a',
    );
    cloud.queue('query_order', {
      data: [{ order_id: a, trade_no: 'Q1', state: 1, money: due / 100, pay_time: clock.now / 1000 }],
    });
    await waitFor(() => site.payments(a).length === 1, 5000, 'payment from query_order');
    expect(site.quote({ orderNo: a, at: clock.now })!.due).toBe(0);
    const started = Date.now();
    await waitFor(() => ext.polling().length === 0, 5000, 'schedules end');
    expect(Date.now() - started).toBeLessThan(1500);
    const forB = cloud.of('query_order').filter((u) => u.data.order_id === b).length;
    // 400 ms window, every 30 ms from 40 ms: bounded, never more than the window allows
    expect(forB).toBeGreaterThan(2);
    expect(forB).toBeLessThanOrEqual(14);
    await new Promise((r) => setTimeout(r, 150));
    expect(cloud.of('query_order').filter((u) => u.data.order_id === b).length).toBe(forB);
  });

  it('query_price at the exit lane (pay_scene 1), unplated entry, bad signs and unknown services', async () => {
    await start();
    const { site, clock, lanes } = h.t;
    clock.now = T('2026-03-02 08:00:00');
    cloud.queue('nolicence_in_park', { car_number: 'NL123456', park_id: '21835', channel_id: 'E1' });
    const nl = await answer('nolicence_in_park');
    expect(nl.data).toMatchObject({ state: 1, car_number: 'NL123456', timetemp: clock.now / 1000 });
    const orderNo = String(nl.data.order_id);
    expect(site.getOrder(orderNo)).toMatchObject({ cardNo: 'NL123456', state: 'in', entryLane: 'in-1' });
    expect(lanes.commands).toContainEqual({ laneId: 'in-1', command: 'open' });
    await waitFor(() => cloud.of('inpark')[0], 5000, 'inpark for unplated');
    expect(cloud.of('inpark')[0].data).toMatchObject({ car_number: 'NL123456', car_cost_type: 4 });

    clock.now = T('2026-03-02 09:00:00');
    lanes.waitingByLane.set('out-1', orderNo);
    cloud.queue('query_price', {
      park_id: '21835',
      car_number: '',
      order_id: '',
      pay_scene: 2,
      out_channel_id: 'A1',
      query_order_no: 'QN1',
    });
    const qp = await answer('query_price');
    expect(qp.data).toMatchObject({ state: 1, order_id: orderNo, query_order_no: 'QN1', pay_scene: 2 });

    cloud.queue(
      'query_price',
      { park_id: '21835', car_number: '京Z00000', pay_scene: 0 },
      '0123456789ABCDEF0123456789ABCDEF',
    );
    expect((await answer('query_price', 2)).data).toEqual({ state: 0, errmsg: '签名错误' });
    cloud.queue('lock_car', { car_number: 'x' });
    expect((await answer('lock_car')).data).toMatchObject({ state: 0 });
    cloud.queue('query_price', { park_id: '21835', car_number: '京Z00000', pay_scene: 0 });
    expect((await answer('query_price', 3)).data).toMatchObject({ state: 0, errmsg: '未查询到在场订单' });
  });

  it('code_url for a lane, and a sweepcode charge carrying the scanned auth_code', async () => {
    await start();
    const { site, clock } = h.t;
    cloud.replies.set('code_url', { code_url: 'https://s.bolink.example/q/A1' });
    expect(await ext.codeUrl('out-1')).toBe('https://s.bolink.example/q/A1');
    expect(cloud.of('code_url')[0].data).toEqual({ type: 1, channel_id: 'A1' });
    clock.now = T('2026-03-02 08:00:00');
    const orderNo = site.enter({
      plate: '京E55555',
      laneId: 'in-1',
      time: clock.now,
      actor: { kind: 'lane' },
    }).order!.orderNo;
    clock.now = T('2026-03-02 09:00:00');
    await expect(ext.chargeAtExit({ orderNo, laneId: 'out-1', payType: 'sweepcode' })).rejects.toThrow(
      /付款码/,
    );
    await ext.chargeAtExit({
      orderNo,
      laneId: 'out-1',
      payType: 'sweepcode',
      authCode: '134567890123456789',
    });
    expect(cloud.of('outpark')[0].data).toMatchObject({
      pay_type: 'sweepcode',
      auth_code: '134567890123456789',
      order_id: orderNo,
    });
  });

  it('keeps polling through the cloud being down', async () => {
    await start();
    await waitFor(() => cloud.polls >= 1, 5000, 'first poll');
    cloud.down = true;
    await new Promise((r) => setTimeout(r, 150));
    expect(ext.health!().status).toBe('degraded');
    cloud.down = false;
    cloud.queue('update_balance', { car_number: '京D1', balance: '3' });
    expect((await answer('update_balance')).data).toMatchObject({ state: 1 });
    expect(ext.health!().status).toBe('ok');
  });
});
