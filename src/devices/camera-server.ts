// One HTTP server for every push-style camera of the lot. Plain node:http rather than Express:
// the reply to a Zhenshi push is the gate's fast path, and body limits must hold before parsing.
//   POST /zhenshi[/...]   AlarmInfoPlate / AlarmGioIn / SerialData JSON, heartbeats as form fields
//   POST /hikvision[/...] ISAPI alarm push (multipart with anpr.xml, or bare XML)
//   GET  /images/<file>   pictures saved from pushes
//   GET  /healthz
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { errMsg } from './base.js';
import { alarmInfoPlateSchema, type ZhenshiCamera } from './camera/zhenshi.js';
import type { HikvisionCamera } from './camera/hikvision.js';
import type { ImageStore } from './camera/images.js';
import { boundaryOf, parseMultipart } from './http/multipart.js';

export interface CameraServerOptions {
  host: string;
  port: number;
  logger: Logger;
  images: ImageStore;
  /** bytes; a Zhenshi push with a full-size base64 picture is ~0.5–1 MB */
  bodyLimit?: number;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class CameraServer {
  private server: http.Server | null = null;
  private readonly log: Logger;
  readonly zhenshi: ZhenshiCamera[] = [];
  readonly hikvision: HikvisionCamera[] = [];
  private readonly limit: number;

  constructor(private readonly o: CameraServerOptions) {
    this.log = o.logger.child({ component: 'devices', device: 'camera-server' });
    this.limit = o.bodyLimit ?? 8 * 1024 * 1024;
  }

  async start(): Promise<{ host: string; port: number }> {
    const server = http.createServer((req, res) => {
      this.handle(req, res).catch((e) => this.fail(res, e));
    });
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    server.on('clientError', (_e, sock) => sock.destroy());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.port, this.o.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (e) => this.log.error({ err: errMsg(e) }, 'camera server error'));
    this.server = server;
    return this.address();
  }

