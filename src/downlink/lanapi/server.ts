// The LAN OpenApi (seed 003) on its own port: ParkKey/AppId/TimeStamp/Nonce/Sign envelope, HMAC-SHA256 sign,
// a TimeStamp window and Nonce replay rejection, and GetOrderPrice / GetLaneOrder / PaySuccess on the site.
// Codes, fields and every ambiguity: docs/protocols/lanapi.md.
import express, { type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { lanapiSchema } from '../../config/clouds.schema.js';
import type { Config } from '../../config/schema.js';
import type { Site } from '../../site/site.js';
import { SiteError, type OrderRecord, type QuoteResult } from '../../site/api.js';
import { formatLocal, parseLocal } from '../../core/clock.js';
import { fenToYuan, yuanToFen } from '../../core/money.js';
import { lanVerify, type LanEnvelope } from '../../codecs/lanapi.js';
import { durableResponses } from '../../http/durable.js';

export type LanApiConfig = z.infer<typeof lanapiSchema>;

export const LAN_CODE = {
  ok: 200,
  badRequest: 400,
  badSign: 401,
  stale: 403,
  notFound: 404,
  conflict: 409,
  internal: 500,
} as const;

export interface LanReply {
  ResultCode: number;
  ResultMsg: string;
  ResultId: string;
  Data: unknown;
}

/** Replayed nonces are remembered for the TimeStamp window; older ones are rejected by the window anyway. */
/** Case-insensitive field read: the seed's example itself sends `orderNo` where the table says `OrderNo`. */
function pick(data: Record<string, unknown>, name: string): unknown {
  if (name in data) return data[name];
  const l = name.toLowerCase();
  for (const [k, v] of Object.entries(data)) if (k.toLowerCase() === l) return v;
  return undefined;
}
const text = (v: unknown) => (v === undefined || v === null ? '' : String(v).trim());

export function createLanApiApp(o: {
  site: Site;
  config: Config;
  cfg: LanApiConfig;
  log: Logger;
  now: () => number;
}) {
  const { site, config, cfg, log } = o;
  const tz = config.site.timezone;
  const windowMs = cfg.timestampWindowSec * 1000;
  let seq = 0;
  const resultId = () => `${Date.now()}${String(++seq % 1_000_000).padStart(6, '0')}`;
  const fmt = (ms: number) => formatLocal(ms, tz, 'yyyy-MM-dd HH:mm:ss');
  const reply = (res: Response, code: number, msg: string, data: unknown = null) =>
    res
      .status(200)
      .json({ ResultCode: code, ResultMsg: msg, ResultId: resultId(), Data: data } satisfies LanReply);
  const siteCode = (e: unknown): [number, string] => {
    if (e instanceof SiteError) {
      const code =
        e.code === 'not-found'
          ? LAN_CODE.notFound
          : e.code === 'conflict' || e.code === 'already-left'
            ? LAN_CODE.conflict
            : e.code === 'invalid' || e.code === 'amount-mismatch'
              ? LAN_CODE.badRequest
              : LAN_CODE.internal;
      return [code, e.message];
    }
    log.error({ err: e }, 'lanapi handler failed');
    return [LAN_CODE.internal, '处理异常'];
  };

  const calcDetail = (q: QuoteResult) => {
    const o = q.order;
    const area = config.site.areas.find((a) => a.id === o.areaId);
    const remark = `按 ${q.tariffId ?? o.carTypeName} 收费`;
    const overTime = q.graceUntil !== undefined && q.at > q.graceUntil && q.due > 0 ? 1 : 0;
    const expired = o.carType !== 0 && o.carType !== 100 && q.quote.total > 0 ? 1 : 0;
    const lines = q.quote.lines.length
      ? q.quote.lines
      : [{ period: '', from: o.entryTime, to: q.at, units: 0, amount: q.total }];
    return lines.map((l, i) => ({
      AreaNo: o.areaId,
      AreaName: area?.name ?? o.areaId,
      StartTime: fmt(l.from),
      EndTime: fmt(l.to),
      CalcAmount: fenToYuan(l.amount),
      DiscountAmount: null,
      FreeMinutes: i === 0 ? q.quote.freeMinutes : 0,
      StayMinutes: Math.max(0, Math.floor((l.to - l.from) / 60_000)),
      Remarks: l.period ? `${remark} (${l.period})` : remark,
      IsOverTime: overTime,
      IsCarExpire: expired,
    }));
  };

  const plateOf = (o: OrderRecord) => o.plate || o.cardNo || '';

  const handlers: Record<string, (data: Record<string, unknown>) => [number, string, unknown]> = {
    GetOrderPrice: (data) => {
      const orderNo = text(pick(data, 'OrderNo'));
      const plate = text(pick(data, 'LicensePlateNumber'));
      const order = orderNo ? site.getOrder(orderNo) : plate ? site.findStay({ plate }) : undefined;
      if (!order) return [LAN_CODE.notFound, `停车订单 ${orderNo || plate} 不存在`, null];
      const q = site.quoteOrder(order, o.now());
      return [
        LAN_CODE.ok,
        '获取指定停车订单的停车费用信息成功!',
        {
          OrderNo: order.orderNo,
          CouponSchemeNos: [],
          LicensePlateNumber: plateOf(order),
          EntryTime: fmt(order.entryTime),
          CalcTime: fmt(q.at),
          TotalAmountDue: fenToYuan(q.total),
          TotalAmountPaid: fenToYuan(q.due),
          DiscountAmount: fenToYuan(q.discountMoney),
          CalcDetail: calcDetail(q),
          PlateCouponNos: [],
        },
      ];
    },
    GetLaneOrder: (data) => {
      const lane = text(pick(data, 'LaneNo'));
      if (!config.lanes.some((l) => l.id === lane)) return [LAN_CODE.notFound, `车道 ${lane} 不存在`, null];
      const order = site.findStay({ laneId: lane });
      if (!order || order.state !== 'in') return [LAN_CODE.notFound, `车道 ${lane} 当前没有待缴费车辆`, null];
      const q = site.quoteOrder(order, o.now());
      return [
        LAN_CODE.ok,
        '获取车道停车订单成功!',
        {
          OrderNo: order.orderNo,
          LaneNo: lane,
          LicensePlateNumber: plateOf(order),
          EntryTime: fmt(order.entryTime),
          CalcTime: fmt(q.at),
          ChargeMoney: fenToYuan(q.due),
          TotalAmountDue: fenToYuan(q.total),
          DiscountAmount: fenToYuan(q.discountMoney),
          CouponSchemeNos: [],
        },
      ];
    },
    PaySuccess: (data) => {
      const orderNo = text(pick(data, 'OrderNo'));
      const serial = text(pick(data, 'PaymentOrderNo'));
      const amount = yuanToFen(pick(data, 'TotalAmountPaid'));
      if (!orderNo || !serial) return [LAN_CODE.badRequest, '缺少 OrderNo 或 PaymentOrderNo', null];
      if (amount === undefined || amount < 0) return [LAN_CODE.badRequest, 'TotalAmountPaid 无效', null];
      const when = parseLocal(text(pick(data, 'PaymentTime')), tz) ?? o.now();
      try {
        const r = site.pay({
          orderNo,
          amount,
          channel: 'lanapi',
          serial,
          method: text(pick(data, 'PaymentMethod')) || 'lanapi',
          time: when,
          actor: { kind: 'lanapi', name: text(pick(data, 'Remarks')) || undefined },
          // the money must cover what is due: an underpayment must not open the gate
          expectDue: amount,
        });
        return [
          LAN_CODE.ok,
          r.duplicate ? '支付结果已处理(重复通知)' : '支付成功',
          { OrderNo: orderNo, PaymentOrderNo: serial },
        ];
      } catch (e) {
        const [code, msg] = siteCode(e);
        return [code, msg, null];
      }
    },
  };

  const app = express();
  app.disable('x-powered-by');
  // no answer before the payment it acknowledges is on disk (group commit in the daemon)
  app.use(durableResponses(() => site.durable()));
  // GET with a JSON body is what the vendor documents; body-parser reads bodies on any method
  app.use(express.json({ limit: '256kb', type: () => true }));
  app.all('/Api/V2/OpenApi/:name', (req: Request, res: Response) => {
    const name = Object.keys(handlers).find((k) => k.toLowerCase() === String(req.params.name).toLowerCase());
    if (req.method !== 'GET' && req.method !== 'POST')
      return reply(res, LAN_CODE.badRequest, `不支持 ${req.method}`);
    let env = (
      req.body && typeof req.body === 'object' && Object.keys(req.body).length ? req.body : undefined
    ) as Record<string, unknown> | undefined;
    if (!env) {
      // a GET with no body: the envelope in the query string, Data as JSON text
      const q = req.query as Record<string, unknown>;
      env = { ...q };
      if (typeof q.Data === 'string') {
        try {
          env.Data = JSON.parse(q.Data);
        } catch {
          return reply(res, LAN_CODE.badRequest, 'Data 不是有效的 JSON');
        }
      }
    }
    const e: LanEnvelope = {
      ParkKey: text(env.ParkKey),
      AppId: text(env.AppId),
      TimeStamp: text(env.TimeStamp),
      Nonce: text(env.Nonce),
      Sign: typeof env.Sign === 'string' ? env.Sign : undefined,
      Data: env.Data && typeof env.Data === 'object' ? (env.Data as Record<string, unknown>) : null,
    };
    if (!e.ParkKey || !e.AppId || !e.TimeStamp || !e.Nonce || !e.Sign)
      return reply(res, LAN_CODE.badRequest, '缺少 ParkKey / AppId / TimeStamp / Nonce / Sign');
    if (e.ParkKey !== cfg.parkKey) return reply(res, LAN_CODE.badSign, 'ParkKey 不正确');
    if (e.AppId !== cfg.appId) return reply(res, LAN_CODE.badSign, 'AppId 不正确');
    const ts = Number(e.TimeStamp);
    // the window is against the real clock: it guards the wire, not the lot's business time
    if (!/^\d{13}$/.test(e.TimeStamp) || Math.abs(Date.now() - ts) > windowMs)
      return reply(res, LAN_CODE.stale, 'TimeStamp 已过期或无效');
    if (!lanVerify(e, cfg.appSecret)) {
      log.warn({ api: req.params.name }, 'lanapi: bad sign');
      return reply(res, LAN_CODE.badSign, '签名错误');
    }
    // twice the window: a request stamped at the window's far edge stays refused until it could not pass anyway
    if (!site.useNonce(`lanapi:${e.AppId}`, e.Nonce, Date.now(), 2 * windowMs))
      return reply(res, LAN_CODE.stale, 'Nonce 重复, 请求被拒绝');
    if (!name) return reply(res, LAN_CODE.notFound, `接口 ${req.params.name} 不存在`);
    if (!e.Data) return reply(res, LAN_CODE.badRequest, '缺少 Data');
    try {
      const [code, msg, data] = handlers[name](e.Data);
      log.info({ api: name, code }, 'lanapi');
      return reply(res, code, msg, data);
    } catch (err) {
      const [code, msg] = siteCode(err);
      return reply(res, code, msg);
    }
  });
  app.use((_req: Request, res: Response) => reply(res, LAN_CODE.notFound, '接口不存在'));
  app.use((err: unknown, _req: Request, res: Response, _next: (e?: unknown) => void) => {
    void _next;
    reply(res, LAN_CODE.badRequest, err instanceof SyntaxError ? '请求体不是有效的 JSON' : '请求无效');
  });
  return app;
}
