// systemd notification protocol: datagrams to $NOTIFY_SOCKET. A no-op when not run by systemd.
import { createRequire } from 'node:module';

type UnixDgram = {
  createSocket(type: 'unix_dgram'): {
    send(buf: Buffer, off: number, len: number, path: string, cb?: (err?: Error) => void): void;
    close(): void;
    on(ev: string, cb: (e: Error) => void): void;
  };
};

export class SdNotify {
  private readonly path?: string;
  private sock?: ReturnType<UnixDgram['createSocket']>;
  private watchdog?: NodeJS.Timeout;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    const p = env.NOTIFY_SOCKET;
    // '@' marks the abstract namespace
    if (p) this.path = p.startsWith('@') ? `\0${p.slice(1)}` : p;
    if (this.path) {
      try {
        const require = createRequire(import.meta.url);
        const ud = require('unix-dgram') as UnixDgram;
        this.sock = ud.createSocket('unix_dgram');
        this.sock.on('error', () => undefined);
      } catch {
        this.sock = undefined;
      }
    }
  }

  get enabled(): boolean {
    return !!this.sock;
  }

  send(state: string): Promise<void> {
    const sock = this.sock;
    const path = this.path;
    if (!sock || !path) return Promise.resolve();
    const buf = Buffer.from(state);
    return new Promise((resolve) => sock.send(buf, 0, buf.length, path, () => resolve()));
  }

  ready(): Promise<void> {
    return this.send(`READY=1\nMAINPID=${process.pid}`);
  }
  stopping(): Promise<void> {
    return this.send('STOPPING=1');
  }
  status(text: string): Promise<void> {
    return this.send(`STATUS=${text}`);
  }

  /** WATCHDOG=1 at half of WATCHDOG_USEC, only while `healthy()` says so. */
  startWatchdog(healthy: () => boolean, env: NodeJS.ProcessEnv = process.env): void {
    const usec = Number(env.WATCHDOG_USEC);
    if (!this.sock || !Number.isFinite(usec) || usec <= 0) return;
    if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== process.pid) return;
    const every = Math.max(50, Math.floor(usec / 1000 / 2));
    const tick = () => {
      if (healthy()) void this.send('WATCHDOG=1');
    };
    tick();
    this.watchdog = setInterval(tick, every);
    this.watchdog.unref();
  }

  close(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    try {
      this.sock?.close();
    } catch {}
    this.sock = undefined;
  }
}
