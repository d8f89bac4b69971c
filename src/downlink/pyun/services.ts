// The P云 gateway services: each turns one `service.*` request into site use-cases and a result_code.
// Field choices and every ambiguity: docs/protocols/pyun.md.
import type { Logger } from 'pino';
import { SiteError, CAR_TYPE_NAME, type Actor, type OrderRecord, type QuoteResult } from '../../site/api.js';
import type { Site } from '../../site/site.js';
import type { Config } from '../../config/schema.js';
import type { pyunSchema } from '../../config/clouds.schema.js';
import type { z } from 'zod';
import { quote as tariffQuote } from '../../core/tariff/index.js';
import {
  carTypeFromPyunVip,
  findPyunPayment,
  parsePyunTime,
  plateColourFromPyun,
  pyunCarType,
  pyunPaymentSerial,
  pyunPayType,
  pyunPlateColour,
  pyunTime,
  splitPyunSerial,
} from '../../codecs/pyun.js';

export type PyunConfig = z.infer<typeof pyunSchema>;

export interface PyunResult {
  code: string;
  message: string;
  data?: Record<string, unknown>;
}
export type PyunHandler = (req: Record<string, unknown>) => Promise<PyunResult>;

export interface PyunServiceDeps {
  site: Site;
  config: Config;
  cfg: PyunConfig;
  log: Logger;
  now: () => number;
  /** last gate command seen per lane (P云 gate.status has nothing better to report) */
  gateState: Map<string, string>;
}

const ok = (message: string, data?: Record<string, unknown>): PyunResult => ({ code: '1001', message, data });
const fail = (code: string, message: string): PyunResult => ({ code, message });

function str(v: unknown): string {
  return v === undefined || v === null ? '' : String(v).trim();
}
function int(v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? Math.round(n) : undefined;
}

/** Car types whose valid card means nothing is ever paid at the exit (billing answers 1003 for them). */
const FIXED_FREE = new Set([1, 2, 4, 5, 7, 8, 9, 99]);

