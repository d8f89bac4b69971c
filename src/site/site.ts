// The application layer: every face calls these use-cases. Each write is one SQLite transaction that also
// records its domain events and outbox rows; device I/O happens only after the commit, through the LanePort.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { TariffConfig } from '../config/tariff.schema.js';
import type { Store } from '../storage/index.js';
import { prepareTariff, quote as tariffQuote, type Quote } from '../core/tariff/index.js';
import { normalizePlate, withoutProvince, isUnplated, fuzzyCandidates } from '../core/plates.js';
import { addLocalMonths, formatLocal, startOfLocalDay } from '../core/clock.js';
import { fenToYuanText } from '../core/money.js';
import {
  CT,
  decideEntry,
  entryText,
  exitText,
  planExit,
  settleExit,
  type ExitFacts,
  type HolderFacts,
} from '../core/decisions.js';
import {
  CAR_TYPE_NAME,
  SiteError,
  type Actor,
  type AreaSpaces,
  type BlacklistEntry,
  type Booking,
  type BookingInput,
  type CardHolder,
  type CardHolderInput,
  type ChangeOrder,
  type Decision,
  type DiscountInput,
  type EnterInput,
  type EnterResult,
  type ExitInput,
  type ExitResult,
  type GateCommandInput,
  type LanePort,
  type OrderRecord,
  type OrderSearch,
  type Page,
  type PayInput,
  type PayResult,
  type PaymentRecord,
  type QuoteInput,
  type QuoteResult,
  type RechargeInput,
  type ReleaseKind,
} from './api.js';
import { orderingKey, type DomainEvent, type OutboxStream } from './events.js';

export interface SiteOptions {
  store: Store;
  config: Config;
  logger: Logger;
  /** epoch ms; injected so tests and benchmarks control time */
  now?: () => number;
  outboxStreams?: OutboxStream[];
}

const ZERO_QUOTE: Quote = {
  total: 0,
  paid: 0,
  discountMoney: 0,
  discountMinutes: 0,
  due: 0,
  stayMinutes: 0,
  freeMinutes: 0,
  lines: [],
};
const CAR_TYPE_KEY: Record<number, string> = Object.fromEntries(Object.entries(CT).map(([k, v]) => [v, k]));

export function plateKeyOf(plate: string): string {
  return withoutProvince(plate);
}

/** Whole minutes from entry to `at`. */
function stayMinutesAt(order: OrderRecord, at: number): number {
  return Math.max(0, Math.floor((at - order.entryTime) / 60_000));
}

/**
 * Every quote answer has this one shape, built field by field: spreading a base object into three variants
 * cost a few kilobytes of garbage per quote, and the clouds ask for quotes all day.
 */
function quoteResult(
  order: OrderRecord,
  at: number,
  graceMinutes: number,
  quote: Quote,
  total: number,
  discountMoney: number,
  due: number,
  tariffId: string | undefined,
): QuoteResult {
  return {
    order,
    at,
    quote,
    total,
    paid: order.paid,
    discountMoney,
    discountMinutes: order.discountMinutes,
    due,
    stayMinutes: stayMinutesAt(order, at),
    graceUntil: order.lastPaidAt !== undefined ? order.lastPaidAt + graceMinutes * 60_000 : undefined,
    graceMinutes,
    tariffId,
  };
}

export class Site {
  readonly bus = new EventEmitter();
  readonly store: Store;
  readonly config: Config;
  private lanes?: LanePort;
  private readonly log: Logger;
  private readonly now: () => number;
  private streams: OutboxStream[];
  private pending: DomainEvent[] = [];
  private readonly tz: string;
  private readonly laneArea: Map<string, string>;

  constructor(opts: SiteOptions) {
    this.store = opts.store;
    this.config = opts.config;
    this.log = opts.logger.child({ component: 'site' });
    this.now = opts.now ?? Date.now;
    this.streams = opts.outboxStreams ?? [];
    this.tz = opts.config.site.timezone;
    this.laneArea = new Map(opts.config.lanes.map((l) => [l.id, l.area]));
    this.bus.setMaxListeners(100);
    this.store.areas.sync(opts.config.site.areas);
    this.recountSpaces();
  }

  attachLanes(port: LanePort): void {
    this.lanes = port;
  }
  setOutboxStreams(streams: OutboxStream[]): void {
    this.streams = streams;
  }
  get timezone(): string {
    return this.tz;
  }
  clock(): number {
    return this.now();
  }

  // ---------------------------------------------------------------- transactions and events

  /** Run a use-case body in one transaction; events it records are published only if it commits. */
  private tx<T>(fn: () => T): T {
    const outer = this.pending;
    this.pending = [];
    let result: T;
    let events: DomainEvent[];
    try {
      result = this.store.tx(fn);
      events = this.pending;
    } finally {
      this.pending = outer;
    }
    if (events.length)
      this.store.onCommit(() => {
        for (const e of events) this.bus.emit('event', e);
      });
    return result;
  }

  /**
   * Replay protection for signed requests (the LAN OpenApi's Nonce): true the first time a nonce is seen
   * inside `ttlMs`, false for a replay, also after a restart.
   */
  useNonce(scope: string, nonce: string, now: number, ttlMs: number): boolean {
    return this.tx(() => this.store.nonces.use(scope, nonce, now, now + ttlMs));
  }

  /** Resolves once every use-case run so far is committed: answer a caller only after this. */
  durable(): Promise<void> {
    return this.store.durable();
  }

  /** One audit-log row for a manual or cloud-made change (inside the use-case's transaction). */
  private auditLog(
    actor: Actor,
    time: number,
    action: string,
    more: { laneId?: string; orderNo?: string; reason?: string; detail?: unknown } = {},
  ): void {
    this.store.audit.add({ time, actorKind: actor.kind, actor: actor.name, action, ...more });
  }

  private record(e: DomainEvent): void {
    const orderNo = 'order' in e ? e.order.orderNo : 'orderNo' in e ? e.orderNo : undefined;
    const eventId = this.store.events.add({ time: e.time, type: e.type, orderNo, payload: e });
    const key = orderingKey(e);
    for (const s of this.streams) {
      if (s.kinds === 'all' || s.kinds.has(e.type))
        this.store.outbox.add(s.stream, e.type, key, eventId, this.now());
    }
    this.pending.push(e);
  }

  // ---------------------------------------------------------------- helpers

  private newOrderNo(at: number): string {
    const seq = this.store.sequences.next('order');
    return `${formatLocal(at, this.tz, 'yyyyMMddHHmmss')}${String(seq).padStart(6, '0')}`;
  }

  private areaFor(laneId?: string, areaId?: string): string {
    const a = areaId ?? (laneId ? this.laneArea.get(laneId) : undefined) ?? this.config.site.areas[0].id;
    if (!this.config.site.areas.some((x) => x.id === a)) throw new SiteError('invalid', `未知区域 ${a}`);
    return a;
  }

  private holderFacts(h: CardHolder | undefined): HolderFacts | undefined {
    if (!h) return undefined;
    return {
      carType: h.carType,
      validFrom: h.validFrom,
      validTo: h.validTo,
      balance: h.balance,
      countLeft: h.countLeft,
      spaces: h.spaces,
      inPark: this.store.cards.staysInPark(h.id),
    };
  }

  /** Compile every configured tariff and build its long-stay tables now (ms each), not at a lane's exit. */
  prepareTariffs(): void {
    for (const t of Object.values(this.config.tariffs)) prepareTariff(t);
  }

