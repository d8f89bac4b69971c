import { describe, expect, it } from 'vitest';
import { tariffSchema } from '../../src/config/tariff.schema.js';
import {
  naiveQuote,
  quote,
  tariffIdFor,
  type QuoteInput,
  type TariffConfig,
} from '../../src/core/tariff/index.js';
import { parseLocalDateTime } from '../../src/core/time.js';

const TZ = 'Asia/Shanghai';
const T = (o: unknown): TariffConfig => tariffSchema.parse(o);
const at = (s: string) => parseLocalDateTime(s, TZ);

/** Fee of a stay; every hand-derived case is also checked against the minute-walk reference. */
function fee(t: TariffConfig, from: string, to: string, extra: Partial<QuoteInput> = {}): number {
  const input = { entry: at(from), exit: at(to), ...extra };
  const fast = quote(t, input);
  const slow = naiveQuote(t, input);
  expect(fast.total, 'fast engine and reference disagree').toBe(slow.total);
  expect(
    fast.lines.reduce((a, l) => a + l.amount, 0),
    'lines must add up to the total',
  ).toBe(fast.total);
  return fast.total;
}

// The YAML of docs/design tariff.md.
const SPEC = T({
  freeMinutes: 30,
  freeCounted: true,
  rounding: 'ceil',
  tailGraceMinutes: 0,
  boundary: 'split',
  periods: [
    {
      from: '07:00',
      to: '20:00',
      steps: [
        { minutes: 60, price: 400 },
        { every: 30, price: 200 },
      ],
      cap: 1500,
    },
    { from: '20:00', to: '07:00', steps: [{ every: 120, price: 100 }] },
  ],
  firstBlock: 'perStay',
  cap: { amount: 3000, window: 'rolling24h' },
  restartEachWindow: false,
  capAcrossVisits: false,
});

const dayNight = (boundary: 'split' | 'overrun', extra: object = {}) =>
  T({
    boundary,
    periods: [
      { from: '08:00', to: '20:00', steps: [{ every: 60, price: 200 }] },
      { from: '20:00', to: '08:00', steps: [{ every: 60, price: 100 }] },
    ],
    ...extra,
  });

const allDay = (every: number, price: number, extra: object = {}) =>
  T({ periods: [{ from: '00:00', to: '00:00', steps: [{ every, price }] }], ...extra });

describe('worked examples of design/tariff.md', () => {
  it('the YAML: 30 free minutes are inclusive', () => {
    expect(fee(SPEC, '2025-03-10 10:00', '2025-03-10 10:30')).toBe(0);
  });
  it('the YAML: one minute over costs the first block', () => {
    expect(fee(SPEC, '2025-03-10 10:00', '2025-03-10 10:31')).toBe(400);
  });
  it('the YAML: first block plus one 30-minute unit', () => {
    expect(fee(SPEC, '2025-03-10 10:00', '2025-03-10 11:01')).toBe(600);
  });
  it('all day, every 60 → 100, overrun: 23:30 → 01:10 next day', () => {
    expect(fee(allDay(60, 100, { boundary: 'overrun' }), '2025-03-10 23:30', '2025-03-11 01:10')).toBe(200);
  });
  it('day/night split: 19:30 → 20:30 is one day piece and one night piece', () => {
    expect(fee(dayNight('split'), '2025-03-10 19:30', '2025-03-10 20:30')).toBe(300);
  });
  it('day/night overrun: 19:30 → 20:30 is one day unit', () => {
    expect(fee(dayNight('overrun'), '2025-03-10 19:30', '2025-03-10 20:30')).toBe(200);
  });
});

