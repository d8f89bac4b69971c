// pino JSON to stdout for journald; pretty when a person watches a terminal. Secrets never reach a log line.
import pino, { type Logger } from 'pino';

const REDACT = [
  'pwd',
  '*.pwd',
  'password',
  '*.password',
  'key',
  '*.key',
  'appSecret',
  '*.appSecret',
  'gatewayKey',
  '*.gatewayKey',
  'ukey',
  '*.ukey',
  'token',
  '*.token',
  'headers.pwd',
  'headers.authorization',
  'headers.cookie',
  'req.headers.pwd',
  'req.headers.cookie',
  'req.headers.authorization',
  'sign',
  '*.sign',
  'Sign',
  '*.Sign',
];

/** Mask card and phone numbers wherever they appear in a message or field: keep enough to recognise, not to reuse. */
export function maskNumbers(text: string): string {
  return text
    .replace(/(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)/g, '$1****$2')
    .replace(/(?<!\d)(\d{4})\d{8,11}(\d{4})(?!\d)/g, '$1********$2');
}

function maskDeep(v: unknown, depth = 0): unknown {
  if (typeof v === 'string') return maskNumbers(v);
  if (depth > 4 || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => maskDeep(x, depth + 1));
  if (v instanceof Error) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = maskDeep(x, depth + 1);
  return out;
}

export function createLogger(opts: {
  level: string;
  pretty?: boolean;
  destination?: pino.DestinationStream;
}): Logger {
  const pretty = opts.pretty ?? (process.stdout.isTTY === true && !opts.destination);
  const base: pino.LoggerOptions = {
    level: opts.level,
    base: { pid: process.pid },
    redact: { paths: REDACT, censor: '[secret]' },
    formatters: { log: (o) => maskDeep(o) as Record<string, unknown> },
    hooks: {
      logMethod(args, method) {
        const a = args.map((x) => (typeof x === 'string' ? maskNumbers(x) : x)) as Parameters<typeof method>;
        method.apply(this, a);
      },
    },
  };
  if (pretty) {
    return pino({
      ...base,
      transport: {
        target: 'pino-pretty',
        options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
      },
    });
  }
  return opts.destination ? pino(base, opts.destination) : pino(base);
}
