// Park → P云 calls (https://api.4pyun.com/gate/1.0/parking/internal/…): signed form posts and GETs, and the
// exit auto-deduct (prepay) with its status poll. Times here are ms epochs, money fen, as the uplink docs say.
import type { Logger } from 'pino';
import type { Site } from '../../site/site.js';
import { SiteError } from '../../site/api.js';
import { findPyunPayment, pyunPaymentSerial, pyunTime, pyunUplinkSign } from '../../codecs/pyun.js';
import type { PyunConfig } from '../../downlink/pyun/services.js';

export interface PyunUpReply {
  code: string;
  message?: string;
  hint?: string;
  [k: string]: unknown;
}

export class PyunUplinkError extends Error {
  constructor(
    message: string,
    readonly reply?: PyunUpReply,
  ) {
    super(message);
  }
}

export type PrepayOutcome =
  | { status: 'paid'; payPartner: string; paySerial?: string; amount: number }
  | { status: 'failed'; payPartner?: string; reason: string }
  | { status: 'nothing-due' };

export interface PyunUplinkOptions {
  cfg: PyunConfig;
  site: Site;
  log: Logger;
  now: () => number;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });

export class PyunUplink {
  private readonly abort = new AbortController();
  constructor(private readonly o: PyunUplinkOptions) {}

  stop(): void {
    this.abort.abort();
  }

  private signed(params: Record<string, string | number | undefined>): Record<string, string> {
    const out: Record<string, string> = {};
    if (this.o.cfg.appId) out.app_id = this.o.cfg.appId;
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') out[k] = String(v);
    out.sign = pyunUplinkSign(out, this.o.cfg.appSecret);
    return out;
  }

  private async parse(res: Response, path: string): Promise<PyunUpReply> {
    // P云 answers non-200 statuses with a body too; the code inside is what counts
    const text = await res.text();
    try {
      const j = JSON.parse(text) as PyunUpReply;
      j.code = String(j.code ?? '');
      return j;
    } catch {
      throw new PyunUplinkError(`${path}: HTTP ${res.status}, body is not JSON`);
    }
  }

  /** multipart/form-data POST (the enter/leave docs' transport; prepay takes the same form). */
  async post(path: string, params: Record<string, string | number | undefined>): Promise<PyunUpReply> {
    const fields = this.signed(params);
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    const res = await fetch(`${this.o.cfg.uplinkUrl}/${path}`, {
      method: 'POST',
      body: form,
      signal: AbortSignal.any([AbortSignal.timeout(this.o.cfg.timeoutMs), this.abort.signal]),
    });
    return this.parse(res, path);
  }

  async get(path: string, params: Record<string, string | number | undefined>): Promise<PyunUpReply> {
    const qs = new URLSearchParams(this.signed(params)).toString();
    const res = await fetch(`${this.o.cfg.uplinkUrl}/${path}?${qs}`, {
      signal: AbortSignal.any([AbortSignal.timeout(this.o.cfg.timeoutMs), this.abort.signal]),
    });
    return this.parse(res, path);
  }

  /** seed 004: code 1001 means the query worked; `status` 1 paid, -1 failed, 0 still paying. */
  async paymentStatus(
    payPartner: string,
  ): Promise<{ status: number; paySerial?: string; payOrigin?: string }> {
    const r = await this.get('payment', { park_uuid: this.o.cfg.parkUuid, pay_partner: payPartner });
    if (r.code !== '1001') throw new PyunUplinkError(`payment: code ${r.code} ${r.message ?? ''}`, r);
    return {
      status: Number(r.status ?? 0),
      paySerial: r.pay_serial ? String(r.pay_serial) : undefined,
      payOrigin: r.pay_origin ? String(r.pay_origin) : undefined,
    };
  }

  /**
   * Ask P云 to charge what the stay owes now (password-free auto-pay, or a scanned pay code with authCode),
   * then poll until it is paid or failed. Every call takes a fresh pay_partner, never reused even when the
   * previous attempt failed (seed 004).
   */
  async prepay(input: { orderNo: string; gateId?: string; authCode?: string }): Promise<PrepayOutcome> {
    const { site, cfg, log } = this.o;
    const order = site.getOrder(input.orderNo);
    if (!order) throw new SiteError('not-found', `订单 ${input.orderNo} 不存在`);
    if (order.state !== 'in') throw new SiteError('already-left', `订单 ${input.orderNo} 已出场`);
    const now = this.o.now();
    const q = site.quoteOrder(order, now);
    if (q.due <= 0) return { status: 'nothing-due' };
    const payPartner = `${pyunTime(now, site.timezone)}${String(site.nextSequence('pyun.pay_partner')).padStart(8, '0')}`;
    let reply: PyunUpReply;
    try {
      reply = await this.post('prepay', {
        park_uuid: cfg.parkUuid,
        plate: order.plate || order.cardNo,
        enter_time: order.entryTime,
        total_value: q.due + q.discountMoney,
        free_value: q.discountMoney,
        pay_value: q.due,
        parking_serial: order.orderNo,
        pay_partner: payPartner,
        parking_time: Math.max(0, Math.floor((now - order.entryTime) / 1000)),
        gate_id: input.gateId,
        auth_code: input.authCode,
      });
    } catch (e) {
      return { status: 'failed', payPartner, reason: (e as Error).message };
    }
    if (reply.code === '1001')
      return this.record(
        order.orderNo,
        payPartner,
        reply.pay_serial ? String(reply.pay_serial) : undefined,
        q.due,
      );
    if (reply.code !== '1000')
      return { status: 'failed', payPartner, reason: `prepay: code ${reply.code} ${reply.message ?? ''}` };
    const deadline = Date.now() + cfg.payPollForMs;
    while (Date.now() < deadline && !this.abort.signal.aborted) {
      await sleep(cfg.payPollMs, this.abort.signal);
      try {
        const s = await this.paymentStatus(payPartner);
        if (s.status === 1) return this.record(order.orderNo, payPartner, s.paySerial, q.due);
        if (s.status === -1) return { status: 'failed', payPartner, reason: '扣款失败' };
      } catch (e) {
        log.warn({ payPartner, err: (e as Error).message }, 'pyun payment poll failed, will retry');
      }
    }
    return { status: 'failed', payPartner, reason: '扣款结果查询超时' };
  }

  private record(
    orderNo: string,
    payPartner: string,
    paySerial: string | undefined,
    amount: number,
  ): PrepayOutcome {
    const { site } = this.o;
    const o = site.getOrder(orderNo);
    // the async payment.result may have been recorded first
    if (o && !findPyunPayment(o.payments, payPartner, paySerial)) {
      site.pay({
        orderNo,
        amount,
        channel: 'pyun',
        serial: pyunPaymentSerial(payPartner, paySerial),
        method: 'auto-pyun',
        time: this.o.now(),
        actor: { kind: 'pyun', name: 'P云自动扣费' },
      });
    }
    return { status: 'paid', payPartner, paySerial, amount };
  }
}