  tariffFor(order: Pick<OrderRecord, 'carType' | 'vehicleClass'>): { id: string; tariff: TariffConfig } {
    const byType = this.config.billing.byCarType[CAR_TYPE_KEY[order.carType] ?? ''];
    const map = byType ?? this.config.billing.temp;
    const id = (order.vehicleClass === 'large' ? map.large : undefined) ?? map.small;
    const tariff = this.config.tariffs[id];
    if (!tariff) throw new SiteError('internal', `tariff ${id} missing`);
    return { id, tariff };
  }

  private recountSpaces(): void {
    const counts = this.store.orders.countInByArea();
    for (const a of this.config.site.areas) this.store.areas.setOccupied(a.id, counts.get(a.id) ?? 0);
  }

  private decision(
    code: Decision['code'],
    carType: number,
    message: string,
    text: { lines: Decision['lines']; voice?: string },
    due?: number,
  ): Decision {
    return {
      code,
      open: code === 'open',
      carType,
      carTypeName: CAR_TYPE_NAME[carType] ?? String(carType),
      message,
      lines: text.lines,
      voice: text.voice,
      due,
    };
  }

  /** Find the stay a request means: order number, exact plate in the lot, card number, then plate without province. */
  findStay(q: {
    orderNo?: string;
    plate?: string;
    cardNo?: string;
    laneId?: string;
  }): OrderRecord | undefined {
    if (q.orderNo) return this.store.orders.get(q.orderNo);
    if (q.laneId && this.lanes) {
      const waiting = this.lanes.waiting(q.laneId);
      if (waiting) return this.store.orders.get(waiting);
    }
    const plate = normalizePlate(q.plate);
    if (plate && !isUnplated(plate)) {
      const exact = this.store.orders.inByPlate(plate);
      if (exact) return exact;
      const byKey = this.store.orders.inByPlateKey(plateKeyOf(plate));
      if (byKey.length === 1) return byKey[0];
    }
    if (q.cardNo) return this.store.orders.inByCard(q.cardNo);
    return undefined;
  }

  // ---------------------------------------------------------------- quote

  /** What the exit decision needs to know about a stay at `time`. */
  private exitFacts(order: OrderRecord, holder: CardHolder | undefined, time: number): ExitFacts {
    return {
      time,
      entryTime: order.entryTime,
      carType: order.carType,
      holder: this.holderFacts(holder),
      paid: order.paid,
      discount: order.discount,
      lastPaidAt: order.lastPaidAt,
      graceMinutes: this.config.policy.graceMinutes,
      storedValueShort: this.config.policy.storedValueShort,
    };
  }

  /** Quote a stay at `at` (the exit time or now). Pure read: nothing is written. */
  quoteOrder(order: OrderRecord, at: number): QuoteResult {
    const holder = order.holderId ? this.store.cards.byId(order.holderId) : undefined;
    const time = order.state === 'out' && order.exitTime ? order.exitTime : at;
    const facts = this.exitFacts(order, holder, time);
    const plan = planExit(facts);
    const stayMinutes = stayMinutesAt(order, time);
    const graceMinutes = this.config.policy.graceMinutes;
    if (plan.free) {
      const q = { ...ZERO_QUOTE, stayMinutes, paid: order.paid };
      return quoteResult(order, time, graceMinutes, q, 0, order.discount, 0, undefined);
    }
    const cp = order.cloudPrice;
    if (cp && !plan.overstay && time <= cp.at + graceMinutes * 60_000) {
      // the cloud priced this stay (KT AutonomousCalfee): its fee replaces the tariff's
      const settle = settleExit(facts, plan, cp.fee);
      const q: Quote = {
        ...ZERO_QUOTE,
        total: cp.fee,
        paid: order.paid,
        discountMoney: order.discount,
        discountMinutes: order.discountMinutes,
        due: settle.due,
        stayMinutes,
        lines: [{ period: `cloud:${cp.by}`, from: order.entryTime, to: cp.at, units: 1, amount: cp.fee }],
      };
      const due = settle.code === 'open' && settle.fromBalance > 0 ? 0 : settle.due;
      const id = `cloud:${cp.by}`;
      return quoteResult(order, time, graceMinutes, q, cp.fee, order.discount, due, id);
    }
    // the two fields tariffFor reads, not a copy of the whole order: this runs on every quote
    const { id, tariff } = this.tariffFor({
      carType: plan.note ? CT.temporary : order.carType,
      vehicleClass: order.vehicleClass,
    });
    const full = this.store.orders.hasFullWaiver(order.orderNo);
    const effective = plan.overstay ? { ...tariff, freeMinutes: 0 } : tariff;
    let priorPaid = 0;
    if (tariff.capAcrossVisits && tariff.cap && order.plate) {
      const since =
        tariff.cap.window === 'naturalDay'
          ? startOfLocalDay(plan.billFrom, this.tz)
          : plan.billFrom - 24 * 3_600_000;
      priorPaid = this.store.orders.paidByPlateSince(order.plate, since, order.orderNo);
    }
    const q = tariffQuote(effective, {
      entry: plan.billFrom,
      exit: Math.max(plan.billFrom, plan.billTo),
      timezone: this.tz,
      priorPaid,
      paid: plan.overstay ? 0 : order.paid,
      discountMoney: plan.overstay ? 0 : order.discount,
      discountMinutes: plan.overstay ? 0 : order.discountMinutes,
    });
    const fee = full ? 0 : q.total;
    const minuteValue = Math.max(0, q.discountMoney - (plan.overstay ? 0 : order.discount));
    // facts is this call's own object and planExit is done with it
    facts.discount = order.discount + minuteValue;
    const settle = settleExit(facts, plan, fee);
    const total = plan.overstay ? order.paid + order.discount + q.total : q.total;
    const due = settle.code === 'open' && settle.fromBalance > 0 ? 0 : settle.due;
    const discountMoney = order.discount + minuteValue + (full ? q.total : 0);
    return quoteResult(order, time, graceMinutes, q, total, discountMoney, due, id);
  }

  quote(input: QuoteInput): QuoteResult | undefined {
    const order = this.findStay(input);
    if (!order) return undefined;
    return this.quoteOrder(order, input.at);
  }

  // ---------------------------------------------------------------- enter

