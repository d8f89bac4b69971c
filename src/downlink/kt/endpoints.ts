// Every KT downlink endpoint (seed §3): its request schema and the site use-cases behind it. The router handles
// transport, auth and the envelope; a handler returns the reply's `data` or throws KtError / SiteError.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Config } from '../../config/schema.js';
import type { KtConfig } from '../../config/clouds.schema.js';
import type { Site } from '../../site/site.js';
import {
  CAR_TYPE_NAME,
  CarType,
  type Actor,
  type CardHolder,
  type OrderRecord,
  type QuoteResult,
} from '../../site/api.js';
import { parseLenientJson } from '../../codecs/kt.js';
import { fenToYuanText } from '../../core/money.js';
import {
  KtError,
  areaIdOf,
  billNo,
  imageUrl,
  kint,
  kmoney,
  kstr,
  ktTime,
  ktTimeField,
  lanesMatching,
  stripBlank,
  parseBill,
  placeOf,
  resolveDevice,
  resolveLane,
} from './common.js';

export interface KtCall {
  site: Site;
  config: Config;
  kt: KtConfig;
  tz: string;
  /** the request's arrival (epoch ms) */
  now: number;
  actor: Actor;
  /** where the cloud reaches us, for image links */
  baseUrl: string;
  photos: { put(jpeg: Buffer): string };
}

export type KtGroup = 'ParkingInfo' | 'ParkingManage' | 'ParkingPay' | 'ParkingCard' | 'ParkingBook';

export interface KtEndpoint {
  name: string;
  group: KtGroup;
  schema: z.ZodObject<z.ZodRawShape>;
  handle(input: any, c: KtCall): unknown;
  /** extra full paths served by this handler (old client names) */
  legacy?: string[];
  /** the legacy path's own field names, mapped onto this schema before validation */
  legacyInput?: (data: Record<string, unknown>) => Record<string, unknown>;
}

/** Path prefixes each group answers under: the seed's name first, then the legacy aliases. */
export const GROUP_PREFIXES: Record<KtGroup, string[]> = {
  ParkingInfo: ['/api/ParkingInfo', '/api/pay2', '/api/pay'],
  ParkingManage: ['/api/ParkingManage', '/api/pay2', '/api/pay'],
  ParkingPay: ['/api/ParkingPay', '/api/pay2', '/api/pay'],
  ParkingCard: ['/api/ParkingCard', '/api/card2', '/api/pay'],
  ParkingBook: ['/api/ParkingBook', '/api/book'],
};

const parkCode = kstr.optional();
const page = {
  pageIndex: kint.pipe(z.number().min(1, '必须 >= 1')),
  pageCount: kint.pipe(z.number().min(1, '必须 >= 1').max(500, '每页最多 500 条')),
};
const device = {
  deviceCode: kstr.pipe(z.string().min(1)),
  deviceType: kint.pipe(z.union([z.literal(0), z.literal(1)])).default(0),
};

/** plateDetails is documented as a JSON string; some clients send the array itself. */
const plateDetails = z.preprocess(
  (v) => {
    if (typeof v !== 'string') return v === undefined || v === null ? undefined : stripBlank(v);
    if (v.trim() === '') return undefined;
    try {
      return stripBlank(parseLenientJson(v));
    } catch {
      return v;
    }
  },
  z.array(
    z.object({
      plateNo: kstr.optional(),
      etcNo: kstr.optional(),
      type: kint.optional(),
    }),
    { message: 'plateDetails 应为 JSON 数组字符串, 如 [{"plateNo":"A12345","etcNo":""}]' },
  ),
);

function shortHash(...parts: Array<string | number | undefined>): string {
  return createHash('sha1')
    .update(parts.map((p) => String(p ?? '')).join('|'))
    .digest('hex')
    .slice(0, 20)
    .toUpperCase();
}

function without<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function laneOrThrow(c: KtCall, code: string, type: number) {
  const lane = resolveLane(c.config, code, type === 1);
  if (!lane) throw new KtError(`设备不存在: ${code}`);
  return lane;
}

function stayMinutes(o: OrderRecord, at: number): number {
  return Math.max(0, Math.floor(((o.exitTime ?? at) - o.entryTime) / 60_000));
}

function finishedRow(o: OrderRecord, c: KtCall) {
  const payments = c.site.payments(o.orderNo);
  const last = payments[payments.length - 1];
  return {
    id: o.orderNo,
    plateNo: o.plate || '无牌车',
    entryTime: ktTime(o.entryTime, c.tz),
    entryPlace: placeOf(c.config, c.kt, o.entryLane),
    leaveTime: ktTime(o.exitTime, c.tz),
    leavePlace: placeOf(c.config, c.kt, o.exitLane),
    imgName: o.exitImage ? imageUrl(o.exitImage, c.baseUrl) : '',
    payable: String(o.paid),
    cashUser: last ? (last.operator ?? last.channel) : '',
    cashTime: ktTime(last?.time ?? o.exitTime, c.tz),
  };
}

