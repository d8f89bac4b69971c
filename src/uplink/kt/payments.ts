// Synchronous KT calls made while a car waits: the auto-pay question at the exit (PostCarOutInfo), the pay
// terminal's QR code (GetPayQRCode) and scanned pay code (PayScanCode), and cloud pricing (AutonomousCalfee).
// Lanes, the booth and the CLI call these; the money itself always lands through site.pay.
import type { FaceContext } from '../../daemon/face.js';
import type { Config } from '../../config/schema.js';
import type { KtConfig } from '../../config/clouds.schema.js';
import type { OrderRecord, QuoteResult } from '../../site/api.js';
import { billNo, ktTime, placeOf } from '../../downlink/kt/common.js';
import { KtClient, KtRemoteError, firstRow } from './client.js';
import { carOut, reportContext } from './reports.js';
import { KT_STREAM, correctionKey, pick } from './sender.js';

const clients = new WeakMap<Config, KtClient>();

/** The configured KT uplink, or undefined when KT or its uplink is off. */
export function ktUplink(
  ctx: Pick<FaceContext, 'config' | 'now'>,
): { kt: KtConfig; client: KtClient } | undefined {
  const kt = ctx.config.clouds.kt;
  if (!kt?.enabled || !kt.uplink) return undefined;
  let client = clients.get(ctx.config);
  if (!client) {
    client = new KtClient({ ...kt.uplink, key: kt.key, timezone: ctx.config.site.timezone, now: ctx.now });
    clients.set(ctx.config, client);
  }
  return { kt, client };
}

export interface AutoPayResult {
  /** the fee due at the exit is covered now */
  paid: boolean;
  /** money the cloud deducted (fen), recorded as a 'kt' payment */
  deducted: number;
  /** the cloud did not answer in time: charge locally; a PostCarCorrect follows the exit report */
  uncertain?: boolean;
}

/**
 * The exit-time auto-pay question for a stay KT signed up (IsDensityPay / RecordDensityPay): PostCarOutInfo with
 * the amount due, wait at most `autoPayTimeoutMs`, record the cloud's deductMoney through site.pay (channel 'kt').
 * No answer in time → { paid: false, uncertain: true }: the lane charges locally and the exit report carries a
 * PostCarCorrect so KT can refund what it may have taken. Never throws.
 */
export async function ktAutoPayAtExit(
  ctx: FaceContext,
  order: OrderRecord,
  quote: QuoteResult,
  opts: { laneId?: string; image?: string } = {},
): Promise<AutoPayResult> {
  if (quote.due <= 0) return { paid: true, deducted: 0 };
  const up = ktUplink(ctx);
  if (!up || !order.autoPay || order.state !== 'in') return { paid: false, deducted: 0 };
  const log = ctx.logger.child({ component: 'kt-autopay' });
  const report = reportContext(ctx.config, up.kt);
  const at = quote.at;
  let deducted = 0;
  try {
    const reply = await up.client.post(
      'PostCarOutInfo',
      carOut(report, order, at, quote.due, opts.laneId, opts.image),
      up.kt.uplink!.autoPayTimeoutMs,
    );
    const row = firstRow(reply.data);
    // the seed's table says densityMoney, its example deductMoney
    const v = Number(pick(row, 'deductMoney') ?? pick(row, 'densityMoney') ?? 0);
    deducted = Number.isFinite(v) && v > 0 ? Math.round(v) : 0;
  } catch (e) {
    const uncertain = !(e instanceof KtRemoteError) || e.uncertain;
    log.warn(
      { orderNo: order.orderNo, err: (e as Error).message, uncertain },
      'KT auto-pay got no usable answer; charging locally',
    );
    if (uncertain)
      ctx.site
        .cloudState(KT_STREAM)
        .set(correctionKey(order.orderNo), JSON.stringify({ totalMoney: quote.due, at }));
    return { paid: false, deducted: 0, uncertain };
  }
  if (deducted === 0) return { paid: false, deducted: 0 };
  try {
    const r = ctx.site.pay({
      orderNo: order.orderNo,
      amount: deducted,
      method: 'density',
      channel: 'kt',
      serial: `${order.orderNo}A${Math.floor(at / 1000)
        .toString(36)
        .toUpperCase()}`,
      time: at,
      actor: { kind: 'kt', name: 'KT' },
    });
    return { paid: r.quote.due <= 0, deducted };
  } catch (e) {
    // the cloud took money we could not book (e.g. paid meanwhile at the booth): KT must hear about it
    log.error(
      { orderNo: order.orderNo, deducted, err: (e as Error).message },
      'KT auto-pay deduction could not be recorded',
    );
    ctx.site
      .cloudState(KT_STREAM)
      .set(correctionKey(order.orderNo), JSON.stringify({ totalMoney: quote.due, at }));
    return { paid: false, deducted: 0, uncertain: true };
  }
}

