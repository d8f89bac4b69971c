// A local stand-in for 泊链 Bolink (HTTP mode): login/token, signed upload.do (recorded, sign checked on the
// exact data text), and a download.do long poll fed from a queue the test or the demo fills.
//   tsx scripts/fake-bolink-cloud.ts [port]   (UKEY from the environment)
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { bolinkEnvelope, bolinkSign, rawDataText } from '../src/codecs/bolink.js';

export interface BolinkRecorded {
  service: string;
  data: Record<string, unknown>;
  token?: string;
  signOk: boolean;
  at: number;
}

export interface FakeBolinkCloud {
  /** base for clouds.bolink.url */
  url: string;
  uploads: BolinkRecorded[];
  logins: number;
  polls: number;
  down: boolean;
  /** how long download.do holds an idle poll before answering `500` */
  holdMs: number;
  of(service: string): BolinkRecorded[];
  /** queue a downstream message; signed with the ukey unless `sign` is given ('' = unsigned) */
  queue(service: string, data: Record<string, unknown>, sign?: string): void;
  /** make every issued token invalid (the next call gets a token error) */
  expireTokens(): void;
  /** extra fields merged into the reply to uploads of this service */
  replies: Map<string, Record<string, unknown>>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeBolinkCloud(o: {
  ukey: string;
  port?: number;
  host?: string;
  holdMs?: number;
}): Promise<FakeBolinkCloud> {
  const tokens = new Set<string>();
  const pending: string[] = [];
  const waiters: Array<() => void> = [];
  const state = {
    uploads: [] as BolinkRecorded[],
    logins: 0,
    polls: 0,
    down: false,
    holdMs: o.holdMs ?? 1000,
    replies: new Map<string, Record<string, unknown>>(),
  };
  const json = (res: ServerResponse, body: unknown, status = 200) => {
    res.writeHead(status, { 'content-type': 'application/json;charset=utf-8' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
  const server: Server = createServer(async (req, res) => {
    try {
      const text = await readBody(req);
      if (state.down) return json(res, { state: 0, errmsg: 'service unavailable' }, 503);
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const body = JSON.parse(text || '{}') as Record<string, unknown>;
      if (path.endsWith('/upload.do')) {
        const service = String(body.service_name ?? '');
        const raw = rawDataText(text);
        const signOk =
          raw !== undefined && typeof body.sign === 'string' && bolinkSign(raw, o.ukey) === body.sign;
        const data = (body.data ?? {}) as Record<string, unknown>;
        if (service === 'login') {
          state.logins++;
          if (!signOk) return json(res, { state: 0, errmsg: 'sign error', service_name: 'login' });
          const token = randomBytes(16).toString('hex');
          tokens.add(token);
          return json(res, { state: 1, token, service_name: 'login' });
        }
        if (typeof body.token !== 'string' || !tokens.has(body.token))
          return json(res, { state: 0, errmsg: 'token无效,请重新登录', service_name: service });
        state.uploads.push({ service, data, token: body.token, signOk, at: Date.now() });
        if (!signOk) return json(res, { state: 0, errmsg: 'sign error', service_name: service });
        return json(res, {
          state: 1,
          service_name: service,
          order_id: data.order_id,
          ...(state.replies.get(service) ?? {}),
        });
      }
      if (path.endsWith('/download.do')) {
        if (typeof body.token !== 'string' || !tokens.has(body.token))
          return json(res, { state: 0, errmsg: 'token无效,请重新登录' });
        state.polls++;
        if (!pending.length) {
          await new Promise<void>((resolve) => {
            const t = setTimeout(done, state.holdMs);
            function done() {
              clearTimeout(t);
              const i = waiters.indexOf(done);
              if (i >= 0) waiters.splice(i, 1);
              resolve();
            }
            waiters.push(done);
            res.on('close', done);
          });
        }
        const next = pending.shift();
        if (res.writableEnded || res.destroyed) {
          if (next) pending.unshift(next);
          return;
        }
        return json(res, next ?? '500');
      }
      json(res, { state: 0, errmsg: 'not found' }, 404);
    } catch (e) {
      json(res, { state: 0, errmsg: (e as Error).message }, 500);
    }
  });
  await new Promise<void>((r) => server.listen(o.port ?? 0, o.host ?? '127.0.0.1', r));
  const addr = server.address() as AddressInfo;
  const cloud = state as unknown as FakeBolinkCloud;
  cloud.url = `http://${addr.address}:${addr.port}/bpd`;
  cloud.of = (service) => state.uploads.filter((u) => u.service === service);
  cloud.queue = (service, data, sign) => {
    let text = bolinkEnvelope(service, data, o.ukey);
    if (sign !== undefined) text = text.replace(/"sign":"[0-9A-F]{32}",/, sign ? `"sign":"${sign}",` : '');
    pending.push(text);
    waiters.shift()?.();
  };
  cloud.expireTokens = () => tokens.clear();
  cloud.close = () =>
    new Promise<void>((r) => {
      for (const w of [...waiters]) w();
      server.close(() => r());
      server.closeAllConnections();
    });
  return cloud;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const port = Number(process.argv[2] ?? 9302);
  startFakeBolinkCloud({ ukey: process.env.UKEY ?? 'demo-ukey', port, holdMs: 30_000 }).then((c) => {
    console.log(`fake Bolink listening: url ${c.url}`);
    setInterval(
      () => console.log(`${c.logins} logins, ${c.polls} polls, ${c.uploads.length} uploads`),
      10_000,
    ).unref();
  });
}
