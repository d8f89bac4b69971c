// The transactional outbox: rows are written by site use-cases in their own transaction and drained by uplink/.
import type { Db } from '../db.js';

export interface OutboxRow {
  id: number;
  stream: string;
  kind: string;
  key: string | null;
  payload: unknown;
  createdAt: number;
  attempts: number;
  nextAt: number;
  lastError?: string;
}

export class OutboxRepo {
  private s;
  constructor(private db: Db) {
    this.s = {
      add: db.prepare(
        `INSERT INTO outbox (stream, kind, key, event_id, created_at, next_at) VALUES (?,?,?,?,?,?)`,
      ),
      // Per-car order: a row is due only when no older undelivered row of the same key exists.
      due: db.prepare(`SELECT o.*, e.payload FROM outbox o JOIN events e ON e.id = o.event_id WHERE o.stream = @stream AND o.delivered_at IS NULL AND o.next_at <= @now
        AND (o.key IS NULL OR NOT EXISTS (SELECT 1 FROM outbox p WHERE p.stream = o.stream AND p.key = o.key AND p.delivered_at IS NULL AND p.id < o.id))
        ORDER BY o.id LIMIT @limit`),
      delivered: db.prepare(
        `UPDATE outbox SET delivered_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ? AND delivered_at IS NULL`,
      ),
      failed: db.prepare(
        `UPDATE outbox SET attempts = attempts + 1, next_at = ?, last_error = ? WHERE id = ?`,
      ),
      backlog: db.prepare(
        `SELECT stream, count(*) n, min(created_at) oldest FROM outbox WHERE delivered_at IS NULL GROUP BY stream`,
      ),
      nextDue: db.prepare(`SELECT min(next_at) t FROM outbox WHERE stream = ? AND delivered_at IS NULL`),
      prune: db.prepare(`DELETE FROM outbox WHERE delivered_at IS NOT NULL AND delivered_at < ?`),
    };
  }
  /** Queue an already recorded event (events.id) for a stream. */
  add(stream: string, kind: string, key: string | undefined, eventId: number, now: number): number {
    return Number(this.s.add.run(stream, kind, key ?? null, eventId, now, now).lastInsertRowid);
  }
  due(stream: string, now: number, limit = 100): OutboxRow[] {
    return (this.s.due.all({ stream, now, limit }) as any[]).map((r) => ({
      id: r.id,
      stream: r.stream,
      kind: r.kind,
      key: r.key,
      payload: JSON.parse(r.payload),
      createdAt: r.created_at,
      attempts: r.attempts,
      nextAt: r.next_at,
      lastError: r.last_error ?? undefined,
    }));
  }
  markDelivered(id: number, now: number): boolean {
    return this.s.delivered.run(now, id).changes === 1;
  }
  markFailed(id: number, nextAt: number, error: string): void {
    this.s.failed.run(nextAt, error.slice(0, 500), id);
  }
  backlog(): Array<{ stream: string; n: number; oldest: number }> {
    return this.s.backlog.all() as never;
  }
  nextDueAt(stream: string): number | undefined {
    return (this.s.nextDue.get(stream) as { t: number | null }).t ?? undefined;
  }
  prune(before: number): number {
    return this.s.prune.run(before).changes;
  }
}
