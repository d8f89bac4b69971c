// Property: on random tariffs and stays the fast engine bills exactly what the minute walk bills.
import { describe, it } from 'vitest';
import type { QuoteInput } from '../../src/core/tariff/index.js';
import { expectNaiveAgrees } from './tariff-check.js';
import { randomTariff, rng } from './tariff-random.js';

// 2028-02-27 00:00 Shanghai: random entries then cross 29 February and the month end.
const BASE = Date.UTC(2028, 1, 26, 16, 0);

function check(seed: number, maxDays: number): void {
  const r = rng(seed);
  const t = randomTariff(r);
  const entry = BASE + Math.floor(r() * 5 * 1440) * 60_000 + Math.floor(r() * 60) * 1000;
  const minutes = Math.floor(r() * maxDays * 1440);
  const input: QuoteInput = {
    entry,
    exit: entry + minutes * 60_000 + Math.floor(r() * 60) * 1000,
    priorPaid: Math.floor(r() * 3) * 500,
    paid: Math.floor(r() * 3) * 300,
    discountMoney: r() < 0.2 ? 100 : 0,
    discountMinutes: r() < 0.3 ? Math.floor(r() * 120) : 0,
    discountFrom: r() < 0.5 ? 'front' : 'back',
  };
  expectNaiveAgrees(t, input, `seed ${seed}: ${JSON.stringify({ t, input })}`);
}

describe('fast engine == minute-walk reference', () => {
  it('3000 random short stays (up to 5 hours)', () => {
    for (let seed = 1; seed <= 3000; seed++) check(seed, 5 / 24);
  });
  it('2000 random stays of up to 4 days', () => {
    for (let seed = 10_001; seed <= 12_000; seed++) check(seed, 4);
  });
  it('150 random stays of up to 60 days (identical windows are multiplied)', () => {
    for (let seed = 20_001; seed <= 20_150; seed++) check(seed, 60);
  });
});
