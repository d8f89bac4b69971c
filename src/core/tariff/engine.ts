// The fast engine: interval arithmetic over period occurrences inside cap windows, with identical
// windows detected and multiplied instead of recomputed. Times are local minutes (see docs/tariff.md).
import { DAY_MINUTES } from '../time.js';
import { type CompiledTariff, partialBilled, windowStart } from './compile.js';

/** A billed piece in local minutes; index.ts converts to epoch ms. */
export interface RawLine {
  period: string;
  from: number;
  to: number;
  units: number;
  amount: number;
}

export interface FeeResult {
  total: number;
  lines: RawLine[];
}

/** Both engines share this shape so that quote assembly and discounts are computed the same way. */
export type FeeFn = (
  c: CompiledTariff,
  s: number,
  e: number,
  priorPaid: number,
  wantLines: boolean,
) => FeeResult;

interface LadderState {
  k: number; // first blocks consumed (per stay, per occurrence or per window, by config)
  pend: number; // the last unit started runs until here; nothing starts before it
  occ: number; // start of the occurrence the last unit started in (NaN before the first)
  occUsed: number; // money charged in that occurrence so far, for the per-period cap
}

/** Charges the units that start in [max(from, pend), startEnd); returns money after per-period caps. */
function runRange(
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
    const dayStart = Math.floor(t / DAY_MINUTES) * DAY_MINUTES;
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

/**
 * Everything that can make window i differ from window i+L, relative to the window start. Two windows
 * entered with equal keys are billed identically (periods repeat daily, the offset is fixed).
 * Appended to a flat array, 4 numbers per window: the per-quote path allocates as little as it can.
 */
function pushStateKey(c: CompiledTariff, st: LadderState, ws: number, keys: number[]): void {
  const q = Math.max(ws, st.pend);
  const dayStart = Math.floor(q / DAY_MINUTES) * DAY_MINUTES;
  const seg = c.segments[c.segmentOf[q - dayStart]];
  const continuing = seg.period >= 0 && dayStart + seg.occOffset === st.occ;
  keys.push(
    c.perOccurrence && !continuing ? -1 : st.k,
    q - ws,
    continuing ? st.occ - ws : 1,
    continuing ? st.occUsed : -1,
  );
}

/** Slot of an earlier key equal to the last one pushed, or -1. */
function findRepeat(keys: number[]): number {
  const last = keys.length - 4;
  for (let j = 0; j < last; j += 4) {
    if (
      keys[j] === keys[last] &&
      keys[j + 1] === keys[last + 1] &&
      keys[j + 2] === keys[last + 2] &&
      keys[j + 3] === keys[last + 3]
    ) {
      return j / 4;
    }
  }
  return -1;
}

export const fastFee: FeeFn = (c, s, e, priorPaid, wantLines) => {
  const lines: RawLine[] = [];
  const stay = e - s;
  if (stay <= 0 || stay <= c.freeMinutes) return { total: 0, lines };
  const billFrom = c.restart || c.freeCounted ? s : s + c.freeMinutes;
  const firstBudget = c.capAcrossVisits ? Math.max(0, c.cap - priorPaid) : c.cap;
  const st: LadderState = { k: 0, pend: -Infinity, occ: NaN, occUsed: 0 };
  // Per candidate window since the last jump: its state key, index, money and first line.
  const keys: number[] = [];
  const keyWin: number[] = [];
  const charged: number[] = [];
  const lineStart: number[] = [];
  let total = 0;

  for (let i = 0; ; i++) {
    const ws = windowStart(c, s, i);
    if (ws >= e) break;
    let we = windowStart(c, s, i + 1);
    if (c.restart) {
      st.k = 0;
      st.pend = ws;
    }

    // A window is interior when no unit starting in it can reach the exit; only those may repeat.
    if (i >= 1 && ws >= billFrom && we + c.maxStep < e) {
      pushStateKey(c, st, ws, keys);
      keyWin.push(i);
      const slot = findRepeat(keys);
      if (slot >= 0) {
        const first = keyWin[slot];
        const cycle = i - first;
        const interiorLeft = Math.floor((e - c.maxStep - 1 - we) / DAY_MINUTES) + 1;
        const reps = Math.floor(interiorLeft / cycle);
        if (reps >= 1) {
          const shift = reps * cycle * DAY_MINUTES;
          let perCycle = 0;
          for (let w = slot; w < keyWin.length - 1; w++) perCycle += charged[w];
          total += reps * perCycle;
          if (wantLines) aggregateLines(lines, lineStart[slot], ws, ws + shift, reps);
          st.pend += shift;
          st.occ += shift;
          keys.length = 0;
          keyWin.length = 0;
          charged.length = 0;
          lineStart.length = 0;
          i += reps * cycle - 1;
          continue;
        }
      }
    }

    const budget = i === 0 ? firstBudget : c.cap;
    const out = wantLines ? lines : null;
    const firstLine = lines.length;
    const pieceEnd = Math.min(we, e);
    let raw = 0;
    if (!(c.restart && pieceEnd - ws <= c.freeMinutes)) {
      if (c.perEntry !== null && (i === 0 || c.restart)) {
        raw += c.perEntry;
        if (out) out.push({ period: 'perEntry', from: ws, to: pieceEnd, units: 1, amount: c.perEntry });
      }
      const from = c.restart ? (c.freeCounted ? ws : ws + c.freeMinutes) : Math.max(ws, billFrom);
      const hardEnd = c.restart ? pieceEnd : e;
      we = Math.min(we, hardEnd);
      raw += runRange(c, st, from, we, hardEnd, e, out);
    }
    const got = Math.min(raw, budget);
    if (out && got < raw) out.push({ period: 'cap', from: ws, to: pieceEnd, units: 0, amount: got - raw });
    total += got;
    if (keyWin.length > 0 && keyWin[keyWin.length - 1] === i) {
      charged.push(got);
      lineStart.push(firstLine);
    }
  }
  return { total, lines };
};

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
