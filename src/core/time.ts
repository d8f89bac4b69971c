// Site-local wall-clock helpers. The site's IANA zone is always explicit: the host's zone never leaks in.

export const DEFAULT_TIMEZONE = 'Asia/Shanghai';
export const MINUTE_MS = 60_000;
export const DAY_MINUTES = 1440;

export interface LocalParts {
  year: number;
  month: number; // 1-12
  day: number; // 1-31
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    // Throws RangeError on an unknown zone, which is the error we want callers to see.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timezone, f);
  }
  return f;
}

function partsViaIntl(epochMs: number, timezone: string): LocalParts {
  const out: LocalParts = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const p of formatterFor(timezone).formatToParts(epochMs)) {
    if (p.type === 'literal' || p.type === 'era' || p.type === 'dayPeriod') continue;
    if (p.type in out) (out as unknown as Record<string, number>)[p.type] = Number(p.value);
  }
  return out;
}

// Offsets only change at whole quarter hours in every zone in use today, so a quarter-hour bucket is a
// safe cache key; the cap keeps a long-running daemon from growing the map without bound.
const OFFSET_BUCKET_MS = 15 * MINUTE_MS;
const OFFSET_CACHE_LIMIT = 4096;
const offsetCache = new Map<string, Map<number, number>>();

/** Offset of the zone's wall clock from UTC at `epochMs`, in minutes (Asia/Shanghai: 480). */
export function tzOffsetMinutes(epochMs: number, timezone: string = DEFAULT_TIMEZONE): number {
  const bucket = Math.floor(epochMs / OFFSET_BUCKET_MS);
  let perZone = offsetCache.get(timezone);
  if (perZone) {
    const hit = perZone.get(bucket);
    if (hit !== undefined) return hit;
  } else {
    perZone = new Map();
    offsetCache.set(timezone, perZone);
  }
  const at = bucket * OFFSET_BUCKET_MS;
  const p = partsViaIntl(at, timezone);
  const wallAsUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  const offset = Math.round((wallAsUtc - at) / MINUTE_MS);
  if (perZone.size >= OFFSET_CACHE_LIMIT) perZone.clear();
  perZone.set(bucket, offset);
  return offset;
}

/** Wall-clock fields of an instant in the site's zone. */
export function localParts(epochMs: number, timezone: string = DEFAULT_TIMEZONE): LocalParts {
  const shifted = new Date(epochMs + tzOffsetMinutes(epochMs, timezone) * MINUTE_MS);
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    hour: shifted.getUTCHours(),
    minute: shifted.getUTCMinutes(),
    second: shifted.getUTCSeconds(),
  };
}

/**
 * The instant a wall-clock reading denotes in the site's zone. In a DST gap the reading does not exist
 * and the later offset is used; in an overlap the earlier instant wins. China has neither, but the
 * helper must not silently be wrong elsewhere.
 */
export function localToEpoch(p: LocalParts, timezone: string = DEFAULT_TIMEZONE): number {
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  // Two rounds converge for every real zone: the first guess lands within one transition of the answer.
  const first = wall - tzOffsetMinutes(wall, timezone) * MINUTE_MS;
  const second = wall - tzOffsetMinutes(first, timezone) * MINUTE_MS;
  const earlier = Math.min(first, second);
  const backToWall = earlier + tzOffsetMinutes(earlier, timezone) * MINUTE_MS;
  return backToWall === wall ? earlier : Math.max(first, second);
}

const LOCAL_RE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/;

/** Parses "YYYY-MM-DD HH:mm[:ss]" as site-local time; throws on anything else, including 2027-02-29. */
export function parseLocalDateTime(text: string, timezone: string = DEFAULT_TIMEZONE): number {
  const m = LOCAL_RE.exec(text.trim());
  if (!m) throw new Error(`bad time "${text}": expected YYYY-MM-DD HH:mm[:ss] (site-local)`);
  const p: LocalParts = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4]),
    minute: Number(m[5]),
    second: m[6] === undefined ? 0 : Number(m[6]),
  };
  const probe = new Date(Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second));
  if (
    p.month < 1 ||
    p.month > 12 ||
    p.hour > 23 ||
    p.minute > 59 ||
    p.second > 59 ||
    probe.getUTCFullYear() !== p.year ||
    probe.getUTCMonth() !== p.month - 1 ||
    probe.getUTCDate() !== p.day
  ) {
    throw new Error(`bad time "${text}": no such date or time`);
  }
  return localToEpoch(p, timezone);
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** "YYYY-MM-DD HH:mm:ss" in the site's zone. */
export function formatLocalDateTime(epochMs: number, timezone: string = DEFAULT_TIMEZONE): string {
  const p = localParts(epochMs, timezone);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
}

/** "HH:mm" → minutes after midnight; "24:00" is accepted as the end of the day (1440). */
export function parseClock(text: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(text);
  const h = m ? Number(m[1]) : NaN;
  const min = m ? Number(m[2]) : NaN;
  if (!m || min > 59 || h > 24 || (h === 24 && min !== 0))
    throw new Error(`bad clock time "${text}": expected HH:mm`);
  return h * 60 + min;
}

/** Minutes after midnight → "HH:mm" (1440 and beyond wrap to the next day's clock). */
export function formatClock(minutes: number): string {
  const m = ((minutes % DAY_MINUTES) + DAY_MINUTES) % DAY_MINUTES;
  return `${pad(Math.floor(m / 60))}:${pad(m % 60)}`;
}
