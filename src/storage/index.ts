// The store: one SQLite handle and one repository per aggregate. Nothing outside storage/ writes SQL.
import { openDb, migrate, type Db } from './db.js';
import { OrdersRepo } from './repos/orders.js';
import { CardsRepo } from './repos/cards.js';
import { OutboxRepo } from './repos/outbox.js';
import { UsersRepo } from './repos/users.js';
import {
  AreasRepo,
  AuditRepo,
  BlacklistRepo,
  BookingsRepo,
  ChangeOrdersRepo,
  CloudStateRepo,
  DevicesRepo,
  EventsRepo,
  NoncesRepo,
  SequencesRepo,
} from './repos/misc.js';

export { openDb, migrate, backup, integrityCheck, type Db } from './db.js';
export type { OutboxRow } from './repos/outbox.js';
export type { User, Role } from './repos/users.js';

export class Store {
  readonly orders: OrdersRepo;
  readonly cards: CardsRepo;
  readonly blacklist: BlacklistRepo;
  readonly bookings: BookingsRepo;
  readonly areas: AreasRepo;
  readonly devices: DevicesRepo;
  readonly changeOrders: ChangeOrdersRepo;
  readonly outbox: OutboxRepo;
  readonly audit: AuditRepo;
  readonly events: EventsRepo;
  readonly sequences: SequencesRepo;
  readonly cloudState: CloudStateRepo;
  readonly users: UsersRepo;
  readonly nonces: NoncesRepo;

  // one wrapper for every use-case: better-sqlite3 prepares BEGIN/SAVEPOINT statements per wrapper
  private readonly runTx: ((fn: () => unknown) => unknown) & { immediate(fn: () => unknown): unknown };

  constructor(readonly db: Db) {
    this.runTx = db.transaction((fn: () => unknown) => fn()) as never;
    this.orders = new OrdersRepo(db);
    this.cards = new CardsRepo(db);
    this.blacklist = new BlacklistRepo(db);
    this.bookings = new BookingsRepo(db);
    this.areas = new AreasRepo(db);
    this.devices = new DevicesRepo(db);
    this.changeOrders = new ChangeOrdersRepo(db);
    this.outbox = new OutboxRepo(db);
    this.audit = new AuditRepo(db);
    this.events = new EventsRepo(db);
    this.sequences = new SequencesRepo(db);
    this.cloudState = new CloudStateRepo(db);
    this.users = new UsersRepo(db);
    this.nonces = new NoncesRepo(db);
  }

  /** Open (creating if needed) and migrate. */
  static open(file: string): Store {
    const db = openDb(file);
    migrate(db);
    return new Store(db);
  }

  /**
   * Group commit. Off: every tx() is its own fsync'd transaction. On (the daemon): tx() runs in a SAVEPOINT
   * of a batch transaction that commits once at the end of the current event-loop turn, so 16 lanes and a
   * few clouds share one fsync. Nothing is acknowledged before its batch commits: callers `await durable()`
   * before they answer, and after-commit work (publishing events) runs only once the COMMIT succeeded.
   */
  groupCommit = false;
  private batchOpen = false;
  private waiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  private afterCommit: Array<() => void> = [];

  /** Run fn atomically: its own transaction, or its own savepoint inside the open batch. */
  tx<T>(fn: () => T): T {
    if (!this.groupCommit) return this.runTx.immediate(fn) as T;
    if (!this.db.inTransaction) {
      this.db.exec('BEGIN IMMEDIATE');
      this.batchOpen = true;
      setImmediate(() => this.flush());
    }
    return this.runTx(fn) as T;
  }

  /** Run cb once what has been written so far is committed (now, when nothing is pending). */
  onCommit(cb: () => void): void {
    if (this.batchOpen) this.afterCommit.push(cb);
    else cb();
  }

  /** Resolves when everything written so far is on disk; rejects if that commit failed. */
  durable(): Promise<void> {
    if (!this.batchOpen) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Commit the open batch (at the end of each event-loop turn, and before close). */
  flush(): void {
    if (!this.batchOpen) return;
    this.batchOpen = false;
    const waiters = this.waiters;
    const after = this.afterCommit;
    this.waiters = [];
    this.afterCommit = [];
    try {
      this.db.exec('COMMIT');
    } catch (e) {
      try {
        this.db.exec('ROLLBACK');
      } catch {}
      for (const w of waiters) w.reject(e as Error);
      return;
    }
    for (const cb of after) cb();
    for (const w of waiters) w.resolve();
  }

  close(): void {
    this.flush();
    if (this.db.open) this.db.close();
  }
}
