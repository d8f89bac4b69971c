// Bolink downstream messages → site use-cases, and the `data` each answer carries back on upload.do.
// Field choices and every ambiguity: docs/protocols/bolink.md.
import type { Logger } from 'pino';
import { SiteError, type OrderRecord } from '../../site/api.js';
import type { Site } from '../../site/site.js';
import type { Config } from '../../config/schema.js';
import { fenToYuan, yuanToFen } from '../../core/money.js';
import { bolinkChannelName, fromUnix, unixSeconds } from '../../codecs/bolink.js';
import type { BolinkConfig } from '../../uplink/bolink/client.js';
import { OUTPARK_METHOD } from '../../uplink/bolink/sender.js';

export type BolinkAnswer = Record<string, unknown>;
export type BolinkHandler = (data: Record<string, unknown>) => Promise<BolinkAnswer | undefined>;

export interface BolinkHandlerDeps {
  site: Site;
  config: Config;
  cfg: BolinkConfig;
  log: Logger;
  now: () => number;
  /** a price went out: start the query_order schedule for that stay */
  priced(orderNo: string, plate: string, scene: number): void;
  /** the stay is settled: stop its query_order schedule */
  settled(orderNo: string): void;
}

const str = (v: unknown) => (v === undefined || v === null ? '' : String(v).trim());
const fail = (errmsg: string, extra: BolinkAnswer = {}): BolinkAnswer => ({ state: 0, errmsg, ...extra });

