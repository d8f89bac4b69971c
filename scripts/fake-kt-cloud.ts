// A fake KT third-party cloud for tests and the demo: receives the uplink reports (decrypts, records, answers
// resCode 0 or whatever a test says), can be taken down, and can call our downlink the way KT clients do.
//
//   npx tsx scripts/fake-kt-cloud.ts --port 9700 [--key 693207DB8148FBC9D8410179] [--user ktapi] [--pwd 0506E3]
//
// Each received report is printed as one JSON line.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { pathToFileURL } from 'node:url';
import { ktDecode, ktEncryptText, ktIv, type KtCharset, type KtReply } from '../src/codecs/kt.js';
import { ktRoutes } from '../src/downlink/kt/router.js';
import { credentialsMatch } from '../src/downlink/kt/common.js';

export interface FakeKtCloudOptions {
  port?: number;
  host?: string;
  /** the 24-character 3DES key */
  key: string;
  /** credentials the cloud expects in our uplink calls, and sends by default on callDownlink */
  user: string;
  pwd: string;
  timezone?: string;
  now?: () => number;
}

export interface KtReceived {
  name: string;
  data: any;
  headers: Record<string, string | string[] | undefined>;
  at: number;
}

export type KtReplyFn = (data: any, r: KtReceived) => KtReply | Promise<KtReply>;

export interface CallOptions {
  /** send data=… as application/x-www-form-urlencoded (the everhomes client) instead of JSON {"data"} */
  form?: boolean;
  /** encrypt with this IV instead of today's */
  iv?: string;
  charset?: KtCharset;
  /** send exactly this body (malformed-input tests) */
  rawBody?: string;
  contentType?: string;
  /** wrap base64 at 76 columns like sun.misc.BASE64Encoder */
  lineBreaks?: boolean;
}

export interface FakeKtCloud {
  /** base URL to configure as clouds.kt.uplink.url */
  url: string;
  received: KtReceived[];
  /** down: every connection is dropped without an answer */
  setDown(down: boolean): void;
  /** answer reports named `name` with fn (undefined restores the default) */
  setReply(name: string, fn: KtReplyFn | undefined): void;
  /** call our downlink as KT does; endpoint is a seed name (GetParkingPaymentInfo) or a full path */
  callDownlink(
    baseUrl: string,
    endpoint: string,
    data: unknown,
    creds?: { user: string; pwd: string },
    opts?: CallOptions,
  ): Promise<KtReply & { status: number; contentType: string }>;
  /** resolves with the first report (already received or arriving) that matches */
  waitFor(pred: (r: KtReceived) => boolean, timeoutMs?: number): Promise<KtReceived>;
  close(): Promise<void>;
}

let cloudOrderSeq = 0;

