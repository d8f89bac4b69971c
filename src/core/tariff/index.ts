// Public face of the tariff engine. Semantics and every judgement call: docs/tariff.md.
import type { TariffConfig } from '../../config/tariff.schema.js';
import { DEFAULT_TIMEZONE, MINUTE_MS, tzOffsetMinutes } from '../time.js';
import { compileTariff } from './compile.js';
import { type FeeFn, fastFee } from './engine.js';
import { naiveFee } from './naive.js';
import { longStayPlanOf } from './plan.js';

export type { TariffConfig } from '../../config/tariff.schema.js';
export { compileTariff } from './compile.js';
export { tariffIdFor, type VehicleClass } from './select.js';

export interface QuoteLine {
  period: string /* e.g. "07:00-20:00" or "perEntry" or "cap" */;
  from: number;
  to: number /* epoch ms */;
  units: number;
  amount: number /* fen */;
}

export interface Quote {
  total: number; // fen, fee for the stay before paid/discounts (after caps)
  paid: number; // fen already paid (input)
  discountMoney: number; // fen: money discount + value of discounted minutes
  discountMinutes: number;
  due: number; // max(0, total - paid - discountMoney)
  stayMinutes: number;
  freeMinutes: number;
  lines: QuoteLine[];
}

export interface QuoteInput {
  entry: number;
  exit: number;
  timezone?: string;
  priorPaid?: number;
  paid?: number;
  discountMoney?: number;
  discountMinutes?: number;
  discountFrom?: 'front' | 'back';
}

function money(v: number | undefined, name: string): number {
  if (v === undefined) return 0;
  if (!Number.isInteger(v) || v < 0)
    throw new RangeError(`quote: ${name} must be a non-negative integer (fen)`);
  return v;
}

function assemble(t: TariffConfig, input: QuoteInput, fee: FeeFn): Quote {
  const { entry, exit } = input;
  if (!Number.isFinite(entry) || !Number.isFinite(exit))
    throw new RangeError('quote: entry and exit must be epoch ms');
  if (exit < entry) throw new RangeError('quote: exit is before entry');
  const priorPaid = money(input.priorPaid, 'priorPaid');
  const paid = money(input.paid, 'paid');
  const discountMoney = money(input.discountMoney, 'discountMoney');
  const discountMinutes = money(input.discountMinutes, 'discountMinutes');
  const c = compileTariff(t);

  // Only the entry's offset is read: the stay is laid on one linear local timeline (docs/tariff.md).
  const offset = tzOffsetMinutes(entry, input.timezone ?? DEFAULT_TIMEZONE);
  const s = Math.floor((entry + offset * MINUTE_MS) / MINUTE_MS);
  const stayMinutes = Math.floor((exit - entry) / MINUTE_MS);
  const e = s + stayMinutes;

  const full = fee(c, s, e, priorPaid, true);
  let minutesValue = 0;
  if (discountMinutes > 0 && full.total > 0) {
    let shorter = 0;
    if (discountMinutes < stayMinutes) {
      shorter =
        input.discountFrom === 'back'
          ? fee(c, s, e - discountMinutes, priorPaid, false).total
          : fee(c, s + discountMinutes, e, priorPaid, false).total;
    }
    minutesValue = Math.max(0, full.total - shorter);
  }
  const totalDiscount = discountMoney + minutesValue;
  // The engine's lines are fresh objects of the same shape, so they are converted in place. No
  // closures here: this runs per quote, and the hot path should allocate only what it returns.
  const lines: QuoteLine[] = full.lines;
  for (let i = 0; i < lines.length; i++) {
    lines[i].from = entry + (lines[i].from - s) * MINUTE_MS;
    lines[i].to = entry + (lines[i].to - s) * MINUTE_MS;
  }
  return {
    total: full.total,
    paid,
    discountMoney: totalDiscount,
    discountMinutes,
    due: Math.max(0, full.total - paid - totalDiscount),
    stayMinutes,
    freeMinutes: c.freeMinutes,
    lines,
  };
}

/** The fee quote for one stay [entry, exit). Pure: the clock is never read. */
export function quote(t: TariffConfig, input: QuoteInput): Quote {
  return assemble(t, input, fastFee);
}

/**
 * Minute-by-minute reference implementation with the same contract as quote(). For the benchmark and
 * the property tests only: it is O(stay length) and must never be used to bill.
 */
export function naiveQuote(t: TariffConfig, input: QuoteInput): Quote {
  return assemble(t, input, naiveFee);
}

/**
 * Compile a tariff and build its long-stay tables now rather than at its first long quote (a few ms each):
 * the daemon does this at start so that no exit lane waits for it.
 */
export function prepareTariff(t: TariffConfig): void {
  longStayPlanOf(compileTariff(t));
}
