// Tables of what the walk does on long stays, built once per compiled tariff, and replay() that starts a
// quote's walk from them. For each entry minute of day, walk() runs on an endless stay up to its first
// repeat, and then on from there piece by piece; what it did is kept relative to the entry.
import { DAY_MINUTES } from '../time.js';
import type { CompiledTariff } from './compile.js';
import type { RawLine } from './engine.js';
import { windowStart } from './rules.js';
import { type Cursor, type Repeat, runRange, startCursor, walk } from './walk.js';

/**
 * What the walk does on a long stay, per entry minute of day. Everything is relative to the entry
 * minute s: periods repeat daily, so the walk from s + 1440 is the walk from s a day later.
 *
 * - Up to the first jump. A stay long enough for one whole cycle after the repeat window has every
 *   window up to there interior (no unit reaches the exit), so the walk makes exactly these moves:
 *   window 0 (only its stay-cap budget depends on priorPaid), the windows before the cycle, one cycle.
 * - After the jump, the windows are those that followed the repeat on the endless stay, shifted. Their
 *   pieces are billed the same for any exit that comes after the last unit of the piece ends, so the
 *   plan keeps the state after each piece ("resume points", in time order) and the walk takes over at
 *   the last one such a unit of which ends before the exit: only the piece with the exit is computed.
 *
 * Layout of one entry minute's block in `data`, at[m]..at[m+1] (empty: no plan for that minute):
 * P_* header, then N0 + NMID + NAGG lines (LINE numbers each: label, from, to, units, amount), then
 * NPOINTS resume points (PT_* numbers each), then NTAIL lines.
 */
export interface LongStayPlan {
  minStay: number; // no plan applies to a stay of this many minutes or fewer
  at: Int32Array;
  data: Int32Array;
  labels: string[]; // period of a line's label index
}

// The repeat seen at window I after CYCLE windows, the window after it starting at WE; the jump's
// lines run from AGG_FROM to WS + shift.
const P_I = 0;
const P_CYCLE = 1;
const P_WE = 2;
const P_WS = 3;
const P_AGG_FROM = 4;
// Money: window 0 before the stay cap, windows 1..I-1 after it, one cycle.
const P_RAW0 = 5;
const P_WE0 = 6;
const P_MID = 7;
const P_PER_CYCLE = 8;
// The ladder entering window I.
const P_K = 9;
const P_PEND = 10;
const P_OCC = 11;
const P_OCC_USED = 12;
// Line counts: window 0 without its cap line, windows 1..first-1, one per period of a cycle (units and
// amount per cycle), and the resume points and lines after the jump.
const P_N0 = 13;
const P_NMID = 14;
const P_NAGG = 15;
const P_NPOINTS = 16;
const P_NTAIL = 17;
const HEADER = 18;
const LINE = 5;
// A resume point: window (counted from I), the ladder, the tail lines billed so far, the money of the
// windows before this one (after the stay cap) and of this one so far.
const PT_WIN = 0;
const PT_PEND = 1;
const PT_K = 2;
const PT_OCC = 3;
const PT_OCC_USED = 4;
const PT_LINES = 5;
const PT_BEFORE = 6;
const PT_RAW = 7;
const POINT = 8;

/** Appends the n lines stored at d[j], their times relative to base; returns the index after them. */
function copyLines(
  d: Int32Array,
  labels: string[],
  j: number,
  n: number,
  base: number,
  lines: RawLine[],
): number {
  for (const end = j + n * LINE; j < end; j += LINE)
    lines.push({
      period: labels[d[j]],
      from: base + d[j + 1],
      to: base + d[j + 2],
      units: d[j + 3],
      amount: d[j + 4],
    });
  return j;
}