  enter(input: EnterInput): EnterResult {
    const plateRaw = input.plate ?? '';
    const unplated = isUnplated(plateRaw);
    const plate = unplated ? '' : normalizePlate(plateRaw);
    if (!unplated && plate.length < 3) throw new SiteError('invalid', `车牌号无效: ${plateRaw}`);
    const key = plateKeyOf(plate);
    const areaId = this.areaFor(input.laneId, input.areaId);
    return this.tx(() => {
      const time = input.time;
      if (plate) {
        const already = this.store.orders.inByPlate(plate);
        if (already) {
          // A second entry read of a car we think is inside: the first record was a phantom or the exit was missed.
          // Keep one stay per plate: close the old one as void so fees are not doubled, and open the new one.
          this.store.orders.voidOrder(already.orderNo, 'superseded by a new entry', this.now());
          this.store.areas.bump(already.areaId, -1);
          this.record({
            type: 'order.voided',
            time,
            order: { ...already, state: 'void' },
            reason: 'superseded by a new entry',
          });
        }
      }
      const holder = plate
        ? this.store.cards.byPlate(plate, key)
        : input.cardNo
          ? this.store.cards.byCard(input.cardNo)
          : undefined;
      const booking = plate ? this.store.bookings.activeFor(plate, key, time) : undefined;
      const black = plate ? this.store.blacklist.active(plate, key, time) : undefined;
      const area = this.store.areas.all().find((a) => a.id === areaId)!;
      const verdict = decideEntry({
        time,
        unplated,
        allowUnplated: this.config.policy.allowUnplated || !!input.cardNo,
        blacklisted: !!black,
        holder: this.holderFacts(holder),
        booking: booking && { start: booking.start, end: booking.end, prepaid: booking.prepaid },
        areaFree: area.free,
        lotFull: this.config.policy.lotFull,
        force: !!input.force,
      });
      const carTypeName = CAR_TYPE_NAME[verdict.carType] ?? String(verdict.carType);
      const daysLeft =
        verdict.useHolder && holder?.validTo !== undefined
          ? Math.max(0, Math.ceil((holder.validTo - time) / 86_400_000))
          : undefined;
      const text = entryText(plate, verdict.code, carTypeName, daysLeft);
      const message =
        verdict.code === 'open'
          ? `${carTypeName}入场${verdict.note ? `(${verdict.note})` : ''}`
          : verdict.code === 'deny-blacklist'
            ? `黑名单车辆: ${black?.reason ?? ''}`
            : verdict.code === 'deny-full'
              ? '车位已满'
              : '不允许无牌车入场';
      const decision = this.decision(verdict.code, verdict.carType, message, text);
      if (verdict.code !== 'open') {
        if (black)
          this.record({
            type: 'blacklist.hit',
            time,
            plate,
            laneId: input.laneId,
            entry: black,
            image: input.image,
          });
        this.record({ type: 'car.denied', time, plate, laneId: input.laneId, direction: 'entry', decision });
        return { decision };
      }
      const orderNo = this.newOrderNo(time);
      this.store.orders.insert({
        orderNo,
        plate,
        plateKey: key,
        plateColour: input.colour ?? 'unknown',
        cardNo: input.cardNo,
        carType: verdict.carType,
        holderId: verdict.useHolder ? holder?.id : undefined,
        bookingNo: verdict.useBooking ? booking?.bookingNo : undefined,
        vehicleClass: input.vehicleClass ?? (input.colour === 'yellow' ? 'large' : 'small'),
        areaId,
        entryLane: input.laneId,
        entryTime: time,
        entryImage: input.image,
        now: this.now(),
      });
      if (verdict.useBooking && booking) {
        this.store.bookings.use(booking.bookingNo, this.now());
        if (booking.prepaid > 0 && !this.store.orders.paymentBySerial('booking', booking.bookingNo)) {
          // booking money is counted as paid on the first stay it covers
          this.store.orders.insertPayment({
            orderNo,
            channel: 'booking',
            serial: booking.bookingNo,
            amount: booking.prepaid,
            discount: 0,
            freeMinutes: 0,
            method: 'booking',
            time,
          });
          this.store.orders.addPaid(orderNo, booking.prepaid, 0, 0, null, this.now());
        }
      }
      this.store.areas.bump(areaId, 1);
      if (input.force) {
        this.auditLog(input.actor, time, 'forced-entry', { laneId: input.laneId, orderNo, reason: 'forced' });
      }
      const order = this.store.orders.get(orderNo)!;
      this.record({ type: 'car.entered', time, order, laneId: input.laneId, decision });
      this.record({ type: 'spaces.changed', time, areas: this.store.areas.all() });
      return { decision, order };
    });
  }

  // ---------------------------------------------------------------- exit

  exit(input: ExitInput): ExitResult {
    const plateRaw = input.plate ?? '';
    const unplated = isUnplated(plateRaw);
    const plate = unplated ? '' : normalizePlate(plateRaw);
    const order = this.findStay({ orderNo: input.orderNo, plate, cardNo: input.cardNo });
    const time = input.time;
    if (!order || order.state !== 'in') {
      // No stay: a valid fixed or free car still goes out (its stay was simply never seen).
      const holder = plate ? this.store.cards.byPlate(plate, plateKeyOf(plate)) : undefined;
      const hf = this.holderFacts(holder);
      if (holder && hf && holder.carType !== CT.storedValue && holder.carType !== CT.count) {
        const valid =
          (hf.validFrom === undefined || hf.validFrom <= time) &&
          (hf.validTo === undefined || time < hf.validTo);
        if (valid) {
          const d = this.decision(
            'open',
            holder.carType,
            `${holder.carTypeName}出场(无入场记录)`,
            exitText(plate, 'open', 0),
            0,
          );
          this.tx(() =>
            this.record({
              type: 'car.denied',
              time,
              plate,
              laneId: input.laneId,
              direction: 'exit',
              decision: d,
            }),
          );
          return { decision: d };
        }
      }
      const candidates = plate
        ? fuzzyCandidates(
            plate,
            this.store.orders.inParkPlates().map((p) => p.plate),
            5,
          ).map((c) => ({
            plate: c.plate,
            score: c.score,
            orderNo: this.store.orders.inByPlate(c.plate)!.orderNo,
          }))
        : [];
      const d = this.decision(
        'deny-no-entry',
        CT.temporary,
        '无入场记录',
        exitText(plate, 'deny-no-entry', 0),
        this.config.policy.noEntryRecordFee,
      );
      return { decision: d, candidates };
    }
    return this.tx(() => {
      const q = this.quoteOrder(order, time);
      const holder = order.holderId ? this.store.cards.byId(order.holderId) : undefined;
      const facts = this.exitFacts(order, holder, time);
      const plan = planExit(facts);
      const settle = plan.free
        ? { code: 'open' as const, due: 0, fromBalance: 0 }
        : settleExit(
            { ...facts, discount: q.discountMoney },
            plan,
            plan.overstay ? q.total - order.paid - order.discount : q.quote.total,
          );
      if (settle.fromBalance > 0 && holder) {
        const serial = `${order.orderNo}-B${this.store.sequences.next('balance')}`;
        this.store.cards.setBalance(holder.id, holder.balance - settle.fromBalance, this.now());
        this.store.cards.transaction({
          holderId: holder.id,
          kind: 'deduct',
          amount: -settle.fromBalance,
          channel: 'balance',
          serial,
          orderNo: order.orderNo,
          time,
        });
        const payment = this.store.orders.insertPayment({
          orderNo: order.orderNo,
          channel: 'balance',
          serial,
          amount: settle.fromBalance,
          discount: 0,
          freeMinutes: 0,
          method: 'stored-value',
          time,
        });
        this.store.orders.addPaid(order.orderNo, settle.fromBalance, 0, 0, time, this.now());
        this.record({
          type: 'payment.recorded',
          time,
          order: this.store.orders.get(order.orderNo)!,
          payment,
        });
      }
      if (settle.code !== 'open') {
        const text = exitText(order.plate, settle.code, settle.due);
        const d = this.decision(
          settle.code,
          order.carType,
          settle.code === 'deny-balance' ? '储值余额不足' : `请缴费 ${fenToYuanText(settle.due)} 元`,
          text,
          settle.due,
        );
        return {
          decision: d,
          order: this.store.orders.get(order.orderNo)!,
          quote: this.quoteOrder(this.store.orders.get(order.orderNo)!, time),
        };
      }
      if (plan.useCount && holder) {
        this.store.cards.setCount(holder.id, (holder.countLeft ?? 1) - 1, this.now());
        this.store.cards.transaction({
          holderId: holder.id,
          kind: 'count',
          amount: -1,
          channel: 'count',
          serial: order.orderNo,
          orderNo: order.orderNo,
          time,
        });
      }
      const release: ReleaseKind = plan.free
        ? 'card'
        : order.paid + settle.fromBalance > 0
          ? 'paid'
          : 'normal';
      return this.finishStay(order.orderNo, {
        laneId: input.laneId,
        time,
        image: input.image,
        release,
        totalFee: q.total,
        decisionText: exitText(order.plate, 'open', 0),
      });
    });
  }