describe('the other boundary of a period that wraps midnight', () => {
  it('a night unit begun after midnight is cut at 08:00 under split, and runs on under overrun', () => {
    expect(fee(dayNight('split'), '2025-03-10 07:30', '2025-03-10 08:30')).toBe(300);
    expect(fee(dayNight('overrun'), '2025-03-10 07:30', '2025-03-10 08:30')).toBe(100);
  });
  it('an early-morning entry belongs to the night that began the evening before (per-period cap)', () => {
    const t = dayNight('split', {
      periods: [
        { from: '08:00', to: '20:00', steps: [{ every: 60, price: 200 }] },
        { from: '20:00', to: '08:00', steps: [{ every: 60, price: 100 }], cap: 300 },
      ],
    });
    expect(fee(t, '2025-03-10 02:00', '2025-03-10 08:00')).toBe(300);
    expect(fee(t, '2025-03-09 23:00', '2025-03-10 08:00')).toBe(300);
    expect(fee(t, '2025-03-10 06:00', '2025-03-10 21:00')).toBe(200 + 12 * 200 + 100);
  });
});

describe('free minutes: counted vs deducted (vendor manual: 30 free, 35-minute stay)', () => {
  const perMinute = (freeCounted: boolean) =>
    allDay(1, 10, { freeMinutes: 30, freeCounted, boundary: 'overrun' });
  it('counted bills all 35 minutes', () => {
    expect(fee(perMinute(true), '2025-06-01 09:00', '2025-06-01 09:35')).toBe(350);
  });
  it('deducted bills the 5 minutes past the allowance', () => {
    expect(fee(perMinute(false), '2025-06-01 09:00', '2025-06-01 09:35')).toBe(50);
  });
  it('a stay of exactly the allowance is free either way', () => {
    expect(fee(perMinute(true), '2025-06-01 09:00', '2025-06-01 09:30')).toBe(0);
    expect(fee(perMinute(false), '2025-06-01 09:00', '2025-06-01 09:30')).toBe(0);
  });
  it('an unfinished minute is not counted (30:59 is still 30 minutes)', () => {
    expect(fee(perMinute(true), '2025-06-01 09:00:00', '2025-06-01 09:30:59')).toBe(0);
    expect(fee(perMinute(true), '2025-06-01 09:00:30', '2025-06-01 09:31:30')).toBe(310);
  });
  it('deducted free time moves the first block: billing starts after the allowance', () => {
    const t = T({ ...SPEC, freeCounted: false });
    expect(fee(t, '2025-03-10 10:00', '2025-03-10 10:31')).toBe(400);
    expect(fee(t, '2025-03-10 10:00', '2025-03-10 11:31')).toBe(600);
    expect(fee(SPEC, '2025-03-10 10:00', '2025-03-10 11:31')).toBe(800);
  });
});

describe('汽车西站: ≤3 h 5元, then 1元/h, trailing ≤15 min ignored, restarts after 24 h', () => {
  // The free allowance is counted into the billed time once exceeded (the standard says so); 15 min assumed.
  const station = T({
    freeMinutes: 15,
    freeCounted: true,
    boundary: 'overrun',
    tailGraceMinutes: 15,
    restartEachWindow: true,
    periods: [
      {
        from: '00:00',
        to: '00:00',
        steps: [
          { minutes: 180, price: 500 },
          { every: 60, price: 100 },
        ],
      },
    ],
  });
  const cases: [string, string, number][] = [
    ['10 min', '2025-05-01 08:10', 0],
    ['16 min', '2025-05-01 08:16', 500],
    ['3 h', '2025-05-01 11:00', 500],
    ['3 h 15 (grace)', '2025-05-01 11:15', 500],
    ['3 h 16', '2025-05-01 11:16', 600],
    ['4 h 15', '2025-05-01 12:15', 600],
    ['4 h 20', '2025-05-01 12:20', 700],
    ['24 h exactly', '2025-05-02 08:00', 500 + 21 * 100],
    ['24 h 10: the new cycle is within its free minutes', '2025-05-02 08:10', 2600],
    ['24 h 20: the new cycle starts with the 3-hour block again', '2025-05-02 08:20', 2600 + 500],
  ];
  it.each(cases)('%s', (_name, out, expected) => {
    expect(fee(station, '2025-05-01 08:00', out)).toBe(expected);
  });
});

