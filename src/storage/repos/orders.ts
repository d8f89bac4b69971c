// Stays, their payments and discounts: one aggregate, because a payment never exists without its stay.
import type { Db } from '../db.js';
import { prep } from '../prep.js';
import type { OrderRecord, PaymentRecord, OrderSearch, Page } from '../../site/api.js';
import { CAR_TYPE_NAME } from '../../site/api.js';
import { u } from './nulls.js';

// Order reads name their columns and come back as arrays: better-sqlite3 builds a 30-key object per row
// noticeably slower than an array, and these reads sit on every quote (docs/benchmarks.md, KT).
const ORDER_COLUMNS = [
  'order_no',
  'plate',
  'plate_colour',
  'card_no',
  'car_type',
  'holder_id',
  'booking_no',
  'vehicle_class',
  'area_id',
  'entry_lane',
  'entry_time',
  'entry_image',
  'exit_lane',
  'exit_time',
  'exit_image',
  'state',
  'total_fee',
  'paid',
  'discount',
  'discount_minutes',
  'last_paid_at',
  'release',
  'release_reason',
  'auto_pay',
  'price_override',
  'price_at',
  'price_by',
] as const;
type OrderColumn = (typeof ORDER_COLUMNS)[number];
const col = Object.fromEntries(ORDER_COLUMNS.map((c, i) => [c, i])) as Record<OrderColumn, number>;
/** The column list of every order read, in the order toOrder reads them. */
const ORDER_SELECT = ORDER_COLUMNS.join(', ');
type OrderRow = unknown[];

function toOrder(r: OrderRow): OrderRecord {
  const carType = r[col.car_type] as number;
  const priceOverride = r[col.price_override] as number | null;
  return {
    orderNo: r[col.order_no] as string,
    plate: r[col.plate] as string,
    plateColour: r[col.plate_colour] as OrderRecord['plateColour'],
    cardNo: u(r[col.card_no] as string | null),
    carType,
    carTypeName: CAR_TYPE_NAME[carType] ?? String(carType),
    holderId: u(r[col.holder_id] as number | null),
    bookingNo: u(r[col.booking_no] as string | null),
    vehicleClass: r[col.vehicle_class] as 'small' | 'large',
    areaId: r[col.area_id] as string,
    entryLane: u(r[col.entry_lane] as string | null),
    entryTime: r[col.entry_time] as number,
    entryImage: u(r[col.entry_image] as string | null),
    exitLane: u(r[col.exit_lane] as string | null),
    exitTime: u(r[col.exit_time] as number | null),
    exitImage: u(r[col.exit_image] as string | null),
    state: r[col.state] as OrderRecord['state'],
    totalFee: u(r[col.total_fee] as number | null),
    paid: r[col.paid] as number,
    discount: r[col.discount] as number,
    discountMinutes: r[col.discount_minutes] as number,
    lastPaidAt: u(r[col.last_paid_at] as number | null),
    release: u(r[col.release] as string | null) as OrderRecord['release'],
    releaseReason: u(r[col.release_reason] as string | null),
    autoPay: r[col.auto_pay] === 1,
    cloudPrice:
      priceOverride === null
        ? undefined
        : {
            fee: priceOverride,
            at: (r[col.price_at] as number | null) ?? 0,
            by: (r[col.price_by] as string | null) ?? '',
          },
  };
}

interface PaymentRow {
  id: number;
  order_no: string;
  channel: string;
  serial: string;
  amount: number;
  discount: number;
  free_minutes: number;
  method: string;
  time: number;
  operator: string | null;
}
function toPayment(r: PaymentRow): PaymentRecord {
  return {
    id: r.id,
    orderNo: r.order_no,
    channel: r.channel,
    serial: r.serial,
    amount: r.amount,
    discount: r.discount,
    freeMinutes: r.free_minutes,
    method: r.method,
    time: r.time,
    operator: u(r.operator),
  };
}

export interface NewOrder {
  orderNo: string;
  plate: string;
  plateKey: string;
  plateColour: string;
  cardNo?: string;
  carType: number;
  holderId?: number;
  bookingNo?: string;
  vehicleClass: string;
  areaId: string;
  entryLane?: string;
  entryTime: number;
  entryImage?: string;
  paid?: number;
  autoPay?: boolean;
  now: number;
}