function payRequest(ctx: FaceContext, kt: KtConfig, q: QuoteResult, deviceCode: string) {
  const o = q.order;
  return {
    parkCode: kt.parkCode ?? ctx.config.site.parkCode,
    // the bill number: the cloud's later PayParkingFee pays exactly this quote
    orderNo: billNo(o.orderNo, q.at),
    plate: encodeURIComponent(o.plate || '无牌车'),
    cardNo: o.cardNo ?? '',
    inTime: ktTime(o.entryTime, ctx.config.site.timezone),
    elapsedTime: q.stayMinutes,
    amount: q.due,
    outTime: ktTime(q.at, ctx.config.site.timezone),
    deviceCode,
  };
}

function quoteOf(
  ctx: FaceContext,
  who: { orderNo?: string; plate?: string; cardNo?: string; laneId?: string },
): QuoteResult {
  const at = Math.floor(ctx.now() / 1000) * 1000;
  const q = ctx.site.quote({ ...who, at });
  if (!q) throw new Error('未找到在场车辆');
  if (q.due <= 0) throw new Error('无需缴费');
  return q;
}

/** GetPayQRCode for a pay terminal: the QR text to show, the cloud's order number and platform (6 WeChat, 7 Alipay). */
export async function ktGetPayQRCode(
  ctx: FaceContext,
  who: { orderNo?: string; plate?: string; cardNo?: string; laneId?: string },
  deviceCode: string,
): Promise<{ qrcode: string; cloudOrderNo: string; payType: number; billNo: string; amount: number }> {
  const up = ktUplink(ctx);
  if (!up) throw new Error('KT 上行未配置');
  const q = quoteOf(ctx, who);
  const r = payRequest(ctx, up.kt, q, deviceCode);
  const reply = await up.client.post('GetPayQRCode', {
    parkCode: r.parkCode,
    orderNo: r.orderNo,
    deviceCode,
    plateNum: r.plate,
    cardNo: r.cardNo,
    inTime: r.inTime,
    elapsedTime: r.elapsedTime,
    amount: r.amount,
    outTime: r.outTime,
  });
  const row = firstRow(reply.data);
  const qrcode = String(pick(row, 'qrcode') ?? '');
  if (!qrcode) throw new Error('KT 未返回二维码');
  return {
    qrcode,
    cloudOrderNo: String(pick(row, 'orderNo') ?? ''),
    payType: Number(pick(row, 'payType') ?? 0),
    billNo: r.orderNo,
    amount: q.due,
  };
}

/** PayScanCode: the terminal scanned the payer's code; KT charges it and confirms later with PayParkingFee. */
export async function ktPayScanCode(
  ctx: FaceContext,
  who: { orderNo?: string; plate?: string; cardNo?: string; laneId?: string },
  deviceId: string,
  authCode: string,
): Promise<{ cloudOrderNo: string; payType: number; billNo: string; amount: number }> {
  const up = ktUplink(ctx);
  if (!up) throw new Error('KT 上行未配置');
  if (!/^\d{10,32}$/.test(authCode)) throw new Error('付款码无效');
  const q = quoteOf(ctx, who);
  const r = payRequest(ctx, up.kt, q, deviceId);
  const reply = await up.client.post('PayScanCode', {
    parkCode: r.parkCode,
    orderNo: r.orderNo,
    deviceId,
    carNo: r.plate,
    inTime: r.inTime,
    elapsedTime: r.elapsedTime,
    amount: r.amount,
    authCode,
    outTime: r.outTime,
  });
  const row = firstRow(reply.data);
  return {
    cloudOrderNo: String(pick(row, 'orderNo') ?? ''),
    payType: Number(pick(row, 'payType') ?? 0),
    billNo: r.orderNo,
    amount: q.due,
  };
}

/**
 * AutonomousCalfee: with `cloudPricing` on, the cloud prices the stay. Returns the fen the cloud wants, or
 * undefined when cloud pricing is off or the cloud did not answer (the caller then uses the local tariff).
 */
export async function ktCloudPrice(
  ctx: FaceContext,
  order: OrderRecord,
  at: number,
  laneId?: string,
): Promise<number | undefined> {
  const up = ktUplink(ctx);
  if (!up || !up.kt.cloudPricing) return undefined;
  const tz = ctx.config.site.timezone;
  try {
    const reply = await up.client.post(
      'AutonomousCalfee',
      {
        parkCode: up.kt.parkCode ?? ctx.config.site.parkCode,
        plateNo: order.plate || '无牌车',
        cardNo: order.cardNo ?? '',
        entryTime: ktTime(order.entryTime, tz),
        entryPlace: placeOf(ctx.config, up.kt, order.entryLane),
        leaveTime: ktTime(at, tz),
        leavePlace: placeOf(ctx.config, up.kt, laneId),
      },
      up.kt.uplink!.autoPayTimeoutMs,
    );
    const v = Number(pick(firstRow(reply.data), 'payMoney'));
    return Number.isInteger(v) && v >= 0 ? v : undefined;
  } catch (e) {
    ctx.logger
      .child({ component: 'kt-uplink' })
      .warn(
        { orderNo: order.orderNo, err: (e as Error).message },
        'AutonomousCalfee failed; local tariff applies',
      );
    return undefined;
  }
}
