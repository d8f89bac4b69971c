// Property: the long-stay tables (src/core/tariff/plan.ts) change nothing. A quote that uses them equals,
// field for field and line for line, the same quote billed by the general walk alone, and the minute
// walk's total.
import { describe, expect, it } from 'vitest';
import { tariffSchema } from '../../src/config/tariff.schema.js';
import {
  compileTariff,
  quote,
  type Quote,
  type QuoteInput,
  type TariffConfig,
} from '../../src/core/tariff/index.js';
import { expectNaiveAgrees } from './tariff-check.js';
import { DAY_NIGHT, randomTariff, rng } from './tariff-random.js';

// 2028-02-27 00:00 Shanghai, as in tariff.property.test.ts: long stays cross 29 February and year ends.
const BASE = Date.UTC(2028, 1, 26, 16, 0);
const DAY = 1440;
const MIN = 60_000;

/** The quote as the general walk alone bills it: the tariff's plan is hidden for the call. */
function walkOnly(t: TariffConfig, input: QuoteInput): Quote {
  const c = compileTariff(t);
  const plan = c.plan;
  c.plan = null;
  try {
    return quote(t, input);
  } finally {
    c.plan = plan;
  }
}

function same(t: TariffConfig, input: QuoteInput): void {
  const planned = quote(t, input);
  const walked = walkOnly(t, input);
  // Compared as the JSON that leaves the process; the context is only worth building on a difference.
  if (JSON.stringify(planned) !== JSON.stringify(walked))
    expect(planned, JSON.stringify({ t, input })).toEqual(walked);
}

/**
 * One stay per entry minute of the day for each of `lengths`, with seconds on both ends, priorPaid and
 * a minutes discount from either end (the shortened stays are quoted with their own entry minute).
 */
function everyEntryMinute(t: TariffConfig, r: () => number, lengths: (m: number) => number[]): void {
  for (let m = 0; m < DAY; m++) {
    const entry = BASE + m * MIN + Math.floor(r() * 60) * 1000;
    for (const minutes of lengths(m)) {
      same(t, {
        entry,
        exit: entry + minutes * MIN + Math.floor(r() * 60) * 1000,
        priorPaid: Math.floor(r() * 4) * 500,
        paid: Math.floor(r() * 3) * 300,
        discountMinutes: r() < 0.3 ? Math.floor(r() * 3 * DAY) : 0,
        discountFrom: r() < 0.5 ? 'front' : 'back',
      });
    }
  }
}

// Lengths that put the exit everywhere a plan can leave off: around the shortest stay that can jump
// (a few days), anywhere in the last windows of a stay of weeks, on the minute a period starts or ends
// (where tail grace and the split boundary meet the exit), and after a year or more.
function lengthsFor(t: TariffConfig, r: () => number): (m: number) => number[] {
  const edges = (t.periods ?? [])
    .flatMap((p) => [p.from, p.to])
    .map((hhmm) => {
      const [h, mm] = hhmm.split(':').map(Number);
      return (h * 60 + mm) % DAY;
    });
  return (m) => {
    const days = 3 + Math.floor(r() * 40);
    const edge = edges.length > 0 ? edges[Math.floor(r() * edges.length)] : 0;
    return [
      2 * DAY + Math.floor(r() * 4 * DAY),
      days * DAY + Math.floor(r() * 2 * DAY),
      days * DAY + ((edge - m + DAY) % DAY) + Math.floor(r() * 3) - 1,
      (300 + Math.floor(r() * 500)) * DAY + Math.floor(r() * DAY),
    ];
  };
}

