// Shared pieces of the KT face: tolerant field schemas, the reply envelope, bill numbers, and the mapping from
// KT's device codes / places / area codes to our lanes, devices and areas (both directions use them).
import * as nodeCrypto from 'node:crypto';
import { z } from 'zod';
import type { Config, LaneConfig } from '../../config/schema.js';
import type { DeviceConfig } from '../../config/devices.schema.js';
import type { KtConfig } from '../../config/clouds.schema.js';
import { formatLocal, parseLocal } from '../../core/clock.js';
import type { KtReply } from '../../codecs/kt.js';

/** A request the KT face refuses; the message goes to resMsg as is. */
export class KtError extends Error {}

export const KT_TIME = 'yyyy-MM-dd HH:mm:ss';
export function ktTime(ms: number | undefined, tz: string): string {
  return ms === undefined ? '' : formatLocal(ms, tz, KT_TIME);
}

export function ok<T>(data: T): KtReply<T> {
  return { resCode: 0, resMsg: '', data };
}
export function fail(message: string): KtReply<null> {
  return { resCode: 1, resMsg: message, data: null };
}

// ---------------------------------------------------------------- tolerant field schemas
// Clients quote numbers ("floorId":"4"), send numbers where strings are documented, and send "" or null for
// "not given"; these schemas take all of that.

const blankToUndefined = (v: unknown) =>
  v === null || (typeof v === 'string' && v.trim() === '') ? undefined : v;

/** "" and null mean "not given" in KT requests: drop them so optional fields and defaults apply. */
export function stripBlank(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripBlank);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k in o) {
      // a JSON "__proto__" key would set the copy's prototype instead of a field
      if (!Object.hasOwn(o, k) || k === '__proto__') continue;
      const b = blankToUndefined(o[k]);
      if (b !== undefined) out[k] = stripBlank(b);
    }
    return out;
  }
  return v;
}

export const kstr = z.preprocess(
  (v) => (typeof v === 'number' || typeof v === 'boolean' ? String(v) : blankToUndefined(v)),
  z.string().trim(),
);
export const kint = z.preprocess((v) => {
  const b = blankToUndefined(v);
  if (typeof b === 'string' && /^\s*-?\d+(\.0+)?\s*$/.test(b)) return Number(b);
  return b;
}, z.number().int());
export const kmoney = kint.pipe(z.number().int().min(0, '金额不能为负'));

/** A site-local "yyyy-MM-dd HH:mm:ss" (also "/" separators) → epoch ms. */
export function ktTimeField(tz: string) {
  return kstr.transform((s, ctx) => {
    const t = parseLocal(s, tz);
    if (t === undefined) {
      ctx.addIssue({ code: 'custom', message: `时间格式应为 yyyy-MM-dd HH:mm:ss: ${s}` });
      return z.NEVER;
    }
    return t;
  });
}

/** KT examples mix "ValidFrom"/"validFrom", "bookid"/"bookId": match keys case-insensitively to the schema's. */
export function normalizeKeys(data: unknown, keys: readonly string[] | ReadonlyMap<string, string>): unknown {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return data;
  const byLower =
    keys instanceof Map ? keys : new Map((keys as readonly string[]).map((k) => [k.toLowerCase(), k]));
  const o = data as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k in o) {
    if (!Object.hasOwn(o, k) || k === '__proto__') continue;
    const v = o[k];
    const canon = byLower.get(k.toLowerCase()) ?? k;
    if (canon in out && out[canon] !== undefined && k !== canon) continue;
    out[canon] = v;
  }
  return out;
}

export function describeIssues(issues: readonly z.core.$ZodIssue[], input: unknown): string {
  const parts = issues.slice(0, 3).map((i) => {
    const path = i.path.join('.') || 'data';
    const given =
      input && typeof input === 'object' && i.path.length > 0
        ? (input as Record<string, unknown>)[String(i.path[0])]
        : input;
    if (given === undefined || given === null || given === '') return `缺少参数 ${path}`;
    return `参数 ${path} 无效: ${i.message}`;
  });
  return parts.join('; ');
}

// ---------------------------------------------------------------- auth