export function createPyunServices(d: PyunServiceDeps): Record<string, PyunHandler> {
  const { site, config, cfg } = d;
  const tz = config.site.timezone;
  const laneOf = (gate: string) => cfg.gates[gate] ?? gate;
  const laneCfg = (gate: string) => config.lanes.find((l) => l.id === laneOf(gate));
  const actor = (req: Record<string, unknown>): Actor => ({ kind: 'pyun', name: str(req.operator) || 'P云' });
  const t = (ms: number | undefined) => (ms === undefined ? undefined : pyunTime(ms, tz));
  const byCode = (e: unknown, codes: Partial<Record<SiteError['code'], string>>): PyunResult => {
    if (e instanceof SiteError)
      return fail(codes[e.code] ?? (e.code === 'invalid' ? '1400' : '1500'), e.message);
    d.log.error({ err: e }, 'pyun service failed');
    return fail('1500', '接口处理异常');
  };

  /** A stay named by parking_serial, else the car in the lot with that plate / card / passport. */
  const stayOf = (req: Record<string, unknown>): OrderRecord | undefined => {
    const serial = str(req.parking_serial);
    if (serial) return site.findStay({ orderNo: serial });
    return site.findStay({
      plate: str(req.plate) || undefined,
      cardNo: str(req.card_id) || str(req.passport) || undefined,
    });
  };

  const billingReply = (q: QuoteResult, now: number): Record<string, unknown> => {
    const o = q.order;
    return {
      plate: o.plate || undefined,
      card_id: o.plate ? undefined : o.cardNo,
      parking_serial: o.orderNo,
      // unique per park and per query; the order number sits at the end so a notify without parking_serial still finds the stay
      parking_order: `${pyunTime(now, tz)}${o.orderNo}`,
      enter_time: pyunTime(o.entryTime, tz),
      parking_time: String(Math.max(0, Math.floor((q.at - o.entryTime) / 1000))),
      total_value: String(q.total),
      free_value: String(q.discountMoney),
      paid_value: String(q.paid),
      pay_value: String(q.due),
      enter_free_time: String(q.quote.freeMinutes * 60),
      buffer_time: String(q.graceMinutes * 60),
      car_type: o.carType === 0 || o.carType === 100 ? '1' : '2',
      car_desc: o.carTypeName,
      plate_color: String(pyunPlateColour(o.plateColour)),
    };
  };

  const services: Record<string, PyunHandler> = {
    'service.parking.payment.billing': async (req) => {
      const now = d.now();
      const gate = str(req.gate_id);
      const passport = str(req.passport);
      let order: OrderRecord | undefined;
      if (gate) {
        const lane = laneCfg(gate);
        if (lane?.direction === 'entry') return fail('1002', '本车场不支持付费入场');
        order = site.findStay({ laneId: laneOf(gate) });
        if (!order || order.state !== 'in') {
          // the lane sees no car: a passport still in the lot must not be cleared by P云 (1500, not 1002)
          const held = passport ? site.findStay({ cardNo: passport }) : undefined;
          if (held) return fail('1500', '通道未检测到车辆');
          if (!passport && !str(req.plate)) return fail('1002', '通道无车辆');
          order = stayOf(req);
        }
      } else order = stayOf(req);
      if (!order || order.state !== 'in') return fail('1002', '未查询到停车信息');
      const q = site.quoteOrder(order, now);
      if (FIXED_FREE.has(order.carType) && q.due === 0)
        return { code: '1003', message: `${order.carTypeName}, 无需缴费`, data: billingReply(q, now) };
      return ok('订单获取成功', billingReply(q, now));
    },

    'service.parking.payment.result': async (req) => {
      const parkingOrder = str(req.parking_order) || undefined;
      const paySerial = str(req.pay_serial) || undefined;
      let orderNo = str(req.parking_serial);
      // our billing's parking_order is <yyyyMMddHHmmss><orderNo>
      if (!orderNo && parkingOrder && /^\d{14}./.test(parkingOrder)) orderNo = parkingOrder.slice(14);
      if (!orderNo || (!parkingOrder && !paySerial)) return fail('1400', '缺少 parking_serial / pay_serial');
      const amount = int(req.value) ?? int(req.pay_value);
      if (amount === undefined || amount < 0) return fail('1400', 'value 无效');
      const order = site.getOrder(orderNo);
      if (!order) return fail('1403', `订单 ${orderNo} 不存在`);
      const seen = findPyunPayment(order.payments, parkingOrder, paySerial);
      if (seen) return ok('订单支付成功(重复通知)', { parking_serial: orderNo });
      const origin = str(req.pay_origin);
      const name = origin === '4' ? 'alipay' : origin === '8' ? 'wechat' : 'pyun';
      const autopay = str(req.autopay_type);
      try {
        site.pay({
          orderNo,
          amount,
          channel: 'pyun',
          serial: pyunPaymentSerial(parkingOrder, paySerial),
          method: autopay === '1' || autopay === '2' ? `auto-${name}` : name,
          time: parsePyunTime(req.pay_time, tz) ?? d.now(),
          actor: { kind: 'pyun', name: str(req.pay_origin_desc) || 'P云' },
          // 先出后扣: P云 charges after the car has gone
          allowAfterExit: autopay === '1',
        });
        return ok('订单支付成功', { parking_serial: orderNo });
      } catch (e) {
        return byCode(e, {
          conflict: '1403',
          'already-left': '1403',
          'not-found': '1403',
          'amount-mismatch': '1500',
        });
      }
    },

    'service.parking.detail': async (req) => {
      const serial = str(req.parking_serial);
      const o = serial ? site.getOrder(serial) : undefined;
      if (!o) return fail('1002', '未查询到停车信息');
      const now = d.now();
      const end = o.exitTime ?? now;
      const total = o.state === 'out' ? (o.totalFee ?? 0) : site.quoteOrder(o, now).total;
      const laneName = (id?: string) => (id ? (config.lanes.find((l) => l.id === id)?.name ?? id) : '');
      return ok('获取成功', {
        plate: o.plate || undefined,
        card_no: o.cardNo,
        card_id: o.cardNo,
        car_type: String(pyunCarType(o.carType)),
        car_desc: o.carTypeName,
        vehicle_type: o.vehicleClass === 'large' ? '2' : '1',
        parking_serial: o.orderNo,
        enter_time: pyunTime(o.entryTime, tz),
        enter_image: o.entryImage ?? '',
        enter_gate: laneName(o.entryLane),
        enter_security: '',
        parking_time: String(Math.max(0, Math.floor((end - o.entryTime) / 1000))),
        free_value: String(o.discount),
        leave_time: t(o.exitTime),
        leave_image: o.exitImage,
        leave_gate: o.exitLane ? laneName(o.exitLane) : undefined,
        leave_security: undefined,
        total_value: String(total),
        payments: o.payments.map((p) => {
          const s =
            p.channel === 'pyun'
              ? splitPyunSerial(p.serial)
              : { parkingOrder: p.serial, paySerial: p.serial };
          const cash = p.channel === 'cash';
          return {
            parking_order: cash ? undefined : s.parkingOrder,
            pay_serial: cash ? undefined : s.paySerial,
            pay_type: pyunPayType(p.channel, p.method),
            pay_time: pyunTime(p.time, tz),
            value: p.amount,
          };
        }),
      });
    },

    'service.parking.direct.enter': async (req) => {
      const passport = str(req.passport);
      const gate = str(req.gate_id);
      if (!passport) return fail('1400', '缺少 passport');
      if (site.findStay({ cardNo: passport })) return fail('1403', '该通行证已在场内');
      const typed = str(req.plate);
      const plate = typed && typed !== passport ? typed : '';
      const lane = gate ? laneCfg(gate) : undefined;
      const time = parsePyunTime(req.enter_time, tz) ?? d.now();
      try {
        const r = site.enter({
          plate,
          cardNo: passport,
          laneId: lane?.id,
          time,
          actor: actor(req),
          force: false,
        });
        if (!r.order) return fail('1500', r.decision.message);
        if (lane) {
          await site
            .gateCommand({
              laneId: lane.id,
              command: 'open',
              actor: actor(req),
              reason: str(req.reason) || 'P云扫码入场',
              time,
              orderNo: r.order.orderNo,
            })
            .catch((e) =>
              d.log.warn(
                { err: (e as Error).message, laneId: lane.id },
                'pyun direct.enter: gate did not open',
              ),
            );
        }
        return ok('入场成功', {
          plate: r.order.plate || passport,
          enter_time: pyunTime(r.order.entryTime, tz),
          enter_gate: lane?.name ?? lane?.id ?? gate,
          parking_time: '0',
          parking_serial: r.order.orderNo,
          car_type: String(pyunCarType(r.order.carType)),
        });
      } catch (e) {
        return byCode(e, {});
      }
    },

    'service.parking.vip': async (req) => {
      const o = stayOf(req);
      if (!o) return fail('1002', '未查询到停车信息');
      if (o.state !== 'in') return fail('1403', '车辆已离场');
      const credits = int(req.credits) ?? 0;
      try {
        site.setAutoPay(o.orderNo, credits > 0);
        return ok('处理成功');
      } catch (e) {
        return byCode(e, { 'not-found': '1002' });
      }
    },

    'service.parking.realtime': async () => {
      const areas = site.spaces();
      const total = areas.reduce((s, a) => s + a.total, 0);
      const parking = areas.reduce((s, a) => s + a.occupied, 0);
      const tid = config.billing.temp.small;
      const tariff = config.tariffs[tid];
      const free = (tariff as { freeMinutes?: number } | undefined)?.freeMinutes ?? 0;
      return ok('获取成功', {
        total: String(total),
        parking: String(parking),
        charge_json: JSON.stringify({
          charge_type: tid,
          free_minutes: free,
          grace_minutes: config.policy.graceMinutes,
        }),
        charge_depict: `临停车按 ${tid} 收费, 入场 ${free} 分钟内免费, 缴费后 ${config.policy.graceMinutes} 分钟内出场免费`,
      });
    },

    'service.parking.payment.estimate': async (req) => {
      const o = stayOf(req);
      if (!o) return fail('1002', '未查询到停车信息');
      if (o.state !== 'in') return fail('1403', '车辆已离场');
      const now = d.now();
      const q = site.quoteOrder(o, now);
      const addMinutes = int(req.free_time) ?? 0;
      const addMoney = int(req.free_value) ?? 0;
      let minutesValue = 0;
      if (addMinutes > 0 && q.total > 0 && q.tariffId) {
        // what-if: same stay with the extra minutes, priced by the same tariff the quote used
        const { tariff } = site.tariffFor(o);
        const base = {
          entry: o.entryTime,
          exit: Math.max(o.entryTime, q.at),
          timezone: tz,
          discountMinutes: o.discountMinutes,
        };
        const before = tariffQuote(tariff, base).discountMoney;
        const after = tariffQuote(tariff, {
          ...base,
          discountMinutes: o.discountMinutes + addMinutes,
        }).discountMoney;
        minutesValue = Math.max(0, after - before);
      }
      const free = Math.min(q.due, addMoney + minutesValue);
      return ok('估算成功', {
        total_value: String(q.total),
        free_value: String(free),
        total_free_value: String(q.discountMoney + free),
      });
    },

    'service.parking.discount.create': async (req) => {
      const o = stayOf(req);
      if (!o) return fail('1002', '未查询到停车信息');
      if (o.state !== 'in') return fail('1403', '车辆已离场');
      const serial = str(req.grant_serial);
      if (!serial) return fail('1400', '缺少 grant_serial');
      const type = str(req.type ?? req.coupon_type);
      const value = int(req.value ?? req.coupon_value) ?? 0;
      const kind = type === '1' ? 'money' : type === '2' ? 'minutes' : type === '3' ? 'full' : undefined;
      if (!kind) return fail('1500', `不支持的优惠类型 ${type}`);
      try {
        site.addDiscount({
          orderNo: o.orderNo,
          kind,
          value: kind === 'full' ? 0 : value,
          code: str(req.coupon_id) || undefined,
          channel: 'pyun',
          serial,
          time: d.now(),
          actor: actor(req),
        });
        return ok('优惠成功');
      } catch (e) {
        return byCode(e, { 'not-found': '1002', 'already-left': '1403' });
      }
    },

    'service.parking.discount.destroy': async (req) => {
      const serial = str(req.grant_serial);
      if (!serial) return fail('1400', '缺少 grant_serial');
      try {
        site.revokeDiscount({ channel: 'pyun', serial, time: d.now(), actor: actor(req) });
        return ok('撤销成功');
      } catch (e) {
        return byCode(e, { 'not-found': '1002', 'already-left': '1403' });
      }
    },

    'service.parking.record.update': async (req) => {
      const serial = str(req.parking_serial);
      const o = serial ? site.getOrder(serial) : undefined;
      if (!o) return fail('1002', '未查询到停车信息');
      const enter = parsePyunTime(req.enter_time, tz);
      if (enter !== undefined && Math.abs(enter - o.entryTime) >= 1000)
        return fail('1500', '不支持修改入场时间');
      const now = d.now();
      try {
        const plate = str(req.plate);
        if (plate && plate !== o.plate)
          site.correctPlate({
            orderNo: o.orderNo,
            plate,
            actor: actor(req),
            reason: str(req.reason) || 'P云修正车牌',
            time: now,
          });
        const leave = parsePyunTime(req.leave_time, tz);
        if (leave !== undefined) {
          if (o.state !== 'in') return fail('1403', '车辆已离场');
          const due = site.quoteOrder(o, leave).due;
          site.release({
            orderNo: o.orderNo,
            kind: due > 0 ? 'abnormal' : 'paid',
            reason: str(req.reason) || 'P云标记离场',
            actor: actor(req),
            time: leave,
          });
        }
        return ok('更新成功');
      } catch (e) {
        return byCode(e, { 'not-found': '1002', 'already-left': '1403', conflict: '1403' });
      }
    },

    'service.parking.gate.control': async (req) => {
      const lane = laneCfg(str(req.gate_id));
      if (!lane) return fail('1500', `通道 ${str(req.gate_id)} 不存在`);
      const status = str(req.status).toUpperCase() || 'OPEN';
      const command =
        status === 'OPEN'
          ? 'open'
          : status === 'CLOSE'
            ? 'close'
            : status === 'KEEP_OPEN'
              ? 'keepOpen'
              : undefined;
      if (!command) return fail('1400', `未知通道状态 ${status}`);
      try {
        await site.gateCommand({
          laneId: lane.id,
          command,
          actor: actor(req),
          reason: str(req.reason) || `P云远程${status}`,
          time: d.now(),
        });
        return ok('操作成功');
      } catch (e) {
        return byCode(e, {});
      }
    },

    'service.parking.gate.status': async (req) => {
      const lane = laneCfg(str(req.gate_id));
      if (!lane) return fail('1500', `通道 ${str(req.gate_id)} 不存在`);
      const dev = lane.gate ? site.deviceStates().find((x) => x.id === lane.gate) : undefined;
      const status = d.gateState.get(lane.id) ?? 'CLOSE';
      return ok('获取成功', {
        status,
        status_desc: dev ? `控制器${dev.status}${dev.reason ? `: ${dev.reason}` : ''}` : '控制器状态未知',
      });
    },

    'service.parking.gate.capture': async (req) => {
      const lane = laneCfg(str(req.gate_id));
      if (!lane) return fail('1500', `通道 ${str(req.gate_id)} 不存在`);
      if (!lane.camera) return fail('1500', `通道 ${lane.id} 未配置相机`);
      try {
        const jpg = await site.snapshot(lane.camera);
        return ok('抓拍成功', { capture_image_base64: jpg.toString('base64') });
      } catch (e) {
        return byCode(e, {});
      }
    },

    'service.parking.blacklist.create': async (req) => {
      try {
        site.blacklistAdd(
          {
            plate: str(req.plate),
            reason: str(req.reason),
            validFrom: parsePyunTime(req.start_time, tz),
            validTo: parsePyunTime(req.end_time, tz),
          },
          actor(req),
          d.now(),
        );
        return ok('处理成功');
      } catch (e) {
        return byCode(e, {});
      }
    },
    'service.parking.blacklist.delete': async (req) => {
      try {
        site.blacklistDelete(str(req.plate), actor(req), d.now());
        return ok('处理成功');
      } catch (e) {
        return byCode(e, { 'not-found': '1002' });
      }
    },

    'service.parking.vip.query': async (req) => {
      const h = site.getCard({
        cardNo: str(req.card_id) || str(req.card_no) || undefined,
        plate: str(req.plate) || undefined,
      });
      if (!h) return fail('1002', '没有查到相关固定车记录');
      return ok('获取成功', vipData(h));
    },
    'service.parking.vip.create': async (req) => {
      const plate = str(req.plate);
      const cardNo = str(req.card_id) || `PY${plate}`;
      if (site.getCard({ cardNo }) || (plate && site.getCard({ plate }))) return fail('1403', '固定车已存在');
      const carType = carTypeFromPyunVip(req.type ?? req.charge_type);
      try {
        const h = site.addCard(
          {
            cardNo,
            plates: plate ? plate.split(',') : [],
            carType,
            name: str(req.realname) || undefined,
            phone: str(req.mobile) || undefined,
            validFrom: parsePyunTime(req.start_time, tz),
            validTo: parsePyunTime(req.end_time, tz),
            balance: carType === 3 ? (int(req.value) ?? 0) : undefined,
            countLeft: carType === 6 ? (int(req.value) ?? 0) : undefined,
            remark: str(req.park_space_no) || undefined,
          },
          actor(req),
          d.now(),
        );
        return ok('创建成功', vipData(h));
      } catch (e) {
        return byCode(e, { conflict: '1403' });
      }
    },
    'service.parking.vip.update': async (req) => {
      const h = site.getCard({
        cardNo: str(req.card_id) || str(req.card_no) || undefined,
        plate: str(req.plate) || undefined,
      });
      if (!h) return fail('1002', '没有查到相关固定车记录');
      try {
        const u = site.modifyCard(
          {
            cardNo: h.cardNo,
            carType: req.type !== undefined ? carTypeFromPyunVip(req.type) : h.carType,
            name: str(req.realname) || undefined,
            phone: str(req.mobile) || undefined,
            validFrom: parsePyunTime(req.start_time, tz),
            validTo: parsePyunTime(req.end_time, tz),
            plates: str(req.new_plate) ? [str(req.new_plate)] : undefined,
          },
          actor(req),
          d.now(),
        );
        return ok('更新成功', vipData(u));
      } catch (e) {
        return byCode(e, { 'not-found': '1002' });
      }
    },
    'service.parking.vip.delete': async (req) => {
      const h = site.getCard({
        cardNo: str(req.card_id) || str(req.card_no) || undefined,
        plate: str(req.plate) || undefined,
      });
      if (!h) return fail('1002', '没有查到相关固定车记录');
      try {
        site.deleteCard(h.cardNo, actor(req), d.now());
        return ok('删除成功');
      } catch (e) {
        return byCode(e, { 'not-found': '1002' });
      }
    },
    'service.parking.vip.renewal': async (req) => {
      const h = site.getCard({
        cardNo: str(req.card_no) || str(req.card_id) || undefined,
        plate: str(req.plate) || undefined,
      });
      if (!h) return fail('1002', '没有查到相关固定车记录');
      const serial = str(req.pay_serial);
      if (!serial) return fail('1400', '缺少 pay_serial');
      const type = str(req.type);
      const payValue = int(req.pay_value) ?? 0;
      const value = int(req.value) ?? 0;
      try {
        site.recharge({
          cardNo: h.cardNo,
          amount: type === '2' ? value : payValue,
          count: type === '3' ? value : undefined,
          validTo: type === '2' || type === '3' ? undefined : parsePyunTime(req.renewal_end_time, tz),
          months: type === '2' || type === '3' ? undefined : int(req.quantity),
          channel: 'pyun',
          serial,
          time: parsePyunTime(req.pay_time, tz) ?? d.now(),
          actor: actor(req),
        });
        return ok('续费成功');
      } catch (e) {
        return byCode(e, { 'not-found': '1002' });
      }
    },
    'service.parking.vip.sync': async (req) => {
      const page = site.listCards({
        plate: str(req.plate) || undefined,
        page: int(req.page) ?? 1,
        pageSize: Math.min(100, int(req.size) ?? 100),
      });
      return ok('获取成功', { total: String(page.total), vip_list: page.rows.map(vipData) });
    },
    'service.parking.charge_type.list': async () => {
      return ok('获取成功', {
        charge_type_list: Object.keys(config.tariffs).map((id) => ({ charge_type: id, name: id })),
      });
    },

    'service.parking.reserve.apply': async (req) => {
      const applyNo = str(req.apply_no);
      if (!applyNo) return fail('1400', '缺少 apply_no');
      if (site.getBooking({ bookingNo: applyNo }).length) return ok('预约成功');
      if (site.spaces().every((a) => a.free <= 0)) return fail('1002', '无可预约车位');
      const start = parsePyunTime(req.start_time, tz);
      const end = parsePyunTime(req.end_time, tz);
      if (start === undefined || end === undefined) return fail('1400', 'start_time / end_time 无效');
      try {
        site.addBooking(
          {
            bookingNo: applyNo,
            plate: str(req.plate),
            start,
            end,
            prepaid: int(req.pay_value) ?? 0,
            name: str(req.realname) || undefined,
            phone: str(req.mobile) || undefined,
            actor: actor(req),
          },
          d.now(),
        );
        return ok('预约成功');
      } catch (e) {
        return byCode(e, { conflict: '1001' });
      }
    },
    'service.parking.reserve.cancel': async (req) => {
      const applyNo = str(req.apply_no);
      try {
        site.cancelBooking(applyNo, actor(req), d.now());
        return ok('取消成功');
      } catch (e) {
        return byCode(e, { 'not-found': '1002' });
      }
    },

    'service.parking.device.list': async () => {
      const states = new Map(site.deviceStates().map((s) => [s.id, s]));
      const list: Record<string, unknown>[] = [];
      for (const lane of config.lanes) {
        const st = lane.gate ? states.get(lane.gate) : undefined;
        list.push({
          name: lane.name ?? lane.id,
          type: lane.direction === 'entry' ? 2 : 3,
          no: lane.gate ?? lane.id,
          uuid: lane.id,
          status: st ? (st.status === 'ok' ? 1 : -1) : 0,
          status_desc: st ? st.status : '未知',
        });
        if (lane.camera) {
          const cs = states.get(lane.camera);
          list.push({
            name: `${lane.name ?? lane.id}相机`,
            type: 1,
            no: lane.camera,
            uuid: lane.camera,
            status: cs ? (cs.status === 'ok' ? 1 : -1) : 0,
            status_desc: cs ? cs.status : '未知',
          });
        }
      }
      return ok('获取成功', { device_list: list });
    },
  };

  function vipData(h: NonNullable<ReturnType<Site['getCard']>>): Record<string, unknown> {
    return {
      plate: h.plates.join(','),
      card_id: h.cardNo,
      car_desc: CAR_TYPE_NAME[h.carType] ?? h.carTypeName,
      start_time: t(h.validFrom),
      end_time: t(h.validTo),
      balance: String(h.balance),
      count: h.countLeft === undefined ? undefined : String(h.countLeft),
      realname: h.name,
      mobile: h.phone,
    };
  }

  return services;
}

export { plateColourFromPyun };
