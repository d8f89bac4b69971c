import { describe, expect, it } from 'vitest';
import {
  formatClock,
  formatLocalDateTime,
  localParts,
  localToEpoch,
  parseClock,
  parseLocalDateTime,
  tzOffsetMinutes,
} from '../../src/core/time.js';

describe('site-local time', () => {
  it('Shanghai is UTC+8 whatever the host zone', () => {
    expect(tzOffsetMinutes(Date.UTC(2028, 1, 29, 12), 'Asia/Shanghai')).toBe(480);
    expect(tzOffsetMinutes(Date.UTC(2028, 1, 29, 12))).toBe(480);
    expect(tzOffsetMinutes(Date.UTC(2028, 1, 29, 12), 'UTC')).toBe(0);
  });
  it('follows DST where a zone has it', () => {
    expect(tzOffsetMinutes(Date.UTC(2025, 0, 15), 'Europe/Berlin')).toBe(60);
    expect(tzOffsetMinutes(Date.UTC(2025, 6, 15), 'Europe/Berlin')).toBe(120);
    expect(
      localToEpoch({ year: 2025, month: 7, day: 15, hour: 12, minute: 0, second: 0 }, 'Europe/Berlin'),
    ).toBe(Date.UTC(2025, 6, 15, 10));
  });
  it('parses and formats round trip across year end and 29 February', () => {
    for (const s of [
      '2027-12-31 23:59:59',
      '2028-01-01 00:00:00',
      '2028-02-29 12:34:56',
      '2028-03-01 00:00:00',
    ]) {
      expect(formatLocalDateTime(parseLocalDateTime(s))).toBe(s);
    }
    expect(parseLocalDateTime('2028-01-01 00:00')).toBe(Date.UTC(2027, 11, 31, 16));
    expect(localParts(Date.UTC(2028, 1, 28, 16))).toEqual({
      year: 2028,
      month: 2,
      day: 29,
      hour: 0,
      minute: 0,
      second: 0,
    });
  });
  it('rejects impossible dates', () => {
    expect(() => parseLocalDateTime('2027-02-29 00:00')).toThrow(/no such date/);
    expect(() => parseLocalDateTime('2028-13-01 00:00')).toThrow();
    expect(() => parseLocalDateTime('2028-01-01 24:00')).toThrow();
    expect(() => parseLocalDateTime('2028/01/01 10:00')).toThrow(/expected/);
  });
  it('clock helpers', () => {
    expect(parseClock('07:30')).toBe(450);
    expect(parseClock('24:00')).toBe(1440);
    expect(() => parseClock('24:30')).toThrow();
    expect(formatClock(1440 + 65)).toBe('01:05');
  });
});
