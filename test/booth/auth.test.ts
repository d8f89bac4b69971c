// Booth accounts: hashing, login, session expiry, lockout and who may do what.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { startBooth, PASSWORDS, type Booth } from './harness.js';
import { addUser, hashPassword, listUsers, verifyPassword } from '../../src/booth/accounts.js';
import { createBoothFace, type BoothServer } from '../../src/booth/index.js';
import { tempSite, silentLogger } from '../helpers/site.js';

let b: Booth;
beforeEach(async () => {
  b = await startBooth({ sessionTtlMs: 60 * 60_000 });
});
afterEach(async () => {
  await b.close();
});

describe('passwords', () => {
  it('are stored as salted scrypt hashes, never in clear', async () => {
    const users = b.ts.store.users.list();
    const op = users.find((u) => u.username === 'op')!;
    expect(op.passwordHash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    expect(op.passwordHash).not.toContain(PASSWORDS.op);
    expect(await verifyPassword(op.passwordHash, PASSWORDS.op)).toBe(true);
    expect(await verifyPassword(op.passwordHash, 'operator-X')).toBe(false);
    // two hashes of one password differ (salt)
    expect(await hashPassword('same-pass')).not.toBe(await hashPassword('same-pass'));
  });

  it('addUser validates and refuses duplicates; listUsers never returns hashes', async () => {
    await expect(
      addUser(b.ts.site, { username: 'op', password: 'whatever1', role: 'operator' }),
    ).rejects.toThrow('已存在');
    await expect(
      addUser(b.ts.site, { username: 'x y', password: 'whatever1', role: 'operator' }),
    ).rejects.toThrow('用户名');
    await expect(
      addUser(b.ts.site, { username: 'short', password: '123', role: 'operator' }),
    ).rejects.toThrow('密码至少');
    const list = listUsers(b.ts.site);
    expect(list.map((u) => u.username)).toEqual(['admin', 'sup', 'op', 'op2']);
    expect(JSON.stringify(list)).not.toContain('scrypt');
  });
});

describe('login and sessions', () => {
  it('refuses a bad password and an unknown user with the same message', async () => {
    const bad = await b.call('POST', '/api/login', { body: { username: 'op', password: 'wrong-one' } });
    const unknown = await b.call('POST', '/api/login', {
      body: { username: 'nobody', password: 'wrong-one' },
    });
    expect(bad.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(bad.body.error).toBe('用户名或密码错误');
    expect(unknown.body.error).toBe(bad.body.error);
    expect(bad.headers.get('set-cookie')).toBeNull();
  });

  it('sets an HttpOnly SameSite cookie whose token is not stored as is', async () => {
    const r = await b.call('POST', '/api/login', { body: { username: 'op', password: PASSWORDS.op } });
    expect(r.status).toBe(200);
    expect(r.body.user).toMatchObject({ username: 'op', role: 'operator', displayName: '张收费' });
    expect(r.body.user.passwordHash).toBeUndefined();
    const cookie = r.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^pe_booth=[A-Za-z0-9_-]{40,};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    const token = cookie.split(';')[0].split('=')[1];
    // the database keeps a digest: a copied database file does not hand out live sessions
    expect(b.ts.store.users.session(token, b.ts.clock.now)).toBeUndefined();
    const me = await b.call('GET', '/api/me', { cookie: cookie.split(';')[0] });
    expect(me.status).toBe(200);
    expect(me.body.user.username).toBe('op');
  });

  it('answers 401 without a session and after logout', async () => {
    expect((await b.call('GET', '/api/state')).status).toBe(401);
    expect((await b.call('GET', '/api/state')).body.error).toContain('请重新登录');
    const cookie = await b.login('op');
    expect((await b.call('GET', '/api/state', { cookie })).status).toBe(200);
    expect((await b.call('POST', '/api/logout', { cookie, body: {} })).status).toBe(200);
    expect((await b.call('GET', '/api/state', { cookie })).status).toBe(401);
  });

  it('expires an idle session, and slides it while in use', async () => {
    const cookie = await b.login('op');
    b.ts.clock.now += 50 * 60_000;
    expect((await b.call('GET', '/api/me', { cookie })).status).toBe(200); // used: expiry moves on
    b.ts.clock.now += 50 * 60_000;
    expect((await b.call('GET', '/api/me', { cookie })).status).toBe(200);
    b.ts.clock.now += 61 * 60_000;
    const r = await b.call('GET', '/api/me', { cookie });
    expect(r.status).toBe(401);
    expect(r.body.error).toBe('未登录或登录已过期，请重新登录');
  });

  it('locks a user name for a while after repeated failures', async () => {
    for (let i = 0; i < 5; i++)
      expect(
        (await b.call('POST', '/api/login', { body: { username: 'op', password: 'nope-nope' } })).status,
      ).toBe(401);
    const locked = await b.call('POST', '/api/login', { body: { username: 'op', password: PASSWORDS.op } });
    expect(locked.status).toBe(401);
    expect(locked.body.error).toMatch(/登录失败次数过多，请 \d+ 秒后再试/);
    b.ts.clock.now += 61_000;
    expect(
      (await b.call('POST', '/api/login', { body: { username: 'op', password: PASSWORDS.op } })).status,
    ).toBe(200);
  });

  it('a disabled account cannot log in and loses its session', async () => {
    const opCookie = await b.login('op');
    const admin = await b.login('admin');
    const id = listUsers(b.ts.site).find((u) => u.username === 'op')!.id;
    const r = await b.call('POST', `/api/users/${id}/disabled`, { cookie: admin, body: { disabled: true } });
    expect(r.status).toBe(200);
    expect(r.body.disabled).toBe(true);
    expect((await b.call('GET', '/api/me', { cookie: opCookie })).status).toBe(401);
    const again = await b.call('POST', '/api/login', { body: { username: 'op', password: PASSWORDS.op } });
    expect(again.status).toBe(401);
    expect(again.body.error).toBe('该账号已停用');
  });

  it('changes the own password only with the old one', async () => {
    const cookie = await b.login('op');
    const wrong = await b.call('POST', '/api/me/password', {
      cookie,
      body: { oldPassword: 'nope', newPassword: 'new-pass-1' },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toBe('原密码错误');
    expect(
      (
        await b.call('POST', '/api/me/password', {
          cookie,
          body: { oldPassword: PASSWORDS.op, newPassword: 'new-pass-1' },
        })
      ).status,
    ).toBe(200);
    expect(
      (await b.call('POST', '/api/login', { body: { username: 'op', password: PASSWORDS.op } })).status,
    ).toBe(401);
    await b.login('op', 'new-pass-1');
  });

  it('refuses a state-changing request that is not JSON (CSRF guard)', async () => {
    const cookie = await b.login('op');
    const r = await b.call('POST', '/api/lanes/out-1/gate', {
      cookie,
      raw: 'command=open&reason=x',
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(r.status).toBe(415);
    expect(r.body.error).toBe('请求必须是 JSON');
    expect(b.ts.lanes.commands).toEqual([]);
  });
});

describe('roles', () => {
  // operator: the booth work (exits, gates, search, reading lists, own shift report)
  // supervisor: + writes to card holders, blacklist, bookings; anybody's shift report
  // admin: + user accounts
  it('operators read lists but cannot change cards, blacklist, bookings or users', async () => {
    const op = await b.login('op');
    expect((await b.call('GET', '/api/cards', { cookie: op })).status).toBe(200);
    expect((await b.call('GET', '/api/blacklist', { cookie: op })).status).toBe(200);
    expect((await b.call('GET', '/api/bookings', { cookie: op })).status).toBe(200);
    const card = await b.call('POST', '/api/cards', {
      cookie: op,
      body: { cardNo: 'C1', carType: 2, plates: ['粤B11111'] },
    });
    expect(card.status).toBe(403);
    expect(card.body.error).toBe('需要值班主管权限');
    expect((await b.call('POST', '/api/blacklist', { cookie: op, body: { plate: '粤B11111' } })).status).toBe(
      403,
    );
    expect(
      (await b.call('POST', '/api/bookings', { cookie: op, body: { plate: '粤B11111', start: 1, end: 2 } }))
        .status,
    ).toBe(403);
    expect((await b.call('DELETE', '/api/blacklist/粤B11111', { cookie: op })).status).toBe(403);
    const users = await b.call('GET', '/api/users', { cookie: op });
    expect(users.status).toBe(403);
    expect(users.body.error).toBe('需要管理员权限');
    expect((await b.call('GET', '/api/operators', { cookie: op })).status).toBe(403);
  });

  it('supervisors manage cards but not users; admins manage users', async () => {
    const sup = await b.login('sup');
    expect(
      (
        await b.call('POST', '/api/cards', {
          cookie: sup,
          body: { cardNo: 'C1', carType: 2, plates: ['粤B11111'] },
        })
      ).status,
    ).toBe(200);
    expect((await b.call('GET', '/api/users', { cookie: sup })).status).toBe(403);
    expect(
      (
        await b.call('POST', '/api/users', {
          cookie: sup,
          body: { username: 'x', password: 'abcdef', role: 'admin' },
        })
      ).status,
    ).toBe(403);
    const admin = await b.login('admin');
    const add = await b.call('POST', '/api/users', {
      cookie: admin,
      body: { username: 'op3', password: 'abcdef1', role: 'operator', displayName: '孙收费' },
    });
    expect(add.status).toBe(200);
    expect(add.body).toMatchObject({ username: 'op3', role: 'operator', disabled: false });
    expect(
      (
        await b.call('POST', '/api/users', {
          cookie: admin,
          body: { username: 'op3', password: 'abcdef1', role: 'operator' },
        })
      ).status,
    ).toBe(409);
    const short = await b.call('POST', '/api/users', {
      cookie: admin,
      body: { username: 'op4', password: '123', role: 'operator' },
    });
    expect(short.status).toBe(400);
    expect(short.body.error).toBe('密码至少 6 位');
    const reset = await b.call('POST', `/api/users/${add.body.id}/password`, {
      cookie: admin,
      body: { password: 'zyxwvu9' },
    });
    expect(reset.status).toBe(200);
    await b.login('op3', 'zyxwvu9');
    const self = listUsers(b.ts.site).find((u) => u.username === 'admin')!;
    const selfDisable = await b.call('POST', `/api/users/${self.id}/disabled`, {
      cookie: admin,
      body: { disabled: true },
    });
    expect(selfDisable.status).toBe(400);
    expect(selfDisable.body.error).toBe('不能停用自己的账号');
    expect((await b.call('GET', '/api/users', { cookie: admin })).body.rows).toHaveLength(5);
  });

  it('operators see only their own shift report; supervisors see anybody', async () => {
    const op = await b.login('op');
    expect((await b.call('GET', '/api/shift', { cookie: op })).body.operator).toBe('op');
    const other = await b.call('GET', '/api/shift?operator=op2', { cookie: op });
    expect(other.status).toBe(403);
    expect(other.body.error).toBe('只能查看自己的交班报表');
    const sup = await b.login('sup');
    expect((await b.call('GET', '/api/shift?operator=op2', { cookie: sup })).body.operator).toBe('op2');
    expect((await b.call('GET', '/api/shift?operator=*', { cookie: sup })).body.operator).toBeNull();
    expect(
      (await b.call('GET', '/api/operators', { cookie: sup })).body.rows.map((u: any) => u.username),
    ).toContain('op2');
  });
});

describe('the face', () => {
  it('createBoothFace starts the server on cfg.servers.booth and stops promptly with a live stream open', async () => {
    const ts = tempSite({ patch: (c) => (c.servers.booth = { host: '127.0.0.1', port: 0 }) });
    try {
      const face = createBoothFace({
        config: ts.config,
        site: ts.site,
        logger: silentLogger,
        metrics: new Registry(),
        now: () => ts.clock.now,
      });
      expect(face.name).toBe('booth');
      const ext = face.extensions![0] as BoothServer;
      await ext.start();
      const { host, port } = ext.address();
      expect(host).toBe('127.0.0.1');
      await addUser(ts.site, { username: 'op', password: 'abcdef1', role: 'operator' });
      const login = await fetch(`http://${host}:${port}/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'op', password: 'abcdef1' }),
      });
      const cookie = login.headers.get('set-cookie')!.split(';')[0];
      const page = await fetch(`http://${host}:${port}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('岗亭收费台');
      const sse = await fetch(`http://${host}:${port}/api/events`, { headers: { cookie } });
      expect(sse.headers.get('content-type')).toContain('text/event-stream');
      const reader = sse.body!.getReader();
      const first = new TextDecoder().decode((await reader.read()).value);
      expect(first).toContain('retry:');
      expect(ext.health().detail).toEqual({ streams: 1 });
      const t0 = Date.now();
      await ext.stop();
      expect(Date.now() - t0).toBeLessThan(1000);
      // the stream ended with the server
      for (;;) {
        const r = await reader.read().catch(() => ({ done: true }));
        if (r.done) break;
      }
      await expect(fetch(`http://${host}:${port}/api/me`)).rejects.toThrow();
    } finally {
      ts.close();
    }
  });
});