function inParkRow(o: OrderRecord, c: KtCall) {
  return {
    plateNo: o.plate || '无牌车',
    cardNo: o.cardNo ?? '',
    entryTime: ktTime(o.entryTime, c.tz),
    entryPlace: placeOf(c.config, c.kt, o.entryLane),
    carType: o.carType,
    imgName: o.entryImage ? imageUrl(o.entryImage, c.baseUrl) : '',
  };
}

/** The GetParkingPaymentInfo answer; also used by the uplink's pay-terminal calls. */
export function paymentInfo(q: QuoteResult, c: Pick<KtCall, 'tz' | 'baseUrl'>) {
  const o = q.order;
  const at = ktTime(q.at, c.tz);
  return {
    orderNo: billNo(o.orderNo, q.at),
    plateNo: o.plate || '无牌车',
    cardNo: o.cardNo ?? '',
    entryTime: ktTime(o.entryTime, c.tz),
    payTime: at,
    elapsedTime: q.stayMinutes,
    imgName: o.entryImage ? imageUrl(o.entryImage, c.baseUrl) : '',
    payable: q.due,
    delayTime: q.graceMinutes,
    totalFee: String(q.total),
    // paid money and discounts together, so that totalFee - payedFee = payable as in the seed's example
    payedFee: String(Math.max(0, q.total - q.due)),
    outTime: at,
  };
}

function methodOf(payMethod: number | undefined, payType: number | undefined): string {
  const m = payMethod ?? payType;
  if (m === 5) return 'alipay';
  if (m === 4) return 'wechat';
  return m === undefined ? 'wechat' : `kt-${m}`;
}

const ROOM = /\s*房间:(\S*)$/;
function remarkOf(cardName: string | undefined, roomId: string | undefined): string | undefined {
  if (cardName === undefined && roomId === undefined) return undefined;
  return `${cardName ?? ''}${roomId ? ` 房间:${roomId}` : ''}`;
}

function cardRow(h: CardHolder, c: KtCall) {
  const room = h.remark ? ROOM.exec(h.remark)?.[1] : undefined;
  const area = h.areaId ? c.config.site.areas.find((a) => a.id === h.areaId) : undefined;
  return {
    cardId: h.id,
    cardNo: h.cardNo,
    carType: h.carType,
    cardName: h.name ?? (h.remark ? h.remark.replace(ROOM, '') : ''),
    tel: h.phone ?? '',
    roomId: room ?? '',
    areaList: area ? [area.name] : c.config.site.areas.map((a) => a.name),
    plateDetails: JSON.stringify(h.plates.map((p) => ({ plateNo: p, etcNo: '' }))),
    validFrom: ktTime(h.validFrom, c.tz),
    validTo: ktTime(h.validTo, c.tz),
    validValue:
      h.carType === CarType.storedValue ? h.balance : h.carType === CarType.count ? (h.countLeft ?? 0) : 0,
    spaceNum: String(h.spaces),
    lastUpdateTime: ktTime(h.updatedAt, c.tz),
  };
}

function cardOrThrow(c: KtCall, cardId: number): CardHolder {
  const h = c.site.cardById(cardId);
  if (!h) throw new KtError(`卡片不存在: ${cardId}`);
  return h;
}

function allPages<T>(fetch: (page: number) => { total: number; rows: T[] }, pageSize: number): T[] {
  const out: T[] = [];
  for (let p = 1; ; p++) {
    const r = fetch(p);
    out.push(...r.rows);
    if (r.rows.length < pageSize || out.length >= r.total) return out;
  }
}

const BOOKING_PREFIX = 'KT';
const bookingNoOf = (id: number) => `${BOOKING_PREFIX}${id}`;
function bookIdOf(bookingNo: string): number {
  const m = /^KT(\d+)$/.exec(bookingNo) ?? /(\d+)$/.exec(bookingNo);
  return m ? Number(m[1]) : 0;
}

/** Recharge shared by PayCarCardFee and the old CardRecharge. */
function rechargeCard(c: KtCall, i: { cardId: number; orderNo?: string; amount: number; validTo?: number }) {
  const h = cardOrThrow(c, i.cardId);
  if (h.carType === CarType.count) throw new KtError('计次车不支持按金额充值, 请在岗亭办理');
  if (h.carType !== CarType.storedValue && i.validTo === undefined) throw new KtError('缺少参数 validTo');
  const serial = i.orderNo ?? `KTR${shortHash(h.id, i.amount, i.validTo)}`;
  c.site.recharge({
    cardNo: h.cardNo,
    amount: i.amount,
    validTo: h.carType === CarType.storedValue ? undefined : i.validTo,
    channel: 'kt',
    serial,
    time: c.now,
    actor: c.actor,
  });
  return null;
}