  /** Close a stay (inside a transaction). */
  private finishStay(
    orderNo: string,
    p: {
      laneId?: string;
      time: number;
      image?: string;
      release: ReleaseKind;
      reason?: string;
      totalFee: number;
      decisionText: { lines: Decision['lines']; voice?: string };
    },
  ): ExitResult {
    const before = this.store.orders.get(orderNo)!;
    if (
      !this.store.orders.finish({
        orderNo,
        exitLane: p.laneId,
        exitTime: p.time,
        exitImage: p.image,
        totalFee: p.totalFee,
        release: p.release,
        releaseReason: p.reason,
        now: this.now(),
      })
    )
      throw new SiteError('already-left', `订单 ${orderNo} 已出场`);
    this.store.areas.bump(before.areaId, -1);
    const order = this.store.orders.get(orderNo)!;
    const payments = this.store.orders.payments(orderNo);
    this.record({ type: 'car.exited', time: p.time, order, payments, laneId: p.laneId });
    this.record({ type: 'spaces.changed', time: p.time, areas: this.store.areas.all() });
    const d = this.decision(
      'open',
      order.carType,
      p.release === 'normal' || p.release === 'paid' || p.release === 'card' ? '出场' : `放行(${p.release})`,
      p.decisionText,
      0,
    );
    return { decision: d, order, quote: this.quoteOrder(order, p.time) };
  }

  /**
   * Let a waiting car out by hand (booth): cash taken, free release or abnormal release (KT paidType 2).
   * Cash is recorded as a payment with the booth's own serial, so a repeat click never charges twice.
   */
  release(input: {
    orderNo: string;
    laneId?: string;
    kind: 'cash' | 'free' | 'abnormal' | 'paid';
    amount?: number;
    serial?: string;
    reason?: string;
    actor: Actor;
    time: number;
    image?: string;
  }): ExitResult {
    if ((input.kind === 'free' || input.kind === 'abnormal') && !input.reason?.trim())
      throw new SiteError('invalid', '免费放行和异常放行必须填写原因');
    const result = this.tx(() => {
      const order = this.store.orders.get(input.orderNo);
      if (!order) throw new SiteError('not-found', `订单 ${input.orderNo} 不存在`);
      if (order.state !== 'in') throw new SiteError('already-left', `订单 ${input.orderNo} 已出场`);
      const q = this.quoteOrder(order, input.time);
      if (input.kind === 'cash') {
        const amount = input.amount ?? q.due;
        if (amount < q.due)
          throw new SiteError(
            'amount-mismatch',
            `现金不足: 应收 ${fenToYuanText(q.due)} 元, 实收 ${fenToYuanText(amount)} 元`,
          );
        const serial = input.serial ?? `${order.orderNo}-C${this.store.sequences.next('cash')}`;
        if (!this.store.orders.paymentBySerial('cash', serial) && q.due > 0) {
          const payment = this.store.orders.insertPayment({
            orderNo: order.orderNo,
            channel: 'cash',
            serial,
            amount: q.due,
            discount: 0,
            freeMinutes: 0,
            method: 'cash',
            time: input.time,
            operator: input.actor.name,
          });
          this.store.orders.addPaid(order.orderNo, q.due, 0, 0, input.time, this.now());
          this.record({
            type: 'payment.recorded',
            time: input.time,
            order: this.store.orders.get(order.orderNo)!,
            payment,
          });
        }
      } else if (input.kind === 'paid' && q.due > 0) {
        throw new SiteError('amount-mismatch', `尚欠 ${fenToYuanText(q.due)} 元`);
      }
      const release: ReleaseKind =
        input.kind === 'cash' ? 'paid' : input.kind === 'paid' ? 'paid' : input.kind;
      this.auditLog(input.actor, input.time, `release-${input.kind}`, {
        laneId: input.laneId,
        orderNo: order.orderNo,
        reason: input.reason,
        detail: { due: q.due, total: q.total, amount: input.kind === 'cash' ? q.due : 0 },
      });
      return this.finishStay(order.orderNo, {
        laneId: input.laneId,
        time: input.time,
        image: input.image,
        release,
        reason: input.reason,
        totalFee: q.total,
        decisionText: exitText(order.plate, 'open', 0),
      });
    });
    if (input.laneId) this.openAfterRelease(input.laneId, result);
    return result;
  }

  /** After a booth release the lane's gate opens; a failure is reported on the bus, the release itself stands. */
  private openAfterRelease(laneId: string, r: ExitResult): void {
    const lanes = this.lanes;
    if (!lanes) return;
    lanes
      .command(laneId, 'open')
      .then(() => lanes.show(laneId, r.decision.lines, r.decision.voice).catch(() => undefined))
      .catch((e) => {
        this.log.error({ err: e, laneId }, 'gate did not open after release');
        this.bus.emit('lane-error', { laneId, message: `道闸命令失败: ${(e as Error).message}` });
      });
  }

  /** Exit with no entry record, booth-confirmed: record a stay that starts and ends now, charged the minimum fee in cash. */
  exitWithoutEntry(input: {
    plate: string;
    laneId?: string;
    amount?: number;
    reason: string;
    actor: Actor;
    time: number;
    image?: string;
  }): ExitResult {
    if (!input.reason?.trim()) throw new SiteError('invalid', '必须填写原因');
    const plate = isUnplated(input.plate) ? '' : normalizePlate(input.plate);
    const amount = input.amount ?? this.config.policy.noEntryRecordFee;
    const result = this.tx(() => {
      const orderNo = this.newOrderNo(input.time);
      this.store.orders.insert({
        orderNo,
        plate: '',
        plateKey: '',
        plateColour: 'unknown',
        carType: CT.temporary,
        vehicleClass: 'small',
        areaId: this.areaFor(input.laneId),
        entryTime: input.time,
        now: this.now(),
      });
      if (plate) this.store.orders.setPlate(orderNo, plate, plateKeyOf(plate), this.now());
      this.store.areas.bump(this.areaFor(input.laneId), 1);
      if (amount > 0) {
        const payment = this.store.orders.insertPayment({
          orderNo,
          channel: 'cash',
          serial: `${orderNo}-C0`,
          amount,
          discount: 0,
          freeMinutes: 0,
          method: 'cash',
          time: input.time,
          operator: input.actor.name,
        });
        this.store.orders.addPaid(orderNo, amount, 0, 0, input.time, this.now());
        this.record({
          type: 'payment.recorded',
          time: input.time,
          order: this.store.orders.get(orderNo)!,
          payment,
        });
      }
      this.auditLog(input.actor, input.time, 'exit-no-entry', {
        laneId: input.laneId,
        orderNo,
        reason: input.reason,
        detail: { amount },
      });
      return this.finishStay(orderNo, {
        laneId: input.laneId,
        time: input.time,
        image: input.image,
        release: 'manual',
        reason: input.reason,
        totalFee: amount,
        decisionText: exitText(plate, 'open', 0),
      });
    });
    if (input.laneId) this.openAfterRelease(input.laneId, result);
    return result;
  }

  // ---------------------------------------------------------------- pay and discounts

