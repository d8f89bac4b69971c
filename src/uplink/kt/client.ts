// The KT uplink HTTP client: POST <url>/<ReportName>, JSON {"data": 3DES(base64)}, user/pwd headers.
// A report counts as delivered only on resCode 0; anything else (HTTP error, timeout, unreadable reply,
// resCode ≠ 0) throws, and the outbox retries it.
import http from 'node:http';
import https from 'node:https';
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

const CERTAIN = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

export class KtClient {
  private readonly now: () => number;
  private readonly base: URL;
  // node:http with a keep-alive pool: a drained backlog is thousands of small posts to one host
  private readonly agent: http.Agent;

  constructor(private readonly o: KtClientOptions) {
    this.now = o.now ?? Date.now;
    this.base = new URL(o.url.replace(/\/+$/, '') + '/');
    const Agent = this.base.protocol === 'https:' ? https.Agent : http.Agent;
    this.agent = new Agent({ keepAlive: true, maxSockets: 32, keepAliveMsecs: 10_000 });
  }

  /** Post one report; resolves with the reply when resCode is 0. */
  async post(name: string, data: unknown, timeoutMs = this.o.timeoutMs): Promise<KtReply> {
    const body = JSON.stringify({ data: ktEncode(data, this.o.key, this.now(), this.o.timezone) });
    const url = new URL(name, this.base);
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      let sent = false;
      const req = (url.protocol === 'https:' ? https : http).request(
        url,
        {
          method: 'POST',
          agent: this.agent,
          headers: {
            'content-type': 'application/json;charset=utf-8',
            'content-length': Buffer.byteLength(body),
            user: this.o.user,
            pwd: this.o.pwd,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', (e) => reject(new KtRemoteError(`${name}: ${e.message}`, true)));
        },
      );
      const timer = setTimeout(() => req.destroy(new Error('timeout')), timeoutMs);
      req.on('close', () => clearTimeout(timer));
      req.on('finish', () => (sent = true));
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (e.message === 'timeout')
          return reject(new KtRemoteError(`${name}: 超时 (${timeoutMs} ms)`, true));
        // refused / unreachable: the request never reached the cloud; anything else may have
        const certain = (e.code !== undefined && CERTAIN.has(e.code)) || !sent;
        reject(new KtRemoteError(`${name}: ${e.code ?? e.message}`, !certain));
      });
      req.end(body);
    });
    if (status >= 400 && !/resCode/.test(text))
      throw new KtRemoteError(`${name}: HTTP ${status}`, status >= 500);
    const reply = readKtReply(text);
    if (reply.resCode !== 0)
      throw new KtRemoteError(
        `${name}: resCode ${reply.resCode} ${reply.resMsg ?? ''}`.trim(),
        false,
        reply.resCode,
      );
    return reply;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** First element of a reply's data array (KT wraps single answers in an array), or the object itself. */
export function firstRow(data: unknown): Record<string, unknown> | undefined {
  if (Array.isArray(data)) return (data[0] as Record<string, unknown>) ?? undefined;
  if (data && typeof data === 'object') return data as Record<string, unknown>;
  return undefined;
}