describe('台州西站: 30 min–2 h 5元, 2–4 h 10元, then 5元 per 4 h (15-min grace), 30元 per 24 h', () => {
  const taizhou = T({
    freeMinutes: 30,
    boundary: 'overrun',
    tailGraceMinutes: 15,
    periods: [
      {
        from: '00:00',
        to: '00:00',
        steps: [
          { minutes: 120, price: 500 },
          { minutes: 120, price: 500 },
          { every: 240, price: 500 },
        ],
      },
    ],
    cap: { amount: 3000, window: 'rolling24h' },
  });
  const cases: [string, string, number][] = [
    ['30 min', '2025-07-01 09:30', 0],
    ['31 min', '2025-07-01 09:31', 500],
    ['2 h', '2025-07-01 11:00', 500],
    ['2 h 01: a started block is never graced', '2025-07-01 11:01', 1000],
    ['4 h', '2025-07-01 13:00', 1000],
    ['4 h 15', '2025-07-01 13:15', 1000],
    ['4 h 16', '2025-07-01 13:16', 1500],
    ['8 h 10', '2025-07-01 17:10', 1500],
    ['24 h: capped', '2025-07-02 09:00', 3000],
  ];
  it.each(cases)('%s', (_name, out, expected) => {
    expect(fee(taizhou, '2025-07-01 09:00', out)).toBe(expected);
  });
});

describe('宜昌: 30 min (inclusive) free, night 1元 per started 2 h', () => {
  const yichang = T({
    freeMinutes: 30,
    periods: [
      {
        from: '07:00',
        to: '19:00',
        steps: [
          { minutes: 60, price: 300 },
          { every: 60, price: 100 },
        ],
      },
      { from: '19:00', to: '07:00', steps: [{ every: 120, price: 100 }] },
    ],
    cap: { amount: 2000, window: 'rolling24h' },
  });
  it('119 night minutes are one unit', () => {
    expect(fee(yichang, '2025-08-01 22:00', '2025-08-01 23:59')).toBe(100);
  });
  it('the night occurrence runs through midnight without a cut', () => {
    expect(fee(yichang, '2025-08-01 22:00', '2025-08-02 00:01')).toBe(200);
  });
  it('a whole night is six units', () => {
    expect(fee(yichang, '2025-08-01 19:00', '2025-08-02 07:00')).toBe(600);
  });
  it('split: the day block is cut at 19:00 but still costs the whole block', () => {
    expect(fee(yichang, '2025-08-01 18:30', '2025-08-01 19:31')).toBe(400);
  });
  it('30 minutes across the boundary are still free', () => {
    expect(fee(yichang, '2025-08-01 18:30', '2025-08-01 19:00')).toBe(0);
  });
});

describe('stay caps: rolling 24 h vs natural day across midnight', () => {
  const rolling = allDay(60, 500, { boundary: 'overrun', cap: { amount: 2000, window: 'rolling24h' } });
  const natural = allDay(60, 500, { boundary: 'overrun', cap: { amount: 2000, window: 'naturalDay' } });
  it('20:00 → 04:00: one rolling window, two natural days', () => {
    expect(fee(rolling, '2025-09-01 20:00', '2025-09-02 04:00')).toBe(2000);
    expect(fee(natural, '2025-09-01 20:00', '2025-09-02 04:00')).toBe(4000);
  });
  it('rolling: the second window starts 24 h after entry', () => {
    expect(fee(rolling, '2025-09-01 20:00', '2025-09-02 22:00')).toBe(2000 + 1000);
  });
  it('natural day: windows reset at local midnight, and the cap lines say so', () => {
    const t = allDay(60, 100, { boundary: 'overrun', cap: { amount: 500, window: 'naturalDay' } });
    const q = quote(t, { entry: at('2028-02-28 20:00'), exit: at('2028-03-01 04:00') });
    expect(q.total).toBe(400 + 500 + 400);
    const caps = q.lines.filter((l) => l.period === 'cap');
    expect(caps).toHaveLength(1);
    expect(caps[0].from).toBe(at('2028-02-29 00:00'));
    expect(caps[0].to).toBe(at('2028-03-01 00:00'));
    expect(caps[0].amount).toBe(500 - 2400);
  });
});