/** Moves the walk past what the plan knows of this stay, when one applies; otherwise leaves cur alone. */
export function replay(
  c: CompiledTariff,
  p: LongStayPlan,
  s: number,
  e: number,
  firstBudget: number,
  cur: Cursor,
  lines: RawLine[] | null,
): void {
  // Integer division and remainder by a constant compile to multiplications; the callers' minutes are
  // doubles, and this runs on every long quote. Minutes before 1970 or after 6053 take the walk.
  const si = s | 0;
  if (si !== s || si < 0 || (e | 0) !== e) return;
  const m = si % DAY_MINUTES;
  let j = p.at[m];
  if (j === p.at[m + 1]) return;
  const d = p.data;
  const cycle = d[j + P_CYCLE];
  // Interior windows after the repeat window's successor, in whole cycles.
  const left = (e - c.maxStep - 1 - si - d[j + P_WE]) | 0;
  if (left < 0) return;
  let reps = ((left / DAY_MINUTES) | 0) + 1;
  if (cycle !== 1) reps = (reps / cycle) | 0;
  if (reps < 1) return;
  const shift = reps * cycle * DAY_MINUTES;
  const raw0 = d[j + P_RAW0];
  const got0 = Math.min(raw0, firstBudget);
  // Fen are integers far below 2^53, so these sums equal the walk's window-by-window ones.
  const total = got0 + d[j + P_MID] + reps * d[j + P_PER_CYCLE];
  const jump = d[j + P_I] + reps * cycle;
  const ws = s + d[j + P_WS] + shift;
  cur.k = d[j + P_K];
  cur.pend = s + d[j + P_PEND] + shift;
  cur.occ = s + d[j + P_OCC] + shift;
  cur.occUsed = d[j + P_OCC_USED];
  cur.i = jump;
  cur.total = total;
  const nPoints = d[j + P_NPOINTS];
  const h = j;
  j += HEADER;
  if (lines !== null) {
    j = copyLines(d, p.labels, j, d[h + P_N0], s, lines);
    if (got0 < raw0)
      lines.push({ period: 'cap', from: s, to: s + d[h + P_WE0], units: 0, amount: got0 - raw0 });
    j = copyLines(d, p.labels, j, d[h + P_NMID], s, lines);
    const from = s + d[h + P_AGG_FROM];
    const times = reps + 1;
    for (const end = j + d[h + P_NAGG] * LINE; j < end; j += LINE)
      lines.push({ period: p.labels[d[j]], from, to: ws, units: times * d[j + 3], amount: times * d[j + 4] });
  } else {
    j += (d[h + P_N0] + d[h + P_NMID] + d[h + P_NAGG]) * LINE;
  }

  // The last resume point whose units all end before the exit; pend only grows along them.
  const base = s + shift;
  let q = -1;
  while (q + 1 < nPoints && base + d[j + (q + 1) * POINT + PT_PEND] < e) q++;
  if (q < 0) return;
  const pt = j + q * POINT;
  if (lines !== null) copyLines(d, p.labels, j + nPoints * POINT, d[pt + PT_LINES], base, lines);
  const win = d[pt + PT_WIN];
  const wsW = ws + win * DAY_MINUTES;
  const weW = Math.min(wsW + DAY_MINUTES, e);
  cur.k = d[pt + PT_K];
  cur.pend = base + d[pt + PT_PEND];
  cur.occ = base + d[pt + PT_OCC];
  cur.occUsed = d[pt + PT_OCC_USED];
  // The rest of that window as walk() bills a window without restarts (billing started before window I,
  // which was keyed); later windows are walk()'s.
  const raw = d[pt + PT_RAW] + runRange(c, cur, wsW, weW, e, e, lines);
  const got = Math.min(raw, c.cap);
  if (lines !== null && got < raw)
    lines.push({ period: 'cap', from: wsW, to: weW, units: 0, amount: got - raw });
  cur.total = total + d[pt + PT_BEFORE] + got;
  cur.i = jump + win + 1;
}

// Tariffs whose windows take long to settle into a cycle (units that drift through the day under
// overrun, blocks longer than a day) keep the general walk for those entries, and a plan that would
// not fit in MAX_BLOCK numbers leaves out its tail, or is dropped. So the tables stay under
// 1440 × 4 × MAX_BLOCK bytes, 0.9 MB.
const MAX_KEYED = 8;
const MAX_BLOCK = 160;
// An exit that none of the windows planned reaches. Finite and a small integer like real minutes, so
// that planning does not teach the JIT value types that quotes never bring.
const FAR = 2 ** 29;

