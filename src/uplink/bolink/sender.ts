// Outbox stream 'bolink': entries → inpark, exits → outpark. Yuan and unix seconds only from here outwards.
import type { Logger } from 'pino';
import type { OutboxRow } from '../../storage/index.js';
import type { StreamSender, SendResult } from '../dispatcher.js';
import type { DomainEvent, DomainEventType } from '../../site/events.js';
import type { OrderRecord, PaymentRecord } from '../../site/api.js';
import type { Site } from '../../site/site.js';
import type { Config } from '../../config/schema.js';
import { fenToYuan } from '../../core/money.js';
import { bolinkCostType, unixSeconds, type BolinkPayType } from '../../codecs/bolink.js';
import { BolinkError, type BolinkClient, type BolinkConfig, type BolinkReply } from './client.js';

export const BOLINK_KINDS: ReadonlySet<DomainEventType> = new Set<DomainEventType>([
  'car.entered',
  'car.exited',
]);

/** Bolink payments recorded from a downstream outpark result: Bolink closed that order itself. */
export const OUTPARK_METHOD = 'outpark-';

/**
 * How the part of the fee Bolink did not collect in advance was settled at the exit, and how much that was
 * (fen). Bolink's own money (prepay_order, query_order) is excluded from `total`, as its docs ask.
 */
export function outparkSettlement(
  order: OrderRecord,
  payments: PaymentRecord[],
): { payType: BolinkPayType; total: number } {
  if (order.release === 'card') return { payType: 'monthuser', total: 0 };
  const elsewhere = payments.filter((p) => p.channel !== 'bolink').reduce((s, p) => s + p.amount, 0);
  const viaBolink = payments.filter((p) => p.channel === 'bolink').reduce((s, p) => s + p.amount, 0);
  if (elsewhere > 0) return { payType: 'cash', total: elsewhere };
  if (viaBolink > 0) return { payType: 'scancode', total: 0 };
  return { payType: 'free', total: 0 };
}

export function laneToChannel(cfg: BolinkConfig, laneId?: string): string {
  if (!laneId) return '';
  for (const [ch, lane] of Object.entries(cfg.channels)) if (lane === laneId) return ch;
  return laneId;
}

export function ok(r: BolinkReply, what: string): void {
  if (Number(r.state) !== 1)
    throw new BolinkError(`${what}: ${String(r.errmsg ?? 'state ' + String(r.state))}`, r);
}

export function createBolinkSender(o: {
  site: Site;
  config: Config;
  client: BolinkClient;
  log: Logger;
}): StreamSender {
  const { site, config, client } = o;
  const cfg = config.clouds.bolink!;
  const freeSpaces = () => site.spaces().reduce((s, a) => s + a.free, 0);
  const base = (order: OrderRecord) => ({
    car_number: order.plate || order.cardNo || '',
    in_time: unixSeconds(order.entryTime),
    order_id: order.orderNo,
    uid: 'parkedge',
    in_channel_id: laneToChannel(cfg, order.entryLane),
    empty_plot: freeSpaces(),
  });
  return {
    stream: 'bolink',
    kinds: BOLINK_KINDS,
    async send(row: OutboxRow): Promise<SendResult> {
      const e = row.payload as DomainEvent;
      if (e.type === 'car.entered') {
        const o = e.order;
        const data = {
          ...base(o),
          car_type: o.carTypeName,
          c_type: o.entryLane ? '通道扫牌' : '云端入场',
          car_cost_type: bolinkCostType(o.carType, !o.plate),
        };
        ok(await client.upload('inpark', data), 'inpark');
        return 'ok';
      }
      if (e.type === 'car.exited') {
        const o = e.order;
        if (e.payments.some((p) => p.channel === 'bolink' && p.method.startsWith(OUTPARK_METHOD)))
          return 'skip';
        const s = outparkSettlement(o, e.payments);
        const out = o.exitTime ?? e.time;
        const data = {
          ...base(o),
          out_time: unixSeconds(out),
          duration: Math.max(0, Math.floor((out - o.entryTime) / 60_000)),
          pay_type: s.payType,
          total: fenToYuan(s.total),
          out_channel_id: laneToChannel(cfg, o.exitLane),
        };
        ok(await client.upload('outpark', data), 'outpark');
        return 'ok';
      }
      return 'skip';
    },
  };
}
