// The KT outbox stream: each row is one domain event turned into the KT report(s) it means. The generic
// dispatcher retries and keeps one car's rows in order; this sender resolves only on resCode 0.
import type { Logger } from 'pino';
import type { Site } from '../../site/site.js';
import type { DomainEvent, DomainEventType } from '../../site/events.js';
import type { OutboxRow } from '../../storage/index.js';
import type { SendResult, StreamSender } from '../dispatcher.js';
import { firstRow, type KtClient } from './client.js';
import {
  billDetail,
  blackIn,
  carCard,
  carCorrect,
  carIn,
  payDetail,
  releaseBill,
  type KtReportContext,
} from './reports.js';

export const KT_STREAM = 'kt';
export const KT_KINDS: ReadonlySet<DomainEventType> = new Set<DomainEventType>([
  'car.entered',
  'car.exited',
  'payment.recorded',
  'blacklist.hit',
  'card.changed',
]);

/** Key under which ktAutoPayAtExit leaves "this exit needs a PostCarCorrect" for the sender. */
export const correctionKey = (orderNo: string) => `correct:${orderNo}`;
const partKey = (rowId: number) => `part:${rowId}`;

export function pick(row: Record<string, unknown> | undefined, name: string): unknown {
  if (!row) return undefined;
  const k = Object.keys(row).find((x) => x.toLowerCase() === name.toLowerCase());
  return k === undefined ? undefined : row[k];
}

export class KtSender implements StreamSender {
  readonly stream = KT_STREAM;
  readonly kinds = KT_KINDS;
  readonly concurrency: number;
  private readonly log: Logger;

  constructor(
    private readonly o: {
      client: KtClient;
      report: KtReportContext;
      site: Site;
      logger: Logger;
      concurrency?: number;
    },
  ) {
    this.concurrency = o.concurrency ?? 8;
    this.log = o.logger.child({ component: 'kt-uplink' });
  }

  /** The reports one event becomes, in order. */
  private reports(e: DomainEvent): Array<{ name: string; data: unknown }> {
    const c = this.o.report;
    switch (e.type) {
      case 'car.entered':
        return [{ name: 'PostCarInInfo', data: carIn(c, e.order, e.laneId) }];
      case 'car.exited': {
        const out: Array<{ name: string; data: unknown }> = [];
        const mark = this.o.site.cloudState(KT_STREAM).get(correctionKey(e.order.orderNo));
        if (mark) {
          const { totalMoney } = JSON.parse(mark) as { totalMoney: number };
          out.push({ name: 'PostCarCorrect', data: carCorrect(c, e.order, totalMoney) });
        }
        out.push({ name: 'PostPayDetail', data: payDetail(c, e.order, e.payments) });
        if (e.order.release === 'free' || e.order.release === 'abnormal')
          out.push({ name: 'PostCarBillDetail', data: releaseBill(c, e.order) });
        return out;
      }
      case 'payment.recorded':
        if (e.payment.amount === 0 && e.payment.discount === 0 && e.payment.freeMinutes === 0) return [];
        return [{ name: 'PostCarBillDetail', data: billDetail(c, e.order, e.payment) }];
      case 'blacklist.hit':
        return [{ name: 'PostBlackInInfo', data: blackIn(c, e) }];
      case 'card.changed':
        return [
          { name: 'PostCarCard', data: carCard(c, e.holder, e.action === 'delete' ? e.time : undefined) },
        ];
      default:
        return [];
    }
  }

  async send(row: OutboxRow): Promise<SendResult> {
    const e = row.payload as DomainEvent;
    const reports = this.reports(e);
    if (!reports.length) return 'skip';
    const state = this.o.site.cloudState(KT_STREAM);
    // a row of several reports that failed half-way resumes after the last accepted one, so none goes twice
    const done = reports.length > 1 ? Number(state.get(partKey(row.id)) ?? 0) : 0;
    for (let i = done; i < reports.length; i++) {
      const r = reports[i];
      try {
        const reply = await this.o.client.post(r.name, r.data);
        if (r.name === 'PostCarInInfo' && e.type === 'car.entered')
          this.densityPay(e.order.orderNo, reply.data);
      } catch (err) {
        if (i > done) state.set(partKey(row.id), String(i));
        throw err;
      }
    }
    return 'ok';
  }

  private densityPay(orderNo: string, data: unknown): void {
    const v = pick(firstRow(data), 'IsDensityPay');
    if (Number(v) !== 1) return;
    try {
      this.o.site.setAutoPay(orderNo, true);
    } catch (err) {
      this.log.warn({ orderNo, err: (err as Error).message }, 'IsDensityPay for a stay that is gone');
    }
  }
}