function defaultReply(name: string, data: any, url: string): KtReply {
  switch (name) {
    case 'PostCarInInfo':
      return { resCode: 0, resMsg: '', data: [{ IsDensityPay: 0 }] };
    case 'PostCarOutInfo':
      return { resCode: 0, resMsg: '', data: [{ deductMoney: 0 }] };
    case 'GetPayQRCode': {
      const no = `FK${++cloudOrderSeq}`;
      return {
        resCode: 0,
        resMsg: '',
        data: [
          {
            qrcode: `${url}/pay/${encodeURIComponent(String(data?.orderNo ?? no))}`,
            orderNo: no,
            payType: 6,
          },
        ],
      };
    }
    case 'PayScanCode':
      return { resCode: 0, resMsg: '', data: [{ orderNo: `FK${++cloudOrderSeq}`, payType: 6 }] };
    case 'AutonomousCalfee':
      return { resCode: 0, resMsg: '', data: [{ payMoney: 0 }] };
    default:
      return { resCode: 0, resMsg: '', data: null };
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function seedPath(endpoint: string): string {
  if (endpoint.startsWith('/')) return endpoint;
  const r = ktRoutes().find((x) => x.endpoint === endpoint);
  if (!r) throw new Error(`unknown KT endpoint ${endpoint}`);
  return r.path;
}

export async function startFakeKtCloud(opts: FakeKtCloudOptions): Promise<FakeKtCloud> {
  const tz = opts.timezone ?? 'Asia/Shanghai';
  const now = opts.now ?? Date.now;
  const received: KtReceived[] = [];
  const replies = new Map<string, KtReplyFn>();
  const waiters = new Set<{ pred: (r: KtReceived) => boolean; resolve: (r: KtReceived) => void }>();
  const sockets = new Set<Socket>();
  let down = false;
  let url = '';

  const server: Server = createServer(async (req, res) => {
    if (down) {
      req.socket.destroy();
      return;
    }
    const reply = (r: KtReply, status = 200) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(r));
    };
    try {
      const body = await readBody(req);
      if (down) {
        req.socket.destroy();
        return;
      }
      const name = decodeURIComponent(
        new URL(req.url ?? '/', 'http://x').pathname.split('/').filter(Boolean).pop() ?? '',
      );
      if (!credentialsMatch(req.headers.user, req.headers.pwd, { user: opts.user, pwd: opts.pwd })) {
        reply({ resCode: 1, resMsg: '用户名或密码错误', data: null });
        return;
      }
      let raw: string | undefined;
      try {
        raw = (JSON.parse(body) as { data?: string }).data;
      } catch {
        raw = new URLSearchParams(body).get('data') ?? undefined;
      }
      if (!raw) {
        reply({ resCode: 1, resMsg: '缺少 data 参数', data: null });
        return;
      }
      const decoded = ktDecode(raw, opts.key, now(), tz);
      const r: KtReceived = { name, data: decoded.data, headers: req.headers, at: now() };
      received.push(r);
      for (const w of [...waiters]) {
        if (w.pred(r)) {
          waiters.delete(w);
          w.resolve(r);
        }
      }
      const fn = replies.get(name);
      reply(fn ? await fn(decoded.data, r) : defaultReply(name, decoded.data, url));
    } catch (e) {
      if (!res.headersSent) reply({ resCode: 1, resMsg: (e as Error).message, data: null });
    }
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  const addr = server.address() as AddressInfo;
  url = `http://${opts.host ?? '127.0.0.1'}:${addr.port}`;

  return {
    url,
    received,
    setDown(d: boolean) {
      down = d;
      // kept-alive connections would otherwise still be answered
      if (d) for (const s of sockets) s.destroy();
    },
    setReply(name, fn) {
      if (fn) replies.set(name, fn);
      else replies.delete(name);
    },
    async callDownlink(baseUrl, endpoint, data, creds = { user: opts.user, pwd: opts.pwd }, o = {}) {
      const iv = o.iv ?? ktIv(now(), tz);
      let b64 = ktEncryptText(JSON.stringify(data), opts.key, iv, o.charset ?? 'gb2312');
      if (o.lineBreaks) b64 = b64.replace(/(.{76})/g, '$1\r\n');
      const body = o.rawBody ?? (o.form ? `data=${encodeURIComponent(b64)}` : JSON.stringify({ data: b64 }));
      const contentType =
        o.contentType ?? (o.form ? 'application/x-www-form-urlencoded' : 'application/json;charset=utf-8');
      const res = await fetch(`${baseUrl.replace(/\/+$/, '')}${seedPath(endpoint)}`, {
        method: 'POST',
        headers: { 'content-type': contentType, user: creds.user, pwd: creds.pwd },
        body,
      });
      const text = await res.text();
      let parsed: KtReply;
      try {
        parsed = JSON.parse(text) as KtReply;
      } catch {
        parsed = { resCode: -1, resMsg: `not JSON: ${text.slice(0, 200)}`, data: null };
      }
      return { ...parsed, status: res.status, contentType: res.headers.get('content-type') ?? '' };
    },
    waitFor(pred, timeoutMs = 10_000) {
      const hit = received.find(pred);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const w = {
          pred,
          resolve: (r: KtReceived) => {
            clearTimeout(timer);
            resolve(r);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(w);
          reject(
            new Error(
              `fake KT cloud: no matching report within ${timeoutMs} ms (got ${received.map((r) => r.name).join(', ') || 'nothing'})`,
            ),
          );
        }, timeoutMs);
        waiters.add(w);
      });
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string, def: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && argv[i + 1] ? argv[i + 1] : def;
  };
  const cloud = await startFakeKtCloud({
    port: Number(arg('port', '9700')),
    host: arg('host', '127.0.0.1'),
    key: arg('key', process.env.KT_KEY ?? '693207DB8148FBC9D8410179'),
    user: arg('user', 'ktapi'),
    pwd: arg('pwd', process.env.KT_UPLINK_PWD ?? '0506E3'),
    timezone: arg('tz', 'Asia/Shanghai'),
  });
  const density = argv.includes('--density');
  if (density) {
    cloud.setReply('PostCarInInfo', () => ({ resCode: 0, resMsg: '', data: [{ IsDensityPay: 1 }] }));
    cloud.setReply('PostCarOutInfo', (d) => ({
      resCode: 0,
      resMsg: '',
      data: [{ deductMoney: Number(d.totalMoney) || 0 }],
    }));
  }
  let seen = 0;
  setInterval(() => {
    for (; seen < cloud.received.length; seen++) {
      const r = cloud.received[seen];
      process.stdout.write(
        `${JSON.stringify({ at: new Date(r.at).toISOString(), name: r.name, data: r.data })}\n`,
      );
    }
  }, 200);
  process.stderr.write(`fake KT cloud listening on ${cloud.url}${density ? ' (auto-pay on)' : ''}\n`);
  const stop = async () => {
    await cloud.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
  });
}
