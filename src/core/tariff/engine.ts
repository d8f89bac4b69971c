// The fast engine: the general walk (walk.ts) over the stay. Times are local minutes (see docs/tariff.md).
import type { CompiledTariff } from './compile.js';
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
  walk(c, s, e, firstBudget, cur, out);
  return { total: cur.total, lines };
};