  pay(input: PayInput & { allowAfterExit?: boolean }): PayResult {
    if (!Number.isInteger(input.amount) || input.amount < 0)
      throw new SiteError('invalid', '金额必须是非负整数(分)');
    if (!input.serial) throw new SiteError('invalid', '缺少支付流水号');
    const result = this.tx((): PayResult => {
      const dup = this.store.orders.paymentBySerial(input.channel, input.serial);
      if (dup) {
        if (dup.orderNo !== input.orderNo || dup.amount !== input.amount)
          throw new SiteError(
            'conflict',
            `支付流水 ${input.serial} 已用于订单 ${dup.orderNo} 金额 ${dup.amount}`,
          );
        const order = this.store.orders.get(dup.orderNo)!;
        return { duplicate: true, payment: dup, order, quote: this.quoteOrder(order, input.time) };
      }
      const order = this.store.orders.get(input.orderNo);
      if (!order) throw new SiteError('not-found', `订单 ${input.orderNo} 不存在`);
      if (order.state === 'void') throw new SiteError('already-left', `订单 ${input.orderNo} 已作废`);
      if (order.state === 'out' && !input.allowAfterExit)
        throw new SiteError('already-left', `订单 ${input.orderNo} 已出场`);
      const before = this.quoteOrder(order, input.time);
      const discount = input.discount ?? 0;
      if (order.state === 'in') {
        if (before.due === 0 && input.amount > 0)
          throw new SiteError('conflict', `订单 ${input.orderNo} 已缴清, 无需重复支付`);
        if (input.expectDue !== undefined && input.amount + discount < before.due)
          throw new SiteError('amount-mismatch', `支付金额 ${input.amount} 少于应缴 ${before.due}`);
      }
      const payment = this.store.orders.insertPayment({
        orderNo: input.orderNo,
        channel: input.channel,
        serial: input.serial,
        amount: input.amount,
        discount,
        freeMinutes: input.freeMinutes ?? 0,
        method: input.method,
        time: input.time,
        operator: input.actor.name,
      });
      this.store.orders.addPaid(
        input.orderNo,
        input.amount,
        discount,
        input.freeMinutes ?? 0,
        input.time,
        this.now(),
      );
      const after = this.store.orders.get(input.orderNo)!;
      this.record({ type: 'payment.recorded', time: input.time, order: after, payment });
      return { duplicate: false, payment, order: after, quote: this.quoteOrder(after, input.time) };
    });
    if (!result.duplicate && result.order.state === 'in') this.lanes?.paid(result.order.orderNo);
    return result;
  }

  addDiscount(input: DiscountInput): { duplicate: boolean; quote: QuoteResult } {
    if (!(input.value >= 0)) throw new SiteError('invalid', '优惠值无效');
    return this.tx(() => {
      const dup = this.store.orders.discountBySerial(input.channel, input.serial);
      if (dup) {
        const order = this.store.orders.get(dup.order_no)!;
        return { duplicate: true, quote: this.quoteOrder(order, input.time) };
      }
      const order = this.store.orders.get(input.orderNo);
      if (!order) throw new SiteError('not-found', `订单 ${input.orderNo} 不存在`);
      if (order.state !== 'in') throw new SiteError('already-left', `订单 ${input.orderNo} 已出场`);
      this.store.orders.insertDiscount({
        orderNo: order.orderNo,
        kind: input.kind,
        value: input.value,
        code: input.code,
        channel: input.channel,
        serial: input.serial,
        time: input.time,
      });
      if (input.kind === 'money') this.store.orders.addDiscount(order.orderNo, input.value, 0, this.now());
      if (input.kind === 'minutes') this.store.orders.addDiscount(order.orderNo, 0, input.value, this.now());
      const after = this.store.orders.get(order.orderNo)!;
      this.record({
        type: 'discount.changed',
        time: input.time,
        order: after,
        kind: input.kind,
        value: input.value,
        channel: input.channel,
        serial: input.serial,
        revoked: false,
      });
      return { duplicate: false, quote: this.quoteOrder(after, input.time) };
    });
  }

  revokeDiscount(input: { channel: string; serial: string; time: number; actor: Actor }): QuoteResult {
    return this.tx(() => {
      const d = this.store.orders.discountBySerial(input.channel, input.serial);
      if (!d) throw new SiteError('not-found', `优惠 ${input.serial} 不存在`);
      const order = this.store.orders.get(d.order_no)!;
      if (d.revoked_at === null) {
        if (order.state !== 'in') throw new SiteError('already-left', `订单 ${order.orderNo} 已出场`);
        this.store.orders.revokeDiscount(input.channel, input.serial, input.time);
        if (d.kind === 'money') this.store.orders.addDiscount(order.orderNo, -d.value, 0, this.now());
        if (d.kind === 'minutes') this.store.orders.addDiscount(order.orderNo, 0, -d.value, this.now());
        const after = this.store.orders.get(order.orderNo)!;
        this.record({
          type: 'discount.changed',
          time: input.time,
          order: after,
          kind: d.kind,
          value: d.value,
          channel: input.channel,
          serial: input.serial,
          revoked: true,
        });
        return this.quoteOrder(after, input.time);
      }
      return this.quoteOrder(order, input.time);
    });
  }

  /**
   * A cloud that prices exits (KT AutonomousCalfee) set the fee of a stay at `time`. The quote uses it for the
   * grace minutes after; the lane where the car waits re-checks at once (the price may already be covered).
   */
  setCloudPrice(input: { orderNo: string; fee: number; by: string; time: number }): QuoteResult {
    if (!Number.isInteger(input.fee) || input.fee < 0) throw new SiteError('invalid', '云端计费金额无效');
    const q = this.tx(() => {
      const o = this.store.orders.get(input.orderNo);
      if (!o) throw new SiteError('not-found', `订单 ${input.orderNo} 不存在`);
      if (o.state !== 'in') throw new SiteError('already-left', `订单 ${input.orderNo} 已出场`);
      this.store.orders.setCloudPrice(o.orderNo, input.fee, input.time, input.by, this.now());
      this.auditLog({ kind: 'system', name: input.by }, input.time, 'cloud-price', {
        orderNo: o.orderNo,
        detail: { fee: input.fee },
      });
      return this.quoteOrder(this.store.orders.get(o.orderNo)!, input.time);
    });
    this.lanes?.paid(input.orderNo);
    return q;
  }

  setAutoPay(orderNo: string, autoPay: boolean): OrderRecord {
    return this.tx(() => {
      const o = this.store.orders.get(orderNo);
      if (!o) throw new SiteError('not-found', `订单 ${orderNo} 不存在`);
      this.store.orders.setAutoPay(orderNo, autoPay, this.now());
      return this.store.orders.get(orderNo)!;
    });
  }

  // ---------------------------------------------------------------- gates, plates, records

  async gateCommand(input: GateCommandInput): Promise<void> {
    if (!input.reason?.trim()) throw new SiteError('invalid', '手动操作道闸必须填写原因');
    if (!this.config.lanes.some((l) => l.id === input.laneId))
      throw new SiteError('not-found', `车道 ${input.laneId} 不存在`);
    if (!this.lanes) throw new SiteError('device', '车道控制未就绪');
    let error: string | undefined;
    try {
      await this.lanes.command(input.laneId, input.command);
    } catch (e) {
      error = (e as Error).message;
    }
    this.tx(() => {
      this.auditLog(input.actor, input.time, `gate-${input.command}`, {
        laneId: input.laneId,
        orderNo: input.orderNo,
        reason: input.reason,
        detail: error ? { error } : undefined,
      });
      this.record({
        type: 'gate.operated',
        time: input.time,
        laneId: input.laneId,
        command: input.command,
        actor: input.actor,
        reason: input.reason,
        orderNo: input.orderNo,
        ok: !error,
        error,
      });
    });
    if (error) throw new SiteError('device', `道闸命令失败: ${error}`);
  }

