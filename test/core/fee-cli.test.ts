import { describe, expect, it } from 'vitest';
import { feeCommand } from '../../src/cli/fee.js';
import type { Config } from '../../src/config/schema.js';
import { tariffSchema } from '../../src/config/tariff.schema.js';

const config = {
  site: { parkCode: 'P1', name: 'test', timezone: 'Asia/Shanghai', areas: [], dataDir: './var' },
  tariffs: {
    'temp-small': tariffSchema.parse({
      freeMinutes: 30,
      periods: [
        {
          from: '07:00',
          to: '20:00',
          steps: [
            { minutes: 60, price: 400 },
            { every: 30, price: 200 },
          ],
        },
        { from: '20:00', to: '07:00', steps: [{ every: 120, price: 100 }] },
      ],
      cap: { amount: 3000, window: 'naturalDay' },
      capAcrossVisits: true,
    }),
  },
} as unknown as Config;

describe('feeCommand', () => {
  it('quotes a stay given in site-local time', () => {
    const out = JSON.parse(
      feeCommand({ config, tariff: 'temp-small', in: '2028-02-29 10:00', out: '2028-02-29 11:01' }),
    );
    expect(out.total).toBe(600);
    expect(out.due).toBe(600);
    expect(out.stayMinutes).toBe(61);
    expect(out.entry).toBe('2028-02-29 10:00:00');
    expect(out.lines[0].fromLocal).toBe('2028-02-29 10:00:00');
    expect(out.lines[0].from).toBe(Date.UTC(2028, 1, 29, 2, 0));
  });
  it('accepts seconds and prior payments', () => {
    const out = JSON.parse(
      feeCommand({
        config,
        tariff: 'temp-small',
        in: '2028-02-29 10:00:00',
        out: '2028-02-29 19:00:30',
        priorPaid: 2500,
      }),
    );
    expect(out.total).toBe(500);
  });
  it('is pretty-printed JSON', () => {
    expect(
      feeCommand({ config, tariff: 'temp-small', in: '2028-02-29 10:00', out: '2028-02-29 10:10' }),
    ).toContain('\n  "total": 0');
  });
  it('names the unknown tariff and the known ones', () => {
    expect(() =>
      feeCommand({ config, tariff: 'nope', in: '2028-02-29 10:00', out: '2028-02-29 11:00' }),
    ).toThrow(/unknown tariff "nope".*temp-small/);
  });
  it('rejects bad times clearly', () => {
    const run = (i: string, o: string) => () => feeCommand({ config, tariff: 'temp-small', in: i, out: o });
    expect(run('2027-02-29 10:00', '2027-03-01 10:00')).toThrow(/--in: bad time "2027-02-29 10:00"/);
    expect(run('2028-02-29 10:00', 'tomorrow')).toThrow(/--out: bad time/);
    expect(run('2028-02-29 10:00', '2028-02-29 25:00')).toThrow(/--out/);
    expect(run('2028-02-29 10:00', '2028-02-29 09:00')).toThrow(/before/);
  });
  it('rejects a bad prior payment', () => {
    expect(() =>
      feeCommand({
        config,
        tariff: 'temp-small',
        in: '2028-02-29 10:00',
        out: '2028-02-29 11:00',
        priorPaid: -5,
      }),
    ).toThrow(/prior-paid/);
  });
});
