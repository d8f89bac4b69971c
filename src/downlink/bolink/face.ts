// Bolink face: the 'bolink' outbox sender and one extension that owns the download.do long poll, the
// query_order schedule and the exit-time calls (wallet / sweepcode charge, QR code URL).
import type { ComponentHealth, Extension, Face, FaceContext, FaceFactory } from '../../daemon/face.js';
import { SiteError } from '../../site/api.js';
import { fenToYuan } from '../../core/money.js';
import { unixSeconds } from '../../codecs/bolink.js';
import { BolinkClient, type BolinkReply } from '../../uplink/bolink/client.js';
import { createBolinkSender, laneToChannel, ok } from '../../uplink/bolink/sender.js';
import { createBolinkHandlers } from './handlers.js';

export interface BolinkExtension extends Extension {
  client: BolinkClient;
  /** ask Bolink to charge the car waiting at an exit: password-free wallet, or a scanned pay code (sweepcode) */
  chargeAtExit(input: {
    orderNo: string;
    laneId?: string;
    payType: 'wallet' | 'sweepcode';
    authCode?: string;
  }): Promise<BolinkReply>;
  /** the QR code URL a lane shows (code_url) */
  codeUrl(laneId: string, type?: number): Promise<string | undefined>;
  /** the wallet balance Bolink last pushed for a plate (update_balance), fen */
  balanceOf(plate: string): number | undefined;
  /** stays currently on the query_order schedule */
  polling(): string[];
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });

export const createBolinkFace: FaceFactory = (ctx: FaceContext): Face => {
  const cfg = ctx.config.clouds.bolink;
  if (!cfg) throw new Error('clouds.bolink is not configured');
  const { site } = ctx;
  const log = ctx.logger.child({ component: 'bolink' });
  const client = new BolinkClient({ cfg, site, log });
  let health: ComponentHealth = { status: 'degraded', detail: { reason: 'not started' } };
  let loop: Promise<void> | undefined;

  // query_order: every everyMs from startAfterMs after a price, stop after stopAfterMs or once settled
  const schedules = new Map<string, { timer: NodeJS.Timeout; until: number }>();
  const settled = (orderNo: string) => {
    const s = schedules.get(orderNo);
    if (s) clearTimeout(s.timer);
    schedules.delete(orderNo);
  };
  const priced = (orderNo: string, plate: string, scene: number) => {
    if (client.signal.aborted) return;
    settled(orderNo);
    const q = cfg.queryOrder;
    const until = Date.now() + q.stopAfterMs;
    const tick = async () => {
      const s = schedules.get(orderNo);
      if (!s || client.signal.aborted) return;
      const o = site.getOrder(orderNo);
      if (!o || o.state !== 'in' || Date.now() > s.until || site.quoteOrder(o, ctx.now()).due === 0)
        return settled(orderNo);
      try {
        const r = await client.upload('query_order', {
          order_id: orderNo,
          car_number: plate,
          time_temp: ctx.now(),
          pay_scene: scene === 0 ? 'prepay' : 'outpay',
        });
        // some deployments answer inline instead of with a downstream query_order
        if (Array.isArray(r.data)) await handlers.query_order({ data: r.data });
      } catch (e) {
        log.warn({ orderNo, err: (e as Error).message }, 'bolink query_order failed');
      }
      const still = schedules.get(orderNo);
      if (still) still.timer = setTimeout(() => void tick(), q.everyMs);
    };
    schedules.set(orderNo, { until, timer: setTimeout(() => void tick(), q.startAfterMs) });
  };

  const handlers = createBolinkHandlers({
    site,
    config: ctx.config,
    cfg,
    log,
    now: ctx.now,
    priced,
    settled,
  });

  const runLoop = async () => {
    while (!client.signal.aborted) {
      const started = Date.now();
      try {
        const msg = await client.download();
        health = { status: 'ok', detail: { lastPollAt: Date.now() } };
        if (!msg) {
          // a server that answers "nothing" at once must not turn the long poll into a busy loop
          if (Date.now() - started < 200) await sleep(500, client.signal);
          continue;
        }
        let answer: Record<string, unknown> | undefined;
        if (!msg.signOk) {
          log.warn({ service: msg.service }, 'bolink: downstream message with a bad sign ignored');
          answer = { state: 0, errmsg: '签名错误' };
        } else {
          const h = handlers[msg.service];
          answer = h ? await h(msg.data) : { state: 0, errmsg: `不支持的服务 ${msg.service}` };
        }
        if (answer) ok(await client.upload(msg.service, answer), `answer ${msg.service}`);
      } catch (e) {
        if (client.signal.aborted) break;
        health = { status: 'degraded', detail: { error: (e as Error).message } };
        log.warn({ err: (e as Error).message }, 'bolink poll failed, retrying');
        await sleep(cfg.retryMs, client.signal);
      }
    }
  };

  const ext: BolinkExtension = {
    name: 'bolink',
    client,
    async start() {
      loop = runLoop();
    },
    async stop() {
      client.stop();
      for (const s of schedules.values()) clearTimeout(s.timer);
      schedules.clear();
      await loop;
    },
    health: () => health,
    async chargeAtExit(input) {
      const o = site.getOrder(input.orderNo);
      if (!o) throw new SiteError('not-found', `订单 ${input.orderNo} 不存在`);
      if (o.state !== 'in') throw new SiteError('already-left', `订单 ${input.orderNo} 已出场`);
      if (input.payType === 'sweepcode' && !input.authCode)
        throw new SiteError('invalid', 'sweepcode 需要付款码');
      const now = ctx.now();
      const q = site.quoteOrder(o, now);
      if (q.due === 0) throw new SiteError('conflict', `订单 ${input.orderNo} 已缴清, 无需重复支付`);
      const r = await client.upload('outpark', {
        car_number: o.plate || o.cardNo || '',
        in_time: unixSeconds(o.entryTime),
        out_time: unixSeconds(now),
        uid: 'parkedge',
        duration: q.stayMinutes,
        pay_type: input.payType,
        auth_code: input.authCode,
        empty_plot: site.spaces().reduce((s, a) => s + a.free, 0),
        total: fenToYuan(q.due),
        order_id: o.orderNo,
        in_channel_id: laneToChannel(cfg, o.entryLane),
        out_channel_id: laneToChannel(cfg, input.laneId),
      });
      return r;
    },
    async codeUrl(laneId, type = 1) {
      const r = await client.upload('code_url', { type, channel_id: laneToChannel(cfg, laneId) });
      ok(r, 'code_url');
      const url = r.code_url ?? r.url ?? (r.data as Record<string, unknown> | undefined)?.code_url;
      return typeof url === 'string' ? url : undefined;
    },
    balanceOf(plate) {
      const v = site.cloudState('bolink').get(`balance:${plate}`);
      return v === undefined ? undefined : Number(v);
    },
    polling: () => [...schedules.keys()],
  };

  return {
    name: 'bolink',
    sender: createBolinkSender({ site, config: ctx.config, client, log }),
    extensions: [ext],
  };
};
