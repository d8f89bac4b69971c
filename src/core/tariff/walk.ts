// The fast engine's general walk over cap windows: interval arithmetic over the period occurrences in
// each window, with identical interior windows detected and multiplied instead of recomputed. Times are
// local minutes (see docs/tariff.md).
import { DAY_MINUTES } from '../time.js';
import type { CompiledTariff } from './compile.js';
import type { RawLine } from './engine.js';
import { partialBilled, windowStart } from './rules.js';

interface LadderState {
  k: number; // first blocks consumed (per stay, per occurrence or per window, by config)
  pend: number; // the last unit started runs until here; nothing starts before it
  occ: number; // start of the occurrence the last unit started in (two days before entry before the first)
  occUsed: number; // money charged in that occurrence so far, for the per-period cap
}

/** Local midnight at or before minute t. A remainder by a constant is much cheaper than floor(t / 1440). */
function dayStartOf(t: number): number {
  const r = t % DAY_MINUTES;
  return r < 0 ? t - r - DAY_MINUTES : t - r;
}

/** Charges the units that start in [max(from, pend), startEnd); returns money after per-period caps. */
export function runRange(
  c: CompiledTariff,
  st: LadderState,
  from: number,
  startEnd: number,
  hardEnd: number,
  stayEnd: number,
  out: RawLine[] | null,
): number {
  let t = Math.max(from, st.pend);
  let raw = 0;
  while (t < startEnd) {
    const dayStart = dayStartOf(t);
    const seg = c.segments[c.segmentOf[t - dayStart]];
    if (seg.period < 0) {
      t = dayStart + seg.end;
      continue;
    }
    const p = c.periods[seg.period];
    const os = dayStart + seg.occOffset;
    const oe = os + p.len;
    if (os !== st.occ) {
      st.occ = os;
      st.occUsed = 0;
      if (c.perOccurrence) st.k = 0;
    }
    const startLimit = Math.min(oe, startEnd);
    const cutLimit = c.split ? Math.min(oe, hardEnd) : hardEnd;
    const lineFrom = t;
    let units = 0;
    let sum = 0;
    while (st.k < p.blocks.length && t < startLimit) {
      // A started block costs the whole block, even when a boundary or the exit cuts it short.
      const b = p.blocks[st.k++];
      sum += b.price;
      units++;
      t = Math.min(t + b.len, cutLimit);
    }
    if (t < startLimit) {
      const u = p.unit;
      if (!u) {
        t = startLimit;
      } else {
        const n = Math.ceil((startLimit - t) / u.len);
        const lastStart = t + (n - 1) * u.len;
        if (lastStart + u.len <= cutLimit) {
          units += n;
          sum += n * u.price;
          t = lastStart + u.len;
        } else {
          units += n - 1;
          sum += (n - 1) * u.price;
          if (partialBilled(c, cutLimit - lastStart, u.len, cutLimit === stayEnd)) {
            units++;
            sum += u.price;
          }
          t = cutLimit;
        }
      }
    }
    const amount = Math.min(sum, p.cap - st.occUsed);
    st.occUsed += amount;
    raw += amount;
    if (out && units > 0) out.push({ period: p.label, from: lineFrom, to: t, units, amount });
  }
  st.pend = t;
  return raw;
}

// Per keyed window since the last jump: state key (4 numbers), window index, money and first line.
// Module-level and only ever overwritten below a count: quoting is synchronous and not re-entrant, and
// allocating or truncating arrays per quote was a tenth of a long stay's time.
const keys: number[] = [];
const keyWin: number[] = [];
const charged: number[] = [];
const lineStart: number[] = [];

/**
 * Everything that can make window i differ from window i+L, relative to the window start. Two windows
 * entered with equal keys are billed identically (periods repeat daily, the offset is fixed).
 * Written into `keys` as 4 numbers per keyed window.
 */
function putStateKey(c: CompiledTariff, st: LadderState, ws: number, slot: number): void {
  const q = Math.max(ws, st.pend);
  const dayStart = dayStartOf(q);
  const seg = c.segments[c.segmentOf[q - dayStart]];
  const continuing = seg.period >= 0 && dayStart + seg.occOffset === st.occ;
  const j = 4 * slot;
  keys[j] = c.perOccurrence && !continuing ? -1 : st.k;
  keys[j + 1] = q - ws;
  keys[j + 2] = continuing ? st.occ - ws : 1;
  keys[j + 3] = continuing ? st.occUsed : -1;
}

/** Slot of an earlier key equal to the one in slot `last`, or -1. */
function findRepeat(last: number): number {
  const l = 4 * last;
  for (let j = 0; j < l; j += 4) {
    if (
      keys[j] === keys[l] &&
      keys[j + 1] === keys[l + 1] &&
      keys[j + 2] === keys[l + 2] &&
      keys[j + 3] === keys[l + 3]
    ) {
      return j / 4;
    }
  }
  return -1;
}

/** Where a walk stands: the ladder, the next window to bill and the money so far. */
export interface Cursor extends LadderState {
  i: number;
  total: number;
}

