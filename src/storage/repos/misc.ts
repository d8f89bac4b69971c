// Small aggregates: blacklist, bookings, areas, devices, change orders, audit, domain events, sequences, cloud state.
import type { Db } from '../db.js';
import { prep } from '../prep.js';
import type { AreaSpaces, BlacklistEntry, Booking, ChangeOrder } from '../../site/api.js';
import { u } from './nulls.js';

export class BlacklistRepo {
  constructor(private db: Db) {}
  private map = (r: any): BlacklistEntry => ({
    id: r.id,
    plate: r.plate,
    reason: r.reason,
    validFrom: u(r.valid_from),
    validTo: u(r.valid_to),
    createdAt: r.created_at,
  });
  upsert(
    e: { plate: string; key: string; reason: string; validFrom?: number; validTo?: number },
    now: number,
  ): void {
    prep(
      this.db,
      `INSERT INTO blacklist (plate, plate_key, reason, valid_from, valid_to, created_at, updated_at) VALUES (?,?,?,?,?,?,?)
        ON CONFLICT(plate) DO UPDATE SET reason=excluded.reason, valid_from=excluded.valid_from, valid_to=excluded.valid_to, updated_at=excluded.updated_at`,
    ).run(e.plate, e.key, e.reason, e.validFrom ?? null, e.validTo ?? null, now, now);
  }
  delete(plate: string): boolean {
    return prep(this.db, `DELETE FROM blacklist WHERE plate = ?`).run(plate).changes === 1;
  }
  get(plate: string): BlacklistEntry | undefined {
    const r = prep(this.db, `SELECT * FROM blacklist WHERE plate = ?`).get(plate);
    return r ? this.map(r) : undefined;
  }
  /** active entry for this plate (exact, or stored without province) at `at` */
  active(plate: string, key: string, at: number): BlacklistEntry | undefined {
    const r = prep(
      this.db,
      `SELECT * FROM blacklist WHERE (plate = ? OR (plate = plate_key AND plate_key = ?))
        AND (valid_from IS NULL OR valid_from <= ?) AND (valid_to IS NULL OR valid_to > ?) LIMIT 1`,
    ).get(plate, key, at, at);
    return r ? this.map(r) : undefined;
  }
  list(plate?: string): BlacklistEntry[] {
    const rows = plate
      ? prep(this.db, `SELECT * FROM blacklist WHERE plate LIKE ? ORDER BY id`).all(`%${plate}%`)
      : prep(this.db, `SELECT * FROM blacklist ORDER BY id`).all();
    return rows.map(this.map);
  }
}

export class BookingsRepo {
  constructor(private db: Db) {}
  private map = (r: any): Booking => ({
    bookingNo: r.booking_no,
    plate: r.plate,
    areaId: u(r.area_id),
    start: r.start_time,
    end: r.end_time,
    multiEntry: r.multi_entry === 1,
    prepaid: r.prepaid,
    usedCount: r.used_count,
    state: r.state,
    name: u(r.name),
    phone: u(r.phone),
  });
  insert(b: Omit<Booking, 'usedCount' | 'state'> & { key: string }, now: number): void {
    prep(
      this.db,
      `INSERT INTO bookings (booking_no, plate, plate_key, area_id, start_time, end_time, multi_entry, prepaid, state, name, phone, created_at, updated_at)
        VALUES (?,?,?,?,?,?,?,?,'active',?,?,?,?)`,
    ).run(
      b.bookingNo,
      b.plate,
      b.key,
      b.areaId ?? null,
      b.start,
      b.end,
      b.multiEntry ? 1 : 0,
      b.prepaid,
      b.name ?? null,
      b.phone ?? null,
      now,
      now,
    );
  }
  update(b: Omit<Booking, 'usedCount' | 'state'> & { key: string }, now: number): boolean {
    return (
      prep(
        this.db,
        `UPDATE bookings SET plate=?, plate_key=?, area_id=?, start_time=?, end_time=?, multi_entry=?, prepaid=?, name=?, phone=?, updated_at=?
          WHERE booking_no = ? AND state = 'active'`,
      ).run(
        b.plate,
        b.key,
        b.areaId ?? null,
        b.start,
        b.end,
        b.multiEntry ? 1 : 0,
        b.prepaid,
        b.name ?? null,
        b.phone ?? null,
        now,
        b.bookingNo,
      ).changes === 1
    );
  }
  setState(bookingNo: string, state: Booking['state'], now: number): boolean {
    return (
      prep(this.db, `UPDATE bookings SET state = ?, updated_at = ? WHERE booking_no = ?`).run(
        state,
        now,
        bookingNo,
      ).changes === 1
    );
  }
  use(bookingNo: string, now: number): void {
    prep(
      this.db,
      `UPDATE bookings SET used_count = used_count + 1, state = CASE WHEN multi_entry = 1 THEN state ELSE 'done' END, updated_at = ? WHERE booking_no = ?`,
    ).run(now, bookingNo);
  }
  get(bookingNo: string): Booking | undefined {
    const r = prep(this.db, `SELECT * FROM bookings WHERE booking_no = ?`).get(bookingNo);
    return r ? this.map(r) : undefined;
  }
  /** an active booking of this plate whose window contains `at` */
  activeFor(plate: string, key: string, at: number): Booking | undefined {
    const r = prep(
      this.db,
      `SELECT * FROM bookings WHERE (plate = ? OR (plate = plate_key AND plate_key = ?)) AND state = 'active'
        AND start_time <= ? AND end_time > ? ORDER BY start_time LIMIT 1`,
    ).get(plate, key, at, at);
    return r ? this.map(r) : undefined;
  }
  list(plate?: string): Booking[] {
    const rows = plate
      ? prep(
          this.db,
          `SELECT * FROM bookings WHERE plate LIKE ? OR plate_key LIKE ? ORDER BY start_time DESC`,
        ).all(`%${plate}%`, `%${plate}%`)
      : prep(this.db, `SELECT * FROM bookings ORDER BY start_time DESC LIMIT 500`).all();
    return rows.map(this.map);
  }
}

