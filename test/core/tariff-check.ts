// The property the tariff tests share: the fast engine bills what the minute walk bills.
import { expect } from 'vitest';
import { naiveQuote, quote, type QuoteInput, type TariffConfig } from '../../src/core/tariff/index.js';

/** Total, discount and due equal naiveQuote's, and the lines add up to the total. */
export function expectNaiveAgrees(t: TariffConfig, input: QuoteInput, ctx: string): void {
  const fast = quote(t, input);
  const slow = naiveQuote(t, input);
  expect(fast.total, ctx).toBe(slow.total);
  expect(fast.discountMoney, ctx).toBe(slow.discountMoney);
  expect(fast.due, ctx).toBe(slow.due);
  expect(
    fast.lines.reduce((a, l) => a + l.amount, 0),
    ctx,
  ).toBe(fast.total);
}
