// Booth staff accounts and sessions. Users and sessions are booth-owned data kept through UsersRepo;
// the hashing and the session rules live here so the repository only ever sees hashes.
import {
  createHash,
  randomBytes,
  scrypt as scryptCb,
  timingSafeEqual,
  type ScryptOptions,
} from 'node:crypto';
import type { Site } from '../site/site.js';
import type { Role, User } from '../storage/index.js';
import { SiteError } from '../site/api.js';

export type { Role } from '../storage/index.js';
export const ROLES: readonly Role[] = ['operator', 'supervisor', 'admin'];
export const ROLE_NAME: Record<Role, string> = {
  operator: '收费员',
  supervisor: '值班主管',
  admin: '管理员',
};
const RANK: Record<Role, number> = { operator: 0, supervisor: 1, admin: 2 };

/** What leaves this module about a user: never the hash. */
export interface PublicUser {
  id: number;
  username: string;
  displayName?: string;
  role: Role;
  disabled: boolean;
  createdAt: number;
}

export function atLeast(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}

const publicUser = (u: User): PublicUser => ({
  id: u.id,
  username: u.username,
  displayName: u.displayName,
  role: u.role,
  disabled: u.disabled,
  createdAt: u.createdAt,
});

// N=2^14 keeps a login under ~100 ms on the two-core booth boxes while still costing an attacker real memory.
const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 } as const;
const USERNAME = /^[A-Za-z0-9_.-]{1,32}$/;
export const MIN_PASSWORD = 6;

function scrypt(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** `scrypt$N$r$p$salt$hash` (base64url): the parameters travel with the hash so they can be raised later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, SCRYPT.keylen, {
    N: SCRYPT.N,
    r: SCRYPT.r,
    p: SCRYPT.p,
    maxmem: 64 * 1024 * 1024,
  });
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join(
    '$',
  );
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  const salt = Buffer.from(parts[4], 'base64url');
  const want = Buffer.from(parts[5], 'base64url');
  if (!N || !r || !p || want.length === 0) return false;
  const got = await scrypt(password, salt, want.length, { N, r, p, maxmem: 256 * 1024 * 1024 });
  return timingSafeEqual(got, want);
}

// A fixed hash to verify against when the user does not exist, so the answer time does not reveal user names.
let dummyHash: Promise<string> | undefined;

function validateNew(input: { username: string; password: string; role: Role }): void {
  if (!USERNAME.test(input.username))
    throw new SiteError('invalid', '用户名只能包含字母、数字和 _ . -，最长 32 个字符');
  if (!ROLES.includes(input.role)) throw new SiteError('invalid', `角色无效: ${input.role}`);
  checkPassword(input.password);
}
function checkPassword(password: string): void {
  if (typeof password !== 'string' || password.length < MIN_PASSWORD)
    throw new SiteError('invalid', `密码至少 ${MIN_PASSWORD} 位`);
  if (password.length > 200) throw new SiteError('invalid', '密码过长');
}

/** For `parkedge user add` (the first admin) and the admin screen. */
export async function addUser(
  site: Site,
  input: { username: string; password: string; role: Role; displayName?: string },
): Promise<PublicUser> {
  validateNew(input);
  if (site.store.users.byName(input.username))
    throw new SiteError('conflict', `用户 ${input.username} 已存在`);
  const passwordHash = await hashPassword(input.password);
  // re-check after the await: another request may have taken the name meanwhile
  if (site.store.users.byName(input.username))
    throw new SiteError('conflict', `用户 ${input.username} 已存在`);
  const id = site.store.users.add(
    {
      username: input.username,
      displayName: input.displayName?.trim() || undefined,
      role: input.role,
      passwordHash,
    },
    site.clock(),
  );
  return publicUser(site.store.users.byId(id)!);
}

export function listUsers(site: Site): PublicUser[] {
  return site.store.users.list().map(publicUser);
}

export interface Session {
  user: PublicUser;
  /** the sha256 of the cookie token: what the database and the in-memory maps key on */
  id: string;
}

export interface AccountsOptions {
  /** idle time after which a session ends (sliding); a booth shift is up to 12 h */
  sessionTtlMs?: number;
  /** failed logins per user name before a short lock */
  maxFailures?: number;
  lockMs?: number;
  now?: () => number;
}

