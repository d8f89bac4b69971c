// `parkedge fee`: quote one stay against a configured tariff, for installers checking their rules.
import type { Config } from '../config/schema.js';
import { quote } from '../core/tariff/index.js';
import { DEFAULT_TIMEZONE, formatLocalDateTime, parseLocalDateTime } from '../core/time.js';

export interface FeeCommandOptions {
  config: Config;
  tariff: string;
  in: string; // "YYYY-MM-DD HH:mm[:ss]", site-local
  out: string;
  priorPaid?: number; // fen
}

function parseTime(label: string, text: string, tz: string): number {
  try {
    return parseLocalDateTime(text, tz);
  } catch (err) {
    throw new Error(`--${label}: ${(err as Error).message}`);
  }
}

/** Returns the quote as pretty JSON (amounts in fen; epoch ms plus site-local text for every time). */
export function feeCommand(opts: FeeCommandOptions): string {
  const tz = opts.config.site.timezone ?? DEFAULT_TIMEZONE;
  const tariffs = opts.config.tariffs ?? {};
  if (!Object.prototype.hasOwnProperty.call(tariffs, opts.tariff)) {
    const known = Object.keys(tariffs);
    throw new Error(
      `unknown tariff "${opts.tariff}"; configured tariffs: ${known.length ? known.join(', ') : '(none)'}`,
    );
  }
  const entry = parseTime('in', opts.in, tz);
  const exit = parseTime('out', opts.out, tz);
  if (exit < entry) throw new Error(`--out (${opts.out}) is before --in (${opts.in})`);
  const priorPaid = opts.priorPaid;
  if (priorPaid !== undefined && (!Number.isInteger(priorPaid) || priorPaid < 0)) {
    throw new Error(`--prior-paid must be a non-negative integer in fen, got ${String(priorPaid)}`);
  }
  const q = quote(tariffs[opts.tariff], { entry, exit, timezone: tz, priorPaid });
  const local = (ms: number) => formatLocalDateTime(ms, tz);
  return JSON.stringify(
    {
      tariff: opts.tariff,
      timezone: tz,
      entry: local(entry),
      exit: local(exit),
      ...q,
      lines: q.lines.map((l) => ({ ...l, fromLocal: local(l.from), toLocal: local(l.to) })),
    },
    null,
    2,
  );
}