/** Filled by walk() at the first repeat instead of jumping; how plan.ts learns a stay's steady cycle. */
export interface Repeat {
  maxKeyed: number; // give up (found stays false) after this many windows without a repeat
  found: boolean;
  first: number; // first window of the cycle; the repeat was seen at window cur.i
  perCycle: number; // money of the windows first..cur.i-1, each billed once so far
  firstLine: number; // index of the cycle's first line
}

/**
 * Bills windows cur.i, cur.i+1, ... up to the exit e from the ladder state in cur, jumping over
 * whole cycles of repeating interior windows. With `rec`, it stops at the first repeat instead and
 * leaves cur as the state the jump would start from.
 */
export function walk(
  c: CompiledTariff,
  s: number,
  e: number,
  firstBudget: number,
  cur: Cursor,
  lines: RawLine[] | null,
  rec: Repeat | null,
): void {
  const billFrom = c.restart || c.freeCounted ? s : s + c.freeMinutes;
  let total = cur.total;
  let n = 0; // keyed windows since the last jump
  for (let i = cur.i; ; i++) {
    const ws = windowStart(c, s, i);
    if (ws >= e) break;
    let we = windowStart(c, s, i + 1);
    if (c.restart) {
      cur.k = 0;
      cur.pend = ws;
    }

    // A window is interior when no unit starting in it can reach the exit; only those may repeat.
    if (i >= 1 && ws >= billFrom && we + c.maxStep < e) {
      putStateKey(c, cur, ws, n);
      keyWin[n] = i;
      const slot = findRepeat(n++);
      if (rec !== null && (slot >= 0 || n > rec.maxKeyed)) {
        if (slot >= 0) {
          rec.found = true;
          rec.first = keyWin[slot];
          rec.perCycle = 0;
          for (let w = slot; w < n - 1; w++) rec.perCycle += charged[w];
          rec.firstLine = lineStart[slot];
        }
        cur.i = i;
        cur.total = total;
        return;
      }
      if (slot >= 0) {
        const cycle = i - keyWin[slot];
        const interiorLeft = Math.floor((e - c.maxStep - 1 - we) / DAY_MINUTES) + 1;
        const reps = Math.floor(interiorLeft / cycle);
        if (reps >= 1) {
          const shift = reps * cycle * DAY_MINUTES;
          let perCycle = 0;
          for (let w = slot; w < n - 1; w++) perCycle += charged[w];
          total += reps * perCycle;
          if (lines) aggregateLines(lines, lineStart[slot], ws, ws + shift, reps);
          cur.pend += shift;
          cur.occ += shift;
          n = 0;
          i += reps * cycle - 1;
          continue;
        }
      }
    }

    const budget = i === 0 ? firstBudget : c.cap;
    const firstLine = lines ? lines.length : 0;
    const pieceEnd = Math.min(we, e);
    let raw = 0;
    if (!(c.restart && pieceEnd - ws <= c.freeMinutes)) {
      if (c.perEntry !== null && (i === 0 || c.restart)) {
        raw += c.perEntry;
        if (lines) lines.push({ period: 'perEntry', from: ws, to: pieceEnd, units: 1, amount: c.perEntry });
      }
      const from = c.restart ? (c.freeCounted ? ws : ws + c.freeMinutes) : Math.max(ws, billFrom);
      const hardEnd = c.restart ? pieceEnd : e;
      we = Math.min(we, hardEnd);
      raw += runRange(c, cur, from, we, hardEnd, e, lines);
    }
    const got = Math.min(raw, budget);
    if (lines && got < raw)
      lines.push({ period: 'cap', from: ws, to: pieceEnd, units: 0, amount: got - raw });
    total += got;
    if (n > 0 && keyWin[n - 1] === i) {
      charged[n - 1] = got;
      lineStart[n - 1] = firstLine;
    }
  }
  cur.total = total;
}
/**
 * Sets cur at the entry s. Nothing is pending before s, and no occurrence a stay touches starts two days
 * before it. Integers rather than -Infinity and NaN: V8 then keeps these fields, and runRange's
 * arithmetic on them, in small integers instead of doubles.
 */
export function startCursor(cur: Cursor, s: number): void {
  cur.k = 0;
  cur.pend = s;
  cur.occ = s - 2 * DAY_MINUTES;
  cur.occUsed = 0;
  cur.i = 0;
  cur.total = 0;
}

/** Replaces the lines of one cycle (from index `from` on) by one line per period covering `reps` cycles. */
function aggregateLines(
  lines: RawLine[],
  from: number,
  jumpFrom: number,
  jumpTo: number,
  reps: number,
): void {
  const cycleLines = lines.splice(from);
  // The cycle's own windows were billed already; they are part of the jumped stretch, so start it there.
  const start = cycleLines.length > 0 ? Math.min(jumpFrom, cycleLines[0].from) : jumpFrom;
  for (const l of cycleLines) {
    let a: RawLine | undefined;
    for (let j = from; j < lines.length; j++) if (lines[j].period === l.period) a = lines[j];
    if (!a) lines.push((a = { period: l.period, from: start, to: jumpTo, units: 0, amount: 0 }));
    a.units += (reps + 1) * l.units;
    a.amount += (reps + 1) * l.amount;
  }
}
