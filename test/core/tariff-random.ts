// Random tariffs and stays for the property tests and the benchmark sanity check. Seeded, so a failure
// reproduces from the printed seed.
import type { TariffConfig } from '../../src/config/tariff.schema.js';
import { tariffSchema } from '../../src/config/tariff.schema.js';

/**
 * The design's day/night tariff with a day cap (15元), a night cap (5元) and a rolling-24 h cap (30元):
 * the benchmark's tariff, and the base of the long-stay tests' named tariffs.
 */
export const DAY_NIGHT = {
  freeMinutes: 30,
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
    { from: '20:00', to: '07:00', steps: [{ every: 120, price: 100 }], cap: 500 },
  ],
  cap: { amount: 3000, window: 'rolling24h' },
} as const;

/** mulberry32: tiny, fast, good enough to spread test cases. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hhmm = (m: number) =>
  `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

export function randomTariff(r: () => number): TariffConfig {
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const grid = pick([1, 5, 15, 30, 60]);
  // cut the day at 0-3 sorted points; each arc becomes a period or (sometimes) a gap
  const nCuts = int(0, 3);
  const cuts = [...new Set(Array.from({ length: nCuts }, () => int(0, Math.floor(1439 / grid)) * grid))].sort(
    (a, b) => a - b,
  );
  const periods: unknown[] = [];
  const mkSteps = () => {
    const steps: unknown[] = [];
    for (let b = int(0, 2); b > 0; b--)
      steps.push({ minutes: pick([10, 30, 45, 60, 120, 180, 1500]), price: int(0, 8) * 50 });
    if (steps.length === 0 || r() < 0.85)
      steps.push({ every: pick([7, 15, 30, 50, 60, 120, 1600]), price: int(1, 6) * 50 });
    return steps;
  };
  const withCap = () => (r() < 0.3 ? { cap: int(1, 20) * 100 } : {});
  if (cuts.length <= 1) {
    const at = cuts[0] ?? 0;
    periods.push({ from: hhmm(at), to: hhmm(at), steps: mkSteps(), ...withCap() });
  } else {
    const rot = int(0, cuts.length - 1); // rotate so that some periods wrap midnight
    for (let i = 0; i < cuts.length; i++) {
      const from = cuts[(i + rot) % cuts.length];
      const to = cuts[(i + rot + 1) % cuts.length];
      if (r() < 0.15) continue; // leave a gap no period covers
      periods.push({ from: hhmm(from), to: hhmm(to), steps: mkSteps(), ...withCap() });
    }
    if (periods.length === 0) periods.push({ from: hhmm(cuts[0]), to: hhmm(cuts[1]), steps: mkSteps() });
  }
  const t: Record<string, unknown> = {
    freeMinutes: pick([0, 0, 15, 30, 60]),
    freeCounted: r() < 0.5,
    rounding: pick(['ceil', 'floor', 'half-up'] as const),
    tailGraceMinutes: pick([0, 0, 5, 15]),
    boundary: pick(['split', 'overrun'] as const),
    periods,
    firstBlock: pick(['perStay', 'perOccurrence'] as const),
    restartEachWindow: r() < 0.3,
    capAcrossVisits: r() < 0.3,
  };
  if (r() < 0.6) t.cap = { amount: int(5, 60) * 100, window: pick(['rolling24h', 'naturalDay'] as const) };
  if (r() < 0.1) t.perEntry = int(1, 10) * 100;
  return tariffSchema.parse(t);
}
