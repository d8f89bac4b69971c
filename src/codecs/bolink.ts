// 泊链 Bolink HTTP-mode wire helpers: the envelope, the sign over the exact `data` text, yuan and unix seconds.
// Rules and the verified login vector: docs/protocols/bolink.md and research/protocols.md §2.1.
import { createHash } from 'node:crypto';

/** Upper-case MD5 of the serialized `data` text immediately followed by `key=<ukey>` (no `&`). */
export function bolinkSign(dataText: string, ukey: string): string {
  return createHash('md5').update(`${dataText}key=${ukey}`, 'utf8').digest('hex').toUpperCase();
}

/**
 * The upload.do body. `data` is serialized once and that very text is both signed and sent, so no
 * re-serialization between the two can change key order or spacing.
 */
export function bolinkEnvelope(
  service: string,
  data: Record<string, unknown>,
  ukey: string,
  token?: string,
): string {
  const dataText = JSON.stringify(data);
  const sign = bolinkSign(dataText, ukey);
  const head = token === undefined ? '' : `"token":${JSON.stringify(token)},`;
  return `{"service_name":${JSON.stringify(service)},${head}"sign":"${sign}","data":${dataText}}`;
}

/** Pull the raw `data` object text out of an envelope so an inbound sign can be checked on the bytes sent. */
export function rawDataText(body: string): string | undefined {
  const i = body.indexOf('"data"');
  if (i < 0) return undefined;
  let j = body.indexOf(':', i + 6);
  if (j < 0) return undefined;
  j++;
  while (j < body.length && /\s/.test(body[j])) j++;
  if (body[j] !== '{') return undefined;
  let depth = 0;
  let inStr = false;
  for (let k = j; k < body.length; k++) {
    const c = body[k];
    if (inStr) {
      if (c === '\\') k++;
      else if (c === '"') inStr = false;
    } else if (c === '"') inStr = true;
    else if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) return body.slice(j, k + 1);
    }
  }
  return undefined;
}

export function unixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}
/** Bolink sends unix seconds; a 13-digit value is taken as ms (time_temp style). */
export function fromUnix(v: unknown): number | undefined {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) return undefined;
  return n >= 1e12 ? Math.round(n) : Math.round(n * 1000);
}

export const BOLINK_PAY_TYPES = ['wallet', 'sweepcode', 'scancode', 'cash', 'monthuser', 'free'] as const;
export type BolinkPayType = (typeof BOLINK_PAY_TYPES)[number];

/** pay_channel: 0 WeChat, 1 Alipay, 2 balance, 3 UnionPay. */
export function bolinkChannelName(v: unknown): string {
  return ['wechat', 'alipay', 'balance', 'unionpay'][Number(v)] ?? 'bolink';
}

/** Our KT-style car type → Bolink car_cost_type (1 temp, 2 monthly, 3 white-list, 4 unplated, 5 VIP). */
export function bolinkCostType(carType: number, unplated: boolean): number {
  if (unplated) return 4;
  if (carType === 0 || carType === 100) return 1;
  if (carType === 2 || carType === 4 || carType === 5 || carType === 3 || carType === 6) return 2;
  if (carType === 1 || carType === 7) return 5;
  return 3;
}