  async show(laneId: string, lines: Decision['lines'], voice?: string): Promise<void> {
    if (!this.config.lanes.some((l) => l.id === laneId))
      throw new SiteError('not-found', `车道 ${laneId} 不存在`);
    if (!this.lanes) throw new SiteError('device', '车道控制未就绪');
    try {
      await this.lanes.show(laneId, lines, voice);
    } catch (e) {
      throw new SiteError('device', `显示屏命令失败: ${(e as Error).message}`);
    }
  }

  async snapshot(deviceId: string): Promise<Buffer> {
    if (!this.lanes) throw new SiteError('device', '车道控制未就绪');
    try {
      return await this.lanes.snapshot(deviceId);
    } catch (e) {
      throw new SiteError('device', `抓拍失败: ${(e as Error).message}`);
    }
  }

  correctPlate(input: {
    orderNo: string;
    plate: string;
    actor: Actor;
    reason?: string;
    time: number;
  }): OrderRecord {
    const plate = normalizePlate(input.plate);
    if (plate.length < 3) throw new SiteError('invalid', `车牌号无效: ${input.plate}`);
    return this.tx(() => {
      const order = this.store.orders.get(input.orderNo);
      if (!order) throw new SiteError('not-found', `订单 ${input.orderNo} 不存在`);
      if (order.plate === plate) return order;
      if (order.state === 'in') {
        const clash = this.store.orders.inByPlate(plate);
        if (clash) throw new SiteError('conflict', `车牌 ${plate} 已有在场记录 ${clash.orderNo}`);
      }
      this.store.orders.setPlate(order.orderNo, plate, plateKeyOf(plate), this.now());
      if (order.state === 'in' && order.carType === CT.temporary) {
        // a corrected plate may belong to a card holder
        const holder = this.store.cards.byPlate(plate, plateKeyOf(plate));
        if (holder) {
          const hf = this.holderFacts(holder)!;
          const v = decideEntry({
            time: order.entryTime,
            unplated: false,
            allowUnplated: true,
            blacklisted: false,
            holder: { ...hf, inPark: hf.inPark },
            areaFree: 1,
            lotFull: this.config.policy.lotFull,
            force: true,
          });
          if (v.useHolder)
            this.store.orders.setType(order.orderNo, v.carType, holder.id, undefined, this.now());
        }
      }
      this.auditLog(input.actor, input.time, 'correct-plate', {
        orderNo: order.orderNo,
        reason: input.reason,
        detail: { from: order.plate, to: plate },
      });
      const after = this.store.orders.get(order.orderNo)!;
      this.record({
        type: 'plate.corrected',
        time: input.time,
        order: after,
        from: order.plate,
        actor: input.actor,
      });
      return after;
    });
  }

  getOrder(orderNo: string): (OrderRecord & { payments: PaymentRecord[] }) | undefined {
    const o = this.store.orders.get(orderNo);
    return o && { ...o, payments: this.store.orders.payments(orderNo) };
  }
  payments(orderNo: string): PaymentRecord[] {
    return this.store.orders.payments(orderNo);
  }
  searchOrders(q: OrderSearch): Page<OrderRecord> {
    return this.store.orders.search({ ...q, plate: q.plate ? normalizePlate(q.plate) : undefined });
  }
  lastStay(plate: string): OrderRecord | undefined {
    return this.store.orders.lastByPlate(normalizePlate(plate));
  }
  inParkCandidates(plate: string, limit = 5): Array<{ plate: string; orderNo: string; score: number }> {
    const list = this.store.orders.inParkPlates();
    const byPlate = new Map(list.map((p) => [p.plate, p.orderNo]));
    return fuzzyCandidates(
      normalizePlate(plate),
      list.map((p) => p.plate),
      limit,
    ).map((c) => ({ ...c, orderNo: byPlate.get(c.plate)! }));
  }
  exitedBetween(from: number, to: number): OrderRecord[] {
    return this.store.orders.exitedBetween(from, to);
  }

  // ---------------------------------------------------------------- card holders (KT §4)

  private writeHolder(input: CardHolderInput, existing?: CardHolder) {
    if (!input.cardNo) throw new SiteError('invalid', '缺少卡号');
    if (!(input.carType in CAR_TYPE_NAME) || input.carType === CT.temporary)
      throw new SiteError('invalid', `固定车类型无效: ${input.carType}`);
    const plates = [
      ...new Set((input.plates ?? []).map((p) => normalizePlate(p)).filter((p) => p.length >= 3)),
    ];
    if (input.validFrom !== undefined && input.validTo !== undefined && input.validTo <= input.validFrom)
      throw new SiteError('invalid', '有效期结束时间必须晚于开始时间');
    return {
      row: {
        cardNo: input.cardNo,
        name: input.name ?? existing?.name,
        phone: input.phone ?? existing?.phone,
        carType: input.carType,
        validFrom: input.validFrom ?? existing?.validFrom,
        validTo: input.validTo ?? existing?.validTo,
        balance: input.balance ?? existing?.balance ?? 0,
        countLeft: input.countLeft ?? existing?.countLeft,
        spaces: input.spaces ?? existing?.spaces ?? 1,
        areaId: input.areaId ?? existing?.areaId,
        remark: input.remark ?? existing?.remark,
      },
      plates: plates.map((p) => ({ plate: p, key: plateKeyOf(p) })),
    };
  }

  addCard(input: CardHolderInput, actor: Actor, time = this.now()): CardHolder {
    return this.tx(() => {
      if (this.store.cards.byCard(input.cardNo))
        throw new SiteError('conflict', `卡号 ${input.cardNo} 已存在`);
      const { row, plates } = this.writeHolder(input);
      const id = this.store.cards.insert(row, this.now());
      this.store.cards.setPlates(id, plates);
      const holder = this.store.cards.byId(id)!;
      this.auditLog(actor, time, 'card-add', { detail: { cardNo: holder.cardNo } });
      this.record({ type: 'card.changed', time, action: 'add', holder });
      return holder;
    });
  }

  modifyCard(
    input: Partial<CardHolderInput> & { cardNo: string },
    actor: Actor,
    time = this.now(),
  ): CardHolder {
    return this.tx(() => {
      const existing = this.store.cards.byCard(input.cardNo);
      if (!existing) throw new SiteError('not-found', `卡号 ${input.cardNo} 不存在`);
      const { row, plates } = this.writeHolder(
        { ...existing, ...input, plates: input.plates ?? existing.plates } as CardHolderInput,
        existing,
      );
      this.store.cards.update(row, this.now());
      this.store.cards.setPlates(existing.id, plates);
      const holder = this.store.cards.byId(existing.id)!;
      this.auditLog(actor, time, 'card-modify', { detail: { cardNo: holder.cardNo } });
      this.record({ type: 'card.changed', time, action: 'modify', holder });
      return holder;
    });
  }

  deleteCard(cardNo: string, actor: Actor, time = this.now()): CardHolder {
    return this.tx(() => {
      const existing = this.store.cards.byCard(cardNo);
      if (!existing) throw new SiteError('not-found', `卡号 ${cardNo} 不存在`);
      this.store.cards.delete(cardNo);
      this.auditLog(actor, time, 'card-delete', { detail: { cardNo } });
      this.record({ type: 'card.changed', time, action: 'delete', holder: existing });
      return existing;
    });
  }

