// The fast engine: the long-stay tables when one applies (plan.ts), then the general walk (walk.ts).
// Times are local minutes (see docs/tariff.md).
import { DAY_MINUTES } from '../time.js';
import type { CompiledTariff } from './compile.js';
import { longStayPlanOf, replay } from './plan.js';
import { type Cursor, startCursor, walk } from './walk.js';

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

// One cursor for every quote: see the scratch arrays in walk.ts.
const cursor: Cursor = { k: 0, pend: 0, occ: 0, occUsed: 0, i: 0, total: 0 };

export const fastFee: FeeFn = (c, s, e, priorPaid, wantLines) => {
  const lines: RawLine[] = [];
  const stay = e - s;
  if (stay <= 0 || stay <= c.freeMinutes) return { total: 0, lines };
  const firstBudget = c.capAcrossVisits ? Math.max(0, c.cap - priorPaid) : c.cap;
  const cur = cursor;
  startCursor(cur, s);
  const out = wantLines ? lines : null;
  // The earliest repeat is at window 2, so a plan needs window 3 to start a unit's length before the
  // exit: tariffs only ever quoted for shorter stays never build one.
  if (stay > (c.naturalDay ? 2 * DAY_MINUTES + 1 : 3 * DAY_MINUTES) + c.maxStep) {
    const plan = longStayPlanOf(c);
    if (plan !== null && stay > plan.minStay) replay(c, plan, s, e, firstBudget, cur, out);
  }
  walk(c, s, e, firstBudget, cur, out, null);
  return { total: cur.total, lines };
};