export function createBolinkHandlers(d: BolinkHandlerDeps): Record<string, BolinkHandler> {
  const { site, cfg } = d;
  const actor = { kind: 'bolink' as const, name: '泊链' };
  const laneOf = (ch: string) => {
    const id = cfg.channels[ch] ?? ch;
    return d.config.lanes.some((l) => l.id === id) ? id : undefined;
  };
  const message = (e: unknown) => {
    if (e instanceof SiteError) return e.message;
    d.log.error({ err: e }, 'bolink handler failed');
    return '处理异常';
  };

  /** Record money Bolink collected; the same trade_no arriving again (prepay_order, query_order) is one payment. */
  const record = (orderNo: string, amountFen: number, tradeNo: string, method: string, time: number) => {
    const r = site.pay({
      orderNo,
      amount: amountFen,
      channel: 'bolink',
      serial: tradeNo,
      method,
      time,
      actor,
    });
    if (r.quote.due === 0) d.settled(orderNo);
    return r;
  };

  return {
    query_price: async (m) => {
      const scene = Number(m.pay_scene ?? 0);
      const lane = laneOf(str(m.out_channel_id));
      let order: OrderRecord | undefined;
      if (str(m.order_id)) order = site.findStay({ orderNo: str(m.order_id) });
      if (!order && scene !== 0 && lane) order = site.findStay({ laneId: lane });
      if (!order && str(m.car_number))
        order = site.findStay({ plate: str(m.car_number), cardNo: str(m.car_number) });
      const now = d.now();
      const echo = {
        park_id: cfg.parkId,
        query_order_no: m.query_order_no,
        car_number: m.car_number,
        query_time: unixSeconds(now),
      };
      if (!order || order.state !== 'in')
        return fail('未查询到在场订单', { ...echo, order_id: str(m.order_id) });
      const q = site.quoteOrder(order, now);
      if (q.due > 0) d.priced(order.orderNo, order.plate || order.cardNo || '', scene);
      return {
        state: 1,
        errmsg: '',
        ...echo,
        car_number: order.plate || order.cardNo || str(m.car_number),
        order_id: order.orderNo,
        price: fenToYuan(q.due),
        total: fenToYuan(q.total),
        duration: q.stayMinutes,
        free_out_time: q.graceMinutes,
        derate_money: fenToYuan(q.discountMoney),
        derate_duration: q.discountMinutes,
        pay_scene: scene,
      };
    },

    prepay_order: async (m) => {
      const orderNo = str(m.order_id);
      const amount = yuanToFen(m.prepay);
      const tradeNo = str(m.trade_no);
      const echo = {
        order_id: orderNo,
        prepay: m.prepay,
        park_id: cfg.parkId,
        query_time: m.query_time,
        trade_no: tradeNo,
      };
      if (!orderNo || amount === undefined || amount < 0 || !tradeNo)
        return fail('参数错误: order_id / prepay / trade_no', echo);
      try {
        record(
          orderNo,
          amount,
          tradeNo,
          str(m.prepay_type) === '2' ? 'cash' : 'prepay',
          fromUnix(m.pay_time) ?? d.now(),
        );
        return { state: 1, errmsg: '', ...echo };
      } catch (e) {
        return fail(message(e), echo);
      }
    },

    // seed 001: the exit e-pay result. Only state 1 lets the car go (site.pay tells the lane it was paid).
    outpark: async (m) => {
      const orderNo = str(m.order_id);
      const tradeNo = str(m.trade_no);
      const payTime = fromUnix(m.pay_time) ?? d.now();
      const echo = { trade_no: tradeNo, order_id: orderNo, pay_time: unixSeconds(payTime) };
      if (Number(m.state) !== 1) {
        d.log.info(
          { orderNo, state: m.state, errmsg: m.errmsg },
          'bolink: exit e-pay not successful, car stays',
        );
        return { state: 1, errmsg: '已收到, 支付未成功, 不放行', ...echo };
      }
      const amount = yuanToFen(m.total);
      if (!orderNo || !tradeNo || amount === undefined)
        return fail('参数错误: order_id / trade_no / total', echo);
      try {
        record(
          orderNo,
          amount,
          tradeNo,
          `${OUTPARK_METHOD}${str(m.pay_type) || 'wallet'}-${bolinkChannelName(m.pay_channel)}`,
          payTime,
        );
        return { state: 1, errmsg: '', ...echo };
      } catch (e) {
        return fail(message(e), echo);
      }
    },

    // answer to our query_order: a list of the order's e-payments
    query_order: async (m) => {
      const items = Array.isArray(m.data) ? m.data : Array.isArray(m.list) ? m.list : [m];
      let n = 0;
      for (const it of items as Array<Record<string, unknown>>) {
        const orderNo = str(it.order_id);
        const tradeNo = str(it.trade_no);
        const amount = yuanToFen(it.money ?? it.total ?? it.prepay ?? it.price);
        if (Number(it.state) !== 1 || !orderNo || !tradeNo || amount === undefined) continue;
        try {
          record(orderNo, amount, tradeNo, 'query_order', fromUnix(it.pay_time) ?? d.now());
          n++;
        } catch (e) {
          d.log.warn({ orderNo, err: message(e) }, 'bolink query_order: payment not recorded');
        }
      }
      return { state: 1, errmsg: '', count: n };
    },

    nolicence_in_park: async (m) => {
      const virtual = str(m.car_number);
      if (!virtual) return fail('缺少 car_number');
      const lane = laneOf(str(m.channel_id));
      const existing = site.findStay({ cardNo: virtual });
      if (existing)
        return {
          state: 1,
          errmsg: '',
          car_number: virtual,
          order_id: existing.orderNo,
          timetemp: unixSeconds(existing.entryTime),
        };
      const time = d.now();
      try {
        const r = site.enter({ plate: '', cardNo: virtual, laneId: lane, time, actor });
        if (!r.order) return fail(r.decision.message, { car_number: virtual });
        if (lane)
          await site
            .gateCommand({
              laneId: lane,
              command: 'open',
              actor,
              reason: '泊链无牌车扫码入场',
              time,
              orderNo: r.order.orderNo,
            })
            .catch((e) =>
              d.log.warn({ err: (e as Error).message, lane }, 'bolink: gate did not open for unplated entry'),
            );
        return {
          state: 1,
          errmsg: '',
          car_number: virtual,
          order_id: r.order.orderNo,
          timetemp: unixSeconds(r.order.entryTime),
        };
      } catch (e) {
        return fail(message(e), { car_number: virtual });
      }
    },

    update_balance: async (m) => {
      const plate = str(m.car_number);
      const fen = yuanToFen(m.balance);
      if (!plate || fen === undefined) return fail('参数错误: car_number / balance');
      site.cloudState('bolink').set(`balance:${plate}`, String(fen));
      return { state: 1, errmsg: '', car_number: plate };
    },
  };
}
