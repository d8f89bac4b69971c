// The booth console: an HTTP API and a static page on their own port. Every action goes through the site
// use-cases (so it is audited and reported to the clouds like any other face); users and sessions go
// through BoothAccounts. Roles and routes: docs/booth.md.
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Config } from '../config/schema.js';
import type { Site } from '../site/site.js';
import { CAR_TYPE_NAME, SiteError, type Actor, type CardHolderInput, type GateCommand } from '../site/api.js';
import { parseLocal, startOfLocalDay } from '../core/clock.js';
import { BoothAccounts, ROLE_NAME, atLeast, type Role, type Session } from './accounts.js';
import { LiveHub, type DeviceView, type LiveMessage } from './live.js';
import { durableResponses } from '../http/durable.js';
import { fenToYuanText } from '../core/money.js';

export const COOKIE = 'pe_booth';

const STATUS: Record<SiteError['code'], number> = {
  invalid: 400,
  'not-found': 404,
  conflict: 409,
  'amount-mismatch': 409,
  'already-left': 409,
  denied: 409,
  device: 502,
  internal: 500,
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type GateOutcome = { ok: boolean; error?: string; pending?: boolean };

export interface BoothServerOptions {
  site: Site;
  config: Config;
  logger: Logger;
  devices?: DeviceView;
  now?: () => number;
  sessionTtlMs?: number;
  /** where `/images/...` URLs of orders and reads are fetched from; defaults to the camera server of the config */
  imageOrigin?: string;
  /** SSE keep-alive interval */
  pingMs?: number;
  /** how long a release waits to hear whether the barrier went up */
  gateWaitMs?: number;
}

function publicDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const direct = join(here, 'public');
  if (existsSync(direct)) return direct;
  // built into dist/: tsc does not copy the static files, so serve them from the source tree
  return join(here, '..', '..', 'src', 'booth', 'public');
}