  /** Plate management (KT CarCardNoManage): add or remove plates of a holder. */
  cardPlates(
    input: { cardNo: string; add?: string[]; remove?: string[] },
    actor: Actor,
    time = this.now(),
  ): CardHolder {
    return this.tx(() => {
      const h = this.store.cards.byCard(input.cardNo);
      if (!h) throw new SiteError('not-found', `卡号 ${input.cardNo} 不存在`);
      for (const p of input.add ?? []) {
        const n = normalizePlate(p);
        if (n.length < 3) throw new SiteError('invalid', `车牌号无效: ${p}`);
        this.store.cards.addPlate(h.id, n, plateKeyOf(n));
      }
      for (const p of input.remove ?? []) this.store.cards.removePlate(h.id, normalizePlate(p));
      const holder = this.store.cards.byId(h.id)!;
      this.auditLog(actor, time, 'card-plates', { detail: input });
      this.record({ type: 'card.changed', time, action: 'modify', holder });
      return holder;
    });
  }

  getCard(q: { cardNo?: string; plate?: string }): CardHolder | undefined {
    if (q.cardNo) return this.store.cards.byCard(q.cardNo);
    if (q.plate) {
      const p = normalizePlate(q.plate);
      return this.store.cards.byPlate(p, plateKeyOf(p));
    }
    return undefined;
  }
  listCards(q: { plate?: string; cardNo?: string; carType?: number; page?: number; pageSize?: number }) {
    return this.store.cards.list(q);
  }

  /** Recharge a stored-value card, renew a period card, or add uses to a count card; idempotent on (channel, serial). */
  recharge(input: RechargeInput): { duplicate: boolean; holder: CardHolder } {
    return this.tx(() => {
      const h = this.store.cards.byCard(input.cardNo);
      if (!h) throw new SiteError('not-found', `卡号 ${input.cardNo} 不存在`);
      if (this.store.cards.transactionBySerial(input.channel, input.serial))
        return { duplicate: true, holder: h };
      if (!Number.isInteger(input.amount) || input.amount < 0)
        throw new SiteError('invalid', '金额必须是非负整数(分)');
      let kind: 'recharge' | 'renew' | 'count' = 'recharge';
      if (h.carType === CT.storedValue) {
        this.store.cards.setBalance(h.id, h.balance + input.amount, this.now());
      } else if (h.carType === CT.count) {
        kind = 'count';
        this.store.cards.setCount(h.id, (h.countLeft ?? 0) + (input.count ?? 0), this.now());
      } else {
        kind = 'renew';
        let validTo = input.validTo;
        if (validTo === undefined) {
          if (!input.months) throw new SiteError('invalid', '续费需要月数或新的有效期');
          validTo = addLocalMonths(Math.max(h.validTo ?? input.time, input.time), input.months, this.tz);
        }
        this.store.cards.setValidTo(h.id, validTo, this.now());
      }
      this.store.cards.transaction({
        holderId: h.id,
        kind,
        amount: input.amount,
        channel: input.channel,
        serial: input.serial,
        time: input.time,
        detail: JSON.stringify({ months: input.months, count: input.count, validTo: input.validTo }),
      });
      const holder = this.store.cards.byId(h.id)!;
      this.auditLog(input.actor, input.time, `card-${kind}`, {
        detail: { cardNo: h.cardNo, amount: input.amount },
      });
      this.record({
        type: 'card.changed',
        time: input.time,
        action: 'recharge',
        holder,
        amount: input.amount,
      });
      return { duplicate: false, holder };
    });
  }

  // ---------------------------------------------------------------- blacklist

  blacklistAdd(
    e: { plate: string; reason?: string; validFrom?: number; validTo?: number },
    actor: Actor,
    time = this.now(),
  ): BlacklistEntry {
    const plate = normalizePlate(e.plate);
    if (plate.length < 3) throw new SiteError('invalid', `车牌号无效: ${e.plate}`);
    return this.tx(() => {
      const existed = !!this.store.blacklist.get(plate);
      this.store.blacklist.upsert(
        { plate, key: plateKeyOf(plate), reason: e.reason ?? '', validFrom: e.validFrom, validTo: e.validTo },
        this.now(),
      );
      const entry = this.store.blacklist.get(plate)!;
      this.auditLog(actor, time, existed ? 'blacklist-modify' : 'blacklist-add', { detail: { plate } });
      this.record({ type: 'blacklist.changed', time, action: existed ? 'modify' : 'add', entry });
      return entry;
    });
  }
  blacklistDelete(plateRaw: string, actor: Actor, time = this.now()): BlacklistEntry {
    const plate = normalizePlate(plateRaw);
    return this.tx(() => {
      const entry = this.store.blacklist.get(plate);
      if (!entry) throw new SiteError('not-found', `黑名单中没有 ${plate}`);
      this.store.blacklist.delete(plate);
      this.auditLog(actor, time, 'blacklist-delete', { detail: { plate } });
      this.record({ type: 'blacklist.changed', time, action: 'delete', entry });
      return entry;
    });
  }
  blacklist(plate?: string): BlacklistEntry[] {
    return this.store.blacklist.list(plate ? normalizePlate(plate) : undefined);
  }

  // ---------------------------------------------------------------- bookings

  private bookingRow(input: BookingInput, bookingNo: string) {
    const plate = normalizePlate(input.plate);
    if (plate.length < 3) throw new SiteError('invalid', `车牌号无效: ${input.plate}`);
    if (!(input.end > input.start)) throw new SiteError('invalid', '预约结束时间必须晚于开始时间');
    if (input.areaId) this.areaFor(undefined, input.areaId);
    return {
      bookingNo,
      plate,
      key: plateKeyOf(plate),
      areaId: input.areaId,
      start: input.start,
      end: input.end,
      multiEntry: !!input.multiEntry,
      prepaid: input.prepaid ?? 0,
      name: input.name,
      phone: input.phone,
    };
  }
  addBooking(input: BookingInput, time = this.now()): Booking {
    return this.tx(() => {
      const bookingNo =
        input.bookingNo ??
        `BK${formatLocal(time, this.tz, 'yyyyMMdd')}${String(this.store.sequences.next('booking')).padStart(6, '0')}`;
      if (this.store.bookings.get(bookingNo)) throw new SiteError('conflict', `预约 ${bookingNo} 已存在`);
      this.store.bookings.insert(this.bookingRow(input, bookingNo), this.now());
      if (input.applyNow) this.applyBookingToStay(bookingNo, time, input.actor);
      const booking = this.store.bookings.get(bookingNo)!;
      this.auditLog(input.actor, time, 'booking-add', { detail: { bookingNo } });
      this.record({ type: 'booking.changed', time, action: 'add', booking });
      return booking;
    });
  }
  modifyBooking(input: BookingInput & { bookingNo: string }, time = this.now()): Booking {
    return this.tx(() => {
      const existing = this.store.bookings.get(input.bookingNo);
      if (!existing) throw new SiteError('not-found', `预约 ${input.bookingNo} 不存在`);
      if (!this.store.bookings.update(this.bookingRow(input, input.bookingNo), this.now()))
        throw new SiteError('conflict', `预约 ${input.bookingNo} 已失效`);
      if (input.applyNow) this.applyBookingToStay(input.bookingNo, time, input.actor);
      const booking = this.store.bookings.get(input.bookingNo)!;
      this.auditLog(input.actor, time, 'booking-modify', { detail: { bookingNo: input.bookingNo } });
      this.record({ type: 'booking.changed', time, action: 'modify', booking });
      return booking;
    });
  }
  /** Inside a transaction: turn the plate's stay into a booking stay if it entered inside the window. */
  private applyBookingToStay(bookingNo: string, time: number, actor: Actor): void {
    const b = this.store.bookings.get(bookingNo)!;
    const stay = this.findStay({ plate: b.plate });
    if (!stay || stay.state !== 'in' || stay.carType !== CT.temporary || stay.bookingNo) return;
    if (!(stay.entryTime >= b.start && stay.entryTime < b.end)) return;
    this.store.orders.setType(stay.orderNo, CT.booking, undefined, bookingNo, this.now());
    this.store.bookings.use(bookingNo, this.now());
    if (b.prepaid > 0 && !this.store.orders.paymentBySerial('booking', bookingNo)) {
      const payment = this.store.orders.insertPayment({
        orderNo: stay.orderNo,
        channel: 'booking',
        serial: bookingNo,
        amount: b.prepaid,
        discount: 0,
        freeMinutes: 0,
        method: 'booking',
        time,
      });
      // booking money is not an exit payment: it does not start the grace clock
      this.store.orders.addPaid(stay.orderNo, b.prepaid, 0, 0, null, this.now());
      this.record({ type: 'payment.recorded', time, order: this.store.orders.get(stay.orderNo)!, payment });
    }
    this.auditLog(actor, time, 'booking-apply', { orderNo: stay.orderNo, detail: { bookingNo } });
  }