export class OrdersRepo {
  private s;
  constructor(private db: Db) {
    const rows = (sql: string) => db.prepare(sql).raw(true);
    this.s = {
      insert:
        db.prepare(`INSERT INTO orders (order_no, plate, plate_key, plate_colour, card_no, car_type, holder_id, booking_no,
        vehicle_class, area_id, entry_lane, entry_time, entry_image, state, paid, auto_pay, created_at, updated_at)
        VALUES (@orderNo, @plate, @plateKey, @plateColour, @cardNo, @carType, @holderId, @bookingNo, @vehicleClass, @areaId,
        @entryLane, @entryTime, @entryImage, 'in', @paid, @autoPay, @now, @now)`),
      byNo: rows(`SELECT ${ORDER_SELECT} FROM orders WHERE order_no = ?`),
      inByPlate: rows(`SELECT ${ORDER_SELECT} FROM orders WHERE state = 'in' AND plate = ?`),
      inByKey: rows(
        `SELECT ${ORDER_SELECT} FROM orders WHERE state = 'in' AND plate_key = ? ORDER BY entry_time DESC`,
      ),
      inByCard: rows(
        `SELECT ${ORDER_SELECT} FROM orders WHERE state = 'in' AND card_no = ? ORDER BY entry_time DESC LIMIT 1`,
      ),
      inPlates: db.prepare(`SELECT order_no, plate FROM orders WHERE state = 'in' AND plate <> ''`),
      lastByPlate: rows(
        `SELECT ${ORDER_SELECT} FROM orders WHERE plate = ? ORDER BY entry_time DESC LIMIT 1`,
      ),
      finish:
        db.prepare(`UPDATE orders SET state = 'out', exit_lane = @exitLane, exit_time = @exitTime, exit_image = @exitImage,
        total_fee = @totalFee, release = @release, release_reason = @releaseReason, updated_at = @now WHERE order_no = @orderNo AND state = 'in'`),
      addPaid: db.prepare(`UPDATE orders SET paid = paid + @amount, discount = discount + @discount,
        discount_minutes = discount_minutes + @minutes, last_paid_at = coalesce(@time, last_paid_at), updated_at = @now WHERE order_no = @orderNo`),
      addDiscount:
        db.prepare(`UPDATE orders SET discount = discount + @discount, discount_minutes = discount_minutes + @minutes,
        updated_at = @now WHERE order_no = @orderNo`),
      setPlate: db.prepare(
        `UPDATE orders SET plate = @plate, plate_key = @plateKey, updated_at = @now WHERE order_no = @orderNo`,
      ),
      setType: db.prepare(
        `UPDATE orders SET car_type = @carType, holder_id = @holderId, booking_no = @bookingNo, updated_at = @now WHERE order_no = @orderNo`,
      ),
      setAutoPay: db.prepare(
        `UPDATE orders SET auto_pay = @autoPay, updated_at = @now WHERE order_no = @orderNo`,
      ),
      voidOrder: db.prepare(
        `UPDATE orders SET state = 'void', release_reason = @reason, updated_at = @now WHERE order_no = @orderNo AND state = 'in'`,
      ),
      payments: db.prepare(`SELECT * FROM payments WHERE order_no = ? ORDER BY id`),
      paymentBySerial: db.prepare(`SELECT * FROM payments WHERE channel = ? AND serial = ?`),
      insertPayment:
        db.prepare(`INSERT INTO payments (order_no, channel, serial, amount, discount, free_minutes, method, time, operator)
        VALUES (@orderNo, @channel, @serial, @amount, @discount, @freeMinutes, @method, @time, @operator)`),
      discountBySerial: db.prepare(`SELECT * FROM discounts WHERE channel = ? AND serial = ?`),
      insertDiscount: db.prepare(`INSERT INTO discounts (order_no, kind, value, code, channel, serial, time)
        VALUES (@orderNo, @kind, @value, @code, @channel, @serial, @time)`),
      revokeDiscount: db.prepare(
        `UPDATE discounts SET revoked_at = @time WHERE channel = @channel AND serial = @serial AND revoked_at IS NULL`,
      ),
      fullWaiver: db
        .prepare(
          `SELECT 1 FROM discounts WHERE order_no = ? AND kind = 'full' AND revoked_at IS NULL LIMIT 1`,
        )
        .pluck(),
      countIn: db.prepare(`SELECT area_id, count(*) n FROM orders WHERE state = 'in' GROUP BY area_id`),
      paidSince:
        db.prepare(`SELECT coalesce(sum(p.amount + p.discount), 0) s FROM payments p JOIN orders o ON o.order_no = p.order_no
        WHERE o.plate = ? AND o.plate <> '' AND p.time >= ? AND o.order_no <> ?`),
      exitedBetween: rows(
        `SELECT ${ORDER_SELECT} FROM orders WHERE state = 'out' AND exit_time >= ? AND exit_time < ? ORDER BY exit_time`,
      ),
    };
  }

