// LAN OpenApi (seed 003, port 8888) envelope sign: HMAC-SHA256 over a fixed-order pre-sign string that carries
// the MD5 of the flattened, lower-cased Data. Steps and the verified MD5 step: docs/protocols/lanapi.md.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

function scalarText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/**
 * `k=v&…` with keys in ASCII order, nulls skipped, arrays as their elements' texts sorted and joined with
 * `&` (an empty array gives `k=`), nested objects as their compact JSON; the whole string lower-cased.
 * Keys are sorted after lower-casing so PascalCase and camelCase senders agree.
 */
export function lanFlatten(data: Record<string, unknown> | null | undefined): string {
  if (!data) return '';
  const entries = Object.entries(data)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => [k.toLowerCase(), v] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const parts = entries.map(([k, v]) => {
    if (Array.isArray(v)) {
      const items = v
        .filter((x) => x !== null && x !== undefined)
        .map(scalarText)
        .sort();
      return `${k}=${items.join('&')}`;
    }
    return `${k}=${scalarText(v)}`;
  });
  return parts.join('&').toLowerCase();
}

export function lanDataMd5(data: Record<string, unknown> | null | undefined): string {
  return createHash('md5').update(lanFlatten(data), 'utf8').digest('hex');
}

export interface LanEnvelope {
  ParkKey: string;
  AppId: string;
  TimeStamp: string;
  Nonce: string;
  Sign?: string;
  Data?: Record<string, unknown> | null;
}

/** Fixed order (not alphabetical): appid, data, parkkey, timestamp, nonce — lower-cased. */
export function lanPreSign(e: LanEnvelope): string {
  return `appid=${e.AppId}&data=${lanDataMd5(e.Data)}&parkkey=${e.ParkKey}&timestamp=${e.TimeStamp}&nonce=${e.Nonce}`.toLowerCase();
}

/** Base64(HMAC-SHA256(AppSecret, pre-sign)), lower-cased as the vendor does. */
export function lanSign(e: LanEnvelope, appSecret: string): string {
  return createHmac('sha256', Buffer.from(appSecret, 'utf8'))
    .update(lanPreSign(e), 'utf8')
    .digest('base64')
    .toLowerCase();
}

export function lanVerify(e: LanEnvelope, appSecret: string): boolean {
  if (typeof e.Sign !== 'string') return false;
  const want = Buffer.from(lanSign(e, appSecret));
  const got = Buffer.from(e.Sign.trim().toLowerCase());
  return want.length === got.length && timingSafeEqual(want, got);
}
