// Cold start to READY=1 on the demo config, and RSS after start, against a bare Node process that sends
// READY=1 right away (the floor: Node's own start plus the notify socket), measured in the same run.
// Run: npm run build && npx tsx scripts/bench/startup.ts [runs]
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { demoConfigCopy } from '../../test/helpers/daemon.js';

const require = createRequire(import.meta.url);
const unix = require('unix-dgram');
const runs = Number(process.argv[2] ?? 5);

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function measure(args: string[], cwd: string): Promise<{ readyMs: number; rss: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'pe-bench-'));
  const sockPath = join(dir, 'n.sock');
  let readyAt = 0;
  const ready = new Promise<void>((res) => {
    const s = unix.createSocket('unix_dgram', (msg: Buffer) => {
      if (msg.toString().includes('READY=1') && !readyAt) {
        readyAt = performance.now();
        s.close();
        res();
      }
    });
    s.bind(sockPath);
  });
  const t0 = performance.now();
  const child = spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, NOTIFY_SOCKET: sockPath },
    stdio: 'ignore',
  });
  await Promise.race([
    ready,
    new Promise((_, rej) => setTimeout(() => rej(new Error('no READY in 20 s')), 20_000)),
  ]);
  await new Promise((r) => setTimeout(r, 1000));
  const rss = rssMb(child.pid!);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
  return { readyMs: readyAt - t0, rss };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const baselineScript = join(mkdtempSync(join(tmpdir(), 'pe-base-')), 'ready.cjs');
writeFileSync(
  baselineScript,
  `const u = require(${JSON.stringify(require.resolve('unix-dgram'))}); const s = u.createSocket('unix_dgram');
   const b = Buffer.from('READY=1'); s.send(b, 0, b.length, process.env.NOTIFY_SOCKET, () => {});
   setInterval(() => {}, 1000); process.on('SIGTERM', () => process.exit(0));`,
);

const base: Array<{ readyMs: number; rss: number }> = [];
const daemon: Array<{ readyMs: number; rss: number }> = [];
for (let i = 0; i < runs; i++) {
  base.push(await measure([baselineScript], process.cwd()));
  const demo = await demoConfigCopy();
  daemon.push(await measure([resolve('dist/cli/main.js'), 'start', '--config', demo.file], process.cwd()));
  rmSync(demo.dir, { recursive: true, force: true });
}
const b = { ready: median(base.map((x) => x.readyMs)), rss: median(base.map((x) => x.rss)) };
const d = { ready: median(daemon.map((x) => x.readyMs)), rss: median(daemon.map((x) => x.rss)) };
console.log(`startup to READY=1, median of ${runs} runs (demo config: 7 devices, 5 simulators, 2 lanes)`);
console.log(`  bare node + notify : ${b.ready.toFixed(0)} ms, RSS ${b.rss.toFixed(1)} MB`);
console.log(`  parkedge daemon    : ${d.ready.toFixed(0)} ms, RSS ${d.rss.toFixed(1)} MB`);
console.log(
  `  ratio              : ${(d.ready / b.ready).toFixed(1)}× time, ${(d.rss / b.rss).toFixed(1)}× memory`,
);
console.log(
  `  targets            : READY < 1500 ms ${d.ready < 1500 ? 'met' : 'MISSED'}, RSS < 120 MB ${d.rss < 120 ? 'met' : 'MISSED'}`,
);