export class AreasRepo {
  constructor(private db: Db) {}
  /** make the table match the config: new areas added, totals and names refreshed */
  sync(areas: Array<{ id: string; name: string; spaces: number }>): void {
    const st = prep(
      this.db,
      `INSERT INTO areas (id, name, total) VALUES (?,?,?) ON CONFLICT(id) DO UPDATE SET name=excluded.name, total=excluded.total`,
    );
    for (const a of areas) st.run(a.id, a.name, a.spaces);
  }
  setOccupied(id: string, occupied: number): void {
    prep(this.db, `UPDATE areas SET occupied = ? WHERE id = ?`).run(occupied, id);
  }
  bump(id: string, delta: number): void {
    prep(this.db, `UPDATE areas SET occupied = max(0, occupied + ?) WHERE id = ?`).run(delta, id);
  }
  setOverride(id: string, free: number | null, at: number): boolean {
    return (
      prep(this.db, `UPDATE areas SET free_override = ?, override_at = ? WHERE id = ?`).run(free, at, id)
        .changes === 1
    );
  }
  all(): AreaSpaces[] {
    return (prep(this.db, `SELECT * FROM areas ORDER BY rowid`).all() as any[]).map((r) => ({
      id: r.id,
      name: r.name,
      total: r.total,
      occupied: r.occupied,
      override: r.free_override,
      free: r.free_override ?? Math.max(0, r.total - r.occupied),
    }));
  }
}

export class DevicesRepo {
  constructor(private db: Db) {}
  record(id: string, type: string, status: string, reason: string | undefined, since: number): void {
    prep(
      this.db,
      `INSERT INTO devices (id, type, status, reason, since) VALUES (?,?,?,?,?)
        ON CONFLICT(id) DO UPDATE SET type=excluded.type, status=excluded.status, reason=excluded.reason, since=excluded.since`,
    ).run(id, type, status, reason ?? null, since);
  }
  all(): Array<{ id: string; type: string; status: string; reason?: string; since: number }> {
    return (prep(this.db, `SELECT * FROM devices ORDER BY id`).all() as any[]).map((r) => ({
      ...r,
      reason: u(r.reason),
    }));
  }
}

export class ChangeOrdersRepo {
  constructor(private db: Db) {}
  private map = (r: any): ChangeOrder => ({
    changeNo: r.change_no,
    orderNo: u(r.order_no),
    inserted: r.inserted,
    due: r.due,
    change: r.change,
    state: r.state,
    createdAt: r.created_at,
    noticedAt: u(r.noticed_at),
    reportedAt: u(r.reported_at),
    serial: u(r.serial),
  });
  insert(
    c: { changeNo: string; orderNo?: string; inserted: number; due: number; change: number },
    now: number,
  ): void {
    prep(
      this.db,
      `INSERT INTO change_orders (change_no, order_no, inserted, due, change, state, created_at) VALUES (?,?,?,?,?,'pending',?)`,
    ).run(c.changeNo, c.orderNo ?? null, c.inserted, c.due, c.change, now);
  }
  get(changeNo: string): ChangeOrder | undefined {
    const r = prep(this.db, `SELECT * FROM change_orders WHERE change_no = ?`).get(changeNo);
    return r ? this.map(r) : undefined;
  }
  /** change orders created in [from, to), plus every one still pending */
  list(from: number, to: number): ChangeOrder[] {
    return (
      prep(
        this.db,
        `SELECT * FROM change_orders WHERE (created_at >= ? AND created_at < ?) OR state = 'pending' ORDER BY created_at, change_no`,
      ).all(from, to) as any[]
    ).map(this.map);
  }
  mark(changeNo: string, state: 'noticed' | 'reported', at: number, serial?: string): void {
    const col = state === 'noticed' ? 'noticed_at' : 'reported_at';
    prep(
      this.db,
      `UPDATE change_orders SET state = ?, ${col} = ?, serial = coalesce(?, serial) WHERE change_no = ?`,
    ).run(state, at, serial ?? null, changeNo);
  }
}