describe('ladder restart after 24 h (汽车西站) vs first window only (ParkingOS)', () => {
  const base = {
    freeMinutes: 15,
    boundary: 'overrun',
    periods: [
      {
        from: '00:00',
        to: '00:00',
        steps: [
          { minutes: 60, price: 500 },
          { every: 60, price: 200 },
        ],
      },
    ],
    cap: { amount: 3000, window: 'rolling24h' },
  };
  const once = T({ ...base, restartEachWindow: false });
  const restart = T({ ...base, restartEachWindow: true });
  it('within the first window both agree', () => {
    expect(fee(once, '2025-10-01 08:00', '2025-10-01 18:00')).toBe(500 + 9 * 200);
    expect(fee(restart, '2025-10-01 08:00', '2025-10-01 18:00')).toBe(500 + 9 * 200);
  });
  it('a stay of exactly one window does not restart', () => {
    expect(fee(restart, '2025-10-01 08:00', '2025-10-02 08:00')).toBe(3000);
  });
  it('26 h: the second window starts over with the first block only when restarting', () => {
    expect(fee(once, '2025-10-01 08:00', '2025-10-02 10:00')).toBe(3000 + 400);
    expect(fee(restart, '2025-10-01 08:00', '2025-10-02 10:00')).toBe(3000 + 700);
  });
  it('24 h 10: free minutes apply again only when restarting', () => {
    expect(fee(once, '2025-10-01 08:00', '2025-10-02 08:10')).toBe(3200);
    expect(fee(restart, '2025-10-01 08:00', '2025-10-02 08:10')).toBe(3000);
  });
  it('natural-day restart: the piece before midnight is a window of its own, free if short', () => {
    const t = allDay(60, 100, {
      boundary: 'overrun',
      freeMinutes: 30,
      restartEachWindow: true,
      cap: { amount: 5000, window: 'naturalDay' },
    });
    expect(fee(t, '2025-10-01 23:50', '2025-10-02 01:50')).toBe(200);
    expect(fee(t, '2025-10-01 23:20', '2025-10-02 01:50')).toBe(100 + 200);
    expect(fee(t, '2025-10-01 23:50', '2025-10-02 00:20')).toBe(0);
  });
  it('three full days are three caps', () => {
    expect(fee(once, '2025-10-01 08:00', '2025-10-04 08:00')).toBe(9000);
  });
});

describe('per-period cap: day capped at 40元, night uncapped (ajiexun)', () => {
  const t = T({
    periods: [
      { from: '08:00', to: '20:00', steps: [{ every: 60, price: 500 }], cap: 4000 },
      { from: '20:00', to: '08:00', steps: [{ every: 60, price: 100 }] },
    ],
  });
  it('a whole day hits the day cap', () => {
    expect(fee(t, '2025-11-03 08:00', '2025-11-03 20:00')).toBe(4000);
  });
  it('the night after it is not capped', () => {
    expect(fee(t, '2025-11-03 08:00', '2025-11-03 23:00')).toBe(4300);
  });
  it('each day occurrence has its own cap', () => {
    expect(fee(t, '2025-11-03 08:00', '2025-11-04 10:00')).toBe(4000 + 1200 + 1000);
    expect(fee(t, '2025-11-03 08:00', '2025-11-04 20:00')).toBe(4000 + 1200 + 4000);
  });
  it('a period running 07:00 → 07:00 caps per occurrence, not per calendar day', () => {
    const shifted = T({
      periods: [{ from: '07:00', to: '07:00', steps: [{ every: 60, price: 100 }], cap: 1000 }],
    });
    expect(fee(shifted, '2025-11-03 05:00', '2025-11-03 09:00')).toBe(400);
    expect(fee(shifted, '2025-11-03 20:00', '2025-11-04 10:00')).toBe(1000 + 300);
  });
});

