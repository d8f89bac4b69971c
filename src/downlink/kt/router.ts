// The KT downlink router: body parsing (JSON {"data"}, form data=, bare text), user/pwd auth, 3DES decoding,
// per-endpoint validation, the {resCode, resMsg, data} envelope. Every reply is HTTP 200 with JSON, like the
// KT server's own; failures are resCode 1 with a message, never a stack trace or an HTML error page.
import { randomBytes } from 'node:crypto';
import iconv from 'iconv-lite';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { Config } from '../../config/schema.js';
import type { KtConfig } from '../../config/clouds.schema.js';
import type { Site } from '../../site/site.js';
import { SiteError, type Actor } from '../../site/api.js';
import { KtCodecError, extractKtData, ktDecode, type KtReply } from '../../codecs/kt.js';
import {
  KtError,
  credentialsChecker,
  describeIssues,
  fail,
  normalizeKeys,
  ok,
  parkCodeOf,
  stripBlank,
} from './common.js';
import { GROUP_PREFIXES, ktEndpoints, type KtCall, type KtEndpoint } from './endpoints.js';

export interface KtRouterOptions {
  config: Config;
  kt: KtConfig;
  site: Site;
  logger: Logger;
  metrics?: Registry;
  now?: () => number;
}

/** Recent GetPhoto snapshots, served by an unguessable token for a few minutes. */
class PhotoStore {
  private readonly items = new Map<string, { jpeg: Buffer; until: number }>();
  constructor(
    private readonly now: () => number,
    private readonly ttlMs = 10 * 60_000,
    private readonly max = 32,
  ) {}
  put(jpeg: Buffer): string {
    const now = this.now();
    for (const [k, v] of this.items) if (v.until < now) this.items.delete(k);
    while (this.items.size >= this.max) this.items.delete(this.items.keys().next().value!);
    const token = randomBytes(16).toString('hex');
    this.items.set(token, { jpeg, until: now + this.ttlMs });
    return token;
  }
  get(token: string): Buffer | undefined {
    const v = this.items.get(token);
    return v && v.until >= this.now() ? v.jpeg : undefined;
  }
}

function metric<T>(
  reg: Registry | undefined,
  name: string,
  make: (registers: Registry[]) => T,
): T | undefined {
  if (!reg) return undefined;
  return (reg.getSingleMetric(name) as T | undefined) ?? make([reg]);
}

/** Every path the router answers, with the endpoint behind it (for docs and tests). */
export function ktRoutes(tz = 'Asia/Shanghai'): Array<{ path: string; endpoint: string }> {
  const out: Array<{ path: string; endpoint: string }> = [];
  for (const e of ktEndpoints(tz)) {
    for (const p of GROUP_PREFIXES[e.group]) out.push({ path: `${p}/${e.name}`, endpoint: e.name });
    for (const l of e.legacy ?? []) out.push({ path: l, endpoint: e.name });
  }
  // one path may be listed under two groups' aliases only if names repeat; they do not
  return out;
}

/** An error shaped like body-parser's, so the error handler below words it the same way. */
function bodyError(type: string, message: string): Error {
  return Object.assign(new Error(message), { type, status: 400 });
}

/**
 * The request body as extractKtData takes it: parsed JSON for JSON types, text for everything else (form
 * `data=…` and bare base64 are found in the text). Only JSON must parse; text in a declared non-UTF-8 charset
 * (a GB2312 form post) is decoded with it.
 */
