import type { Db } from '../db.js';
import { prep } from '../prep.js';
import type { CardHolder } from '../../site/api.js';
import { CAR_TYPE_NAME } from '../../site/api.js';
import { u } from './nulls.js';

interface Row {
  id: number;
  card_no: string;
  name: string | null;
  phone: string | null;
  car_type: number;
  valid_from: number | null;
  valid_to: number | null;
  balance: number;
  count_left: number | null;
  spaces: number;
  area_id: string | null;
  remark: string | null;
  created_at: number;
  updated_at: number;
}

export interface HolderWrite {
  cardNo: string;
  name?: string;
  phone?: string;
  carType: number;
  validFrom?: number;
  validTo?: number;
  balance: number;
  countLeft?: number;
  spaces: number;
  areaId?: string;
  remark?: string;
}

export class CardsRepo {
  private s;
  constructor(private db: Db) {
    this.s = {
      insert:
        db.prepare(`INSERT INTO card_holders (card_no, name, phone, car_type, valid_from, valid_to, balance, count_left, spaces, area_id, remark, created_at, updated_at)
        VALUES (@cardNo, @name, @phone, @carType, @validFrom, @validTo, @balance, @countLeft, @spaces, @areaId, @remark, @now, @now)`),
      update:
        db.prepare(`UPDATE card_holders SET name=@name, phone=@phone, car_type=@carType, valid_from=@validFrom, valid_to=@validTo,
        balance=@balance, count_left=@countLeft, spaces=@spaces, area_id=@areaId, remark=@remark, updated_at=@now WHERE card_no=@cardNo`),
      del: db.prepare(`DELETE FROM card_holders WHERE card_no = ?`),
      byCard: db.prepare(`SELECT * FROM card_holders WHERE card_no = ?`),
      byId: db.prepare(`SELECT * FROM card_holders WHERE id = ?`),
      plates: db.prepare(`SELECT plate FROM card_plates WHERE holder_id = ? ORDER BY plate`),
      addPlate: db.prepare(
        `INSERT OR IGNORE INTO card_plates (holder_id, plate, plate_key) VALUES (?, ?, ?)`,
      ),
      delPlate: db.prepare(`DELETE FROM card_plates WHERE holder_id = ? AND plate = ?`),
      clearPlates: db.prepare(`DELETE FROM card_plates WHERE holder_id = ?`),
      byPlate: db.prepare(
        `SELECT h.* FROM card_holders h JOIN card_plates p ON p.holder_id = h.id WHERE p.plate = ? ORDER BY h.id LIMIT 1`,
      ),
      byPlateKey: db.prepare(`SELECT h.* FROM card_holders h JOIN card_plates p ON p.holder_id = h.id
        WHERE p.plate_key = ? AND (p.plate = p.plate_key OR ? = 1) ORDER BY h.id LIMIT 1`),
      setBalance: db.prepare(`UPDATE card_holders SET balance = ?, updated_at = ? WHERE id = ?`),
      setCount: db.prepare(`UPDATE card_holders SET count_left = ?, updated_at = ? WHERE id = ?`),
      setValidTo: db.prepare(`UPDATE card_holders SET valid_to = ?, updated_at = ? WHERE id = ?`),
      tx: db.prepare(`INSERT INTO card_transactions (holder_id, kind, amount, detail, channel, serial, order_no, time)
        VALUES (@holderId, @kind, @amount, @detail, @channel, @serial, @orderNo, @time)`),
      txBySerial: db.prepare(`SELECT * FROM card_transactions WHERE channel = ? AND serial = ?`),
      inUse: db.prepare(`SELECT count(*) n FROM orders WHERE holder_id = ? AND state = 'in'`),
    };
  }
  private toHolder(r: Row): CardHolder {
    return {
      id: r.id,
      cardNo: r.card_no,
      name: u(r.name),
      phone: u(r.phone),
      carType: r.car_type,
      carTypeName: CAR_TYPE_NAME[r.car_type] ?? String(r.car_type),
      validFrom: u(r.valid_from),
      validTo: u(r.valid_to),
      balance: r.balance,
      countLeft: u(r.count_left),
      spaces: r.spaces,
      areaId: u(r.area_id),
      remark: u(r.remark),
      plates: (this.s.plates.all(r.id) as Array<{ plate: string }>).map((p) => p.plate),
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }
  private params(h: HolderWrite, now: number) {
    return {
      name: null,
      phone: null,
      validFrom: null,
      validTo: null,
      countLeft: null,
      areaId: null,
      remark: null,
      ...Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined)),
      now,
    };
  }
  insert(h: HolderWrite, now: number): number {
    return Number(this.s.insert.run(this.params(h, now)).lastInsertRowid);
  }
  update(h: HolderWrite, now: number): boolean {
    return this.s.update.run(this.params(h, now)).changes === 1;
  }
  delete(cardNo: string): boolean {
    return this.s.del.run(cardNo).changes === 1;
  }
  byCard(cardNo: string): CardHolder | undefined {
    const r = this.s.byCard.get(cardNo) as Row | undefined;
    return r && this.toHolder(r);
  }
  byId(id: number): CardHolder | undefined {
    const r = this.s.byId.get(id) as Row | undefined;
    return r && this.toHolder(r);
  }
  /** exact plate first; then by plate without province (KT stores many holders that way) */
  byPlate(plate: string, plateKey: string): CardHolder | undefined {
    const r = (this.s.byPlate.get(plate) ?? this.s.byPlateKey.get(plateKey, 0)) as Row | undefined;
    return r && this.toHolder(r);
  }
  setPlates(holderId: number, plates: Array<{ plate: string; key: string }>): void {
    this.s.clearPlates.run(holderId);
    for (const p of plates) this.s.addPlate.run(holderId, p.plate, p.key);
  }
  addPlate(holderId: number, plate: string, key: string): void {
    this.s.addPlate.run(holderId, plate, key);
  }
  removePlate(holderId: number, plate: string): boolean {
    return this.s.delPlate.run(holderId, plate).changes === 1;
  }
  setBalance(id: number, balance: number, now: number): void {
    this.s.setBalance.run(balance, now, id);
  }
  setCount(id: number, count: number, now: number): void {
    this.s.setCount.run(count, now, id);
  }
  setValidTo(id: number, validTo: number, now: number): void {
    this.s.setValidTo.run(validTo, now, id);
  }
  transaction(t: {
    holderId: number;
    kind: string;
    amount: number;
    detail?: string;
    channel: string;
    serial: string;
    orderNo?: string;
    time: number;
  }): void {
    this.s.tx.run({ detail: null, orderNo: null, ...t });
  }
  transactionBySerial(channel: string, serial: string): { holder_id: number; amount: number } | undefined {
    return this.s.txBySerial.get(channel, serial) as never;
  }
  staysInPark(holderId: number): number {
    return (this.s.inUse.get(holderId) as { n: number }).n;
  }
  list(q: { plate?: string; cardNo?: string; carType?: number; page?: number; pageSize?: number }): {
    total: number;
    rows: CardHolder[];
  } {
    const where: string[] = [];
    const args: Record<string, unknown> = {};
    if (q.cardNo) {
      where.push('h.card_no = @cardNo');
      args.cardNo = q.cardNo;
    }
    if (q.carType !== undefined) {
      where.push('h.car_type = @carType');
      args.carType = q.carType;
    }
    if (q.plate) {
      where.push(
        'h.id IN (SELECT holder_id FROM card_plates WHERE plate LIKE @plate OR plate_key LIKE @plate)',
      );
      args.plate = `%${q.plate}%`;
    }
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const pageSize = Math.min(Math.max(q.pageSize ?? 20, 1), 500);
    const page = Math.max(q.page ?? 1, 1);
    const total = (prep(this.db, `SELECT count(*) n FROM card_holders h ${w}`).get(args) as { n: number }).n;
    const rows = prep(this.db, `SELECT h.* FROM card_holders h ${w} ORDER BY h.id LIMIT @l OFFSET @o`).all({
      ...args,
      l: pageSize,
      o: (page - 1) * pageSize,
    }) as Row[];
    return { total, rows: rows.map((r) => this.toHolder(r)) };
  }
}
