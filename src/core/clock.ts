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
const TOKEN = /yyyy|MM|dd|HH|mm|ss|SSS/g;
type Wall = ReturnType<typeof wallClock>;
type Piece = string | ((p: Wall, ms: number) => string);
const FIELD: Record<string, (p: Wall, ms: number) => string> = {
  yyyy: (p) => String(p.year).padStart(4, '0'),
  MM: (p) => p2(p.month),
  dd: (p) => p2(p.day),
  HH: (p) => p2(p.hour),
  mm: (p) => p2(p.minute),
  ss: (p) => p2(p.second),
  SSS: (_p, ms) => String(((ms % 1000) + 1000) % 1000).padStart(3, '0'),
};
// Every protocol reply formats several times with one of a handful of patterns: split each pattern into
// literals and fields once instead of running a regex replace per call.
const compiled = new Map<string, Piece[]>();
function piecesOf(pattern: string): Piece[] {
  let pieces = compiled.get(pattern);
  if (!pieces) {
    pieces = [];
    let last = 0;
    for (const m of pattern.matchAll(TOKEN)) {
      if (m.index > last) pieces.push(pattern.slice(last, m.index));
      pieces.push(FIELD[m[0]]);
      last = m.index + m[0].length;
    }
    if (last < pattern.length) pieces.push(pattern.slice(last));
    if (compiled.size > 64) compiled.clear();
    compiled.set(pattern, pieces);
  }
  return pieces;
}

const DEFAULT_PATTERN = 'yyyy-MM-dd HH:mm:ss';
/** Tokens: yyyy MM dd HH mm ss SSS; everything else copied. */
export function formatLocal(ms: number, tz: string, pattern = DEFAULT_PATTERN): string {
  const p = wallClock(ms, tz);
  // the pattern of nearly every reply field, in one template
  if (pattern === DEFAULT_PATTERN && p.year >= 1000)
    return `${p.year}-${p2(p.month)}-${p2(p.day)} ${p2(p.hour)}:${p2(p.minute)}:${p2(p.second)}`;
  const pieces = piecesOf(pattern);
  let out = '';
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i];
    out += typeof piece === 'string' ? piece : piece(p, ms);
  }
  return out;
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