/** Logins, sessions and user management for the booth server. */
export class BoothAccounts {
  readonly ttl: number;
  private readonly maxFailures: number;
  private readonly lockMs: number;
  private readonly now: () => number;
  private readonly failures = new Map<string, { count: number; until: number }>();
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly site: Site,
    opts: AccountsOptions = {},
  ) {
    this.ttl = opts.sessionTtlMs ?? 12 * 3_600_000;
    this.maxFailures = opts.maxFailures ?? 5;
    this.lockMs = opts.lockMs ?? 60_000;
    this.now = opts.now ?? (() => site.clock());
  }

  private static tokenId(token: string): string {
    return createHash('sha256').update(token).digest('hex');
  }

  /** Returns the cookie token (shown to nobody but the browser) and the user. */
  async login(username: string, password: string): Promise<{ token: string; user: PublicUser }> {
    const now = this.now();
    const key = String(username).toLowerCase();
    const f = this.failures.get(key);
    if (f && f.until > now)
      throw new SiteError('denied', `登录失败次数过多，请 ${Math.ceil((f.until - now) / 1000)} 秒后再试`);
    const user = typeof username === 'string' ? this.site.store.users.byName(username) : undefined;
    dummyHash ??= hashPassword(randomBytes(12).toString('hex'));
    const ok = await verifyPassword(user?.passwordHash ?? (await dummyHash), String(password ?? ''));
    if (!user || !ok || user.disabled) {
      // counting restarts after a lock has run out
      const count = (f && f.until === 0 ? f.count : 0) + 1;
      this.failures.set(
        key,
        count >= this.maxFailures ? { count: 0, until: now + this.lockMs } : { count, until: 0 },
      );
      if (this.failures.size > 10_000) this.failures.clear();
      throw new SiteError('denied', user?.disabled && ok ? '该账号已停用' : '用户名或密码错误');
    }
    this.failures.delete(key);
    const token = randomBytes(32).toString('base64url');
    this.site.store.users.pruneSessions(now);
    this.site.store.users.createSession(BoothAccounts.tokenId(token), user.id, now, now + this.ttl);
    return { token, user: publicUser(user) };
  }

  /** The session a cookie token stands for, sliding its expiry; undefined when unknown, expired or disabled. */
  session(token: string | undefined): Session | undefined {
    if (!token) return undefined;
    const id = BoothAccounts.tokenId(token);
    const now = this.now();
    const user = this.site.store.users.session(id, now);
    if (!user) {
      this.touched.delete(id);
      return undefined;
    }
    // write the new expiry at most once a minute: SSE pings and page polls would otherwise write on every call
    const last = this.touched.get(id) ?? 0;
    if (now - last > 60_000) {
      this.site.store.users.touchSession(id, now + this.ttl);
      this.touched.set(id, now);
      if (this.touched.size > 10_000) this.touched.clear();
    }
    return { id, user: publicUser(user) };
  }

  /** Session check that does not extend it (the SSE stream's periodic re-check). */
  stillValid(sessionId: string): boolean {
    return !!this.site.store.users.session(sessionId, this.now());
  }

  logout(token: string | undefined): void {
    if (!token) return;
    const id = BoothAccounts.tokenId(token);
    this.site.store.users.deleteSession(id);
    this.touched.delete(id);
  }

  list(): PublicUser[] {
    return listUsers(this.site);
  }

  add(input: { username: string; password: string; role: Role; displayName?: string }): Promise<PublicUser> {
    return addUser(this.site, input);
  }

  async changePassword(userId: number, oldPassword: string, newPassword: string): Promise<void> {
    const u = this.site.store.users.byId(userId);
    if (!u) throw new SiteError('not-found', '用户不存在');
    if (!(await verifyPassword(u.passwordHash, oldPassword))) throw new SiteError('invalid', '原密码错误');
    checkPassword(newPassword);
    this.site.store.users.setPassword(u.id, await hashPassword(newPassword));
  }

  /** Admin: set a new password (the user's other sessions stay until they expire or the user is disabled). */
  async resetPassword(userId: number, newPassword: string): Promise<PublicUser> {
    const u = this.site.store.users.byId(userId);
    if (!u) throw new SiteError('not-found', '用户不存在');
    checkPassword(newPassword);
    this.site.store.users.setPassword(u.id, await hashPassword(newPassword));
    return publicUser(this.site.store.users.byId(u.id)!);
  }

  setDisabled(actorId: number, userId: number, disabled: boolean): PublicUser {
    const u = this.site.store.users.byId(userId);
    if (!u) throw new SiteError('not-found', '用户不存在');
    if (disabled && actorId === userId) throw new SiteError('invalid', '不能停用自己的账号');
    if (disabled && u.role === 'admin' && !u.disabled) {
      const admins = this.site.store.users.list().filter((x) => x.role === 'admin' && !x.disabled);
      if (admins.length <= 1) throw new SiteError('conflict', '至少保留一个可用的管理员');
    }
    this.site.store.users.setDisabled(u.id, disabled);
    return publicUser(this.site.store.users.byId(u.id)!);
  }
}
