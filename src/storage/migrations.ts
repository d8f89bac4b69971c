// Numbered migrations; applied in order at start and by `parkedge db migrate`. Never edit a shipped one: add the next.
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE sequences (name TEXT PRIMARY KEY, value INTEGER NOT NULL);

CREATE TABLE areas (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  total INTEGER NOT NULL,
  occupied INTEGER NOT NULL DEFAULT 0,
  free_override INTEGER,
  override_at INTEGER
);

CREATE TABLE card_holders (
  id INTEGER PRIMARY KEY,
  card_no TEXT NOT NULL UNIQUE,
  name TEXT, phone TEXT,
  car_type INTEGER NOT NULL,
  valid_from INTEGER, valid_to INTEGER,
  balance INTEGER NOT NULL DEFAULT 0,
  count_left INTEGER,
  spaces INTEGER NOT NULL DEFAULT 1,
  area_id TEXT,
  remark TEXT,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
);
CREATE TABLE card_plates (
  holder_id INTEGER NOT NULL REFERENCES card_holders(id) ON DELETE CASCADE,
  plate TEXT NOT NULL,
  plate_key TEXT NOT NULL,
  PRIMARY KEY (holder_id, plate)
);
CREATE INDEX card_plates_plate ON card_plates(plate);
CREATE INDEX card_plates_key ON card_plates(plate_key);
CREATE TABLE card_transactions (
  id INTEGER PRIMARY KEY,
  holder_id INTEGER NOT NULL REFERENCES card_holders(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('recharge','deduct','renew','count')),
  amount INTEGER NOT NULL,
  detail TEXT,
  channel TEXT NOT NULL, serial TEXT NOT NULL,
  order_no TEXT,
  time INTEGER NOT NULL,
  UNIQUE (channel, serial)
);

CREATE TABLE bookings (
  booking_no TEXT PRIMARY KEY,
  plate TEXT NOT NULL, plate_key TEXT NOT NULL,
  area_id TEXT,
  start_time INTEGER NOT NULL, end_time INTEGER NOT NULL,
  multi_entry INTEGER NOT NULL DEFAULT 0,
  prepaid INTEGER NOT NULL DEFAULT 0,
  used_count INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL CHECK (state IN ('active','cancelled','done')),
  name TEXT, phone TEXT,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
);
CREATE INDEX bookings_plate ON bookings(plate, state);

CREATE TABLE orders (
  order_no TEXT PRIMARY KEY,
  plate TEXT NOT NULL,
  plate_key TEXT NOT NULL,
  plate_colour TEXT NOT NULL DEFAULT 'unknown',
  card_no TEXT,
  car_type INTEGER NOT NULL,
  holder_id INTEGER REFERENCES card_holders(id) ON DELETE SET NULL,
  booking_no TEXT REFERENCES bookings(booking_no) ON DELETE SET NULL,
  vehicle_class TEXT NOT NULL DEFAULT 'small',
  area_id TEXT NOT NULL REFERENCES areas(id),
  entry_lane TEXT, entry_time INTEGER NOT NULL, entry_image TEXT,
  exit_lane TEXT, exit_time INTEGER, exit_image TEXT,
  state TEXT NOT NULL CHECK (state IN ('in','out','void')),
  total_fee INTEGER,
  paid INTEGER NOT NULL DEFAULT 0,
  discount INTEGER NOT NULL DEFAULT 0,
  discount_minutes INTEGER NOT NULL DEFAULT 0,
  last_paid_at INTEGER,
  release TEXT, release_reason TEXT,
  auto_pay INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
);
CREATE INDEX orders_state_plate ON orders(state, plate);
CREATE INDEX orders_state_key ON orders(state, plate_key);
CREATE INDEX orders_plate_time ON orders(plate, entry_time);
CREATE INDEX orders_entry_time ON orders(entry_time);
CREATE INDEX orders_card ON orders(card_no) WHERE card_no IS NOT NULL;
CREATE INDEX orders_holder_in ON orders(holder_id) WHERE state = 'in';
CREATE UNIQUE INDEX orders_one_stay_per_plate ON orders(plate) WHERE state = 'in' AND plate <> '';

CREATE TABLE payments (
  id INTEGER PRIMARY KEY,
  order_no TEXT NOT NULL REFERENCES orders(order_no),
  channel TEXT NOT NULL,
  serial TEXT NOT NULL,
  amount INTEGER NOT NULL,
  discount INTEGER NOT NULL DEFAULT 0,
  free_minutes INTEGER NOT NULL DEFAULT 0,
  method TEXT NOT NULL,
  time INTEGER NOT NULL,
  operator TEXT,
  UNIQUE (channel, serial)
);
CREATE INDEX payments_order ON payments(order_no);
CREATE INDEX payments_time ON payments(time);