describe('per entry (按次), with free minutes and a cap across visits (多次进出 10元封顶)', () => {
  const perEntry = T({
    perEntry: 500,
    freeMinutes: 15,
    cap: { amount: 1000, window: 'naturalDay' },
    capAcrossVisits: true,
  });
  it('a short stay inside the free minutes is free', () => {
    expect(fee(perEntry, '2025-12-01 09:00', '2025-12-01 09:15')).toBe(0);
  });
  it('one flat price however long inside the window', () => {
    expect(fee(perEntry, '2025-12-01 09:00', '2025-12-01 23:59')).toBe(500);
  });
  it('earlier payments the same day count toward the cap', () => {
    expect(fee(perEntry, '2025-12-01 12:00', '2025-12-01 13:00', { priorPaid: 500 })).toBe(500);
    expect(fee(perEntry, '2025-12-01 12:00', '2025-12-01 13:00', { priorPaid: 700 })).toBe(300);
    expect(fee(perEntry, '2025-12-01 12:00', '2025-12-01 13:00', { priorPaid: 1000 })).toBe(0);
  });
  it('without capAcrossVisits earlier payments are ignored', () => {
    const t = T({ perEntry: 500, cap: { amount: 1000, window: 'naturalDay' } });
    expect(fee(t, '2025-12-01 12:00', '2025-12-01 13:00', { priorPaid: 1000 })).toBe(500);
  });
  it('restarting windows charge the entry price again each window', () => {
    const t = T({ perEntry: 500, restartEachWindow: true, cap: { amount: 1000, window: 'naturalDay' } });
    expect(fee(t, '2025-12-01 12:00', '2025-12-03 01:00')).toBe(1500);
  });
});

describe('capAcrossVisits on a time tariff', () => {
  const t = allDay(60, 300, {
    boundary: 'overrun',
    cap: { amount: 2000, window: 'rolling24h' },
    capAcrossVisits: true,
  });
  it('priorPaid shrinks only the first window', () => {
    expect(fee(t, '2026-01-05 08:00', '2026-01-05 13:00')).toBe(1500);
    expect(fee(t, '2026-01-05 08:00', '2026-01-05 13:00', { priorPaid: 1000 })).toBe(1000);
    expect(fee(t, '2026-01-05 08:00', '2026-01-06 14:00', { priorPaid: 1500 })).toBe(500 + 1800);
    expect(fee(t, '2026-01-05 08:00', '2026-01-05 13:00', { priorPaid: 5000 })).toBe(0);
  });
});

describe('vehicle class via billing', () => {
  // 千山: large 1.5元 per 30 min by day, 1元/h by night; small night 0.5元/h (small day rate assumed 1元/30 min).
  const tariffs: Record<string, TariffConfig> = {
    'temp-small': T({
      periods: [
        { from: '07:00', to: '19:00', steps: [{ every: 30, price: 100 }] },
        { from: '19:00', to: '07:00', steps: [{ every: 60, price: 50 }] },
      ],
    }),
    'temp-large': T({
      periods: [
        { from: '07:00', to: '19:00', steps: [{ every: 30, price: 150 }] },
        { from: '19:00', to: '07:00', steps: [{ every: 60, price: 100 }] },
      ],
    }),
  };
  const billing = {
    temp: { small: 'temp-small', large: 'temp-large' },
    byCarType: { staff: { small: 'temp-small' } },
  };
  const feeFor = (cls: 'small' | 'large', from: string, to: string, carType?: string) =>
    fee(tariffs[tariffIdFor(billing, cls, carType)], from, to);
  it('day: the large car pays the large tariff', () => {
    expect(feeFor('small', '2025-04-01 10:00', '2025-04-01 12:00')).toBe(400);
    expect(feeFor('large', '2025-04-01 10:00', '2025-04-01 12:00')).toBe(600);
  });
  it('night', () => {
    expect(feeFor('small', '2025-04-01 20:00', '2025-04-01 22:00')).toBe(100);
    expect(feeFor('large', '2025-04-01 20:00', '2025-04-01 22:00')).toBe(200);
  });
  it('a class without its own tariff falls back to small', () => {
    expect(tariffIdFor(billing, 'large', 'staff')).toBe('temp-small');
    expect(tariffIdFor(billing, 'large', 'unknown-type')).toBe('temp-large');
  });
});