function cookieToken(req: Request): string | undefined {
  const raw = req.headers.cookie;
  if (!raw) return undefined;
  for (const part of raw.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === COOKIE) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

// ---------------------------------------------------------------- request shapes

const fen = z.number().int('金额必须是整数(分)').min(0, '金额不能为负').max(100_000_000, '金额过大');
const text = (max: number) => z.string().trim().max(max);
const reason = z.string().trim().min(1, '必须填写原因').max(200, '原因过长');
/** times arrive as epoch ms or as site-local "yyyy-MM-ddTHH:mm" (what a datetime-local input gives) */
const timeIn = z.union([z.number().int(), z.string().min(1)]);

const schemas = {
  login: z.object({ username: z.string().max(64), password: z.string().max(200) }),
  password: z.object({ oldPassword: z.string().max(200), newPassword: z.string().max(200) }),
  cash: z.object({ laneId: z.string().optional(), received: fen, serial: z.string().max(64).optional() }),
  release: z.object({
    laneId: z.string().optional(),
    kind: z.enum(['free', 'abnormal', 'paid']),
    reason: z.string().trim().max(200).optional(),
  }),
  plate: z.object({ plate: text(16).min(1, '请输入车牌'), reason: z.string().trim().max(200).optional() }),
  noEntry: z.object({ plate: text(16), reason, amount: fen.optional() }),
  gate: z.object({
    command: z.enum(['open', 'close', 'keepOpen', 'release']),
    reason: z.string().max(200).optional(),
  }),
  card: z.object({
    cardNo: text(32).min(1, '请输入卡号'),
    name: text(32).optional(),
    phone: text(32).optional(),
    carType: z.number().int(),
    plates: z.array(text(16)).max(10),
    validFrom: timeIn.optional().nullable(),
    validTo: timeIn.optional().nullable(),
    balance: fen.optional(),
    countLeft: z.number().int().min(0).optional().nullable(),
    spaces: z.number().int().min(1).max(99).optional(),
    areaId: z.string().optional().nullable(),
    remark: text(200).optional(),
  }),
  recharge: z.object({
    amount: fen,
    months: z.number().int().min(1).max(120).optional(),
    count: z.number().int().min(1).max(10_000).optional(),
    validTo: timeIn.optional(),
  }),
  blacklist: z.object({
    plate: text(16).min(1, '请输入车牌'),
    reason: text(200).optional(),
    validFrom: timeIn.optional().nullable(),
    validTo: timeIn.optional().nullable(),
  }),
  booking: z.object({
    plate: text(16).min(1, '请输入车牌'),
    start: timeIn,
    end: timeIn,
    areaId: z.string().optional().nullable(),
    multiEntry: z.boolean().optional(),
    prepaid: fen.optional(),
    name: text(32).optional(),
    phone: text(32).optional(),
  }),
  user: z.object({
    username: z.string().max(32),
    password: z.string().max(200),
    role: z.enum(['operator', 'supervisor', 'admin']),
    displayName: text(32).optional(),
  }),
  resetPassword: z.object({ password: z.string().max(200) }),
  disabled: z.object({ disabled: z.boolean() }),
};

const FIELD_NAME: Record<string, string> = {
  received: '实收金额',
  amount: '金额',
  reason: '原因',
  plate: '车牌',
  cardNo: '卡号',
  carType: '车辆类型',
  plates: '车牌',
  validFrom: '有效期开始',
  validTo: '有效期结束',
  start: '开始时间',
  end: '结束时间',
  username: '用户名',
  password: '密码',
  role: '角色',
  command: '道闸命令',
  kind: '放行方式',
  prepaid: '预付金额',
  balance: '余额',
  months: '月数',
  spaces: '车位数',
};

function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const r = schema.safeParse(body ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = String(issue?.path?.[0] ?? '');
  const label = FIELD_NAME[field] ?? field;
  // zod's own messages are English; keep ours (zh-CN) and name the field otherwise
  const own = issue && /[\u4e00-\u9fff]/.test(issue.message) ? issue.message : '格式不正确';
  throw new HttpError(400, label ? `${label}: ${own}` : `请求参数无效: ${own}`);
}

// ---------------------------------------------------------------- the server

export class BoothServer {
  readonly name = 'booth';
  readonly accounts: BoothAccounts;
  readonly hub: LiveHub;
  private readonly site: Site;
  private readonly config: Config;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly streams = new Set<{ res: Response; stop: () => void }>();
  private server?: Server;
  private addr?: { host: string; port: number };
  private readonly pingMs: number;
  private readonly gateWaitMs: number;
  private readonly tz: string;

  constructor(private readonly opts: BoothServerOptions) {
    this.site = opts.site;
    this.config = opts.config;
    this.log = opts.logger.child({ component: 'booth' });
    this.now = opts.now ?? (() => opts.site.clock());
    this.tz = opts.site.timezone;
    this.pingMs = opts.pingMs ?? 15_000;
    this.gateWaitMs = opts.gateWaitMs ?? 1500;
    this.accounts = new BoothAccounts(opts.site, { sessionTtlMs: opts.sessionTtlMs, now: this.now });
    this.hub = new LiveHub(opts.site, opts.config, opts.devices);
  }

  address(): { host: string; port: number } {
    if (!this.addr) throw new Error('booth server not started');
    return this.addr;
  }

  async start(): Promise<void> {
    if (this.server) return;
    this.hub.start();
    const app = this.app();
    const server = createServer(app);
    // keep-alive sockets of a closed tab must not hold stop() up
    server.keepAliveTimeout = 5_000;
    const { host, port } = this.config.servers.booth;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const a = server.address() as AddressInfo;
    this.addr = { host, port: a.port };
    this.log.info({ host, port: a.port }, 'booth console listening');
  }

  async stop(): Promise<void> {
    this.hub.stop();
    for (const s of [...this.streams]) s.stop();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      // an SSE tab or a slow photo fetch must not delay the daemon's shutdown
      setTimeout(() => server.closeAllConnections(), 200).unref();
    });
  }

  health() {
    return {
      status: this.server ? ('ok' as const) : ('down' as const),
      detail: { streams: this.streams.size },
    };
  }

  // ---------------------------------------------------------------- helpers

  private actor(s: Session): Actor {
    return { kind: 'booth', name: s.user.username };
  }

  private time(v: number | string | null | undefined, what: string): number | undefined {
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v === 'number') return v;
    const t = parseLocal(v, this.tz);
    if (t === undefined) throw new HttpError(400, `${what}: 时间格式不正确`);
    return t;
  }

  private lane(laneId: string | undefined) {
    if (!laneId) return undefined;
    const l = this.config.lanes.find((x) => x.id === laneId);
    if (!l) throw new SiteError('not-found', `车道 ${laneId} 不存在`);
    return l;
  }

  private imageOrigin(): string {
    if (this.opts.imageOrigin) return this.opts.imageOrigin.replace(/\/$/, '');
    const c = this.config.servers.cameras;
    const host =
      !c.host || c.host === '0.0.0.0' || c.host === '::'
        ? '127.0.0.1'
        : c.host.includes(':')
          ? `[${c.host}]`
          : c.host;
    return `http://${host}:${c.port}`;
  }

  /** The order with its payments and, while it is in the lot, what it owes now. */
  private orderView(orderNo: string) {
    const order = this.site.getOrder(orderNo);
    if (!order) throw new SiteError('not-found', `订单 ${orderNo} 不存在`);
    const q = this.site.quoteOrder(order, this.now());
    return {
      order,
      quote: {
        at: q.at,
        total: q.total,
        paid: q.paid,
        discountMoney: q.discountMoney,
        discountMinutes: q.discountMinutes,
        due: order.state === 'in' ? q.due : 0,
        stayMinutes: q.stayMinutes,
        freeMinutes: q.quote.freeMinutes,
        graceUntil: q.graceUntil,
        tariffId: q.tariffId,
        lines: q.quote.lines,
      },
    };
  }

  /** In-park cars whose plates look like `plate`, with what the operator needs to recognise them. */
  private candidates(plate: string) {
    return this.site.inParkCandidates(plate, 8).map((c) => {
      const o = this.site.getOrder(c.orderNo);
      return {
        ...c,
        plateColour: o?.plateColour,
        entryTime: o?.entryTime,
        entryImage: o?.entryImage,
        carTypeName: o?.carTypeName,
      };
    });
  }

  /**
   * The site lifts the lane's barrier itself after a release and reports a failure on the bus as 'lane-error'.
   * Listen before releasing, then give the outcome a moment so the operator sees a failure at once; a slower
   * failure still reaches the page as a live alert.
   */
  private gateOutcome(laneId: string | undefined): { wait(): Promise<GateOutcome>; cancel(): void } {
    if (!laneId) return { wait: async () => ({ ok: true, pending: true }), cancel: () => undefined };
    let settle: (v: GateOutcome) => void = () => undefined;
    const done = new Promise<GateOutcome>((r) => (settle = r));
    const onError = (e: { laneId?: string; message?: string }) =>
      e?.laneId === laneId && settle({ ok: false, error: e.message ?? '道闸命令失败' });
    // the lane controller publishes the lane once the gate command has gone through
    const onLane = (e: { laneId?: string }) => e?.laneId === laneId && settle({ ok: true });
    this.site.bus.on('lane-error', onError);
    this.site.bus.on('lane', onLane);
    const cancel = () => {
      this.site.bus.off('lane-error', onError);
      this.site.bus.off('lane', onLane);
    };
    return {
      wait: async () => {
        const timer = setTimeout(() => settle({ ok: true, pending: true }), this.gateWaitMs);
        try {
          return await done;
        } finally {
          clearTimeout(timer);
          cancel();
        }
      },
      cancel,
    };
  }

  private async releasing<T>(
    laneId: string | undefined,
    fn: () => T,
  ): Promise<{ result: T; gate: GateOutcome }> {
    const outcome = this.gateOutcome(laneId);
    let result: T;
    try {
      result = fn();
    } catch (e) {
      outcome.cancel();
      throw e;
    }
    return { result, gate: await outcome.wait() };
  }

  private shift(from: number, to: number, operator?: string) {
    return this.site.shiftReport(from, to, operator);
  }

  // ---------------------------------------------------------------- routes

  private app() {
    const app = express();
    app.disable('x-powered-by');
    app.set('etag', false);
    // "cash taken" is shown only once it is on disk (group commit in the daemon)
    app.use(durableResponses(() => this.site.durable()));
    app.use((_req, res, next) => {
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Referrer-Policy', 'no-referrer');
      res.setHeader(
        'Content-Security-Policy',
        "default-src 'self'; img-src 'self' data: http: https:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
      );
      next();
    });
    app.use('/api', express.json({ limit: '64kb' }));
    app.use('/api', (req, res, next) => {
      res.setHeader('Cache-Control', 'no-store');
      // a cross-site form can only GET or POST, and cannot POST JSON without a preflight (PUT and DELETE always
      // need one); together with SameSite=Strict this stops CSRF
      if (req.method === 'POST' && !req.is('application/json'))
        return next(new HttpError(415, '请求必须是 JSON'));
      next();
    });

    type Handler = (req: Request, res: Response, s: Session) => unknown;
    const auth = (role: Role, h: Handler) => async (req: Request, res: Response, next: NextFunction) => {
      try {
        const s = this.accounts.session(cookieToken(req));
        if (!s) throw new HttpError(401, '未登录或登录已过期，请重新登录');
        if (!atLeast(s.user.role, role)) throw new HttpError(403, `需要${ROLE_NAME[role]}权限`);
        const out = await h(req, res, s);
        if (out !== undefined && !res.headersSent) res.json(out);
      } catch (e) {
        next(e);
      }
    };
    const op = (h: Handler) => auth('operator', h);
    const sup = (h: Handler) => auth('supervisor', h);
    const adm = (h: Handler) => auth('admin', h);
    const P = (req: Request, k: string) => String(req.params[k] ?? '');
    const Q = (req: Request, k: string): string | undefined => {
      const v = (req.query as Record<string, unknown>)[k];
      return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
    };

    // -------- session
    app.post('/api/login', async (req, res, next) => {
      try {
        const b = parse(schemas.login, req.body);
        const { token, user } = await this.accounts.login(b.username.trim(), b.password);
        res.setHeader('Set-Cookie', `${COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict`);
        this.log.info({ user: user.username }, 'booth login');
        res.json({ user });
      } catch (e) {
        if (e instanceof SiteError && e.code === 'denied') return next(new HttpError(401, e.message));
        next(e);
      }
    });
    app.post('/api/logout', (req, res) => {
      this.accounts.logout(cookieToken(req));
      res.setHeader('Set-Cookie', `${COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
      res.json({ ok: true });
    });
    app.get(
      '/api/me',
      op((_req, _res, s) => ({ user: s.user })),
    );
    app.post(
      '/api/me/password',
      op(async (req, _res, s) => {
        const b = parse(schemas.password, req.body);
        await this.accounts.changePassword(s.user.id, b.oldPassword, b.newPassword);
        return { ok: true };
      }),
    );

    // -------- live
    const snapshot = () => ({
      site: { name: this.config.site.name, parkCode: this.config.site.parkCode, timezone: this.tz },
      policy: {
        noEntryRecordFee: this.config.policy.noEntryRecordFee,
        graceMinutes: this.config.policy.graceMinutes,
      },
      areas: this.config.site.areas.map((a) => ({ id: a.id, name: a.name })),
      carTypes: Object.entries(CAR_TYPE_NAME).map(([code, name]) => ({ code: Number(code), name })),
      lanes: this.hub.laneStatus(),
      spaces: this.site.spaces(),
      devices: this.hub.deviceTable(),
      activity: this.hub.activity(),
      now: this.now(),
    });
    app.get(
      '/api/state',
      op((_req, _res, s) => ({
        ...snapshot(),
        user: s.user,
        today: this.shift(startOfLocalDay(this.now(), this.tz), this.now() + 1, s.user.username),
      })),
    );

    app.get(
      '/api/events',
      op((req, res, s) => {
        res.writeHead(200, {
          'Content-Type': 'text/event-stream; charset=utf-8',
          'Cache-Control': 'no-store',
          Connection: 'keep-alive',
          'X-Accel-Buffering': 'no',
        });
        const send = (event: string, data: unknown) =>
          res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
        const today = () => this.shift(startOfLocalDay(this.now(), this.tz), this.now() + 1, s.user.username);
        res.write('retry: 3000\n\n');
        send('state', { ...snapshot(), user: s.user, today: today() });
        let moneyTimer: NodeJS.Timeout | undefined;
        const unsub = this.hub.subscribe((m: LiveMessage) => {
          if (m.type === 'money') {
            // a release writes a payment, an exit and a gate event at once: one recount is enough
            moneyTimer ??= setTimeout(() => {
              moneyTimer = undefined;
              send('today', today());
            }, 50);
            return;
          }
          send(m.type, m.data);
        });
        const ping = setInterval(() => {
          if (!this.accounts.stillValid(s.id)) {
            send('logout', { message: '登录已过期，请重新登录' });
            entry.stop();
            return;
          }
          // doubles as the keep-alive: the page's clock follows the site's, not the booth PC's
          send('clock', this.now());
        }, this.pingMs);
        const entry = {
          res,
          stop: () => {
            clearInterval(ping);
            if (moneyTimer) clearTimeout(moneyTimer);
            unsub();
            this.streams.delete(entry);
            if (!res.writableEnded) res.end();
          },
        };
        this.streams.add(entry);
        req.on('close', entry.stop);
        return undefined;
      }),
    );

    // -------- the car at an exit
    app.get(
      '/api/lanes/:laneId/exit',
      op((req) => {
        const lane = this.lane(P(req, 'laneId'))!;
        const status = this.hub.lane(lane.id);
        const orderNo = status?.waiting?.orderNo || this.site.findStay({ laneId: lane.id })?.orderNo;
        const view = orderNo ? this.orderView(orderNo) : undefined;
        const plate = status?.waiting?.plate ?? status?.lastRead?.plate ?? '';
        const waiting = view && view.order.state === 'in' ? view : undefined;
        return {
          lane: status,
          waiting,
          exitImage: status?.lastRead?.imageUrl,
          // no stay found for the car at the lane: offer the cars in the lot whose plates look alike
          candidates: !waiting && plate ? this.candidates(plate) : [],
          noEntryRecordFee: this.config.policy.noEntryRecordFee,
        };
      }),
    );
    app.get(
      '/api/candidates',
      op((req) => {
        const plate = Q(req, 'plate');
        if (!plate) throw new HttpError(400, '请输入车牌');
        return { candidates: this.candidates(plate) };
      }),
    );
    app.get(
      '/api/orders/:orderNo',
      op((req) => this.orderView(P(req, 'orderNo'))),
    );
    app.post(
      '/api/orders/:orderNo/cash',
      op(async (req, _res, s) => {
        const b = parse(schemas.cash, req.body);
        this.lane(b.laneId);
        const orderNo = P(req, 'orderNo');
        const before = this.orderView(orderNo);
        if (before.order.state !== 'in') throw new SiteError('already-left', `订单 ${orderNo} 已出场`);
        const due = before.quote.due;
        if (b.received < due)
          throw new SiteError(
            'amount-mismatch',
            `实收金额不足: 应收 ${fenToYuanText(due)} 元, 实收 ${fenToYuanText(b.received)} 元`,
          );
        const { result: r, gate } = await this.releasing(b.laneId, () =>
          this.site.release({
            orderNo,
            laneId: b.laneId,
            kind: 'cash',
            amount: b.received,
            serial: b.serial,
            actor: this.actor(s),
            time: this.now(),
          }),
        );
        return { order: r.order, charged: due, received: b.received, change: b.received - due, gate };
      }),
    );
    app.post(
      '/api/orders/:orderNo/release',
      op(async (req, _res, s) => {
        const b = parse(schemas.release, req.body);
        this.lane(b.laneId);
        const orderNo = P(req, 'orderNo');
        if (b.kind !== 'paid' && !b.reason)
          throw new HttpError(400, b.kind === 'free' ? '免费放行必须填写原因' : '异常放行必须填写原因');
        const { result: r, gate } = await this.releasing(b.laneId, () =>
          this.site.release({
            orderNo,
            laneId: b.laneId,
            kind: b.kind,
            reason: b.reason,
            actor: this.actor(s),
            time: this.now(),
          }),
        );
        return { order: r.order, gate };
      }),
    );
    app.post(
      '/api/orders/:orderNo/plate',
      op((req, _res, s) => {
        const b = parse(schemas.plate, req.body);
        const order = this.site.correctPlate({
          orderNo: P(req, 'orderNo'),
          plate: b.plate,
          reason: b.reason,
          actor: this.actor(s),
          time: this.now(),
        });
        return this.orderView(order.orderNo);
      }),
    );
    app.post(
      '/api/lanes/:laneId/no-entry',
      op(async (req, _res, s) => {
        const lane = this.lane(P(req, 'laneId'))!;
        const b = parse(schemas.noEntry, req.body);
        // the minimum is the configured one unless a supervisor decides otherwise
        if (
          b.amount !== undefined &&
          b.amount !== this.config.policy.noEntryRecordFee &&
          !atLeast(s.user.role, 'supervisor')
        )
          throw new HttpError(403, '修改无入场记录收费金额需要值班主管权限');
        const { result: r, gate } = await this.releasing(lane.id, () =>
          this.site.exitWithoutEntry({
            plate: b.plate,
            laneId: lane.id,
            amount: b.amount,
            reason: b.reason,
            actor: this.actor(s),
            time: this.now(),
            image: this.hub.lane(lane.id)?.lastRead?.imageUrl,
          }),
        );
        return { order: r.order, charged: r.order?.paid ?? 0, gate };
      }),
    );

    // -------- manual gate
    app.post(
      '/api/lanes/:laneId/gate',
      op(async (req, _res, s) => {
        const lane = this.lane(P(req, 'laneId'))!;
        const b = parse(schemas.gate, req.body);
        if (!b.reason?.trim()) throw new HttpError(400, '手动操作道闸必须填写原因');
        await this.site.gateCommand({
          laneId: lane.id,
          command: b.command as GateCommand,
          actor: this.actor(s),
          reason: b.reason.trim(),
          time: this.now(),
        });
        return { ok: true };
      }),
    );

    // -------- records
    app.get(
      '/api/orders',
      op((req) => {
        const state = Q(req, 'state');
        if (state && !['in', 'out', 'void'].includes(state)) throw new HttpError(400, '状态无效');
        const page = Number(Q(req, 'page') ?? 1);
        const pageSize = Number(Q(req, 'pageSize') ?? 20);
        return this.site.searchOrders({
          plate: Q(req, 'plate'),
          cardNo: Q(req, 'cardNo'),
          state: state as 'in' | 'out' | 'void' | undefined,
          from: this.time(Q(req, 'from'), '开始时间'),
          to: this.time(Q(req, 'to'), '结束时间'),
          page: Number.isInteger(page) && page > 0 ? page : 1,
          pageSize: Number.isInteger(pageSize) && pageSize > 0 ? Math.min(pageSize, 100) : 20,
        });
      }),
    );

    // -------- card holders (the same use-cases as the KT card endpoints)
    const cardInput = (b: z.infer<typeof schemas.card>): CardHolderInput => ({
      cardNo: b.cardNo,
      name: b.name || undefined,
      phone: b.phone || undefined,
      carType: b.carType,
      plates: b.plates.filter((p) => p.trim()),
      validFrom: this.time(b.validFrom, '有效期开始'),
      validTo: this.time(b.validTo, '有效期结束'),
      balance: b.balance,
      countLeft: b.countLeft ?? undefined,
      spaces: b.spaces,
      areaId: b.areaId || undefined,
      remark: b.remark || undefined,
    });
    app.get(
      '/api/cards',
      op((req) => {
        const carType = Q(req, 'carType');
        const page = Number(Q(req, 'page') ?? 1);
        const r = this.site.listCards({
          plate: Q(req, 'plate')?.toUpperCase(),
          cardNo: Q(req, 'cardNo'),
          carType: carType === undefined ? undefined : Number(carType),
          page: Number.isInteger(page) && page > 0 ? page : 1,
          pageSize: 50,
        });
        return { ...r, page: Number.isInteger(page) && page > 0 ? page : 1, pageSize: 50 };
      }),
    );
    app.get(
      '/api/cards/:cardNo',
      op((req) => {
        const h = this.site.getCard({ cardNo: P(req, 'cardNo') });
        if (!h) throw new SiteError('not-found', `卡号 ${P(req, 'cardNo')} 不存在`);
        return h;
      }),
    );
    app.post(
      '/api/cards',
      sup((req, _res, s) =>
        this.site.addCard(cardInput(parse(schemas.card, req.body)), this.actor(s), this.now()),
      ),
    );
    app.put(
      '/api/cards/:cardNo',
      sup((req, _res, s) => {
        const b = parse(schemas.card, { ...(req.body ?? {}), cardNo: P(req, 'cardNo') });
        return this.site.modifyCard(cardInput(b), this.actor(s), this.now());
      }),
    );
    app.delete(
      '/api/cards/:cardNo',
      sup((req, _res, s) => this.site.deleteCard(P(req, 'cardNo'), this.actor(s), this.now())),
    );
    app.post(
      '/api/cards/:cardNo/recharge',
      sup((req, _res, s) => {
        const b = parse(schemas.recharge, req.body);
        return this.site.recharge({
          cardNo: P(req, 'cardNo'),
          amount: b.amount,
          months: b.months,
          count: b.count,
          validTo: this.time(b.validTo, '有效期结束'),
          channel: 'booth',
          serial: `booth-${randomBytes(8).toString('hex')}`,
          time: this.now(),
          actor: this.actor(s),
        }).holder;
      }),
    );

    // -------- blacklist
    app.get(
      '/api/blacklist',
      op((req) => ({ rows: this.site.blacklist(Q(req, 'plate')) })),
    );
    app.post(
      '/api/blacklist',
      sup((req, _res, s) => {
        const b = parse(schemas.blacklist, req.body);
        return this.site.blacklistAdd(
          {
            plate: b.plate,
            reason: b.reason,
            validFrom: this.time(b.validFrom, '有效期开始'),
            validTo: this.time(b.validTo, '有效期结束'),
          },
          this.actor(s),
          this.now(),
        );
      }),
    );
    app.delete(
      '/api/blacklist/:plate',
      sup((req, _res, s) => this.site.blacklistDelete(P(req, 'plate'), this.actor(s), this.now())),
    );

    // -------- bookings
    const bookingInput = (b: z.infer<typeof schemas.booking>, s: Session) => ({
      plate: b.plate,
      start: this.time(b.start, '开始时间')!,
      end: this.time(b.end, '结束时间')!,
      areaId: b.areaId || undefined,
      multiEntry: b.multiEntry,
      prepaid: b.prepaid,
      name: b.name || undefined,
      phone: b.phone || undefined,
      actor: this.actor(s),
    });
    app.get(
      '/api/bookings',
      op((req) => ({
        rows: this.site.getBooking({ plate: Q(req, 'plate'), bookingNo: Q(req, 'bookingNo') }),
      })),
    );
    app.post(
      '/api/bookings',
      sup((req, _res, s) =>
        this.site.addBooking(bookingInput(parse(schemas.booking, req.body), s), this.now()),
      ),
    );
    app.put(
      '/api/bookings/:bookingNo',
      sup((req, _res, s) =>
        this.site.modifyBooking(
          { ...bookingInput(parse(schemas.booking, req.body), s), bookingNo: P(req, 'bookingNo') },
          this.now(),
        ),
      ),
    );
    app.delete(
      '/api/bookings/:bookingNo',
      sup((req, _res, s) => this.site.cancelBooking(P(req, 'bookingNo'), this.actor(s), this.now())),
    );

    // -------- shift report
    app.get(
      '/api/shift',
      op((req, _res, s) => {
        const now = this.now();
        const from = this.time(Q(req, 'from'), '开始时间') ?? startOfLocalDay(now, this.tz);
        const to = this.time(Q(req, 'to'), '结束时间') ?? now + 1;
        if (to <= from) throw new HttpError(400, '结束时间必须晚于开始时间');
        const asked = Q(req, 'operator');
        // operators see their own shift; supervisors hand over anybody's (or everybody's, with operator=*)
        let operator: string | undefined = s.user.username;
        if (asked && asked !== s.user.username) {
          if (!atLeast(s.user.role, 'supervisor')) throw new HttpError(403, '只能查看自己的交班报表');
          operator = asked === '*' ? undefined : asked;
        }
        return { ...this.shift(from, to, operator), operator: operator ?? null, generatedAt: now };
      }),
    );
    app.get(
      '/api/operators',
      sup(() => ({
        rows: this.accounts
          .list()
          .map((u) => ({ username: u.username, displayName: u.displayName, role: u.role })),
      })),
    );

    // -------- users (admin)
    app.get(
      '/api/users',
      adm(() => ({ rows: this.accounts.list() })),
    );
    app.post(
      '/api/users',
      adm(async (req) => {
        const b = parse(schemas.user, req.body);
        return this.accounts.add({
          username: b.username.trim(),
          password: b.password,
          role: b.role,
          displayName: b.displayName,
        });
      }),
    );
    app.post(
      '/api/users/:id/password',
      adm((req) =>
        this.accounts.resetPassword(Number(P(req, 'id')), parse(schemas.resetPassword, req.body).password),
      ),
    );
    app.post(
      '/api/users/:id/disabled',
      adm((req, _res, s) =>
        this.accounts.setDisabled(
          s.user.id,
          Number(P(req, 'id')),
          parse(schemas.disabled, req.body).disabled,
        ),
      ),
    );

    app.use('/api', (_req, _res, next) => next(new HttpError(404, '接口不存在')));

    // -------- photos: same origin and behind the login, because plates and faces are personal data
    app.get(
      '/images/:file',
      op(async (req, res) => {
        const file = P(req, 'file');
        if (!/^[A-Za-z0-9_.-]+\.(jpg|jpeg|png)$/i.test(file) || file.includes('..'))
          throw new HttpError(404, '图片不存在');
        let r: globalThis.Response;
        try {
          r = await fetch(`${this.imageOrigin()}/images/${encodeURIComponent(file)}`, {
            signal: AbortSignal.timeout(3000),
          });
        } catch {
          throw new HttpError(502, '图片服务不可用');
        }
        if (!r.ok) throw new HttpError(404, '图片不存在');
        const buf = Buffer.from(await r.arrayBuffer());
        res.setHeader('Content-Type', /\.png$/i.test(file) ? 'image/png' : 'image/jpeg');
        res.setHeader('Cache-Control', 'private, max-age=86400');
        res.end(buf);
        return undefined;
      }),
    );

    app.use(express.static(publicDir(), { index: 'index.html', maxAge: 0 }));

    app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
      let status = 500;
      let message = '服务器内部错误';
      if (err instanceof HttpError) {
        status = err.status;
        message = err.message;
      } else if (err instanceof SiteError) {
        status = STATUS[err.code] ?? 500;
        message = err.message;
      } else if ((err as { type?: string })?.type === 'entity.parse.failed') {
        status = 400;
        message = '请求格式错误';
      } else if ((err as { type?: string })?.type === 'entity.too.large') {
        status = 413;
        message = '请求内容过大';
      }
      if (status >= 500) this.log.error({ err, path: req.path, method: req.method }, 'booth request failed');
      if (res.headersSent) return res.end();
      res.status(status).json({ error: message });
    });
    return app;
  }
}
