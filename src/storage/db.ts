// One SQLite file per lot. WAL + synchronous=FULL: a reply that says "paid" must survive a power cut.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

export function openDb(file: string, opts: { readonly?: boolean } = {}): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, { readonly: opts.readonly ?? false });
  if (!opts.readonly) db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // savepoint journals and sorter spills stay in memory instead of temp files
  db.pragma('temp_store = MEMORY');
  // a lot keeps a million stays: a 2 MB page cache (the default) sends every index lookup to pread();
  // 64 MB of cache and memory-mapped reads keep the hot pages of the lookups in memory
  db.pragma('cache_size = -65536');
  db.pragma('mmap_size = 268435456');
  return db;
}

export interface MigrateResult {
  from: number;
  to: number;
  applied: number[];
}

/** Apply every migration newer than PRAGMA user_version, each in its own transaction. Idempotent. */
export function migrate(db: Db): MigrateResult {
  const from = db.pragma('user_version', { simple: true }) as number;
  const applied: number[] = [];
  for (const m of MIGRATIONS) {
    if (m.version <= from) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
    applied.push(m.version);
  }
  return { from, to: db.pragma('user_version', { simple: true }) as number, applied };
}

/** SQLite online backup: consistent while the daemon keeps writing. */
export async function backup(db: Db, target: string): Promise<void> {
  mkdirSync(dirname(target), { recursive: true });
  await db.backup(target);
}

export function integrityCheck(db: Db): string {
  return db.pragma('integrity_check', { simple: true }) as string;
}
