// Keys follow ../shared/design/tariff.md exactly; extend, never rename.
import { z } from 'zod';

const hhmm = z
  .string()
  .regex(/^([01]\d|2[0-4]):[0-5]\d$/, 'expected "HH:mm" (00:00-24:00)')
  .describe('site-local clock time "HH:mm"');

export const stepSchema = z.union([
  z
    .object({
      minutes: z.number().int().positive().describe('length of a first block in minutes'),
      price: z.number().int().nonnegative().describe('price of the block in fen'),
    })
    .strict(),
  z
    .object({
      every: z.number().int().positive().describe('unit length in minutes, repeated'),
      price: z.number().int().nonnegative().describe('price per unit in fen'),
    })
    .strict(),
]);

export const periodSchema = z
  .object({
    from: hhmm,
    to: hhmm,
    steps: z.array(stepSchema).min(1),
    cap: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe('at most this much (fen) per occurrence of this period'),
  })
  .strict();

export const tariffSchema = z
  .object({
    freeMinutes: z
      .number()
      .int()
      .nonnegative()
      .default(0)
      .describe('a stay of ≤ N minutes (inclusive) costs 0'),
    freeCounted: z
      .boolean()
      .default(true)
      .describe('once exceeded: true = bill from entry, false = bill after the free minutes'),
    rounding: z.enum(['ceil', 'floor', 'half-up']).default('ceil'),
    tailGraceMinutes: z.number().int().nonnegative().default(0),
    boundary: z.enum(['split', 'overrun']).default('split'),
    periods: z.array(periodSchema).optional(),
    firstBlock: z.enum(['perStay', 'perOccurrence']).default('perStay'),
    cap: z
      .object({
        amount: z.number().int().nonnegative(),
        window: z.enum(['rolling24h', 'naturalDay']),
      })
      .strict()
      .optional(),
    restartEachWindow: z.boolean().default(false),
    capAcrossVisits: z.boolean().default(false),
    perEntry: z.number().int().nonnegative().optional().describe('a flat price per stay in fen'),
  })
  .strict()
  .refine((t) => t.perEntry !== undefined || (t.periods && t.periods.length > 0), {
    message: 'a tariff needs either periods or perEntry',
  })
  .superRefine((t, ctx) => {
    // The engine rejects these too; checking here reports them with their path at config load.
    const owner = new Array<number>(1440).fill(-1);
    const clock = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3));
    (t.periods ?? []).forEach((p, i) => {
      const lastEvery = p.steps.findIndex((s) => 'every' in s);
      if (lastEvery !== -1 && lastEvery < p.steps.length - 1) {
        ctx.addIssue({
          code: 'custom',
          path: ['periods', i, 'steps', lastEvery + 1],
          message: 'unreachable: an {every} step repeats forever, so it must be the last step',
        });
      }
      const from = clock(p.from);
      const to = clock(p.to);
      for (const [key, v] of [['from', from] as const, ['to', to] as const]) {
        if (v > 1440) ctx.addIssue({ code: 'custom', path: ['periods', i, key], message: 'after 24:00' });
      }
      const len = from % 1440 === to % 1440 ? 1440 : (((to - from) % 1440) + 1440) % 1440;
      for (let k = 0; k < len; k++) {
        const m = (from + k) % 1440;
        if (owner[m] !== -1) {
          ctx.addIssue({
            code: 'custom',
            path: ['periods', i],
            message: `overlaps periods[${owner[m]}] at ${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`,
          });
          return;
        }
        owner[m] = i;
      }
    });
  });

export type TariffConfig = z.infer<typeof tariffSchema>;

const classMap = z
  .object({ small: z.string(), large: z.string().optional() })
  .strict()
  .describe('tariff id per vehicle class; large falls back to small');

export const billingSchema = z
  .object({
    temp: classMap.describe('temporary cars'),
    /** car types that pay by tariff but at another rate, keyed by KT car type name */
    byCarType: z.record(z.string(), classMap).default({}),
  })
  .strict();
export type BillingConfig = z.infer<typeof billingSchema>;
