// Stays, their payments and discounts: one aggregate, because a payment never exists without its stay.
import type { Db } from '../db.js';
import { prep } from '../prep.js';
import type { OrderRecord, PaymentRecord, OrderSearch, Page } from '../../site/api.js';
import { CAR_TYPE_NAME } from '../../site/api.js';

interface OrderRow {
  order_no: string;
  plate: string;
  plate_key: string;
  plate_colour: string;
  card_no: string | null;
  car_type: number;
  holder_id: number | null;
  booking_no: string | null;
  vehicle_class: string;
  area_id: string;
  entry_lane: string | null;
  entry_time: number;
  entry_image: string | null;
  exit_lane: string | null;
  exit_time: number | null;
  exit_image: string | null;
  state: string;
  total_fee: number | null;
  paid: number;
  discount: number;
  discount_minutes: number;
  last_paid_at: number | null;
  release: string | null;
  release_reason: string | null;
  auto_pay: number;
  price_override: number | null;
  price_at: number | null;
  price_by: string | null;
}

const u = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

function toOrder(r: OrderRow): OrderRecord {
  return {
    orderNo: r.order_no,
    plate: r.plate,
    plateColour: r.plate_colour as OrderRecord['plateColour'],
    cardNo: u(r.card_no),
    carType: r.car_type,
    carTypeName: CAR_TYPE_NAME[r.car_type] ?? String(r.car_type),
    holderId: u(r.holder_id),
    bookingNo: u(r.booking_no),
    vehicleClass: r.vehicle_class as 'small' | 'large',
    areaId: r.area_id,
    entryLane: u(r.entry_lane),
    entryTime: r.entry_time,
    entryImage: u(r.entry_image),
    exitLane: u(r.exit_lane),
    exitTime: u(r.exit_time),
    exitImage: u(r.exit_image),
    state: r.state as OrderRecord['state'],
    totalFee: u(r.total_fee),
    paid: r.paid,
    discount: r.discount,
    discountMinutes: r.discount_minutes,
    lastPaidAt: u(r.last_paid_at),
    release: u(r.release) as OrderRecord['release'],
    releaseReason: u(r.release_reason),
    autoPay: r.auto_pay === 1,
    cloudPrice:
      r.price_override === null
        ? undefined
        : { fee: r.price_override, at: r.price_at ?? 0, by: r.price_by ?? '' },
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
    this.s = {
      insert:
        db.prepare(`INSERT INTO orders (order_no, plate, plate_key, plate_colour, card_no, car_type, holder_id, booking_no,
        vehicle_class, area_id, entry_lane, entry_time, entry_image, state, paid, auto_pay, created_at, updated_at)
        VALUES (@orderNo, @plate, @plateKey, @plateColour, @cardNo, @carType, @holderId, @bookingNo, @vehicleClass, @areaId,
        @entryLane, @entryTime, @entryImage, 'in', @paid, @autoPay, @now, @now)`),
      byNo: db.prepare(`SELECT * FROM orders WHERE order_no = ?`),
      inByPlate: db.prepare(`SELECT * FROM orders WHERE state = 'in' AND plate = ?`),
      inByKey: db.prepare(
        `SELECT * FROM orders WHERE state = 'in' AND plate_key = ? ORDER BY entry_time DESC`,
      ),
      inByCard: db.prepare(
        `SELECT * FROM orders WHERE state = 'in' AND card_no = ? ORDER BY entry_time DESC LIMIT 1`,
      ),
      inPlates: db.prepare(`SELECT order_no, plate FROM orders WHERE state = 'in' AND plate <> ''`),
      lastByPlate: db.prepare(`SELECT * FROM orders WHERE plate = ? ORDER BY entry_time DESC LIMIT 1`),
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
      activeDiscounts: db.prepare(
        `SELECT * FROM discounts WHERE order_no = ? AND revoked_at IS NULL ORDER BY id`,
      ),
      countIn: db.prepare(`SELECT area_id, count(*) n FROM orders WHERE state = 'in' GROUP BY area_id`),
      paidSince:
        db.prepare(`SELECT coalesce(sum(p.amount + p.discount), 0) s FROM payments p JOIN orders o ON o.order_no = p.order_no
        WHERE o.plate = ? AND o.plate <> '' AND p.time >= ? AND o.order_no <> ?`),
      exitedBetween: db.prepare(
        `SELECT * FROM orders WHERE state = 'out' AND exit_time >= ? AND exit_time < ? ORDER BY exit_time`,
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
  activeDiscounts(orderNo: string): Array<{ kind: string; value: number; channel: string; serial: string }> {
    return this.s.activeDiscounts.all(orderNo) as never;
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
      `SELECT * FROM orders ${w} ORDER BY entry_time DESC LIMIT @limit OFFSET @offset`,
    ).all({
      ...args,
      limit: pageSize,
      offset: (page - 1) * pageSize,
    }) as OrderRow[];
    return { total, page, pageSize, rows: rows.map(toOrder) };
  }
}