  insert(o: NewOrder): void {
    this.s.insert.run({
      cardNo: null,
      holderId: null,
      bookingNo: null,
      entryLane: null,
      entryImage: null,
      ...o,
      paid: o.paid ?? 0,
      autoPay: o.autoPay ? 1 : 0,
    });
  }
  get(orderNo: string): OrderRecord | undefined {
    const r = this.s.byNo.get(orderNo) as OrderRow | undefined;
    return r && toOrder(r);
  }
  inByPlate(plate: string): OrderRecord | undefined {
    const r = this.s.inByPlate.get(plate) as OrderRow | undefined;
    return r && toOrder(r);
  }
  inByPlateKey(key: string): OrderRecord[] {
    return (this.s.inByKey.all(key) as OrderRow[]).map(toOrder);
  }
  inByCard(cardNo: string): OrderRecord | undefined {
    const r = this.s.inByCard.get(cardNo) as OrderRow | undefined;
    return r && toOrder(r);
  }
  inParkPlates(): Array<{ orderNo: string; plate: string }> {
    return (this.s.inPlates.all() as Array<{ order_no: string; plate: string }>).map((r) => ({
      orderNo: r.order_no,
      plate: r.plate,
    }));
  }
  lastByPlate(plate: string): OrderRecord | undefined {
    const r = this.s.lastByPlate.get(plate) as OrderRow | undefined;
    return r && toOrder(r);
  }
  finish(p: {
    orderNo: string;
    exitLane?: string;
    exitTime: number;
    exitImage?: string;
    totalFee: number;
    release: string;
    releaseReason?: string;
    now: number;
  }): boolean {
    return this.s.finish.run({ exitLane: null, exitImage: null, releaseReason: null, ...p }).changes === 1;
  }
  /** `time` null: money that does not start the exit grace (a booking prepayment) */
  addPaid(
    orderNo: string,
    amount: number,
    discount: number,
    minutes: number,
    time: number | null,
    now: number,
  ): void {
    this.s.addPaid.run({ orderNo, amount, discount, minutes, time, now });
  }
  addDiscount(orderNo: string, discount: number, minutes: number, now: number): void {
    this.s.addDiscount.run({ orderNo, discount, minutes, now });
  }
  setPlate(orderNo: string, plate: string, plateKey: string, now: number): void {
    this.s.setPlate.run({ orderNo, plate, plateKey, now });
  }
  setType(
    orderNo: string,
    carType: number,
    holderId: number | undefined,
    bookingNo: string | undefined,
    now: number,
  ): void {
    this.s.setType.run({ orderNo, carType, holderId: holderId ?? null, bookingNo: bookingNo ?? null, now });
  }
  setCloudPrice(orderNo: string, fee: number, at: number, by: string, now: number): void {
    prep(
      this.db,
      `UPDATE orders SET price_override = ?, price_at = ?, price_by = ?, updated_at = ? WHERE order_no = ?`,
    ).run(fee, at, by, now, orderNo);
  }
  setAutoPay(orderNo: string, autoPay: boolean, now: number): void {
    this.s.setAutoPay.run({ orderNo, autoPay: autoPay ? 1 : 0, now });
  }
  voidOrder(orderNo: string, reason: string, now: number): boolean {
    return this.s.voidOrder.run({ orderNo, reason, now }).changes === 1;
  }
  payments(orderNo: string): PaymentRecord[] {
    return (this.s.payments.all(orderNo) as PaymentRow[]).map(toPayment);
  }
  paymentBySerial(channel: string, serial: string): PaymentRecord | undefined {
    const r = this.s.paymentBySerial.get(channel, serial) as PaymentRow | undefined;
    return r && toPayment(r);
  }
  insertPayment(p: Omit<PaymentRecord, 'id'>): PaymentRecord {
    const info = this.s.insertPayment.run({ ...p, operator: p.operator ?? null });
    return { ...p, id: Number(info.lastInsertRowid) };
  }
  discountBySerial(
    channel: string,
    serial: string,
  ): { order_no: string; kind: string; value: number; revoked_at: number | null } | undefined {
    return this.s.discountBySerial.get(channel, serial) as never;
  }
  insertDiscount(d: {
    orderNo: string;
    kind: string;
    value: number;
    code?: string;
    channel: string;
    serial: string;
    time: number;
  }): void {
    this.s.insertDiscount.run({ code: null, ...d });
  }
  revokeDiscount(channel: string, serial: string, time: number): boolean {
    return this.s.revokeDiscount.run({ channel, serial, time }).changes === 1;
  }
  /** whether a discount that waives the whole fee is in force on this stay */
  hasFullWaiver(orderNo: string): boolean {
    return this.s.fullWaiver.get(orderNo) !== undefined;
  }
  countInByArea(): Map<string, number> {
    return new Map(
      (this.s.countIn.all() as Array<{ area_id: string; n: number }>).map((r) => [r.area_id, r.n]),
    );
  }
  /** money this plate paid on other stays since `since` (capAcrossVisits) */
  paidByPlateSince(plate: string, since: number, exceptOrder: string): number {
    return (this.s.paidSince.get(plate, since, exceptOrder) as { s: number }).s;
  }
  /** cash taken in [from, to), by one operator or all */
  cashTotals(from: number, to: number, operator?: string): { s: number; n: number } {
    return prep(
      this.db,
      `SELECT coalesce(sum(amount),0) s, count(*) n FROM payments WHERE channel = 'cash' AND time >= ? AND time < ? AND (? IS NULL OR operator = ?)`,
    ).get(from, to, operator ?? null, operator ?? null) as { s: number; n: number };
  }
  exitedBetween(from: number, to: number): OrderRecord[] {
    return (this.s.exitedBetween.all(from, to) as OrderRow[]).map(toOrder);
  }

