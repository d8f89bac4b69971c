// The KT uplink HTTP client: POST <url>/<ReportName>, JSON {"data": 3DES(base64)}, user/pwd headers.
// A report counts as delivered only on resCode 0; anything else (HTTP error, timeout, unreadable reply,
// resCode ≠ 0) throws, and the outbox retries it.
import { ktEncode, parseLenientJson, type KtReply } from '../../codecs/kt.js';

export class KtRemoteError extends Error {
  constructor(
    message: string,
    /** true when the cloud may have acted on the request (timeout, connection lost after sending) */
    readonly uncertain: boolean,
    readonly resCode?: number,
  ) {
    super(message);
  }
}

export interface KtClientOptions {
  url: string;
  user: string;
  pwd: string;
  key: string;
  timezone: string;
  timeoutMs: number;
  now?: () => number;
}

/** Read a KT reply leniently: the seed's own samples are not always valid JSON. */
export function readKtReply(text: string): KtReply {
  try {
    const o = parseLenientJson(text) as Record<string, unknown>;
    if (o && typeof o === 'object' && 'resCode' in o) {
      return {
        resCode: Number(o.resCode),
        resMsg: (o.resMsg as string | null) ?? null,
        data: o.data ?? null,
      };
    }
  } catch {
    // fall through to the field scan
  }
  const m = /"resCode"\s*:\s*"?(-?\d+)/.exec(text);
  if (!m) throw new KtRemoteError(`KT 应答无法解析: ${text.slice(0, 120)}`, false);
  const msg = /"resMsg"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(text)?.[1] ?? null;
  return { resCode: Number(m[1]), resMsg: msg, data: null };
}

export class KtClient {
  private readonly now: () => number;
  constructor(private readonly o: KtClientOptions) {
    this.now = o.now ?? Date.now;
  }

  /** Post one report; resolves with the reply when resCode is 0. */
  async post(name: string, data: unknown, timeoutMs = this.o.timeoutMs): Promise<KtReply> {
    const body = JSON.stringify({ data: ktEncode(data, this.o.key, this.now(), this.o.timezone) });
    const url = `${this.o.url.replace(/\/+$/, '')}/${name}`;
    let res: globalThis.Response;
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), timeoutMs);
    let text: string;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json;charset=utf-8', user: this.o.user, pwd: this.o.pwd },
        body,
        signal: ac.signal,
      });
      text = await res.text();
    } catch (e) {
      const aborted = ac.signal.aborted;
      const code = (e as { cause?: { code?: string } }).cause?.code;
      // refused / unreachable: the request never reached the cloud; anything else may have
      const certain =
        code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH';
      throw new KtRemoteError(
        aborted ? `${name}: 超时 (${timeoutMs} ms)` : `${name}: ${code ?? (e as Error).message}`,
        !certain,
      );
    } finally {
      clearTimeout(timer);
    }
    if (res.status >= 400 && !/resCode/.test(text))
      throw new KtRemoteError(`${name}: HTTP ${res.status}`, res.status >= 500);
    const reply = readKtReply(text);
    if (reply.resCode !== 0)
      throw new KtRemoteError(
        `${name}: resCode ${reply.resCode} ${reply.resMsg ?? ''}`.trim(),
        false,
        reply.resCode,
      );
    return reply;
  }
}

/** First element of a reply's data array (KT wraps single answers in an array), or the object itself. */
export function firstRow(data: unknown): Record<string, unknown> | undefined {
  if (Array.isArray(data)) return (data[0] as Record<string, unknown>) ?? undefined;
  if (data && typeof data === 'object') return data as Record<string, unknown>;
  return undefined;
}