/** The tariff's long-stay tables, built on first use and kept on the compiled tariff. */
export function longStayPlanOf(c: CompiledTariff): LongStayPlan | null {
  if (c.plan === undefined) c.plan = planLongStays(c);
  return c.plan;
}

function planLongStays(c: CompiledTariff): LongStayPlan | null {
  const labels = [...c.periods.map((p) => p.label), 'cap', 'perEntry'];
  const b = new Builder(labels);
  const endsOfDay = [...new Set(c.periods.map((p) => (p.from + p.len) % DAY_MINUTES))].sort((x, y) => x - y);
  const pieces: number[] = [];
  const at = new Int32Array(DAY_MINUTES + 1);
  const lines: RawLine[] = [];
  const cur: Cursor = { k: 0, pend: 0, occ: 0, occUsed: 0, i: 0, total: 0 };
  let minStay = Infinity;
  for (let m = 0; m < DAY_MINUTES; m++) {
    at[m] = b.n;
    lines.length = 0;
    startCursor(cur, m);
    const planned = planEntry(c, m, cur, lines, b, endsOfDay, pieces);
    // Whether windows settle into a short cycle is the tariff's nature (a unit drifting through the
    // day), not the entry's: do not try 1439 more times.
    if (planned === null && m === 0) return null;
    if (!planned) {
      b.n = at[m];
      continue;
    }
    // One whole cycle must fit after the repeat window's successor for replay() to apply.
    minStay = Math.min(
      minStay,
      b.data[at[m] + P_WE] + c.maxStep + (b.data[at[m] + P_CYCLE] - 1) * DAY_MINUTES,
    );
  }
  at[DAY_MINUTES] = b.n;
  if (b.n === 0) return null;
  return { minStay, at, data: b.data.slice(0, b.n), labels };
}

/** Appends to a growing table, noting whether every number was an int32. */
class Builder {
  data = new Int32Array(DAY_MINUTES * 64);
  n = 0;
  exact = true;
  constructor(private labels: string[]) {}
  add(v: number): void {
    if ((v | 0) !== v) this.exact = false;
    if (this.n >= this.data.length) {
      const more = new Int32Array(this.data.length * 2);
      more.set(this.data);
      this.data = more;
    }
    this.data[this.n++] = v;
  }
  line(l: RawLine, m: number): void {
    this.add(this.labels.indexOf(l.period));
    this.add(l.from - m);
    this.add(l.to - m);
    this.add(l.units);
    this.add(l.amount);
  }
}

/**
 * Appends entry minute m's block. False when it does not fit (the caller rolls back), null when there
 * is no repeat within MAX_KEYED windows.
 */