// crypto.hash (Node ≥ 20.12) skips the Hash object a createHash chain allocates; both give the same bytes
const oneShot = (nodeCrypto as { hash?: (alg: string, data: string, enc: 'buffer') => Buffer }).hash;
const digest = oneShot
  ? (s: string) => oneShot('sha256', s, 'buffer')
  : (s: string) => nodeCrypto.createHash('sha256').update(s, 'utf8').digest();
/** Constant-time check of the user/pwd headers: both compared on equal-length digests, no early exit. */
export function credentialsMatch(user: unknown, pwd: unknown, want: { user: string; pwd: string }): boolean {
  return credentialsChecker(want)(user, pwd);
}
/** The same check with the expected digests computed once (the downlink's hot path). */
export function credentialsChecker(want: {
  user: string;
  pwd: string;
}): (user: unknown, pwd: unknown) => boolean {
  const wu = digest(want.user);
  const wp = digest(want.pwd);
  return (user, pwd) => {
    const u = nodeCrypto.timingSafeEqual(digest(typeof user === 'string' ? user : ''), wu);
    const p = nodeCrypto.timingSafeEqual(digest(typeof pwd === 'string' ? pwd : ''), wp);
    return u && p && typeof user === 'string' && typeof pwd === 'string';
  };
}

// ---------------------------------------------------------------- bills

/**
 * A bill (KT "账单号") is the stay's order number plus the quote time, so PayParkingFee can check the amount
 * against the fee shown to the payer and use the bill as its idempotency serial — with nothing stored.
 * Stay numbers are digits; 'Q' cannot occur in them.
 */
export function billNo(orderNo: string, at: number): string {
  return `${orderNo}Q${Math.floor(at / 1000)
    .toString(36)
    .toUpperCase()}`;
}
export function parseBill(bill: string): { orderNo: string; at: number } | undefined {
  const i = bill.lastIndexOf('Q');
  if (i <= 0) return undefined;
  const tail = bill.slice(i + 1);
  if (!/^[0-9A-Z]{1,10}$/.test(tail)) return undefined;
  const s = parseInt(tail, 36);
  if (!Number.isFinite(s)) return undefined;
  return { orderNo: bill.slice(0, i), at: s * 1000 };
}

// ---------------------------------------------------------------- places, devices, areas

export function parkCodeOf(config: Config): string {
  return config.clouds.kt?.parkCode ?? config.site.parkCode;
}

function deviceHosts(d: DeviceConfig): string[] {
  const out: string[] = [];
  const add = (v: string | undefined) => v && out.push(v);
  switch (d.type) {
    case 'zhenshi':
      add(d.ipaddr);
      break;
    case 'hikvision':
      add(d.ipaddr);
      try {
        add(new URL(d.url).hostname);
      } catch {
        // schema already checked the URL
      }
      break;
    case 'modbus-relay':
      add(d.host);
      break;
    case 'onvif':
      add(d.host);
      break;
    default:
      break;
  }
  return out;
}

/** The IP KT should see for a device (PostParkingDevice deviceIp). */
export function deviceIp(d: DeviceConfig): string {
  return deviceHosts(d)[0] ?? '';
}

function laneDevices(l: LaneConfig): string[] {
  return [l.camera, l.gate, l.display].filter((x): x is string => !!x);
}

/** The device a KT deviceCode names: by id or name (deviceType 0), by IP (deviceType 1). */
export function resolveDevice(config: Config, code: string, byIp: boolean): DeviceConfig | undefined {
  if (byIp) return config.devices.find((d) => deviceHosts(d).includes(code));
  return config.devices.find((d) => d.id === code) ?? config.devices.find((d) => d.name === code);
}

/**
 * The lane a KT deviceCode names. Codes we hand out (PostParkingDevice) are device ids; lane ids and lane names
 * are accepted too, since the cloud's staff type them in by hand.
 */
export function resolveLane(config: Config, code: string, byIp = false): LaneConfig | undefined {
  const c = code.trim();
  if (!byIp) {
    const lane = config.lanes.find((l) => l.id === c) ?? config.lanes.find((l) => l.name === c);
    if (lane) return lane;
  }
  const dev = resolveDevice(config, c, byIp) ?? (byIp ? undefined : resolveDevice(config, c, true));
  if (dev) return config.lanes.find((l) => laneDevices(l).includes(dev.id));
  return undefined;
}

