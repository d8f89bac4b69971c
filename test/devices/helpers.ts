import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';

export function testLogger(): Logger {
  return pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
}

export function tmpDir(prefix = 'parkedge-dev-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Polls `fn` until it returns truthy or the deadline passes. */
export async function waitFor<T>(fn: () => T | Promise<T>, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const hasSocat = spawnSync('sh', ['-c', 'command -v socat'], { encoding: 'utf8' }).status === 0;
if (!hasSocat) console.warn('socat not found: pty-based serial tests are skipped (apt-get install socat)');

/** A socat pty pair with stable symlinks; kill() unplugs both ends, restart() plugs them back. */
export class PtyPair {
  private proc: ChildProcess | null = null;
  constructor(
    readonly a: string,
    readonly b: string,
  ) {}
  static inTmp(): PtyPair {
    const d = tmpDir('parkedge-pty-');
    return new PtyPair(join(d, 'ttyA'), join(d, 'ttyB'));
  }
  async start(): Promise<void> {
    this.proc = spawn('socat', [`pty,raw,echo=0,link=${this.a}`, `pty,raw,echo=0,link=${this.b}`], {
      stdio: 'ignore',
    });
    await waitFor(() => existsSync(this.a) && existsSync(this.b), 5000, 'socat ptys');
  }
  async kill(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGTERM');
    });
    await waitFor(() => !existsSync(this.a), 2000, 'pty links removed').catch(() => undefined);
  }
}

import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';

/** A minimal valid lot with the given devices/simulators (JSON objects), camera server on port 0. */
export function lotConfig(devices: unknown[], extra: Record<string, unknown> = {}): Config {
  const doc = {
    site: { parkCode: 'P001', name: 'devices-test', areas: [{ id: 'main', name: 'main', spaces: 10 }] },
    tariffs: { t: { periods: [{ from: '00:00', to: '00:00', steps: [{ every: 60, price: 100 }] }] } },
    billing: { temp: { small: 't', large: 't' } },
    servers: { cameras: { host: '127.0.0.1', port: 0 } },
    devices,
    ...extra,
  };
  return parseConfig(JSON.stringify(doc), 'test.yaml', {});
}
