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

  constructor(readonly db: Db) {
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
  }

  /** Open (creating if needed) and migrate. */
  static open(file: string): Store {
    const db = openDb(file);
    migrate(db);
    return new Store(db);
  }

  /** Run fn in one transaction (IMMEDIATE: writers queue instead of failing on upgrade). */
  tx<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