export function ktEndpoints(tz: string): KtEndpoint[] {
  const T = ktTimeField(tz);
  const ep = <S extends z.ZodRawShape>(
    name: string,
    group: KtGroup,
    shape: S,
    handle: (i: z.infer<z.ZodObject<S>>, c: KtCall) => unknown,
    more: Pick<KtEndpoint, 'legacy' | 'legacyInput'> = {},
  ): KtEndpoint => ({
    name,
    group,
    schema: z.object(shape) as unknown as z.ZodObject<z.ZodRawShape>,
    handle,
    ...more,
  });

  return [
    // ---------------------------------------------------------------- 1. ParkingInfo
    ep(
      'GetCarInOutInfoByPlate',
      'ParkingInfo',
      { parkCode, plateNo: kstr, startTime: T, endTime: T, ...page },
      (i, c) => {
        const r = c.site.searchOrders({
          plate: i.plateNo,
          state: 'out',
          from: i.startTime,
          to: i.endTime,
          page: i.pageIndex,
          pageSize: i.pageCount,
        });
        return [{ totalNum: String(r.total), detail: r.rows.map((o) => finishedRow(o, c)) }];
      },
    ),
    ep(
      'GetCarInOutInfoByPlace',
      'ParkingInfo',
      {
        parkCode,
        entryPlace: kstr.optional(),
        leavePlace: kstr.optional(),
        startTime: T,
        endTime: T,
        ...page,
      },
      (i, c) => {
        const inSet = i.entryPlace ? lanesMatching(c.config, i.entryPlace) : undefined;
        const outSet = i.leavePlace ? lanesMatching(c.config, i.leavePlace) : undefined;
        const rows = c.site
          .exitedBetween(i.startTime, i.endTime)
          .filter(
            (o) =>
              (!inSet || (o.entryLane !== undefined && inSet.has(o.entryLane))) &&
              (!outSet || (o.exitLane !== undefined && outSet.has(o.exitLane))),
          );
        const slice = rows.slice((i.pageIndex - 1) * i.pageCount, i.pageIndex * i.pageCount);
        return [{ totalNum: String(rows.length), detail: slice.map((o) => finishedRow(o, c)) }];
      },
    ),
    ep(
      'SearchParkingInfo',
      'ParkingInfo',
      { parkCode, plateNo: kstr.optional(), cardNo: kstr.optional() },
      (i, c) => {
        // both empty: every car in the lot, unpaged (seed 1.3)
        const rows = allPages(
          (p) =>
            c.site.searchOrders({ state: 'in', plate: i.plateNo, cardNo: i.cardNo, page: p, pageSize: 500 }),
          500,
        );
        return rows.map((o) => inParkRow(o, c));
      },
    ),

    // ---------------------------------------------------------------- 2. ParkingManage
    ep(
      'OnlineCarInOut',
      'ParkingManage',
      { parkCode, ...device, cardNo: kstr.pipe(z.string().min(13, '卡号长度必须大于12位')) },
      async (i, c) => {
        const lane = laneOrThrow(c, i.deviceCode, i.deviceType);
        if (lane.direction === 'entry') {
          if (c.site.findStay({ cardNo: i.cardNo })) throw new KtError(`卡号 ${i.cardNo} 已在场内`);
          const r = c.site.enter({
            plate: '',
            cardNo: i.cardNo,
            laneId: lane.id,
            time: c.now,
            actor: c.actor,
          });
          if (!r.decision.open || !r.order) throw new KtError(r.decision.message);
          void c.site.show(lane.id, r.decision.lines, r.decision.voice).catch(() => undefined);
          try {
            await c.site.gateCommand({
              laneId: lane.id,
              command: 'open',
              actor: c.actor,
              reason: 'KT OnlineCarInOut 无牌车入场',
              time: c.now,
              orderNo: r.order.orderNo,
            });
          } catch (e) {
            throw new KtError(`入场已记录, 但开闸失败: ${(e as Error).message}`);
          }
          return null;
        }
        const r = c.site.exit({ plate: '', cardNo: i.cardNo, laneId: lane.id, time: c.now, actor: c.actor });
        if (!r.decision.open) {
          if (r.decision.code === 'wait-payment')
            throw new KtError(`未缴清停车费, 请先缴费 ${fenToYuanText(r.decision.due ?? 0)} 元`);
          throw new KtError(r.decision.message);
        }
        void c.site.show(lane.id, r.decision.lines, r.decision.voice).catch(() => undefined);
        await c.site.gateCommand({
          laneId: lane.id,
          command: 'open',
          actor: c.actor,
          reason: 'KT OnlineCarInOut 无牌车出场',
          time: c.now,
          orderNo: r.order?.orderNo,
        });
        return null;
      },
    ),
    ep(
      'ModifyFreeSpace',
      'ParkingManage',
      { parkCode, areaCode: kstr.optional(), freeSpaceNum: kint.pipe(z.number().min(0, '不能为负')) },
      (i, c) => {
        const areaId = areaIdOf(c.config, i.areaCode);
        if (!areaId) throw new KtError(`区域不存在: ${i.areaCode}`);
        c.site.setFreeSpaces(areaId, i.freeSpaceNum, c.actor, c.now);
        return null;
      },
    ),
    ep('GateControl', 'ParkingManage', { parkCode, ...device, controlType: kint }, async (i, c) => {
      const command = ({ 1: 'open', 2: 'close', 11: 'keepOpen', 12: 'release' } as const)[
        i.controlType as 1 | 2 | 11 | 12
      ];
      if (!command)
        throw new KtError(`controlType 无效: ${i.controlType} (1 开闸, 2 关闸, 11 常抬, 12 常抬恢复)`);
      const lane = laneOrThrow(c, i.deviceCode, i.deviceType);
      await c.site.gateCommand({
        laneId: lane.id,
        command,
        actor: c.actor,
        reason: `KT GateControl ${i.controlType}`,
        time: c.now,
      });
      return null;
    }),
    ep('ShowLedMsg', 'ParkingManage', { parkCode, ...device, showInfo: kstr }, async (i, c) => {
      const lane = laneOrThrow(c, i.deviceCode, i.deviceType);
      await c.site.show(
        lane.id,
        i.showInfo.split('|').map((text) => ({ text })),
      );
      return null;
    }),
    ep('RecordDensityPay', 'ParkingManage', { parkCode, plateNo: kstr }, (i, c) => {
      const stay = c.site.findStay({ plate: i.plateNo });
      if (!stay) throw new KtError(`车辆不在场内: ${i.plateNo}`);
      c.site.setAutoPay(stay.orderNo, true);
      return null;
    }),
    ep('GetPhoto', 'ParkingManage', { parkCode, ...device }, async (i, c) => {
      const dev = resolveDevice(c.config, i.deviceCode, i.deviceType === 1);
      let cameraId: string | undefined;
      if (dev && (dev.type === 'zhenshi' || dev.type === 'hikvision' || dev.type === 'onvif'))
        cameraId = dev.id;
      else cameraId = resolveLane(c.config, i.deviceCode, i.deviceType === 1)?.camera;
      if (!cameraId) throw new KtError(`未找到相机: ${i.deviceCode}`);
      const jpeg = await c.site.snapshot(cameraId);
      return [{ imageUrl: `${c.baseUrl}/api/ParkingManage/Photo/${c.photos.put(jpeg)}.jpg` }];
    }),

    // ---------------------------------------------------------------- 3. ParkingPay
    ep(
      'GetParkingPaymentInfo',
      'ParkingPay',
      {
        parkCode,
        plateNo: kstr.optional(),
        cardNo: kstr.optional(),
        deviceCode: kstr.optional(),
        deviceType: kint.optional(),
      },
      (i, c) => {
        if (!i.plateNo && !i.cardNo && !i.deviceCode)
          throw new KtError('plateNo、cardNo、deviceCode 必须三选一');
        const laneId = i.deviceCode ? laneOrThrow(c, i.deviceCode, i.deviceType ?? 0).id : undefined;
        // whole seconds: the bill number carries the quote time to the second
        const at = Math.floor(c.now / 1000) * 1000;
        const q = c.site.quote({ plate: i.plateNo, cardNo: i.cardNo, laneId, at });
        if (!q) throw new KtError(`未查询到在场车辆: ${i.plateNo ?? i.cardNo ?? i.deviceCode}`);
        return [paymentInfo(q, c)];
      },
      { legacy: ['/api/pay/GetParkingPaymentInfoByCard'] },
    ),
    ep(
      'PayParkingFee',
      'ParkingPay',
      {
        parkCode,
        orderNo: kstr,
        amount: kmoney,
        discount: kmoney.default(0),
        payType: kint.optional(),
        payMethod: kint.optional(),
        freeMoney: kmoney.default(0),
        freeTime: kint.pipe(z.number().min(0)).default(0),
        freeDetail: z.unknown().optional(),
      },
      (i, c) => {
        const direct = c.site.getOrder(i.orderNo);
        const bill = direct ? undefined : parseBill(i.orderNo);
        const stayNo = direct ? i.orderNo : bill?.orderNo;
        const stay = stayNo ? c.site.getOrder(stayNo) : undefined;
        if (!stay) throw new KtError(`订单不存在: ${i.orderNo}`);
        const ttl = c.kt.billTtlSec * 1000;
        let serial: string;
        let at: number;
        if (bill) {
          serial = i.orderNo;
          at = bill.at;
          const prev = stay.payments.find((p) => p.channel === 'kt' && p.serial === serial);
          if (prev) {
            // a repeat of a bill already paid: answered as a success, recorded once
            if (prev.amount !== i.amount)
              throw new KtError(`账单 ${i.orderNo} 已支付 ${prev.amount} 分, 本次金额 ${i.amount} 分不一致`);
            return [{ parkingTime: stayMinutes(stay, prev.time) }];
          }
          if (c.now - at > ttl) throw new KtError('账单已过期, 请重新查询停车费');
          if (at > c.now + 60_000) throw new KtError('账单号无效');
        } else {
          // the stay's own number (older clients): the repeat is recognised by amount within the bill lifetime
          at = c.now;
          const recent = stay.payments.find(
            (p) =>
              p.channel === 'kt' &&
              p.serial.startsWith(`${stay.orderNo}P`) &&
              p.amount === i.amount &&
              c.now - p.time < ttl,
          );
          if (
            recent &&
            (stay.state !== 'in' || c.site.quote({ orderNo: stay.orderNo, at: c.now })?.due === 0)
          )
            return [{ parkingTime: stayMinutes(stay, recent.time) }];
          serial = `${stay.orderNo}P${c.now.toString(36).toUpperCase()}`;
        }
        if (stay.state !== 'in') throw new KtError(stay.state === 'void' ? '订单已作废' : '车辆已出场');
        const discount = i.discount + i.freeMoney;
        if (i.amount === 0 && discount === 0 && i.freeTime === 0) {
          const q = c.site.quote({ orderNo: stay.orderNo, at });
          if (q && q.due > 0) throw new KtError(`支付金额 0 少于应缴 ${q.due} 分`);
          return [{ parkingTime: q?.stayMinutes ?? stayMinutes(stay, at) }];
        }
        // minutes off first, so the amount check below sees the fee after them; undone if the payment is refused
        const minuteSerial = `${serial}-T`;
        const minutes =
          i.freeTime > 0
            ? c.site.addDiscount({
                orderNo: stay.orderNo,
                kind: 'minutes',
                value: i.freeTime,
                channel: 'kt',
                serial: minuteSerial,
                time: at,
                actor: c.actor,
              })
            : undefined;
        try {
          const r = c.site.pay({
            orderNo: stay.orderNo,
            amount: i.amount,
            discount,
            method: methodOf(i.payMethod, i.payType),
            channel: 'kt',
            serial,
            time: at,
            actor: c.actor,
            expectDue: i.amount + discount,
          });
          return [{ parkingTime: r.quote.stayMinutes }];
        } catch (e) {
          if (minutes && !minutes.duplicate)
            c.site.revokeDiscount({ channel: 'kt', serial: minuteSerial, time: at, actor: c.actor });
          throw e;
        }
      },
    ),
    ep(
      'ParkingFree',
      'ParkingPay',
      {
        parkCode,
        plateNo: kstr.optional(),
        cardNo: kstr.optional(),
        freeMoney: kmoney.default(0),
        freeTime: kint.pipe(z.number().min(0)).default(0),
        payType: kint.optional(),
        payMethod: kint.optional(),
        remark: kstr.optional(),
      },
      (i, c) => {
        if (!i.plateNo && !i.cardNo) throw new KtError('plateNo、cardNo 必须二选一');
        const stay = c.site.findStay({ plate: i.plateNo, cardNo: i.cardNo });
        if (!stay) throw new KtError(`未查询到在场车辆: ${i.plateNo ?? i.cardNo}`);
        const minutes = Math.floor(i.freeTime / 60);
        if (i.freeMoney === 0 && minutes === 0) throw new KtError('优惠金额和优惠时间不能都为 0');
        // no serial in the protocol: the same grant repeated (a retry) is recognised by its content
        const serial = `KTF${shortHash(stay.orderNo, i.freeMoney, i.freeTime, i.remark, i.payType)}`;
        if (i.freeMoney > 0)
          c.site.addDiscount({
            orderNo: stay.orderNo,
            kind: 'money',
            value: i.freeMoney,
            code: i.remark,
            channel: 'kt',
            serial: `${serial}M`,
            time: c.now,
            actor: c.actor,
          });
        if (minutes > 0)
          c.site.addDiscount({
            orderNo: stay.orderNo,
            kind: 'minutes',
            value: minutes,
            code: i.remark,
            channel: 'kt',
            serial: `${serial}T`,
            time: c.now,
            actor: c.actor,
          });
        return [{ orderNo: stay.orderNo }];
      },
    ),
    ep('GetPaymentStatus', 'ParkingPay', { parkCode, orderNo: kstr }, (i, c) => {
      const change = i.orderNo.startsWith('CH') ? c.site.getChange(i.orderNo) : undefined;
      if (change) return [{ status: change.state === 'pending' ? '0' : '1' }];
      const direct = c.site.getOrder(i.orderNo);
      const bill = direct ? undefined : parseBill(i.orderNo);
      const stay = direct ?? (bill ? c.site.getOrder(bill.orderNo) : undefined);
      if (!stay) throw new KtError(`订单不存在: ${i.orderNo}`);
      if (bill && stay.payments.some((p) => p.serial === i.orderNo)) return [{ status: '1' }];
      const due = c.site.quote({ orderNo: stay.orderNo, at: c.now })?.due ?? 0;
      const settled = due === 0 && (stay.paid > 0 || stay.state !== 'in' || !bill);
      return [{ status: settled ? '1' : '0' }];
    }),
    ep('GetPayChargeInfo', 'ParkingPay', { parkCode, orderNo: kstr }, (i, c) => {
      const ch = c.site.getChange(i.orderNo);
      if (!ch) throw new KtError(`找零订单不存在: ${i.orderNo}`);
      const stay = ch.orderNo ? c.site.getOrder(ch.orderNo) : undefined;
      return [
        {
          orderNo: ch.changeNo,
          plateNo: stay?.plate ?? '',
          cardNo: stay?.cardNo ?? '',
          comeTime: stay ? ktTime(stay.entryTime, c.tz) : '1972-01-01 00:00:00',
          payMoney: ch.due,
          paidAmount: ch.inserted,
          ifCharge: ch.state === 'pending' ? 0 : 1,
        },
      ];
    }),
    ep(
      'PayChargeNotice',
      'ParkingPay',
      { parkCode, orderNo: kstr, chargeType: kstr, UserAccount: kstr.optional() },
      (i, c) => {
        if (!c.site.getChange(i.orderNo)) throw new KtError(`找零订单不存在: ${i.orderNo}`);
        c.site.markChange(i.orderNo, 'noticed', c.now, `${i.chargeType}|${i.UserAccount ?? ''}`);
        return [{ orderNo: i.orderNo }];
      },
    ),
    ep('PayChargeReport', 'ParkingPay', { parkCode, startTime: T, endTime: T, ...page }, (i, c) => {
      const all = c.site.listChanges(i.startTime, i.endTime);
      return all.slice((i.pageIndex - 1) * i.pageCount, i.pageIndex * i.pageCount).map((ch) => {
        const stay = ch.orderNo ? c.site.getOrder(ch.orderNo) : undefined;
        const [chargeType = '', account = ''] = (ch.serial ?? '').split('|');
        return {
          orderNo: ch.changeNo,
          plateNo: stay?.plate ?? '',
          cardNo: stay?.cardNo ?? '',
          entryTime: stay ? ktTime(stay.entryTime, c.tz) : '1972-01-01 00:00:00',
          payMoney: ch.due,
          paidAmount: ch.inserted,
          ifCharge: ch.state === 'pending' ? 0 : 1,
          chargeType,
          UserAccount: account,
          paidTime: ktTime(ch.createdAt, c.tz),
          chargeTime: ch.noticedAt ? ktTime(ch.noticedAt, c.tz) : '',
          remark: '',
        };
      });
    }),

    // ---------------------------------------------------------------- 4. ParkingCard
    ep(
      'AddCarCardNo',
      'ParkingCard',
      {
        parkCode,
        cardName: kstr.optional(),
        useName: kstr.optional(),
        tel: kstr.optional(),
        roomId: kstr.optional(),
        plateDetails,
        carType: kint,
        spaceNum: kint.pipe(z.number().min(1)).default(1),
        validFrom: T,
        validTo: T,
      },
      (i, c) => {
        const plates = i.plateDetails.map((p) => p.plateNo).filter((p): p is string => !!p);
        const etc = i.plateDetails.map((p) => p.etcNo).find((e) => !!e);
        if (!plates.length && !etc) throw new KtError('plateDetails 至少需要一个车牌号或卡号');
        if (i.carType === CarType.temporary || !(i.carType in CAR_TYPE_NAME))
          throw new KtError(`固定车类型无效: ${i.carType}`);
        const cardNo = etc ?? `KT${c.site.nextSequence('kt-card')}`;
        const h = c.site.addCard(
          {
            cardNo,
            name: i.useName ?? i.cardName,
            phone: i.tel,
            carType: i.carType,
            plates,
            validFrom: i.validFrom,
            validTo: i.validTo,
            spaces: i.spaceNum,
            remark: remarkOf(i.cardName, i.roomId),
          },
          c.actor,
          c.now,
        );
        return [{ cardId: h.id }];
      },
    ),
    ep(
      'ModifyCarCardNo',
      'ParkingCard',
      {
        parkCode,
        cardId: kint,
        cardName: kstr.optional(),
        useName: kstr.optional(),
        tel: kstr.optional(),
        roomId: kstr.optional(),
        plateDetails: plateDetails.optional(),
        validFrom: T.optional(),
        validTo: T.optional(),
        spaceNum: kint.optional(),
        totalSPNum: kint.optional(),
      },
      (i, c) => {
        const h = cardOrThrow(c, i.cardId);
        const spaces = i.spaceNum ?? i.totalSPNum;
        const remark =
          i.cardName !== undefined || i.roomId !== undefined
            ? remarkOf(
                i.cardName ?? h.remark?.replace(ROOM, ''),
                i.roomId ?? (h.remark ? ROOM.exec(h.remark)?.[1] : undefined),
              )
            : undefined;
        c.site.modifyCard(
          {
            cardNo: h.cardNo,
            carType: h.carType,
            ...without({
              name: i.useName,
              phone: i.tel,
              validFrom: i.validFrom,
              validTo: i.validTo,
              spaces,
              remark,
            }),
          },
          c.actor,
          c.now,
        );
        const add = (i.plateDetails ?? []).filter((p) => p.type !== 0 && p.plateNo).map((p) => p.plateNo!);
        const remove = (i.plateDetails ?? []).filter((p) => p.type === 0 && p.plateNo).map((p) => p.plateNo!);
        if (add.length || remove.length) c.site.cardPlates({ cardNo: h.cardNo, add, remove }, c.actor, c.now);
        return null;
      },
    ),
    ep('DeleteCarCardNo', 'ParkingCard', { parkCode, cardId: kint }, (i, c) => {
      c.site.deleteCard(cardOrThrow(c, i.cardId).cardNo, c.actor, c.now);
      return null;
    }),
    ep(
      'CarCardNoManage',
      'ParkingCard',
      {
        parkCode,
        cardId: kint,
        plateNo: kstr.optional(),
        oldplateNo: kstr.optional(),
        isCard: kint.default(1),
        modifyType: kint,
      },
      (i, c) => {
        const h = cardOrThrow(c, i.cardId);
        if (i.isCard === 0)
          throw new KtError('本系统每张卡只有一个卡号, 不支持增删改卡号; 请用车牌号 (isCard=1)');
        const owns = (p: string) => c.site.getCard({ plate: p })?.id === h.id;
        switch (i.modifyType) {
          case 0:
            if (!i.plateNo) throw new KtError('缺少参数 plateNo');
            c.site.cardPlates({ cardNo: h.cardNo, add: [i.plateNo] }, c.actor, c.now);
            return null;
          case 1:
            if (!i.plateNo || !i.oldplateNo) throw new KtError('修改车牌需要 plateNo 和 oldplateNo');
            if (!owns(i.oldplateNo)) throw new KtError(`卡片 ${i.cardId} 没有车牌 ${i.oldplateNo}`);
            c.site.cardPlates({ cardNo: h.cardNo, add: [i.plateNo], remove: [i.oldplateNo] }, c.actor, c.now);
            return null;
          case 2: {
            const p = i.oldplateNo ?? i.plateNo;
            if (!p) throw new KtError('缺少参数 oldplateNo');
            if (!owns(p)) throw new KtError(`卡片 ${i.cardId} 没有车牌 ${p}`);
            if (h.plates.length <= 1)
              throw new KtError('卡片下只剩一个车牌, 无法删除; 请直接删除卡片 (DeleteCarCardNo)');
            c.site.cardPlates({ cardNo: h.cardNo, remove: [p] }, c.actor, c.now);
            return null;
          }
          default:
            throw new KtError(`modifyType 无效: ${i.modifyType} (0 新增, 1 修改, 2 删除)`);
        }
      },
    ),
    ep(
      'GetCarCardInfo',
      'ParkingCard',
      { parkCode, plateNo: kstr.optional(), cardId: kint.optional() },
      (i, c) => {
        if (i.cardId !== undefined) {
          const h = c.site.cardById(i.cardId);
          return h ? [cardRow(h, c)] : [];
        }
        if (i.plateNo) {
          const h = c.site.getCard({ plate: i.plateNo });
          return h ? [cardRow(h, c)] : [];
        }
        return allPages((p) => c.site.listCards({ page: p, pageSize: 500 }), 500).map((h) => cardRow(h, c));
      },
    ),
    ep(
      'PayCarCardFee',
      'ParkingCard',
      {
        parkCode,
        cardId: kint,
        orderNo: kstr.optional(),
        amount: kmoney,
        validFrom: T.optional(),
        validTo: T.optional(),
      },
      (i, c) => rechargeCard(c, i),
      {
        legacy: ['/api/pay/CardRecharge'],
        // the old CardRecharge: {cardId, ruleType, ruleAmount, payMoney, startTime, endTime}
        legacyInput: (d) => ({
          ...d,
          amount: d.amount ?? d.payMoney,
          validFrom: d.validFrom ?? d.startTime,
          validTo: d.validTo ?? d.endTime,
        }),
      },
    ),
    ep('GetCardProduct', 'ParkingCard', { parkCode, carType: kint }, (i, c) =>
      c.kt.cardProducts
        .filter((p) => p.carType === i.carType)
        .map((p) => ({
          ruleName: p.ruleName,
          rechargeAmount: p.rechargeAmount,
          rechargeType: p.rechargeType,
          basicMoney: p.basicMoney,
          sentAmount: p.sentAmount,
          sentType: p.sentType,
        })),
    ),
    ep(
      'BlackListControl',
      'ParkingCard',
      {
        parkCode,
        blackId: kint.default(0),
        plateNo: kstr.optional(),
        remark: kstr.optional(),
        controlType: kint,
      },
      (i, c) => {
        const byId = () => {
          const e =
            c.site.blacklist().find((x) => x.id === i.blackId) ??
            (i.plateNo ? c.site.blacklist(i.plateNo).find((x) => x.plate === i.plateNo) : undefined);
          if (!e) throw new KtError(`黑名单不存在: ${i.blackId}`);
          return e;
        };
        switch (i.controlType) {
          case 0: {
            if (!i.plateNo) throw new KtError('缺少参数 plateNo');
            return [
              { blackId: c.site.blacklistAdd({ plate: i.plateNo, reason: i.remark }, c.actor, c.now).id },
            ];
          }
          case 1: {
            const e = byId();
            const plate = i.plateNo || e.plate;
            // a changed plate is a new entry: the old plate leaves the list
            if (plate !== e.plate) c.site.blacklistDelete(e.plate, c.actor, c.now);
            const entry = c.site.blacklistAdd(
              { plate, reason: i.remark ?? e.reason, validFrom: e.validFrom, validTo: e.validTo },
              c.actor,
              c.now,
            );
            return [{ blackId: entry.id }];
          }
          case 2: {
            const e = byId();
            c.site.blacklistDelete(e.plate, c.actor, c.now);
            return [{ blackId: e.id }];
          }
          default:
            throw new KtError(`controlType 无效: ${i.controlType} (0 新增, 1 修改, 2 删除)`);
        }
      },
    ),
    ep('GetBlackInfo', 'ParkingCard', { parkCode, plateNo: kstr.optional() }, (i, c) =>
      c.site.blacklist(i.plateNo).map((e) => ({ blackId: e.id, plateNo: e.plate, remark: e.reason })),
    ),
    // old client names (everhomes): a card type list and the recharge rules
    ep('GetCarTypeList', 'ParkingCard', { parkCode }, () =>
      Object.entries(CAR_TYPE_NAME)
        .filter(([k]) => Number(k) !== CarType.temporary)
        .map(([k, v]) => ({ carType: k, typeName: v })),
    ),
    ep('GetCardRule', 'ParkingCard', { parkCode, carType: kint }, (i, c) =>
      c.kt.cardProducts
        .map((p, n) => ({ p, n }))
        .filter(({ p }) => p.carType === i.carType)
        .map(({ p, n }) => ({
          ruleId: String(n + 1),
          ruleName: p.ruleName,
          ruleType: String(p.rechargeType),
          ruleAmount: String(p.rechargeAmount),
          ruleMoney: p.basicMoney,
        })),
    ),

    // ---------------------------------------------------------------- 5. ParkingBook
    ep(
      'AddBookingCar',
      'ParkingBook',
      {
        parkCode,
        plateNo: kstr,
        preMoney: kmoney.default(0),
        validFrom: T,
        validTo: T,
        bookType: kint.pipe(z.union([z.literal(0), z.literal(1)])).default(0),
        promptly: kint.optional(),
      },
      (i, c) => {
        const n = c.site.nextSequence('kt-booking');
        c.site.addBooking(
          {
            bookingNo: bookingNoOf(n),
            plate: i.plateNo,
            start: i.validFrom,
            end: i.validTo,
            multiEntry: i.bookType === 0,
            prepaid: i.preMoney,
            actor: c.actor,
            // promptly: 0 takes effect at once, 1 from the next entry; absent = the next entry
            applyNow: i.promptly === 0,
          },
          c.now,
        );
        return [{ bookId: n }];
      },
    ),
    ep(
      'ModifyBookingCar',
      'ParkingBook',
      {
        parkCode,
        bookId: kint,
        validFrom: T.optional(),
        validTo: T.optional(),
        bookType: kint.optional(),
        modifyType: kint,
        promptly: kint.optional(),
      },
      (i, c) => {
        const b = c.site.getBooking({ bookingNo: bookingNoOf(i.bookId) })[0];
        if (!b) throw new KtError(`预约不存在: ${i.bookId}`);
        if (i.modifyType === 1) {
          c.site.cancelBooking(b.bookingNo, c.actor, c.now);
          return [{ bookId: i.bookId }];
        }
        if (i.modifyType !== 0) throw new KtError(`modifyType 无效: ${i.modifyType} (0 修改, 1 删除)`);
        c.site.modifyBooking(
          {
            bookingNo: b.bookingNo,
            plate: b.plate,
            areaId: b.areaId,
            start: i.validFrom ?? b.start,
            end: i.validTo ?? b.end,
            multiEntry: i.bookType === undefined ? b.multiEntry : i.bookType === 0,
            prepaid: b.prepaid,
            name: b.name,
            phone: b.phone,
            actor: c.actor,
            applyNow: i.promptly === 0,
          },
          c.now,
        );
        return [{ bookId: i.bookId }];
      },
    ),
    ep('GetBookingCar', 'ParkingBook', { parkCode, plateNo: kstr }, (i, c) =>
      c.site
        .getBooking({ plate: i.plateNo })
        .filter((b) => b.state === 'active' && b.end > c.now)
        .sort((a, b) => a.start - b.start)
        .slice(0, 5)
        .map((b) => ({
          bookId: bookIdOf(b.bookingNo),
          plateNo: b.plate,
          preMoney: b.prepaid,
          validFrom: ktTime(b.start, c.tz),
          validTo: ktTime(b.end, c.tz),
          bookType: b.multiEntry ? 0 : 1,
          isCarIn: b.usedCount > 0 ? 1 : 0,
        })),
    ),
  ];
}

/** The seed's 28 endpoints (old client names excluded), for docs and coverage tests. */
export const KT_SEED_ENDPOINTS = [
  'GetCarInOutInfoByPlate',
  'GetCarInOutInfoByPlace',
  'SearchParkingInfo',
  'OnlineCarInOut',
  'ModifyFreeSpace',
  'GateControl',
  'ShowLedMsg',
  'RecordDensityPay',
  'GetPhoto',
  'GetParkingPaymentInfo',
  'PayParkingFee',
  'ParkingFree',
  'GetPaymentStatus',
  'GetPayChargeInfo',
  'PayChargeNotice',
  'PayChargeReport',
  'AddCarCardNo',
  'ModifyCarCardNo',
  'DeleteCarCardNo',
  'CarCardNoManage',
  'GetCarCardInfo',
  'PayCarCardFee',
  'GetCardProduct',
  'BlackListControl',
  'GetBlackInfo',
  'AddBookingCar',
  'ModifyBookingCar',
  'GetBookingCar',
] as const;
