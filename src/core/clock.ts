// Site-local wall-clock formatting and parsing for the protocols' many time formats. The zone arithmetic
// itself (offsets, wall clock ↔ instant) lives once, in time.ts; the site's zone is always explicit.
import { localParts as wallClock, localToEpoch, tzOffsetMinutes } from './time.js';

/** Offset of `tz` from UTC at instant `ms`, in ms (Asia/Shanghai: +8 h). */
export function tzOffset(ms: number, tz: string): number {
  return tzOffsetMinutes(ms, tz) * 60_000;
}

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
}
export function localParts(ms: number, tz: string): LocalParts {
  return { ...wallClock(ms, tz), ms: ((ms % 1000) + 1000) % 1000 };
}

// two-digit fields from a table: formatting runs several times per protocol reply
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const p2 = (n: number) => TWO_DIGITS[n] ?? String(n).padStart(2, '0');

const DEFAULT_PATTERN = 'yyyy-MM-dd HH:mm:ss';
/** Tokens: yyyy MM dd HH mm ss SSS; everything else copied. */
export function formatLocal(ms: number, tz: string, pattern = DEFAULT_PATTERN): string {
  // the pattern of nearly every reply field, in one template rather than a regex replace per call
  if (pattern === DEFAULT_PATTERN) {
    const w = wallClock(ms, tz);
    if (w.year >= 1000)
      return `${w.year}-${p2(w.month)}-${p2(w.day)} ${p2(w.hour)}:${p2(w.minute)}:${p2(w.second)}`;
  }
  const p = localParts(ms, tz);
  return pattern.replace(/yyyy|MM|dd|HH|mm|ss|SSS/g, (t) => {
    switch (t) {
      case 'yyyy':
        return String(p.year).padStart(4, '0');
      case 'MM':
        return p2(p.month);
      case 'dd':
        return p2(p.day);
      case 'HH':
        return p2(p.hour);
      case 'mm':
        return p2(p.minute);
      case 'ss':
        return p2(p.second);
      default:
        return String(p.ms).padStart(3, '0');
    }
  });
}

/** Local wall clock → epoch ms. */
export function fromLocal(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  tz: string,
): number {
  return localToEpoch({ year: y, month: mo, day: d, hour: h, minute: mi, second: s }, tz);
}

/**
 * Parse "yyyy-MM-dd HH:mm[:ss]", "yyyy/MM/dd HH:mm:ss", "yyyyMMddHHmmss" or "yyyy-MM-ddTHH:mm:ss" as site-local.
 * Returns undefined for anything else (callers answer with their protocol's error).
 */
export function parseLocal(text: string, tz: string): number | undefined {
  const s = String(text).trim();
  let m = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(s);
  if (!m) m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h = '0', mi = '0', sec = '0'] = m.slice(1).map((v) => v ?? '0');
  const n = [y, mo, d, h, mi, sec].map(Number);
  if (n[1] < 1 || n[1] > 12 || n[2] < 1 || n[2] > 31 || n[3] > 23 || n[4] > 59 || n[5] > 59) return undefined;
  const t = fromLocal(n[0], n[1], n[2], n[3], n[4], n[5], tz);
  // reject 31 Feb and friends rather than rolling over
  const back = localParts(t, tz);
  if (back.day !== n[2] || back.month !== n[1]) return undefined;
  return t;
}

/** Start of the local day containing `ms`. */
export function startOfLocalDay(ms: number, tz: string): number {
  const p = localParts(ms, tz);
  return fromLocal(p.year, p.month, p.day, 0, 0, 0, tz);
}

/** Same wall-clock time `months` later; the day is clamped to the target month's end (31 Mar + 1 → 30 Apr). */
export function addLocalMonths(ms: number, months: number, tz: string): number {
  const p = localParts(ms, tz);
  const idx = p.year * 12 + (p.month - 1) + months;
  const y = Math.floor(idx / 12);
  const m = (idx % 12) + 1;
  const lastDay = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return fromLocal(y, m, Math.min(p.day, lastDay), p.hour, p.minute, p.second, tz);
}
