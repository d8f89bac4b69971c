// The two rules both engines (and the long-stay planner) apply the same way, in one module that imports
// nothing of theirs.
import { DAY_MINUTES } from '../time.js';
import type { CompiledTariff } from './compile.js';

/** Whether a partial `every` unit of r minutes (0 < r < len) is billed. */
export function partialBilled(c: CompiledTariff, r: number, len: number, atStayEnd: boolean): boolean {
  if (atStayEnd && r <= c.tailGrace) return false;
  if (c.rounding === 'ceil') return true;
  if (c.rounding === 'floor') return false;
  return 2 * r >= len;
}

/** Start of cap window `i` (local minutes). Window 0 starts at entry; natural days then start at midnight. */
export function windowStart(c: CompiledTariff, s: number, i: number): number {
  if (i === 0) return s;
  if (!c.naturalDay) return s + i * DAY_MINUTES;
  return Math.floor(s / DAY_MINUTES) * DAY_MINUTES + i * DAY_MINUTES;
}
