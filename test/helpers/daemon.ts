// Start the real daemon as a child process on a copy of the demo config with ports chosen by the test.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => res(p));
    });
  });
}

export interface DemoCopy {
  dir: string;
  file: string;
  dbFile: string;
  ports: {
    downlink: number;
    booth: number;
    lanapi: number;
    cameras: number;
    gateIn: number;
    gateOut: number;
    onvif: number;
  };
  config: any;
}

/** demo.yaml with every port replaced by a free one and dataDir in a temp dir; `edit` may change more. */
export async function demoConfigCopy(edit?: (cfg: any, ports: DemoCopy['ports']) => void): Promise<DemoCopy> {
  const dir = mkdtempSync(join(tmpdir(), 'pe-daemon-'));
  const cfg = parse(readFileSync(resolve('config/demo.yaml'), 'utf8'));
  const ports = {
    downlink: await freePort(),
    booth: await freePort(),
    lanapi: await freePort(),
    cameras: await freePort(),
    gateIn: await freePort(),
    gateOut: await freePort(),
    onvif: await freePort(),
  };
  cfg.site.dataDir = join(dir, 'var');
  cfg.servers = {
    downlink: { host: '127.0.0.1', port: ports.downlink },
    booth: { host: '127.0.0.1', port: ports.booth },
    lanapi: { host: '127.0.0.1', port: ports.lanapi },
    cameras: { host: '127.0.0.1', port: ports.cameras },
  };
  for (const d of cfg.devices) {
    if (d.id === 'gate-in-1') d.port = ports.gateIn;
    if (d.id === 'gate-out-1') d.port = ports.gateOut;
    if (d.id === 'cam-info-1') d.port = ports.onvif;
  }
  for (const s of cfg.simulators) {
    if (s.id === 'sim-gate-in-1') s.port = ports.gateIn;
    if (s.id === 'sim-gate-out-1') s.port = ports.gateOut;
    if (s.id === 'sim-onvif-1') s.port = ports.onvif;
  }
  edit?.(cfg, ports);
  const file = join(dir, 'parkedge.yaml');
  writeFileSync(file, stringify(cfg));
  return { dir, file, dbFile: join(dir, 'var', 'parkedge.db'), ports, config: cfg };
}

export interface RunningDaemon {
  child: ChildProcess;
  output: () => string;
  /** resolves with [exit code, ms from signal to exit] */
  stop(signal?: NodeJS.Signals): Promise<[number | null, number]>;
}

export async function spawnDaemon(
  configFile: string,
  env: NodeJS.ProcessEnv = {},
  readyUrl?: string,
): Promise<RunningDaemon> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'start', '--config', configFile],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout!.on('data', (b) => (out += b));
  child.stderr!.on('data', (b) => (out += b));
  const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`daemon exited early:\n${out}`);
    if (readyUrl) {
      try {
        const r = await fetch(readyUrl);
        if (r.ok) break;
      } catch {}
    } else if (out.includes('"msg":"ready"')) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`daemon not ready in 15 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    output: () => out,
    async stop(signal = 'SIGTERM') {
      const t0 = Date.now();
      child.kill(signal);
      const code = await Promise.race([
        exited,
        new Promise<number | null>((r) => setTimeout(() => (child.kill('SIGKILL'), r(-1)), 10_000)),
      ]);
      return [code, Date.now() - t0];
    },
  };
}