export class AuditRepo {
  constructor(private db: Db) {}
  add(a: {
    time: number;
    actorKind: string;
    actor?: string;
    action: string;
    laneId?: string;
    orderNo?: string;
    reason?: string;
    detail?: unknown;
  }): void {
    prep(
      this.db,
      `INSERT INTO audit (time, actor_kind, actor, action, lane_id, order_no, reason, detail) VALUES (?,?,?,?,?,?,?,?)`,
    ).run(
      a.time,
      a.actorKind,
      a.actor ?? null,
      a.action,
      a.laneId ?? null,
      a.orderNo ?? null,
      a.reason ?? null,
      a.detail === undefined ? null : JSON.stringify(a.detail),
    );
  }
  between(
    from: number,
    to: number,
    actor?: string,
  ): Array<{
    time: number;
    actorKind: string;
    actor?: string;
    action: string;
    laneId?: string;
    orderNo?: string;
    reason?: string;
    detail?: any;
  }> {
    const rows = (
      actor
        ? prep(this.db, `SELECT * FROM audit WHERE time >= ? AND time < ? AND actor = ? ORDER BY id`).all(
            from,
            to,
            actor,
          )
        : prep(this.db, `SELECT * FROM audit WHERE time >= ? AND time < ? ORDER BY id`).all(from, to)
    ) as any[];
    return rows.map((r) => ({
      time: r.time,
      actorKind: r.actor_kind,
      actor: u(r.actor),
      action: r.action,
      laneId: u(r.lane_id),
      orderNo: u(r.order_no),
      reason: u(r.reason),
      detail: r.detail ? JSON.parse(r.detail) : undefined,
    }));
  }
}

export class EventsRepo {
  constructor(private db: Db) {}
  add(e: { time: number; type: string; orderNo?: string; payload: unknown }): number {
    return Number(
      prep(this.db, `INSERT INTO events (time, type, order_no, payload) VALUES (?,?,?,?)`).run(
        e.time,
        e.type,
        e.orderNo ?? null,
        JSON.stringify(e.payload),
      ).lastInsertRowid,
    );
  }
  forOrder(orderNo: string): Array<{ id: number; time: number; type: string; payload: any }> {
    return (prep(this.db, `SELECT * FROM events WHERE order_no = ? ORDER BY id`).all(orderNo) as any[]).map(
      (r) => ({ ...r, payload: JSON.parse(r.payload) }),
    );
  }
}

export class SequencesRepo {
  constructor(private db: Db) {}
  /** next value of a named counter; never returns the same value twice for the life of the file */
  next(name: string): number {
    const r = prep(
      this.db,
      `INSERT INTO sequences (name, value) VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value`,
    ).get(name) as { value: number };
    return r.value;
  }
}

export class CloudStateRepo {
  constructor(private db: Db) {}
  get(stream: string, key: string): string | undefined {
    return (
      prep(this.db, `SELECT value FROM cloud_state WHERE stream = ? AND key = ?`).get(stream, key) as
        { value: string } | undefined
    )?.value;
  }
  set(stream: string, key: string, value: string): void {
    prep(
      this.db,
      `INSERT INTO cloud_state (stream, key, value) VALUES (?,?,?) ON CONFLICT(stream, key) DO UPDATE SET value = excluded.value`,
    ).run(stream, key, value);
  }
}

export class NoncesRepo {
  constructor(private db: Db) {}
  /** Record a nonce; false when it is already recorded and not yet expired. */
  use(scope: string, nonce: string, now: number, expiresAt: number): boolean {
    if (Math.random() < 0.01) prep(this.db, `DELETE FROM nonces WHERE expires_at < ?`).run(now);
    const taken = prep(this.db, `SELECT expires_at FROM nonces WHERE scope = ? AND nonce = ?`).get(
      scope,
      nonce,
    ) as { expires_at: number } | undefined;
    if (taken && taken.expires_at >= now) return false;
    prep(this.db, `INSERT OR REPLACE INTO nonces (scope, nonce, expires_at) VALUES (?,?,?)`).run(
      scope,
      nonce,
      expiresAt,
    );
    return true;
  }
}