  search(q: OrderSearch): Page<OrderRecord> {
    const where: string[] = [];
    const args: Record<string, unknown> = {};
    const frag = q.plate ? q.plate.replace(/[%_"]/g, '') : '';
    const byTrigram = [...frag].length >= 3;
    if (q.state) {
      // unary + keeps the planner off the state index (it matches nearly every row)
      where.push('+state = @state');
      args.state = q.state;
    }
    if (frag) {
      if (byTrigram) where.push('rowid IN (SELECT rowid FROM orders_plate_fts WHERE plate LIKE @plate)');
      else where.push('(plate LIKE @plate OR plate_key LIKE @plate)');
      args.plate = `%${frag}%`;
    }
    if (q.cardNo) {
      where.push('card_no = @cardNo');
      args.cardNo = q.cardNo;
    }
    if (q.from !== undefined) {
      where.push('entry_time >= @from');
      args.from = q.from;
    }
    if (q.to !== undefined) {
      where.push('entry_time < @to');
      args.to = q.to;
    }
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const pageSize = Math.min(Math.max(q.pageSize ?? 20, 1), 500);
    const page = Math.max(q.page ?? 1, 1);
    const total = (prep(this.db, `SELECT count(*) n FROM orders ${w}`).get(args) as { n: number }).n;
    const rows = prep(
      this.db,
      `SELECT ${ORDER_SELECT} FROM orders ${w} ORDER BY entry_time DESC LIMIT @limit OFFSET @offset`,
    )
      .raw(true)
      .all({
        ...args,
        limit: pageSize,
        offset: (page - 1) * pageSize,
      }) as OrderRow[];
    return { total, page, pageSize, rows: rows.map(toOrder) };
  }
}
