// Booth staff accounts and their sessions. Password hashing lives in booth/, not here: storage keeps the hash text.
import type { Db } from '../db.js';
import { prep } from '../prep.js';

export type Role = 'operator' | 'supervisor' | 'admin';
export interface User {
  id: number;
  username: string;
  displayName?: string;
  role: Role;
  passwordHash: string;
  disabled: boolean;
  createdAt: number;
}
const map = (r: any): User => ({
  id: r.id,
  username: r.username,
  displayName: r.display_name ?? undefined,
  role: r.role,
  passwordHash: r.password_hash,
  disabled: r.disabled === 1,
  createdAt: r.created_at,
});

export class UsersRepo {
  constructor(private db: Db) {}
  add(u: { username: string; displayName?: string; role: Role; passwordHash: string }, now: number): number {
    return Number(
      prep(
        this.db,
        `INSERT INTO users (username, display_name, role, password_hash, created_at) VALUES (?,?,?,?,?)`,
      ).run(u.username, u.displayName ?? null, u.role, u.passwordHash, now).lastInsertRowid,
    );
  }
  byName(username: string): User | undefined {
    const r = prep(this.db, `SELECT * FROM users WHERE username = ?`).get(username);
    return r ? map(r) : undefined;
  }
  byId(id: number): User | undefined {
    const r = prep(this.db, `SELECT * FROM users WHERE id = ?`).get(id);
    return r ? map(r) : undefined;
  }
  list(): User[] {
    return (prep(this.db, `SELECT * FROM users ORDER BY id`).all() as any[]).map(map);
  }
  setPassword(id: number, hash: string): void {
    prep(this.db, `UPDATE users SET password_hash = ? WHERE id = ?`).run(hash, id);
  }
  setDisabled(id: number, disabled: boolean): void {
    prep(this.db, `UPDATE users SET disabled = ? WHERE id = ?`).run(disabled ? 1 : 0, id);
  }
  createSession(token: string, userId: number, now: number, expiresAt: number): void {
    prep(this.db, `INSERT INTO sessions (token, user_id, created_at, expires_at) VALUES (?,?,?,?)`).run(
      token,
      userId,
      now,
      expiresAt,
    );
  }
  session(token: string, now: number): User | undefined {
    const r = prep(
      this.db,
      `SELECT u.* FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token = ? AND s.expires_at > ? AND u.disabled = 0`,
    ).get(token, now);
    return r ? map(r) : undefined;
  }
  touchSession(token: string, expiresAt: number): void {
    prep(this.db, `UPDATE sessions SET expires_at = ? WHERE token = ?`).run(expiresAt, token);
  }
  deleteSession(token: string): void {
    prep(this.db, `DELETE FROM sessions WHERE token = ?`).run(token);
  }
  pruneSessions(now: number): void {
    prep(this.db, `DELETE FROM sessions WHERE expires_at <= ?`).run(now);
  }
}
