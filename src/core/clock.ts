// Site-local wall-clock formatting and parsing. The site's zone is always explicit; the host's never matters.
const fmtCache = new Map<string, Intl.DateTimeFormat>();
function fmt(tz: string): Intl.DateTimeFormat {
  let f = fmtCache.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    fmtCache.set(tz, f);
  }
  return f;
}

// Offsets change at most twice a year; caching per hour keeps formatting cheap on hot paths.
const offsetCache = new Map<string, number>();
/** Offset of `tz` from UTC at instant `ms`, in ms (Asia/Shanghai: +8 h). */
export function tzOffset(ms: number, tz: string): number {
  const hourKey = `${tz}|${Math.floor(ms / 3_600_000)}`;
  const hit = offsetCache.get(hourKey);
  if (hit !== undefined) return hit;
  const parts = fmt(tz).formatToParts(new Date(ms));
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  const off = asUtc - Math.floor(ms / 1000) * 1000;
  if (offsetCache.size > 10_000) offsetCache.clear();
  offsetCache.set(hourKey, off);
  return off;
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
  const d = new Date(ms + tzOffset(ms, tz));
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    ms: d.getUTCMilliseconds(),
  };
}

const p2 = (n: number) => String(n).padStart(2, '0');
/** Tokens: yyyy MM dd HH mm ss SSS; everything else copied. */
export function formatLocal(ms: number, tz: string, pattern = 'yyyy-MM-dd HH:mm:ss'): string {
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
  const guess = Date.UTC(y, mo - 1, d, h, mi, s);
  let t = guess - tzOffset(guess, tz);
  // second pass settles instants near an offset change
  t = guess - tzOffset(t, tz);
  return t;
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
