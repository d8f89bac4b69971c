// Statement cache: preparing costs more than running a small statement, and the repositories run the same
// few hundred statements for the life of the process.
import type { Db } from './db.js';
import type { Statement } from 'better-sqlite3';

const caches = new WeakMap<Db, Map<string, Statement>>();

export function prep(db: Db, sql: string): Statement {
  let c = caches.get(db);
  if (!c) caches.set(db, (c = new Map()));
  let s = c.get(sql);
  if (!s) c.set(sql, (s = db.prepare(sql)));
  return s;
}