describe('boundaries, first blocks and rounding', () => {
  it('split cuts a first block at the boundary (whole block price), the night then bills its own unit', () => {
    expect(fee(SPEC, '2025-03-10 19:30', '2025-03-10 20:30')).toBe(500);
    expect(fee(T({ ...SPEC, boundary: 'overrun' }), '2025-03-10 19:30', '2025-03-10 20:30')).toBe(400);
  });
  it('perStay charges the first block once; perOccurrence at every day occurrence', () => {
    expect(fee(SPEC, '2025-03-10 18:00', '2025-03-11 07:20')).toBe(800 + 600 + 200);
    expect(fee(T({ ...SPEC, firstBlock: 'perOccurrence' }), '2025-03-10 18:00', '2025-03-11 07:20')).toBe(
      800 + 600 + 400,
    );
  });
  it('floor drops a partial unit, half-up bills it from half a unit', () => {
    expect(
      fee(
        allDay(60, 100, { rounding: 'floor', boundary: 'overrun' }),
        '2025-03-10 08:00',
        '2025-03-10 10:59',
      ),
    ).toBe(200);
    const half = allDay(60, 100, { rounding: 'half-up', boundary: 'overrun' });
    expect(fee(half, '2025-03-10 08:00', '2025-03-10 10:29')).toBe(200);
    expect(fee(half, '2025-03-10 08:00', '2025-03-10 10:30')).toBe(300);
  });
  it('split pieces are rounded on their own', () => {
    expect(fee(dayNight('split', { rounding: 'half-up' }), '2025-03-10 19:40', '2025-03-10 20:40')).toBe(100);
    expect(fee(dayNight('split', { rounding: 'half-up' }), '2025-03-10 19:20', '2025-03-10 20:20')).toBe(200);
  });
  it('tail grace applies at the exit only, not at a split boundary', () => {
    const t = dayNight('split', { tailGraceMinutes: 15 });
    expect(fee(t, '2025-03-10 18:50', '2025-03-10 20:10')).toBe(400 + 0);
    expect(fee(t, '2025-03-10 18:50', '2025-03-10 20:20')).toBe(400 + 100);
  });
  it('time outside every period is not billed', () => {
    const t = T({ periods: [{ from: '08:00', to: '20:00', steps: [{ every: 60, price: 100 }] }] });
    expect(fee(t, '2025-03-10 19:00', '2025-03-11 09:00')).toBe(200);
  });
  it('a period with first blocks only bills nothing after them', () => {
    const t = T({
      periods: [{ from: '00:00', to: '00:00', steps: [{ minutes: 120, price: 800 }] }],
      boundary: 'overrun',
    });
    expect(fee(t, '2025-03-10 08:00', '2025-03-10 18:00')).toBe(800);
  });
  it('overrun units keep their starting period and may skip a short period entirely', () => {
    const t = T({
      boundary: 'overrun',
      periods: [
        { from: '08:00', to: '12:00', steps: [{ every: 180, price: 300 }] },
        { from: '12:00', to: '13:00', steps: [{ every: 60, price: 1000 }] },
        { from: '13:00', to: '08:00', steps: [{ every: 60, price: 100 }] },
      ],
    });
    expect(fee(t, '2025-03-10 11:00', '2025-03-10 15:00')).toBe(300 + 100);
  });
});

