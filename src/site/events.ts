// Domain events: recorded in the events table and handed to the outbox in the same transaction, then
// published on the in-process bus (booth live view, uplink wake-up) after the commit.
import type {
  Actor,
  AreaSpaces,
  BlacklistEntry,
  Booking,
  CardHolder,
  ChangeOrder,
  Decision,
  GateCommand,
  OrderRecord,
  PaymentRecord,
} from './api.js';

export type DomainEvent =
  | { type: 'car.entered'; time: number; order: OrderRecord; laneId?: string; decision: Decision }
  | {
      type: 'car.denied';
      time: number;
      plate: string;
      laneId?: string;
      direction: 'entry' | 'exit';
      decision: Decision;
    }
  | { type: 'car.exited'; time: number; order: OrderRecord; payments: PaymentRecord[]; laneId?: string }
  | { type: 'payment.recorded'; time: number; order: OrderRecord; payment: PaymentRecord }
  | {
      type: 'discount.changed';
      time: number;
      order: OrderRecord;
      kind: string;
      value: number;
      channel: string;
      serial: string;
      revoked: boolean;
    }
  | {
      type: 'gate.operated';
      time: number;
      laneId: string;
      command: GateCommand;
      actor: Actor;
      reason: string;
      orderNo?: string;
      ok: boolean;
      error?: string;
    }
  | { type: 'plate.corrected'; time: number; order: OrderRecord; from: string; actor: Actor }
  | { type: 'order.voided'; time: number; order: OrderRecord; reason: string }
  | {
      type: 'card.changed';
      time: number;
      action: 'add' | 'modify' | 'delete' | 'recharge';
      holder: CardHolder;
      amount?: number;
    }
  | { type: 'blacklist.changed'; time: number; action: 'add' | 'modify' | 'delete'; entry: BlacklistEntry }
  | {
      type: 'blacklist.hit';
      time: number;
      plate: string;
      laneId?: string;
      entry: BlacklistEntry;
      image?: string;
    }
  | { type: 'booking.changed'; time: number; action: 'add' | 'modify' | 'delete'; booking: Booking }
  | { type: 'spaces.changed'; time: number; areas: AreaSpaces[] }
  | { type: 'change.updated'; time: number; change: ChangeOrder }
  | {
      type: 'device.state';
      time: number;
      id: string;
      deviceType: string;
      ktDeviceType: number;
      status: string;
      reason?: string;
    };

export type DomainEventType = DomainEvent['type'];

/** Which event types each uplink stream wants in its outbox; the daemon passes the enabled ones to the site. */
export interface OutboxStream {
  stream: string;
  kinds: ReadonlySet<DomainEventType> | 'all';
}

/** The key that keeps one car's reports in order within a stream. */
export function orderingKey(e: DomainEvent): string | undefined {
  switch (e.type) {
    case 'car.entered':
    case 'car.exited':
    case 'payment.recorded':
    case 'discount.changed':
    case 'plate.corrected':
    case 'order.voided':
      return e.order.orderNo;
    case 'card.changed':
      return `card:${e.holder.cardNo}`;
    default:
      return undefined;
  }
}