/** What KT calls a place (entryPlace / leavePlace): the lane's name or id. */
export function placeOf(
  config: Config,
  kt: Pick<KtConfig, 'placeAs'> | undefined,
  laneId: string | undefined,
): string {
  if (!laneId) return '';
  const lane = config.lanes.find((l) => l.id === laneId);
  if (!lane) return laneId;
  return (kt?.placeAs ?? 'name') === 'id' ? lane.id : (lane.name ?? lane.id);
}

/** Lanes whose id or name contains the fuzzy place text (GetCarInOutInfoByPlace). */
export function lanesMatching(config: Config, text: string): Set<string> {
  const t = text.trim().toLowerCase();
  const out = new Set<string>();
  for (const l of config.lanes) {
    const hay = [l.id, l.name ?? '', ...laneDevices(l)].map((s) => s.toLowerCase());
    const ips = laneDevices(l).flatMap((id) => {
      const d = config.devices.find((x) => x.id === id);
      return d ? deviceHosts(d) : [];
    });
    if (hay.some((h) => h.includes(t)) || ips.some((ip) => ip.includes(t))) out.add(l.id);
  }
  return out;
}

/** KT areaCode (int) ↔ our area id: 1-based position in the config, as PostAreaInfo reports them. */
export function areaCodeOf(config: Config, areaId: string): number {
  return config.site.areas.findIndex((a) => a.id === areaId) + 1;
}
export function areaIdOf(config: Config, code: string | number | undefined): string | undefined {
  if (code === undefined || code === '') return config.site.areas[0]?.id;
  const s = String(code);
  const byId = config.site.areas.find((a) => a.id === s);
  if (byId) return byId.id;
  const n = Number(s);
  if (Number.isInteger(n) && n >= 1 && n <= config.site.areas.length) return config.site.areas[n - 1].id;
  return undefined;
}

/** Image paths we store are relative to the image server; KT wants URLs. */
export function imageUrl(path: string | undefined, base: string | undefined): string {
  if (!path) return '';
  if (/^https?:\/\//i.test(path) || path.startsWith('data:')) return path;
  if (!base) return path;
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/** KT appendix 1.2 (exit / booth pay types) from our payment channel and method. */
export function ktExitPayType(channel: string, method: string): number {
  const m = method.toLowerCase();
  if (channel === 'booking' || m === 'booking') return 100;
  if (channel === 'cash' || m === 'cash') return 0;
  if (channel === 'balance' || m === 'stored-value') return 2;
  if (m.includes('pos') || m.includes('unionpay')) return 1;
  const cloud = channel !== 'booth';
  if (m.includes('alipay') || m === '5') return cloud ? 7 : 5;
  if (m.includes('wechat') || m === '4' || m === 'density') return cloud ? 6 : 4;
  return cloud ? 6 : 0;
}

/** KT appendix 1.4 (terminal payment detail pay types). */
export function ktBillPayType(channel: string, method: string): number {
  const m = method.toLowerCase();
  if (channel === 'cash' || m === 'cash') return 100;
  if (channel === 'balance' || m === 'stored-value') return 108;
  if (channel === 'count' || m === 'count') return 114;
  if (channel === 'booking' || m === 'booking') return 109;
  if (m.includes('unionpay')) return 106;
  if (m.includes('alipay') || m === '5') return 112;
  if (m.includes('wechat') || m === '4') return 111;
  return 111;
}

/** KT appendix 1.3 (terminal types). */
export function ktTerminalType(channel: string): number {
  if (channel === 'cash' || channel === 'balance' || channel === 'count') return 2;
  if (channel === 'booth') return 1;
  return 14;
}

/** KT vplColor (0 blue, 1 yellow, 2 white, 3 black, 4 green). */
export function ktPlateColour(c: string | undefined): string {
  const i = ['blue', 'yellow', 'white', 'black', 'green'].indexOf(c ?? '');
  return i < 0 ? '0' : String(i);
}
