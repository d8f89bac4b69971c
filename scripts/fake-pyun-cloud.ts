// A local stand-in for P云: records the park's uplink calls (checking their signs), plays the prepay /
// payment-status dance, and can call the park's gateway as P云 would. Tests and the demo use it.
//   tsx scripts/fake-pyun-cloud.ts [port]   (APP_SECRET / GATEWAY_KEY from the environment)
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { pyunGatewaySign, pyunUplinkSign } from '../src/codecs/pyun.js';

export interface PyunRecorded {
  method: string;
  path: string; // 'enter' | 'leave' | 'prepay' | 'payment' | …
  params: Record<string, string>;
  signOk: boolean;
  at: number;
}

export interface FakePyunOptions {
  appSecret: string;
  gatewayKey?: string;
  port?: number;
  host?: string;
}

export interface FakePyunCloud {
  /** base for clouds.pyun.uplinkUrl */
  url: string;
  messages: PyunRecorded[];
  /** while true every call gets HTTP 503 and is not recorded */
  down: boolean;
  /** how the next prepays are answered: charge at once (1001), accept then settle on poll (1000), or refuse */
  prepayMode: 'charge' | 'accept' | 'refuse';
  /** status the payment poll reports for accepted prepays once `settleAfterPolls` polls have been seen */
  settleStatus: 1 | -1;
  settleAfterPolls: number;
  /** pay_partner → polls seen / pay_serial */
  prepays: Map<string, { polls: number; paySerial: string; params: Record<string, string> }>;
  of(path: string): PyunRecorded[];
  /** act as P云 calling the park's gateway: signs with the gateway key and posts flat JSON */
  call(
    gatewayUrl: string,
    service: string,
    params: Record<string, unknown>,
    opts?: { badSign?: boolean },
  ): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export async function startFakePyunCloud(o: FakePyunOptions): Promise<FakePyunCloud> {
  let serial = 0;
  const state: Omit<FakePyunCloud, 'url' | 'close' | 'of' | 'call'> = {
    messages: [],
    down: false,
    prepayMode: 'charge',
    settleStatus: 1,
    settleAfterPolls: 1,
    prepays: new Map(),
  };
  const reply = (res: import('node:http').ServerResponse, status: number, body: Record<string, unknown>) => {
    res.writeHead(status, { 'content-type': 'application/json;charset=utf-8' });
    res.end(JSON.stringify({ seqno: `fake${++serial}`, data_node: 'LOCAL/FAKE', ...body }));
  };
  const server: Server = createServer(async (req, res) => {
    try {
      const u = new URL(req.url ?? '/', 'http://x');
      const m = /\/gate\/1\.0\/parking\/internal\/(.+)$/.exec(u.pathname);
      const body = await readBody(req);
      if (state.down) return reply(res, 503, { code: '503', message: '服务暂不可用' });
      if (!m) return reply(res, 404, { code: '404', message: 'not found' });
      const path = m[1];
      let params: Record<string, string> = {};
      if (req.method === 'GET') params = Object.fromEntries(u.searchParams);
      else {
        const ct = req.headers['content-type'] ?? '';
        const form = await new Response(body, { headers: { 'content-type': ct } }).formData();
        for (const [k, v] of form) if (typeof v === 'string') params[k] = v;
      }
      const signOk =
        typeof params.sign === 'string' && params.sign.toUpperCase() === pyunUplinkSign(params, o.appSecret);
      state.messages.push({ method: req.method ?? '', path, params, signOk, at: Date.now() });
      // like the real cloud during integration: a bad sign is "accepted" with a hint
      if (!signOk) return reply(res, 200, { code: '200', message: '已忽略当前请求', hint: '签名验证不通过' });
      if (path === 'enter' || path === 'leave') return reply(res, 200, { code: '200', message: 'OK' });
      if (path === 'prepay') {
        const paySerial = `PYS${Date.now()}${serial}`;
        if (state.prepayMode === 'refuse') return reply(res, 200, { code: '500', message: '余额不足' });
        state.prepays.set(params.pay_partner, { polls: 0, paySerial, params });
        if (state.prepayMode === 'charge')
          return reply(res, 200, {
            code: '1001',
            message: '扣款成功',
            pay_serial: paySerial,
            pay_origin: '0',
          });
        return reply(res, 200, { code: '1000', message: '已受理' });
      }
      if (path === 'payment') {
        const p = state.prepays.get(params.pay_partner);
        if (!p) return reply(res, 200, { code: '400', message: '请求参数错误', hint: 'pay_partner 不存在' });
        p.polls++;
        const status = p.polls >= state.settleAfterPolls ? state.settleStatus : 0;
        return reply(res, 200, {
          code: '1001',
          message: 'OK',
          status: String(status),
          pay_serial: status === 1 ? p.paySerial : undefined,
          pay_origin: '0',
          pay_origin_desc: 'P云',
        });
      }
      return reply(res, 200, { code: '200', message: 'OK' });
    } catch (e) {
      reply(res, 500, { code: '500', message: (e as Error).message });
    }
  });
  await new Promise<void>((r) => server.listen(o.port ?? 0, o.host ?? '127.0.0.1', r));
  const addr = server.address() as AddressInfo;
  const cloud = state as FakePyunCloud;
  cloud.url = `http://${addr.address}:${addr.port}/gate/1.0/parking/internal`;
  cloud.of = (path) => state.messages.filter((m) => m.path === path);
  cloud.call = async (gatewayUrl, service, params, opts) => {
    const body: Record<string, unknown> = { service, version: '1.0', charset: 'UTF-8', ...params };
    body.sign = opts?.badSign ? '0'.repeat(32) : pyunGatewaySign(body, o.gatewayKey ?? '', true);
    const res = await fetch(gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return (await res.json()) as Record<string, unknown>;
  };
  cloud.close = () =>
    new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    });
  return cloud;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const port = Number(process.argv[2] ?? 9301);
  startFakePyunCloud({
    appSecret: process.env.APP_SECRET ?? 'demo-secret',
    gatewayKey: process.env.GATEWAY_KEY ?? 'demo-key',
    port,
  }).then((c) => {
    console.log(`fake P云 listening: uplinkUrl ${c.url}`);
    setInterval(() => {
      const last = c.messages.at(-1);
      if (last)
        console.log(`${c.messages.length} calls, last ${last.path} sign ${last.signOk ? 'ok' : 'BAD'}`);
    }, 10_000).unref();
  });
}