function planEntry(
  c: CompiledTariff,
  m: number,
  cur: Cursor,
  lines: RawLine[],
  b: Builder,
  endsOfDay: number[],
  pieces: number[],
): boolean | null {
  const rec: Repeat = { maxKeyed: MAX_KEYED, found: false, first: 0, perCycle: 0, firstLine: 0 };
  // priorPaid only changes window 0's budget, which replay() applies itself; 0 leaves it at the cap.
  walk(c, m, m + FAR, c.cap, cur, lines, rec);
  if (!rec.found) return null;

  // Window 0's lines come first and start before window 1; its cap line, if any, closes them.
  const we0 = windowStart(c, m, 1);
  let n0 = 0;
  let raw0 = 0;
  while (n0 < rec.firstLine && lines[n0].period !== 'cap' && lines[n0].from < we0) raw0 += lines[n0++].amount;
  const midFrom = n0 < rec.firstLine && lines[n0].period === 'cap' && lines[n0].from === m ? n0 + 1 : n0;
  const agg: RawLine[] = [];
  for (let j = rec.firstLine; j < lines.length; j++) {
    const l = lines[j];
    let a = agg.find((x) => x.period === l.period);
    if (!a) agg.push((a = { period: l.period, from: m, to: m, units: 0, amount: 0 }));
    a.units += l.units;
    a.amount += l.amount;
  }

  const ws = windowStart(c, m, cur.i);
  const cycle = cur.i - rec.first;
  const h = b.n;
  b.exact = true;
  b.n += HEADER;
  const head = (field: number, v: number) => {
    b.n = h + field;
    b.add(v);
  };
  head(P_I, cur.i);
  head(P_CYCLE, cycle);
  head(P_WE, windowStart(c, m, cur.i + 1) - m);
  head(P_WS, ws - m);
  head(P_AGG_FROM, (rec.firstLine < lines.length ? Math.min(ws, lines[rec.firstLine].from) : ws) - m);
  head(P_RAW0, raw0);
  head(P_WE0, we0 - m);
  head(P_MID, cur.total - Math.min(raw0, c.cap));
  head(P_PER_CYCLE, rec.perCycle);
  head(P_K, cur.k);
  head(P_PEND, cur.pend - m);
  head(P_OCC, cur.occ - m);
  head(P_OCC_USED, cur.occUsed);
  head(P_N0, n0);
  head(P_NMID, rec.firstLine - midFrom);
  head(P_NAGG, agg.length);
  head(P_NPOINTS, 0);
  head(P_NTAIL, 0);
  for (let j = 0; j < n0; j++) b.line(lines[j], m);
  for (let j = midFrom; j < rec.firstLine; j++) b.line(lines[j], m);
  for (const a of agg) b.line(a, m);
  if (b.n - h > MAX_BLOCK || !b.exact) return false;

  // Restarting windows cut units at every window end and may be free by the exit's position, so their
  // tails are left to the walk.
  if (c.restart) return true;
  const end = b.n;
  lines.length = 0;
  // Windows after the first all start at the same minute of day as ws.
  const phase = ws % DAY_MINUTES;
  pieces.length = 0;
  for (const v of endsOfDay) if (v > phase) pieces.push(v - phase);
  for (const v of endsOfDay) if (v < phase) pieces.push(v + DAY_MINUTES - phase);
  pieces.push(DAY_MINUTES);
  const nPoints = planTail(c, m, cur, lines, ws, cycle, pieces, b, h + MAX_BLOCK);
  if (nPoints >= 0) for (const l of lines) b.line(l, m);
  if (nPoints < 0 || !b.exact) {
    b.n = end;
    return true;
  }
  b.data[h + P_NPOINTS] = nPoints;
  b.data[h + P_NTAIL] = lines.length;
  return true;
}

/**
 * The windows after the repeat, billed piece by piece (pieces end at the offsets in `pieces` from the
 * window start: where occurrences end, and the window), adding the state after each piece to b and the
 * lines to `lines`. It covers every window a stay can still have after the jump: less than a cycle of
 * interior ones, then those a unit can reach the exit from. Returns the number of points, or -1 when
 * they and the lines would not fit below `limit`.
 */
function planTail(
  c: CompiledTariff,
  m: number,
  cur: Cursor,
  lines: RawLine[],
  ws: number,
  cycle: number,
  pieces: number[],
  b: Builder,
  limit: number,
): number {
  let points = 0;
  let before = 0;
  for (let w = 0; w < cycle + 1 + Math.floor(c.maxStep / DAY_MINUTES); w++) {
    const start = ws + w * DAY_MINUTES;
    let raw = 0;
    for (const x of pieces) {
      const { pend, k, occ, occUsed } = cur;
      const n = lines.length;
      raw += runRange(c, cur, start, start + x, m + FAR, m + FAR, lines);
      if (
        cur.pend === pend &&
        cur.k === k &&
        cur.occ === occ &&
        cur.occUsed === occUsed &&
        lines.length === n
      )
        continue;
      if (b.n + POINT + (lines.length + 1) * LINE > limit) return -1;
      b.add(w);
      b.add(cur.pend - m);
      b.add(cur.k);
      b.add(cur.occ - m);
      b.add(cur.occUsed);
      b.add(lines.length);
      b.add(before);
      b.add(raw);
      points++;
    }
    const got = Math.min(raw, c.cap);
    if (got < raw)
      lines.push({ period: 'cap', from: start, to: start + DAY_MINUTES, units: 0, amount: got - raw });
    before += got;
  }
  return points;
}