  cancelBooking(bookingNo: string, actor: Actor, time = this.now()): Booking {
    return this.tx(() => {
      const existing = this.store.bookings.get(bookingNo);
      if (!existing) throw new SiteError('not-found', `预约 ${bookingNo} 不存在`);
      this.store.bookings.setState(bookingNo, 'cancelled', this.now());
      const booking = this.store.bookings.get(bookingNo)!;
      this.auditLog(actor, time, 'booking-delete', { detail: { bookingNo } });
      this.record({ type: 'booking.changed', time, action: 'delete', booking });
      return booking;
    });
  }
  getBooking(q: { bookingNo?: string; plate?: string }): Booking[] {
    if (q.bookingNo) {
      const b = this.store.bookings.get(q.bookingNo);
      return b ? [b] : [];
    }
    return this.store.bookings.list(q.plate ? normalizePlate(q.plate) : undefined);
  }

  // ---------------------------------------------------------------- spaces

  spaces(): AreaSpaces[] {
    return this.store.areas.all();
  }
  /** KT ModifyFreeSpace: pin an area's free count (null returns to counting). */
  setFreeSpaces(areaId: string, free: number | null, actor: Actor, time = this.now()): AreaSpaces[] {
    if (free !== null && (!Number.isInteger(free) || free < 0))
      throw new SiteError('invalid', '空余车位数无效');
    return this.tx(() => {
      this.areaFor(undefined, areaId);
      this.store.areas.setOverride(areaId, free, time);
      this.auditLog(actor, time, 'free-space', { detail: { areaId, free } });
      const areas = this.store.areas.all();
      this.record({ type: 'spaces.changed', time, areas });
      return areas;
    });
  }

  // ---------------------------------------------------------------- change orders (找零, KT §3.5–3.7)

  createChange(input: { orderNo?: string; inserted: number; due: number; time: number }): ChangeOrder {
    if (input.inserted < input.due) throw new SiteError('invalid', '投币金额少于应缴金额');
    return this.tx(() => {
      const changeNo = `CH${formatLocal(input.time, this.tz, 'yyyyMMddHHmmss')}${String(this.store.sequences.next('change')).padStart(6, '0')}`;
      this.store.changeOrders.insert(
        {
          changeNo,
          orderNo: input.orderNo,
          inserted: input.inserted,
          due: input.due,
          change: input.inserted - input.due,
        },
        input.time,
      );
      const change = this.store.changeOrders.get(changeNo)!;
      this.record({ type: 'change.updated', time: input.time, change });
      return change;
    });
  }
  getChange(changeNo: string): ChangeOrder | undefined {
    return this.store.changeOrders.get(changeNo);
  }
  /** KT PayChargeNotice (noticed) and PayChargeReport (reported); idempotent. */
  markChange(changeNo: string, state: 'noticed' | 'reported', time: number, serial?: string): ChangeOrder {
    return this.tx(() => {
      const c = this.store.changeOrders.get(changeNo);
      if (!c) throw new SiteError('not-found', `找零订单 ${changeNo} 不存在`);
      const rank = { pending: 0, noticed: 1, reported: 2 } as const;
      if (rank[c.state] >= rank[state]) return c;
      this.store.changeOrders.mark(changeNo, state, time, serial);
      const change = this.store.changeOrders.get(changeNo)!;
      this.record({ type: 'change.updated', time, change });
      return change;
    });
  }

  // ---------------------------------------------------------------- devices and reports

  recordDeviceState(d: {
    id: string;
    type: string;
    ktDeviceType: number;
    status: string;
    reason?: string;
    since: number;
  }): void {
    this.tx(() => {
      this.store.devices.record(d.id, d.type, d.status, d.reason, d.since);
      this.record({
        type: 'device.state',
        time: d.since,
        id: d.id,
        deviceType: d.type,
        ktDeviceType: d.ktDeviceType,
        status: d.status,
        reason: d.reason,
      });
    });
  }

  /** Per-operator shift report from payments and the audit log. */
  shiftReport(from: number, to: number, operator?: string) {
    const audit = this.store.audit.between(from, to, operator);
    const cash = this.store.orders.cashTotals(from, to, operator);
    const count = (action: string) => audit.filter((a) => a.action === action).length;
    return {
      from,
      to,
      operator,
      cash: { amount: cash.s, count: cash.n },
      freeReleases: count('release-free'),
      abnormalReleases: count('release-abnormal'),
      noEntryExits: count('exit-no-entry'),
      manualOpenings: audit.filter((a) => a.action === 'gate-open' || a.action === 'gate-keepOpen').length,
      entries: audit,
    };
  }

  // ---- added for pyun/bolink/lanapi
  /** Small per-cloud key/value state that must survive restarts (Bolink token, wallet balances). */
  cloudState(stream: string): {
    get(key: string): string | undefined;
    set(key: string, value: string): void;
  } {
    return {
      get: (key) => this.store.cloudState.get(stream, key),
      set: (key, value) => this.store.cloudState.set(stream, key, value),
    };
  }
  /** A named counter that never hands out the same value twice for the life of the database (P云 pay_partner). */
  nextSequence(name: string): number {
    return this.store.sequences.next(name);
  }
  /** Last reported state of each device (P云 device.list / gate.status). */
  deviceStates(): Array<{ id: string; type: string; status: string; reason?: string; since: number }> {
    return this.store.devices.all();
  }
  // ---- end pyun/bolink/lanapi

  // ---- added for KT
  /** A card holder by its numeric id (KT addresses cards by an int cardId). */
  cardById(id: number): CardHolder | undefined {
    return this.store.cards.byId(id);
  }
  /** Change orders (找零) created in [from, to) plus every one still pending, oldest first (KT PayChargeReport). */
  listChanges(from: number, to: number): ChangeOrder[] {
    return this.store.changeOrders.list(from, to);
  }
  // ---- end KT
}