const named: [string, Record<string, unknown>][] = [
  ['day/night with period caps and a rolling 24 h cap', { ...DAY_NIGHT }],
  [
    'natural-day cap across visits, overrun, floor rounding, tail grace',
    {
      ...DAY_NIGHT,
      boundary: 'overrun',
      rounding: 'floor',
      tailGraceMinutes: 15,
      capAcrossVisits: true,
      cap: { amount: 2500, window: 'naturalDay' },
    },
  ],
  [
    'restarting windows with per-entry price, deducted free minutes, half-up rounding',
    {
      ...DAY_NIGHT,
      freeCounted: false,
      rounding: 'half-up',
      restartEachWindow: true,
      perEntry: 300,
      cap: { amount: 4000, window: 'rolling24h' },
    },
  ],
  [
    'per-occurrence first blocks, a gap, a unit that does not divide the day',
    {
      freeMinutes: 15,
      firstBlock: 'perOccurrence',
      tailGraceMinutes: 5,
      periods: [
        {
          from: '08:00',
          to: '18:00',
          steps: [
            { minutes: 120, price: 500 },
            { every: 50, price: 100 },
          ],
          cap: 2000,
        },
        { from: '18:00', to: '23:00', steps: [{ every: 45, price: 150 }] },
      ],
      cap: { amount: 3500, window: 'naturalDay' },
    },
  ],
  [
    'a short last unit at a split boundary, forgiven by tail grace only when the exit is there',
    {
      tailGraceMinutes: 15,
      periods: [
        { from: '08:00', to: '18:10', steps: [{ every: 60, price: 200 }] },
        { from: '18:10', to: '08:00', steps: [{ every: 60, price: 100 }], cap: 600 },
      ],
      cap: { amount: 5000, window: 'rolling24h' },
    },
  ],
];

describe('long-stay tables == the general walk', () => {
  for (const [name, raw] of named) {
    it(`${name}: every entry minute`, () => {
      const t = tariffSchema.parse(raw);
      const r = rng(name.length);
      everyEntryMinute(t, r, lengthsFor(t, r));
      expect(compileTariff(t).plan, 'the tables were built and used').toBeTruthy();
    });
  }

  it('25 random tariffs, every entry minute', () => {
    for (let seed = 30_001; seed <= 30_025; seed++) {
      const r = rng(seed);
      const t = randomTariff(r);
      everyEntryMinute(t, r, lengthsFor(t, r));
    }
  });
});

describe('long-stay tables', () => {
  it('agree with the minute walk on 200 random long stays', () => {
    for (let seed = 40_001; seed <= 40_200; seed++) {
      const r = rng(seed);
      const t = randomTariff(r);
      const entry = BASE + Math.floor(r() * 5 * DAY) * MIN + Math.floor(r() * 60) * 1000;
      const input: QuoteInput = {
        entry,
        exit: entry + (4 * DAY + Math.floor(r() * 8 * DAY)) * MIN + Math.floor(r() * 60) * 1000,
        priorPaid: Math.floor(r() * 3) * 500,
        discountMinutes: r() < 0.3 ? Math.floor(r() * 600) : 0,
        discountFrom: r() < 0.5 ? 'front' : 'back',
      };
      expectNaiveAgrees(t, input, `seed ${seed}: ${JSON.stringify({ t, input })}`);
    }
  });

  it('are built at the first long stay only, cover the whole day and stay under 1 MB', () => {
    // A cap no other test uses: compiled tariffs are shared by structure.
    const t = tariffSchema.parse({ ...DAY_NIGHT, cap: { amount: 3100, window: 'rolling24h' } });
    quote(t, { entry: BASE, exit: BASE + 60 * MIN });
    expect(compileTariff(t).plan).toBeUndefined();
    quote(t, { entry: BASE, exit: BASE + 90 * DAY * MIN });
    const plan = compileTariff(t).plan!;
    for (let m = 0; m < DAY; m++) expect(plan.at[m + 1], `minute ${m}`).toBeGreaterThan(plan.at[m]);
    for (let seed = 30_001; seed <= 30_025; seed++) {
      const p = compileTariff(randomTariff(rng(seed))).plan;
      if (p) expect(p.data.byteLength + p.at.byteLength).toBeLessThan(1 << 20);
    }
  });
});