describe('midnight, month ends, year ends, 29 February', () => {
  const split = allDay(60, 100);
  const overrun = allDay(60, 100, { boundary: 'overrun' });
  const crossings: [string, string, string][] = [
    ['year end', '2027-12-31 23:30', '2028-01-01 00:30'],
    ['31 January', '2028-01-31 23:30', '2028-02-01 00:30'],
    ['into 29 February', '2028-02-28 23:30', '2028-02-29 00:30'],
    ['out of 29 February', '2028-02-29 23:30', '2028-03-01 00:30'],
    ['28 February, no leap year', '2027-02-28 23:30', '2027-03-01 00:30'],
    ['30 April', '2026-04-30 23:30', '2026-05-01 00:30'],
  ];
  it.each(crossings)('%s: an all-day split unit is cut at midnight, overrun is not', (_n, from, to) => {
    expect(fee(split, from, to)).toBe(200);
    expect(fee(overrun, from, to)).toBe(100);
  });
  it('natural-day caps count 29 February as a day of its own', () => {
    const t = allDay(60, 100, { boundary: 'overrun', cap: { amount: 500, window: 'naturalDay' } });
    expect(fee(t, '2028-02-28 20:00', '2028-03-01 04:00')).toBe(400 + 500 + 400);
    expect(fee(t, '2027-02-28 20:00', '2027-03-01 04:00')).toBe(400 + 400);
  });
  it('year end with a natural-day cap vs a rolling cap', () => {
    const natural = allDay(60, 100, { boundary: 'overrun', cap: { amount: 300, window: 'naturalDay' } });
    const rolling = allDay(60, 100, { boundary: 'overrun', cap: { amount: 300, window: 'rolling24h' } });
    expect(fee(natural, '2027-12-31 22:00', '2028-01-01 02:00')).toBe(400);
    expect(fee(rolling, '2027-12-31 22:00', '2028-01-01 02:00')).toBe(300);
  });
  it('a stay over the whole leap year costs 366 natural-day caps', () => {
    const t = allDay(60, 100, { boundary: 'overrun', cap: { amount: 500, window: 'naturalDay' } });
    expect(quote(t, { entry: at('2028-01-01 00:00'), exit: at('2029-01-01 00:00') }).total).toBe(366 * 500);
    expect(quote(t, { entry: at('2027-01-01 00:00'), exit: at('2028-01-01 00:00') }).total).toBe(365 * 500);
  });
});

describe('long stays', () => {
  it('90 days of an all-day capped tariff is 90 caps, plus the hour after', () => {
    const t = allDay(60, 100, { boundary: 'overrun', cap: { amount: 1500, window: 'rolling24h' } });
    expect(fee(t, '2025-01-01 08:00', '2025-04-01 08:00')).toBe(90 * 1500);
    expect(fee(t, '2025-01-01 08:00', '2025-04-01 09:00')).toBe(90 * 1500 + 100);
  });
  it('90 days of the spec tariff: equals the reference, grows by one window per day, few lines', () => {
    const q90 = quote(SPEC, { entry: at('2025-01-01 10:00'), exit: at('2025-04-01 10:00') });
    const q91 = quote(SPEC, { entry: at('2025-01-01 10:00'), exit: at('2025-04-02 10:00') });
    const q92 = quote(SPEC, { entry: at('2025-01-01 10:00'), exit: at('2025-04-03 10:00') });
    expect(q90.total).toBe(
      naiveQuote(SPEC, { entry: at('2025-01-01 10:00'), exit: at('2025-04-01 10:00') }).total,
    );
    expect(q92.total - q91.total).toBe(q91.total - q90.total);
    expect(q90.lines.reduce((a, l) => a + l.amount, 0)).toBe(q90.total);
    expect(q90.lines.length).toBeLessThan(40);
  });
  it('a drifting overrun unit (50 min does not divide a day) still matches the reference', () => {
    const t = allDay(50, 100, { boundary: 'overrun', cap: { amount: 900, window: 'naturalDay' } });
    expect(fee(t, '2025-01-01 10:07', '2025-03-05 03:41')).toBeGreaterThan(0);
  });
});