function bodyOf(req: Request): unknown {
  const raw: unknown = req.body;
  if (!Buffer.isBuffer(raw) || raw.length === 0) return undefined;
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  const charset = /;\s*charset=["']?([\w-]+)/.exec(type)?.[1];
  const utf8 = !charset || charset === 'utf-8' || charset === 'utf8';
  if (/^(application|text)\/([\w.+-]+\+)?json\b/.test(type)) {
    if (!utf8) throw bodyError('charset.unsupported', `unsupported charset ${charset}`);
    try {
      return JSON.parse(raw.toString('utf8'));
    } catch {
      throw bodyError('entity.parse.failed', 'bad JSON');
    }
  }
  if (utf8) return raw.toString('utf8');
  if (!iconv.encodingExists(charset))
    throw bodyError('charset.unsupported', `unsupported charset ${charset}`);
  return iconv.decode(raw, charset);
}

/**
 * Checks decoded candidates against one endpoint's schema and keeps the verdict on the last one. One per
 * endpoint path, reused by every request: ktDecode calls it synchronously and the request reads the result
 * at once, so no two requests ever see each other's state.
 */
class InputChecker {
  raw: unknown = undefined;
  input: unknown = undefined;
  parsed: ReturnType<KtEndpoint['schema']['safeParse']> | undefined = undefined;
  private readonly keys: Map<string, string>;
  readonly options: { accept: (d: unknown) => boolean };
  constructor(
    private readonly ep: KtEndpoint,
    private readonly legacy: boolean,
  ) {
    this.keys = new Map(Object.keys(ep.schema.shape).map((k) => [k.toLowerCase(), k]));
    this.options = { accept: (d) => this.check(d) };
  }
  reset(): void {
    this.raw = this.input = this.parsed = undefined;
  }
  check(d: unknown): boolean {
    let input = stripBlank(normalizeKeys(d, this.keys)) as Record<string, unknown>;
    if (this.legacy && this.ep.legacyInput && input && typeof input === 'object')
      input = this.ep.legacyInput(input);
    this.raw = d;
    this.input = input;
    this.parsed = this.ep.schema.safeParse(input);
    return this.parsed.success;
  }
}

/** What an endpoint handler gets; the base URL for image links is worked out only if a reply needs one. */
class Call implements KtCall {
  constructor(
    readonly site: Site,
    readonly config: Config,
    readonly kt: KtConfig,
    readonly tz: string,
    readonly now: number,
    readonly actor: Actor,
    readonly photos: KtCall['photos'],
    private readonly req: Request,
  ) {}
  get baseUrl(): string {
    return this.kt.publicUrl ?? `${this.req.protocol}://${this.req.get('host') ?? '127.0.0.1'}`;
  }
}

const HANDLER = Symbol('kt handler');
type KtRequest = Request & { [HANDLER]?: (req: Request, res: Response) => void };

export function createKtRouter(opts: KtRouterOptions): Router {
  const { config, kt, site } = opts;
  const log = opts.logger.child({ component: 'kt-downlink' });
  const now = opts.now ?? Date.now;
  const tz = config.site.timezone;
  const parkCodes = new Set([parkCodeOf(config), config.site.parkCode]);
  const actor: Actor = { kind: 'kt', name: 'KT' };
  const photos = new PhotoStore(now);
  const requests = metric(
    opts.metrics,
    'parkedge_kt_downlink_requests_total',
    (registers) =>
      new Counter({
        name: 'parkedge_kt_downlink_requests_total',
        help: 'KT downlink requests by endpoint and resCode',
        labelNames: ['endpoint', 'result'],
        registers,
      }),
  );
  const latency = metric(
    opts.metrics,
    'parkedge_kt_downlink_seconds',
    (registers) =>
      new Histogram({
        name: 'parkedge_kt_downlink_seconds',
        help: 'KT downlink handling time',
        labelNames: ['endpoint'],
        buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
        registers,
      }),
  );

  const router = express.Router();
  const limit = kt.bodyLimit;
  // One read of the raw bytes (body-parser's raw reader: size limit, gzip/deflate), then the body's shape is
  // decided here by its content type. Three chained parsers (json, urlencoded, text) each re-checked the type
  // and decoded through a charset stream; this is one Buffer and one JSON.parse on the hot path.
  const readBody = express.raw({ limit, type: () => true });
  // written directly: Express's send() would hash every body for an ETag nobody asks for
  const send = (res: Response, reply: KtReply, status = 200) => {
    const body = JSON.stringify(reply);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  };
  const authorized = credentialsChecker(kt.downlink);

  // Most endpoints answer synchronously (the site's use-cases are synchronous SQLite); only those reaching a
  // device return a promise. Awaiting only then keeps the common reply out of the microtask queue.
  const finish = (ep: KtEndpoint, res: Response, started: number, reply: KtReply) => {
    requests?.inc({ endpoint: ep.name, result: String(reply.resCode) });
    latency?.observe({ endpoint: ep.name }, (performance.now() - started) / 1000);
    send(res, reply);
  };
  const handle = (ep: KtEndpoint, legacy: boolean) => {
    const checker = new InputChecker(ep, legacy);
    return (req: Request, res: Response) => {
      const started = performance.now();
      let out: KtReply | Promise<KtReply>;
      try {
        out = answer(ep, checker, req);
      } catch (e) {
        out = errorReply(e, ep.name);
      }
      if (out instanceof Promise) {
        out.then(
          (reply) => finish(ep, res, started, reply),
          (e: unknown) => finish(ep, res, started, errorReply(e, ep.name)),
        );
      } else finish(ep, res, started, out);
    };
  };

  const answer = (ep: KtEndpoint, checker: InputChecker, req: Request): KtReply | Promise<KtReply> => {
    if (!authorized(req.headers.user, req.headers.pwd)) {
      log.warn({ endpoint: ep.name, ip: req.ip }, 'KT request with wrong user/pwd');
      return fail('用户名或密码错误');
    }
    const raw = extractKtData(req.body) ?? (typeof req.query.data === 'string' ? req.query.data : undefined);
    if (raw === undefined) return fail('缺少 data 参数');
    const at = now();
    // the schema picks the IV (see ktDecode) and its verdict on the chosen candidate is kept
    checker.reset();
    const decoded = ktDecode(raw, kt.key, at, tz, checker.options);
    if (checker.raw !== decoded.data) checker.check(decoded.data);
    const { input, parsed } = checker;
    if (decoded.ivSkew)
      log.debug({ endpoint: ep.name, iv: decoded.iv }, 'KT request used a neighbouring day as IV');
    if (!parsed!.success) return fail(`参数错误: ${describeIssues(parsed!.error.issues, input)}`);
    const data = parsed!.data as Record<string, unknown>;
    if (typeof data.parkCode === 'string' && !parkCodes.has(data.parkCode))
      return fail(`停车场编号不正确: ${data.parkCode}`);
    const call = new Call(site, config, kt, tz, at, actor, photos, req);
    const result = ep.handle(data, call);
    return result instanceof Promise ? result.then((r: unknown) => ok(r ?? null)) : ok(result ?? null);
  };

  const errorReply = (e: unknown, endpoint: string): KtReply => {
    if (e instanceof KtError || e instanceof KtCodecError) return fail(e.message);
    if (e instanceof SiteError) {
      if (e.code === 'internal') log.error({ err: e, endpoint }, 'KT request failed inside the site');
      return fail(e.message);
    }
    log.error({ err: e, endpoint }, 'KT request failed');
    return fail('系统内部错误, 请稍后重试');
  };

  // one lookup per request instead of ~90 path patterns tried in turn; other faces' /api paths pass through
  type Handler = (req: Request, res: Response) => void;
  const byPath = new Map<string, Handler>();
  for (const ep of ktEndpoints(tz)) {
    for (const p of GROUP_PREFIXES[ep.group]) byPath.set(`${p}/${ep.name}`.toLowerCase(), handle(ep, false));
    for (const l of ep.legacy ?? []) byPath.set(l.toLowerCase(), handle(ep, true));
  }
  // One map lookup per request, no path patterns or params; anything that is not a KT path (other faces share
  // this server) passes straight through. Two plain middlewares rather than a callback made per request.
  router.use((req: Request, res: Response, next: NextFunction) => {
    const path = req.path;
    if (path.length < 6 || path.charCodeAt(0) !== 47 || !/^\/api\//i.test(path)) return next();
    const h = byPath.get(path.replace(/\/+$/, '').toLowerCase());
    if (!h) return next();
    (req as KtRequest)[HANDLER] = h;
    readBody(req, res, next);
  });
  router.use((req: Request, res: Response, next: NextFunction) => {
    const h = (req as KtRequest)[HANDLER];
    if (!h) return next();
    try {
      req.body = bodyOf(req);
    } catch (e) {
      return next(e);
    }
    h(req, res);
  });

  router.get('/api/ParkingManage/Photo/:file', (req, res) => {
    const token = String(req.params.file).replace(/\.jpg$/, '');
    const jpeg = /^[0-9a-f]{32}$/.test(token) ? photos.get(token) : undefined;
    if (!jpeg) {
      send(res, fail('图片不存在或已过期'), 404);
      return;
    }
    res.status(200).type('image/jpeg').send(jpeg);
  });

  // body-parser failures (bad JSON, too large, bad charset) on our paths get a KT reply
  router.use((err: any, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const type = err?.type as string | undefined;
    let msg = '请求无效';
    if (type === 'entity.too.large') msg = `请求体过大 (上限 ${limit})`;
    else if (type === 'entity.parse.failed') msg = '请求体不是有效的 JSON';
    else if (type === 'charset.unsupported' || type === 'encoding.unsupported') msg = '不支持的字符集或编码';
    else log.error({ err, path: req.path }, 'KT request failed before routing');
    send(res, fail(msg));
  });

  return router;
}
