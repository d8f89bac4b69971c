// Turns a validated tariff config into the flat shape both engines read, once per config object.
import type { TariffConfig } from '../../config/tariff.schema.js';
import { DAY_MINUTES, formatClock, parseClock } from '../time.js';
import type { LongStayPlan } from './plan.js';

export interface Step {
  len: number; // minutes
  price: number; // fen
}

export interface CompiledPeriod {
  label: string; // "07:00-20:00"
  from: number; // minute of day the occurrence starts
  len: number; // occurrence length in minutes, 1..1440
  blocks: Step[];
  unit: Step | null;
  cap: number; // Infinity when the period has no cap
}

/** A run of minutes-of-day with one owner: a period occurrence or a gap no period covers. */
export interface DaySegment {
  start: number;
  end: number; // exclusive, ≤ 1440
  period: number; // index into periods, -1 = not covered by any period (not billed)
  occOffset: number; // occurrence start relative to this day's midnight (negative when it began yesterday)
}

export type Rounding = 'ceil' | 'floor' | 'half-up';

export interface CompiledTariff {
  periods: CompiledPeriod[];
  segments: DaySegment[];
  segmentOf: Uint16Array; // minute of day → index into segments
  freeMinutes: number;
  freeCounted: boolean;
  rounding: Rounding;
  tailGrace: number;
  split: boolean;
  perOccurrence: boolean;
  cap: number; // Infinity when there is no stay cap
  naturalDay: boolean;
  restart: boolean;
  capAcrossVisits: boolean;
  perEntry: number | null;
  maxStep: number; // longest block or unit, bounds how far a unit can reach past a window
  // What long stays do, per entry minute of day (plan.ts). Built at the first stay long enough to use it
  // (undefined until then), or up front by prepareTariff, which the daemon calls at start.
  plan: LongStayPlan | null | undefined;
}

// Configs are immutable once loaded, so identity is a safe key. Callers that spread a tariff per quote
// (e.g. to drop free minutes) get a fresh object each time; the structural cache catches those.
const byIdentity = new WeakMap<object, CompiledTariff>();
const byShape = new Map<string, CompiledTariff>();
const SHAPE_CACHE_LIMIT = 256;

// A lane quotes one tariff over and over; checking the last one first skips the WeakMap's hashing.
let lastConfig: object | null = null;
let lastCompiled: CompiledTariff | null = null;

export function compileTariff(t: TariffConfig): CompiledTariff {
  if (t === lastConfig) return lastCompiled!;
  const hit = byIdentity.get(t);
  if (hit) {
    lastConfig = t;
    lastCompiled = hit;
    return hit;
  }
  const shape = JSON.stringify(t);
  let c = byShape.get(shape);
  if (!c) {
    c = build(t);
    if (byShape.size >= SHAPE_CACHE_LIMIT) byShape.clear();
    byShape.set(shape, c);
  }
  byIdentity.set(t, c);
  lastConfig = t;
  lastCompiled = c;
  return c;
}

function nonNegInt(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
    throw new Error(`tariff: ${what} must be a non-negative integer`);
  return v;
}

function build(t: TariffConfig): CompiledTariff {
  const periods: CompiledPeriod[] = [];
  let maxStep = 1;
  for (const [i, p] of (t.periods ?? []).entries()) {
    const from = parseClock(p.from) % DAY_MINUTES;
    const to = parseClock(p.to) % DAY_MINUTES;
    // from == to is a whole day starting at `from`; "00:00"-"00:00" is the plain all-day period.
    const len = to === from ? DAY_MINUTES : (to - from + DAY_MINUTES) % DAY_MINUTES;
    const blocks: Step[] = [];
    let unit: Step | null = null;
    for (const s of p.steps) {
      if (unit)
        throw new Error(
          `tariff: periods[${i}]: an {every} step repeats forever, so it must be the last step`,
        );
      if ('every' in s) unit = { len: nonNegInt(s.every, 'every'), price: nonNegInt(s.price, 'price') };
      else blocks.push({ len: nonNegInt(s.minutes, 'minutes'), price: nonNegInt(s.price, 'price') });
    }
    for (const s of [...blocks, ...(unit ? [unit] : [])]) {
      if (s.len <= 0) throw new Error(`tariff: periods[${i}]: step lengths must be positive`);
      maxStep = Math.max(maxStep, s.len);
    }
    periods.push({
      label: `${formatClock(from)}-${formatClock(to)}`,
      from,
      len,
      blocks,
      unit,
      cap: p.cap === undefined ? Infinity : nonNegInt(p.cap, 'cap'),
    });
  }

  const owner = new Int16Array(DAY_MINUTES).fill(-1);
  const occOffset = new Int32Array(DAY_MINUTES);
  periods.forEach((p, idx) => {
    for (let k = 0; k < p.len; k++) {
      const m = (p.from + k) % DAY_MINUTES;
      if (owner[m] !== -1) {
        throw new Error(
          `tariff: periods ${periods[owner[m]].label} and ${p.label} overlap at ${formatClock(m)}`,
        );
      }
      owner[m] = idx;
      occOffset[m] = m >= p.from ? p.from : p.from - DAY_MINUTES;
    }
  });
  const segments: DaySegment[] = [];
  const segmentOf = new Uint16Array(DAY_MINUTES);
  for (let m = 0; m < DAY_MINUTES; m++) {
    const last = segments[segments.length - 1];
    const off = owner[m] === -1 ? 0 : occOffset[m];
    if (last && last.period === owner[m] && last.occOffset === off) last.end = m + 1;
    else segments.push({ start: m, end: m + 1, period: owner[m], occOffset: off });
    segmentOf[m] = segments.length - 1;
  }

  const cap = t.cap ? nonNegInt(t.cap.amount, 'cap.amount') : Infinity;
  const perEntry = t.perEntry === undefined ? null : nonNegInt(t.perEntry, 'perEntry');
  if (perEntry === null && periods.length === 0) throw new Error('tariff: needs either periods or perEntry');
  return {
    periods,
    segments,
    segmentOf,
    freeMinutes: nonNegInt(t.freeMinutes ?? 0, 'freeMinutes'),
    freeCounted: t.freeCounted ?? true,
    rounding: t.rounding ?? 'ceil',
    tailGrace: nonNegInt(t.tailGraceMinutes ?? 0, 'tailGraceMinutes'),
    split: (t.boundary ?? 'split') === 'split',
    perOccurrence: t.firstBlock === 'perOccurrence',
    cap,
    naturalDay: t.cap?.window === 'naturalDay',
    restart: t.restartEachWindow ?? false,
    capAcrossVisits: t.capAcrossVisits ?? false,
    perEntry,
    maxStep,
    plan: undefined,
  };
}
