// Park ↔ Bolink over HTTP mode: login for a token (kept across restarts), signed upload.do calls that log in
// again once on a token error, and the download.do long poll. Wire rules: docs/protocols/bolink.md.
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { bolinkSchema } from '../../config/clouds.schema.js';
import type { Site } from '../../site/site.js';
import { bolinkEnvelope, bolinkSign, rawDataText } from '../../codecs/bolink.js';

export type BolinkConfig = z.infer<typeof bolinkSchema>;
export type BolinkReply = Record<string, unknown> & { state?: unknown; errmsg?: unknown };

export class BolinkError extends Error {
  constructor(
    message: string,
    readonly reply?: BolinkReply,
  ) {
    super(message);
  }
}

/** A downstream message: its service and its fields (from `data`, or the flat body when there is none). */
export interface BolinkMessage {
  service: string;
  data: Record<string, unknown>;
  /** false when a sign was present and did not match the data text */
  signOk: boolean;
}

export function isTokenError(r: BolinkReply | undefined, status?: number): boolean {
  if (status === 401) return true;
  if (!r) return false;
  const state = Number(r.state);
  return state !== 1 && /token|令牌|登录|login/i.test(String(r.errmsg ?? r.msg ?? ''));
}

export class BolinkClient {
  private token?: string;
  private loggingIn?: Promise<string>;
  private readonly abort = new AbortController();
  logins = 0;

  constructor(private readonly o: { cfg: BolinkConfig; site: Site; log: Logger }) {
    this.token = o.site.cloudState('bolink').get('token');
  }

  stop(): void {
    this.abort.abort();
  }
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  private async postText(
    path: string,
    body: string,
    timeoutMs: number,
  ): Promise<{ status: number; text: string }> {
    const res = await fetch(`${this.o.cfg.url}/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json;charset=utf-8' },
      body,
      signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), this.abort.signal]),
    });
    return { status: res.status, text: await res.text() };
  }

  private parse(path: string, status: number, text: string): BolinkReply {
    try {
      const j = JSON.parse(text) as unknown;
      if (j && typeof j === 'object') return j as BolinkReply;
    } catch {}
    throw new BolinkError(`${path}: HTTP ${status}, unexpected body`);
  }

  async login(): Promise<string> {
    // one login at a time: the poller and the sender may both hit a token error together
    this.loggingIn ??= (async () => {
      const { cfg } = this.o;
      this.logins++;
      const body = bolinkEnvelope(
        'login',
        { union_id: cfg.unionId, park_id: cfg.parkId, local_id: cfg.localId },
        cfg.ukey,
      );
      const { status, text } = await this.postText('upload.do', body, cfg.timeoutMs);
      const r = this.parse('login', status, text);
      if (Number(r.state) !== 1 || typeof r.token !== 'string' || !r.token)
        throw new BolinkError(`login refused: ${String(r.errmsg ?? status)}`, r);
      this.token = r.token;
      this.o.site.cloudState('bolink').set('token', r.token);
      this.o.log.info('bolink: logged in');
      return r.token;
    })().finally(() => (this.loggingIn = undefined));
    return this.loggingIn;
  }

  async ensureToken(): Promise<string> {
    return this.token ?? this.login();
  }

  /** One signed upload.do call; on a token error log in again and retry once. Resolves with Bolink's reply. */
  async upload(service: string, data: Record<string, unknown>): Promise<BolinkReply> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.ensureToken();
      const { status, text } = await this.postText(
        'upload.do',
        bolinkEnvelope(service, data, this.o.cfg.ukey, token),
        this.o.cfg.timeoutMs,
      );
      let r: BolinkReply | undefined;
      try {
        r = this.parse(service, status, text);
      } catch (e) {
        if (status !== 401) throw e;
      }
      if (isTokenError(r, status) && attempt === 0) {
        this.token = undefined;
        await this.login();
        continue;
      }
      if (!r) throw new BolinkError(`${service}: HTTP ${status}`);
      return r;
    }
  }

  /** One long poll. Undefined when the server had nothing (body `500`, empty, or no service_name). */
  async download(): Promise<BolinkMessage | undefined> {
    const token = await this.ensureToken();
    const { status, text } = await this.postText(
      'download.do',
      JSON.stringify({ token }),
      this.o.cfg.pollTimeoutMs,
    );
    const trimmed = text.trim();
    if (!trimmed || trimmed === '500') return undefined;
    let r: BolinkReply | undefined;
    try {
      r = this.parse('download', status, trimmed);
    } catch (e) {
      if (status !== 401) throw e;
    }
    if (isTokenError(r, status)) {
      this.token = undefined;
      await this.login();
      return undefined;
    }
    if (!r || typeof r.service_name !== 'string') return undefined;
    let data: Record<string, unknown>;
    let signOk = true;
    if (r.data && typeof r.data === 'object' && !Array.isArray(r.data)) {
      data = r.data as Record<string, unknown>;
      if (typeof r.sign === 'string' && r.sign) {
        const raw = rawDataText(trimmed);
        signOk = raw !== undefined && bolinkSign(raw, this.o.cfg.ukey) === r.sign.toUpperCase();
      }
    } else {
      const { service_name: _s, token: _t, sign: _g, ...rest } = r;
      data = rest;
    }
    return { service: r.service_name, data, signOk };
  }
}
