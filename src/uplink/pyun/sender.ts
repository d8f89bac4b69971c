// Outbox stream 'pyun': entries → internal/enter, exits → internal/leave (with payment_list).
import type { Logger } from 'pino';
import type { OutboxRow } from '../../storage/index.js';
import type { StreamSender, SendResult } from '../dispatcher.js';
import type { DomainEvent, DomainEventType } from '../../site/events.js';
import type { OrderRecord, PaymentRecord } from '../../site/api.js';
import type { Site } from '../../site/site.js';
import type { Config } from '../../config/schema.js';
import { pyunCarType, pyunPayType, pyunPlateColour, splitPyunSerial } from '../../codecs/pyun.js';
import { PyunUplink, PyunUplinkError, type PyunUpReply } from './client.js';

export const PYUN_KINDS: ReadonlySet<DomainEventType> = new Set<DomainEventType>([
  'car.entered',
  'car.exited',
]);

/** enter/leave accept 200, 1000 and 1001; a 200 with a `hint` is a sign problem P云 chose to swallow. */
const ACCEPTED = new Set(['200', '1000', '1001']);

export function createPyunSender(o: {
  site: Site;
  config: Config;
  uplink: PyunUplink;
  log: Logger;
}): StreamSender {
  const { site, config, uplink, log } = o;
  const cfg = config.clouds.pyun!;
  const laneName = (id?: string) => (id ? (config.lanes.find((l) => l.id === id)?.name ?? id) : undefined);

  const enterFields = (order: OrderRecord): Record<string, string | number | undefined> => {
    const areas = site.spaces();
    let chargeType = '1';
    try {
      chargeType = site.tariffFor(order).id;
    } catch {}
    return {
      park_uuid: cfg.parkUuid,
      parking_serial: order.orderNo,
      plate: order.plate || order.cardNo,
      plate_color: pyunPlateColour(order.plateColour),
      card_no: order.cardNo,
      // must be byte-identical in enter and leave or P云 treats the leave as a new record
      enter_time: order.entryTime,
      enter_gate: laneName(order.entryLane),
      enter_image: order.entryImage && /^https?:\/\//.test(order.entryImage) ? order.entryImage : undefined,
      car_type: pyunCarType(order.carType),
      car_desc: order.carTypeName,
      vehicle_type: order.vehicleClass === 'large' ? 2 : 1,
      charge_type: chargeType,
      total_parking_space: areas.reduce((s, a) => s + a.total, 0),
      remain_parking_space: areas.reduce((s, a) => s + a.free, 0),
    };
  };

  const paymentList = (payments: PaymentRecord[]) =>
    payments.map((p) => ({
      pay_type: String(pyunPayType(p.channel, p.method)),
      pay_origin_desc:
        p.channel === 'cash'
          ? '现金'
          : p.channel === 'balance'
            ? '储值卡余额支付'
            : `${p.channel}:${p.method}`,
      operator: p.operator ?? '',
      pay_time: String(p.time),
      value: p.amount,
      free_value: p.discount,
      parking_order:
        p.channel === 'pyun'
          ? (splitPyunSerial(p.serial).parkingOrder ?? p.serial)
          : `${p.channel}-${p.serial}`,
    }));

  const check = (path: string, r: PyunUpReply): SendResult => {
    if (!ACCEPTED.has(r.code))
      throw new PyunUplinkError(`${path}: code ${r.code} ${r.message ?? ''} ${r.hint ?? ''}`.trim(), r);
    if (r.hint)
      log.warn({ path, hint: r.hint }, 'pyun accepted a report with a hint (sign or field problem)');
    return 'ok';
  };

  return {
    stream: 'pyun',
    kinds: PYUN_KINDS,
    async send(row: OutboxRow): Promise<SendResult> {
      const e = row.payload as DomainEvent;
      if (e.type === 'car.entered') return check('enter', await uplink.post('enter', enterFields(e.order)));
      if (e.type === 'car.exited') {
        const o = e.order;
        const sum = (f: (p: PaymentRecord) => boolean) =>
          e.payments.filter(f).reduce((s, p) => s + p.amount, 0);
        const fields = {
          ...enterFields(o),
          leave_time: o.exitTime ?? e.time,
          leave_gate: laneName(o.exitLane),
          leave_image: o.exitImage && /^https?:\/\//.test(o.exitImage) ? o.exitImage : undefined,
          leave_release_reason: o.releaseReason,
          total_value: o.totalFee ?? 0,
          free_value: o.discount,
          online_value: sum((p) => p.channel !== 'cash' && p.channel !== 'balance'),
          cash_value: sum((p) => p.channel === 'cash'),
          balance_value: sum((p) => p.channel === 'balance'),
          prepaid_value: 0,
          payment_list: JSON.stringify(paymentList(e.payments)),
        };
        return check('leave', await uplink.post('leave', fields));
      }
      return 'skip';
    },
  };
}