  address(): { host: string; port: number } {
    const a = this.server?.address() as AddressInfo | null;
    if (!a) return { host: this.o.host, port: this.o.port };
    return { host: this.o.host, port: a.port };
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeIdleConnections();
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        s.closeAllConnections();
      }, 2000);
      s.close(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  private send(
    res: http.ServerResponse,
    status: number,
    body: unknown,
    type = 'application/json; charset=utf-8',
  ): void {
    if (res.headersSent) return;
    const buf = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    res.writeHead(status, { 'content-type': type, 'content-length': buf.length });
    res.end(buf);
  }

  private fail(res: http.ServerResponse, e: unknown): void {
    const status = e instanceof HttpError ? e.status : 500;
    if (status >= 500) this.log.error({ err: errMsg(e) }, 'camera push handling failed');
    else this.log.warn({ status, err: errMsg(e) }, 'camera push rejected');
    this.send(res, status, { error: errMsg(e) });
  }

  private readBody(req: http.IncomingMessage): Promise<Buffer> {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > this.limit) {
      // drain nothing; tell the client and close so a huge upload stops early
      req.resume();
      return Promise.reject(
        new HttpError(413, `body of ${declared} bytes exceeds the ${this.limit} byte limit`),
      );
    }
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let n = 0;
      req.on('data', (c: Buffer) => {
        n += c.length;
        if (n > this.limit) {
          reject(new HttpError(413, `body exceeds the ${this.limit} byte limit`));
          req.removeAllListeners('data');
          req.resume();
          return;
        }
        chunks.push(c);
      });
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    if (req.method === 'GET' && path.startsWith('/images/')) {
      const img = await this.o.images.read(decodeURIComponent(path.slice('/images/'.length)));
      if (!img) throw new HttpError(404, 'no such image');
      this.send(res, 200, img, img[0] === 0x89 ? 'image/png' : 'image/jpeg');
      return;
    }
    if (req.method === 'GET' && path === '/healthz') {
      this.send(res, 200, { ok: true });
      return;
    }
    const isZ = path === '/zhenshi' || path.startsWith('/zhenshi/');
    const isH = path === '/hikvision' || path.startsWith('/hikvision/');
    if (!isZ && !isH) throw new HttpError(404, `no route for ${req.method} ${path}`);
    if (req.method !== 'POST') throw new HttpError(405, 'cameras push with POST');
    const body = await this.readBody(req);
    const remote = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    const reply = isZ
      ? await this.zhenshiPush(req, body, remote)
      : await this.hikvisionPush(req, body, remote);
    this.send(res, 200, reply.body, reply.type);
  }

  private findZhenshi(
    serialno: string | undefined,
    ipaddr: string | undefined,
    remote: string,
  ): ZhenshiCamera {
    let byIp: ZhenshiCamera | undefined;
    for (const c of this.zhenshi) {
      const m = c.matches(serialno, ipaddr, remote);
      if (m === 'serial') return c;
      if (m === 'ip' && !byIp) byIp = c;
    }
    if (byIp) return byIp;
    throw new HttpError(404, `unknown camera (serialno ${serialno ?? '-'}, ipaddr ${ipaddr ?? remote})`);
  }

  private async zhenshiPush(
    req: http.IncomingMessage,
    body: Buffer,
    remote: string,
  ): Promise<{ body: unknown; type?: string }> {
    const ct = (req.headers['content-type'] ?? '').toLowerCase();
    let json: unknown;
    if (ct.startsWith('multipart/form-data') || ct.startsWith('application/x-www-form-urlencoded')) {
      const fields = formFields(ct, body, req.headers['content-type']);
      const cam = this.findZhenshi(fields.serialno, fields.ipaddr, remote);
      return { body: cam.heartbeat() };
    }
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch (e) {
      throw new HttpError(400, `body is not JSON: ${errMsg(e)}`);
    }
    if (!json || typeof json !== 'object' || Array.isArray(json))
      throw new HttpError(400, 'body must be a JSON object');
    const obj = json as Record<string, unknown>;
    if ('AlarmInfoPlate' in obj) {
      const parsed = alarmInfoPlateSchema.safeParse(obj);
      if (!parsed.success) {
        const i = parsed.error.issues[0];
        throw new HttpError(400, `AlarmInfoPlate.${i.path.slice(1).join('.')}: ${i.message}`);
      }
      const a = parsed.data.AlarmInfoPlate;
      const cam = this.findZhenshi(a.serialno, a.ipaddr, remote);
      return { body: await cam.push(parsed.data) };
    }
    // IO-input and RS485 pushes and JSON heartbeats: the camera is alive; answer with queued commands
    const inner = (obj.AlarmGioIn ?? obj.SerialData ?? obj.heartbeat ?? obj) as Record<string, unknown>;
    if (!inner || typeof inner !== 'object') throw new HttpError(400, 'unrecognised push');
    const serialno = typeof inner.serialno === 'string' ? inner.serialno : undefined;
    const ipaddr = typeof inner.ipaddr === 'string' ? inner.ipaddr : undefined;
    if (!serialno && !ipaddr && !('AlarmGioIn' in obj) && !('SerialData' in obj))
      throw new HttpError(
        400,
        'unrecognised push: expected AlarmInfoPlate, AlarmGioIn, SerialData or a heartbeat',
      );
    const cam = this.findZhenshi(serialno, ipaddr, remote);
    if ('AlarmGioIn' in obj) cam.events.emit('io', obj.AlarmGioIn);
    if ('SerialData' in obj) cam.events.emit('serial', obj.SerialData);
    return { body: cam.heartbeat() };
  }

  private async hikvisionPush(
    req: http.IncomingMessage,
    body: Buffer,
    remote: string,
  ): Promise<{ body: unknown; type?: string }> {
    const ct = req.headers['content-type'] ?? '';
    let xml: string | undefined;
    const pictures: Array<{ name: string; data: Buffer }> = [];
    if (/^multipart\//i.test(ct)) {
      const b = boundaryOf(ct);
      if (!b) throw new HttpError(400, 'multipart body without boundary');
      let parts;
      try {
        parts = parseMultipart(body, b);
      } catch (e) {
        throw new HttpError(400, errMsg(e));
      }
      for (const p of parts) {
        const isXml = /xml/i.test(p.contentType ?? '') || /\.xml$/i.test(p.filename ?? p.name ?? '');
        if (isXml && xml === undefined) xml = p.data.toString('utf8');
        else if (/image|jpe?g/i.test((p.contentType ?? '') + (p.filename ?? '')))
          pictures.push({ name: p.filename ?? p.name ?? '', data: p.data });
      }
    } else {
      xml = body.toString('utf8');
    }
    if (!xml || !/<EventNotificationAlert[\s>]/.test(xml))
      throw new HttpError(400, 'no EventNotificationAlert XML in the push');
    const ip = /<ipAddress>([^<]*)<\/ipAddress>/.exec(xml)?.[1]?.trim();
    const cam = this.hikvision.find((c) => c.matches(ip, remote));
    if (!cam) throw new HttpError(404, `unknown camera (ipAddress ${ip ?? remote})`);
    await cam.push(xml, pictures);
    return { body: { ok: true } };
  }
}

function formFields(ct: string, body: Buffer, rawCt: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (ct.startsWith('multipart/')) {
    const b = boundaryOf(rawCt);
    if (!b) throw new HttpError(400, 'multipart body without boundary');
    try {
      for (const p of parseMultipart(body, b)) if (p.name) out[p.name] = p.data.toString('utf8');
    } catch (e) {
      throw new HttpError(400, errMsg(e));
    }
  } else {
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) out[k] = v;
  }
  return out;
}