CREATE TABLE discounts (
  id INTEGER PRIMARY KEY,
  order_no TEXT NOT NULL REFERENCES orders(order_no),
  kind TEXT NOT NULL CHECK (kind IN ('money','minutes','full')),
  value INTEGER NOT NULL,
  code TEXT,
  channel TEXT NOT NULL, serial TEXT NOT NULL,
  time INTEGER NOT NULL,
  revoked_at INTEGER,
  UNIQUE (channel, serial)
);
CREATE INDEX discounts_order ON discounts(order_no);

CREATE TABLE blacklist (
  id INTEGER PRIMARY KEY,
  plate TEXT NOT NULL UNIQUE,
  plate_key TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  valid_from INTEGER, valid_to INTEGER,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
);
CREATE INDEX blacklist_key ON blacklist(plate_key);

CREATE TABLE devices (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  status TEXT NOT NULL,
  reason TEXT,
  since INTEGER NOT NULL
);

CREATE TABLE change_orders (
  change_no TEXT PRIMARY KEY,
  order_no TEXT,
  inserted INTEGER NOT NULL,
  due INTEGER NOT NULL,
  change INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending','noticed','reported')),
  serial TEXT,
  created_at INTEGER NOT NULL, noticed_at INTEGER, reported_at INTEGER
);

CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  time INTEGER NOT NULL,
  type TEXT NOT NULL,
  order_no TEXT,
  payload TEXT NOT NULL
);
CREATE INDEX events_order ON events(order_no);

CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  stream TEXT NOT NULL,
  kind TEXT NOT NULL,
  key TEXT,
  -- the event is stored once; each stream's row points at it
  event_id INTEGER NOT NULL REFERENCES events(id),
  created_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER NOT NULL,
  last_error TEXT,
  delivered_at INTEGER
);
CREATE INDEX outbox_pending ON outbox(stream, id) WHERE delivered_at IS NULL;

CREATE TABLE audit (
  id INTEGER PRIMARY KEY,
  time INTEGER NOT NULL,
  actor_kind TEXT NOT NULL,
  actor TEXT,
  action TEXT NOT NULL,
  lane_id TEXT,
  order_no TEXT,
  reason TEXT,
  detail TEXT
);
CREATE INDEX audit_time ON audit(time);

CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  display_name TEXT,
  role TEXT NOT NULL CHECK (role IN ('operator','supervisor','admin')),
  password_hash TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE TABLE sessions (
  token TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);

CREATE TABLE cloud_state (
  stream TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (stream, key)
);
`,
  },
  {
    version: 2,
    name: 'trigram index on plates for fragment search',
    // KT GetCarInOutInfoByPlate, the booth's in-park search: '%B123%' over a million stays needs an index;
    // the trigram tokenizer answers substring LIKE from it (fragments of 3 characters or more).
    sql: `
CREATE VIRTUAL TABLE orders_plate_fts USING fts5(plate, content='orders', content_rowid='rowid', tokenize='trigram');
INSERT INTO orders_plate_fts (rowid, plate) SELECT rowid, plate FROM orders;
CREATE TRIGGER orders_plate_fts_ins AFTER INSERT ON orders BEGIN
  INSERT INTO orders_plate_fts (rowid, plate) VALUES (new.rowid, new.plate);
END;
CREATE TRIGGER orders_plate_fts_del AFTER DELETE ON orders BEGIN
  INSERT INTO orders_plate_fts (orders_plate_fts, rowid, plate) VALUES ('delete', old.rowid, old.plate);
END;
CREATE TRIGGER orders_plate_fts_upd AFTER UPDATE OF plate ON orders BEGIN
  INSERT INTO orders_plate_fts (orders_plate_fts, rowid, plate) VALUES ('delete', old.rowid, old.plate);
  INSERT INTO orders_plate_fts (rowid, plate) VALUES (new.rowid, new.plate);
END;
`,
  },
  {
    version: 3,
    name: 'cloud-priced stays',
    // a lot that lets a cloud price its exits (KT AutonomousCalfee) keeps that price on the stay
    sql: `
ALTER TABLE orders ADD COLUMN price_override INTEGER;
ALTER TABLE orders ADD COLUMN price_at INTEGER;
ALTER TABLE orders ADD COLUMN price_by TEXT;
`,
  },
  {
    version: 4,
    name: 'nonces of signed requests',
    // replayed requests stay refused across a restart inside the timestamp window
    sql: `
CREATE TABLE nonces (
  scope TEXT NOT NULL,
  nonce TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (scope, nonce)
);
CREATE INDEX nonces_expiry ON nonces(expires_at);
`,
  },
];
