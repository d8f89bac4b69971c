// P云 (4pyun) wire helpers shared by the downlink gateway and the uplink: MD5 signs and the two time formats.
// Rules and verified vectors: docs/protocols/pyun.md and research/protocols.md §1.2–1.3.
import { createHash } from 'node:crypto';
import { formatLocal, parseLocal } from '../core/clock.js';

export type PyunParams = Record<string, unknown>;

/** How a value enters the sign text: strings raw, objects and arrays as their compact JSON text. */
export function pyunValueText(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

/**
 * `k1=v1&k2=v2…` over every parameter except `sign`, keys in ASCII order, raw UTF-8 values (no URL encoding).
 * keepEmpty: the gateway reference keeps `k=` for empty values; the uplink docs drop them.
 */
export function pyunPlain(params: PyunParams, keepEmpty: boolean): string {
  const parts: string[] = [];
  for (const k of Object.keys(params).sort()) {
    if (k === 'sign' || k.trim() === '') continue;
    const t = pyunValueText(params[k]);
    if (t === undefined) continue;
    if (t === '' && !keepEmpty) continue;
    parts.push(`${k}=${t}`);
  }
  return parts.join('&');
}

export function md5Upper(text: string | Buffer): string {
  return createHash('md5').update(text).digest('hex').toUpperCase();
}

/** Uplink (park → P云): `<plain>&app_secret=<secret>`, empty values dropped, upper-case MD5. */
export function pyunUplinkSign(params: PyunParams, appSecret: string): string {
  return md5Upper(`${pyunPlain(params, false)}&app_secret=${appSecret}`);
}

/** Downlink gateway (P云 → park, and our replies): `<plain>&key=<key>`. */
export function pyunGatewaySign(params: PyunParams, key: string, keepEmpty = true): string {
  return md5Upper(`${pyunPlain(params, keepEmpty)}&key=${key}`);
}

/** Accept the sign under either empty-value convention, compared case-insensitively. */
export function pyunGatewayVerify(params: PyunParams, key: string): boolean {
  const got = typeof params.sign === 'string' ? params.sign.trim().toUpperCase() : '';
  if (!/^[0-9A-F]{32}$/.test(got)) return false;
  return got === pyunGatewaySign(params, key, true) || got === pyunGatewaySign(params, key, false);
}

/** Gateway times (billing, notify, detail …): site-local `yyyyMMddHHmmss`. */
export function pyunTime(ms: number, tz: string): string {
  return formatLocal(ms, tz, 'yyyyMMddHHmmss');
}
export function parsePyunTime(v: unknown, tz: string): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const s = String(v).trim();
  // Uplink-style ms epochs sometimes show up where the doc says yyyyMMddHHmmss; 13 digits cannot be a date.
  if (/^\d{13}$/.test(s)) return Number(s);
  return parseLocal(s, tz);
}

/** P云 plate colours: 1 blue, 2 yellow, 3 white, 4 black, 5 green, -1 unknown. */
export const PYUN_PLATE_COLOUR: Record<string, number> = { blue: 1, yellow: 2, white: 3, black: 4, green: 5 };
export function pyunPlateColour(c: string | undefined): number {
  return (c && PYUN_PLATE_COLOUR[c]) || -1;
}
export function plateColourFromPyun(v: unknown): 'blue' | 'yellow' | 'white' | 'black' | 'green' | undefined {
  const n = Number(v);
  return (['blue', 'yellow', 'white', 'black', 'green'] as const)[n - 1];
}

/** Our KT-style car type → P云 car_type (1 temp, 2 monthly, 3 VIP/free, 4 stored value, 0 other). */
export function pyunCarType(carType: number): number {
  switch (carType) {
    case 0:
    case 100:
      return 1;
    case 2:
    case 4:
    case 5:
      return 2;
    case 1:
    case 7:
    case 8:
    case 9:
    case 99:
      return 3;
    case 3:
      return 4;
    default:
      return 0;
  }
}

/** P云 fixed-car `type` (1 月卡 2 储值 3 储次 4 储天 5 年卡 6 季卡 7 半年卡 0 免费) → our car type. */
export function carTypeFromPyunVip(t: unknown): number {
  switch (Number(t)) {
    case 2:
      return 3;
    case 3:
      return 6;
    case 0:
      return 1;
    default:
      return 2;
  }
}

/**
 * A P云 payment is recorded once under serial `<parking_order>|<pay_serial>`: the async notify, its
 * repeats and our own prepay poll all carry both numbers, so any of them finds the earlier record, and
 * parking.detail can give both back.
 */
export function pyunPaymentSerial(parkingOrder: string | undefined, paySerial: string | undefined): string {
  return `${parkingOrder ?? ''}|${paySerial ?? ''}`;
}
export function splitPyunSerial(serial: string): { parkingOrder?: string; paySerial?: string } {
  const i = serial.indexOf('|');
  if (i < 0) return { parkingOrder: serial, paySerial: serial };
  return { parkingOrder: serial.slice(0, i) || undefined, paySerial: serial.slice(i + 1) || undefined };
}

/** payment_list / parking.detail pay_type: 1 cash, 2 online, 3 auto-pay, 4 stored value, 8 coupon. */
export function pyunPayType(channel: string, method: string): number {
  if (channel === 'cash') return 1;
  if (channel === 'balance') return 4;
  if (method.startsWith('auto')) return 3;
  if (method === 'coupon') return 8;
  return 2;
}

/** The earlier record of a P云 payment, matched on either number it was sent with. */
export function findPyunPayment<T extends { channel: string; serial: string }>(
  payments: T[],
  parkingOrder: string | undefined,
  paySerial: string | undefined,
): T | undefined {
  return payments.find((p) => {
    if (p.channel !== 'pyun') return false;
    const s = splitPyunSerial(p.serial);
    return (
      (parkingOrder !== undefined && s.parkingOrder === parkingOrder) ||
      (paySerial !== undefined && s.paySerial === paySerial)
    );
  });
}
