// Reference engine: walks the stay one minute at a time with an explicit "unit in progress". It is
// deliberately simple and slow; it exists to cross-check the fast engine and as the benchmark baseline.
import { DAY_MINUTES } from '../time.js';
import type { CompiledTariff } from './compile.js';
import { partialBilled, windowStart } from './rules.js';
import type { FeeFn, RawLine } from './engine.js';

interface OpenUnit {
  start: number;
  len: number;
  price: number;
  block: boolean;
  occ: number;
  win: number;
  period: number;
}

/** Period and occurrence start at local minute m, found by testing every period (no precomputed map). */
function occurrenceAt(c: CompiledTariff, m: number): { period: number; os: number } {
  const x = ((m % DAY_MINUTES) + DAY_MINUTES) % DAY_MINUTES;
  for (let i = 0; i < c.periods.length; i++) {
    const rel = (x - c.periods[i].from + DAY_MINUTES) % DAY_MINUTES;
    if (rel < c.periods[i].len) return { period: i, os: m - rel };
  }
  return { period: -1, os: NaN };
}

export const naiveFee: FeeFn = (c, s, e, priorPaid, wantLines) => {
  const lines: RawLine[] = [];
  if (e - s <= 0 || e - s <= c.freeMinutes) return { total: 0, lines };
  const firstWindowEnd = windowStart(c, s, 1);
  const winOf = (m: number) => (m < firstWindowEnd ? 0 : 1 + Math.floor((m - firstWindowEnd) / DAY_MINUTES));
  const winFree = (w: number) =>
    Math.min(windowStart(c, s, w + 1), e) - windowStart(c, s, w) <= c.freeMinutes;
  const sums: number[] = [];
  const add = (w: number, amount: number) => (sums[w] = (sums[w] ?? 0) + amount);
  const occUsed = new Map<number, number>();

  if (c.perEntry !== null) {
    for (let w = 0; windowStart(c, s, w) < e; w++) {
      if (c.restart ? winFree(w) : w > 0) continue;
      add(w, c.perEntry);
      if (wantLines)
        lines.push({ period: 'perEntry', from: windowStart(c, s, w), to: e, units: 1, amount: c.perEntry });
    }
  }

  let unit: OpenUnit | null = null;
  const close = (at: number) => {
    const u = unit!;
    unit = null;
    const r = at - u.start;
    const billed = r >= u.len || u.block || partialBilled(c, r, u.len, at === e);
    if (!billed) return;
    const cap = c.periods[u.period].cap;
    const used = occUsed.get(u.occ) ?? 0;
    const amount = Math.min(u.price, cap - used);
    occUsed.set(u.occ, used + amount);
    add(u.win, amount);
    if (!wantLines) return;
    const last = lines[lines.length - 1];
    const label = c.periods[u.period].label;
    if (last && last.period === label && last.to === u.start) {
      last.to = at;
      last.units++;
      last.amount += amount;
    } else {
      lines.push({ period: label, from: u.start, to: at, units: 1, amount });
    }
  };

  let k = 0;
  let lastOcc = NaN;
  let lastWin = -1;
  for (let m = s; m < e; m++) {
    const w = winOf(m);
    const { period, os } = occurrenceAt(c, m);
    if (unit !== null) {
      const u: OpenUnit = unit;
      if (m - u.start >= u.len) close(m);
      else if (c.split && os !== u.occ) close(m);
      else if (c.restart && w !== u.win) close(m);
    }
    if (w !== lastWin) {
      lastWin = w;
      if (c.restart) k = 0;
    }
    if (unit !== null || period < 0) continue;
    if (c.restart) {
      if (winFree(w) || (!c.freeCounted && m < windowStart(c, s, w) + c.freeMinutes)) continue;
    } else if (!c.freeCounted && m < s + c.freeMinutes) continue;
    if (os !== lastOcc) {
      lastOcc = os;
      if (c.perOccurrence) k = 0;
    }
    const p = c.periods[period];
    const block = k < p.blocks.length;
    const step = block ? p.blocks[k] : p.unit;
    if (!step) continue;
    if (block) k++;
    unit = { start: m, len: step.len, price: step.price, block, occ: os, win: w, period };
  }
  if (unit !== null) close(e);

  let total = 0;
  for (let w = 0; w < sums.length; w++) {
    const raw = sums[w] ?? 0;
    const budget = w === 0 && c.capAcrossVisits ? Math.max(0, c.cap - priorPaid) : c.cap;
    total += Math.min(raw, budget);
    if (wantLines && raw > budget) {
      lines.push({
        period: 'cap',
        from: windowStart(c, s, w),
        to: Math.min(windowStart(c, s, w + 1), e),
        units: 0,
        amount: budget - raw,
      });
    }
  }
  return { total, lines };
};