describe('discounts and money', () => {
  it('minutes discount is valued as fee(full) − fee(shortened)', () => {
    const q = quote(SPEC, {
      entry: at('2025-03-10 10:00'),
      exit: at('2025-03-10 12:00'),
      discountMinutes: 30,
    });
    expect(q.total).toBe(800);
    expect(q.discountMoney).toBe(200);
    expect(q.due).toBe(600);
  });
  it('front vs back matters when periods differ', () => {
    const t = dayNight('split');
    const input = { entry: at('2025-03-10 19:00'), exit: at('2025-03-10 21:00'), discountMinutes: 60 };
    expect(quote(t, { ...input, discountFrom: 'front' }).discountMoney).toBe(200);
    expect(quote(t, { ...input, discountFrom: 'back' }).discountMoney).toBe(100);
    expect(quote(t, input).discountMoney).toBe(200);
  });
  it('shortening into the free minutes makes the whole fee the discount', () => {
    const q = quote(SPEC, {
      entry: at('2025-03-10 10:00'),
      exit: at('2025-03-10 12:00'),
      discountMinutes: 90,
    });
    expect(q.discountMoney).toBe(800);
    expect(q.due).toBe(0);
  });
  it('due = max(0, total − paid − money − minutes)', () => {
    const input = { entry: at('2025-03-10 10:00'), exit: at('2025-03-10 12:00') };
    const q = quote(SPEC, { ...input, paid: 300, discountMoney: 100, discountMinutes: 30 });
    expect(q).toMatchObject({ total: 800, paid: 300, discountMoney: 300, discountMinutes: 30, due: 200 });
    expect(quote(SPEC, { ...input, paid: 1000 }).due).toBe(0);
  });
  it('reports stay and free minutes', () => {
    const q = quote(SPEC, { entry: at('2025-03-10 10:00'), exit: at('2025-03-10 12:00:40') });
    expect(q.stayMinutes).toBe(120);
    expect(q.freeMinutes).toBe(30);
  });
  it('rejects nonsense', () => {
    expect(() => quote(SPEC, { entry: at('2025-03-10 10:00'), exit: at('2025-03-10 09:00') })).toThrow(
      /before entry/,
    );
    expect(() => quote(SPEC, { entry: NaN, exit: 0 })).toThrow(RangeError);
    expect(() => quote(SPEC, { entry: 0, exit: 1, paid: -1 })).toThrow(/paid/);
    expect(() => quote(SPEC, { entry: 0, exit: 1, timezone: 'Mars/Olympus' })).toThrow(RangeError);
  });
});

describe('lines', () => {
  it('one line per billed piece with local-minute edges in epoch ms', () => {
    const q = quote(SPEC, { entry: at('2025-03-10 19:00'), exit: at('2025-03-10 21:00') });
    expect(q.lines).toEqual([
      {
        period: '07:00-20:00',
        from: at('2025-03-10 19:00'),
        to: at('2025-03-10 20:00'),
        units: 1,
        amount: 400,
      },
      {
        period: '20:00-07:00',
        from: at('2025-03-10 20:00'),
        to: at('2025-03-10 21:00'),
        units: 1,
        amount: 100,
      },
    ]);
  });
  it('a binding stay cap appears as a negative "cap" line', () => {
    const q = quote(SPEC, { entry: at('2025-03-10 07:00'), exit: at('2025-03-11 07:00') });
    expect(q.total).toBe(2100);
    const t = allDay(60, 1000, { boundary: 'overrun', cap: { amount: 3000, window: 'rolling24h' } });
    const q2 = quote(t, { entry: at('2025-03-10 07:00'), exit: at('2025-03-10 12:00') });
    expect(q2.lines.map((l) => [l.period, l.amount])).toEqual([
      ['00:00-00:00', 5000],
      ['cap', -2000],
    ]);
  });
});

describe('time zone', () => {
  it('the site zone decides the wall clock, not UTC and not the host', () => {
    const entry = Date.UTC(2025, 2, 10, 11, 30); // 19:30 in Shanghai
    const input = { entry, exit: entry + 3_600_000 };
    const saved = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      expect(quote(dayNight('split'), input).total).toBe(300);
      expect(quote(dayNight('split'), { ...input, timezone: 'Asia/Shanghai' }).total).toBe(300);
      expect(quote(dayNight('split'), { ...input, timezone: 'UTC' }).total).toBe(200);
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });
});

describe('tariff validation', () => {
  it('rejects unreachable steps and overlapping periods', () => {
    const bad = tariffSchema.safeParse({
      periods: [
        {
          from: '07:00',
          to: '20:00',
          steps: [
            { every: 30, price: 1 },
            { minutes: 60, price: 1 },
          ],
        },
        { from: '19:00', to: '08:00', steps: [{ every: 30, price: 1 }] },
      ],
    });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(['periods.0.steps.1', 'periods.1']);
  });
  it('the engine rejects the same when handed an unvalidated object', () => {
    const raw = {
      periods: [
        { from: '07:00', to: '20:00', steps: [{ every: 30, price: 1 }] },
        { from: '19:00', to: '08:00', steps: [{ every: 30, price: 1 }] },
      ],
    } as unknown as TariffConfig;
    expect(() => quote(raw, { entry: 0, exit: 3_600_000 })).toThrow(/overlap/);
  });
});
