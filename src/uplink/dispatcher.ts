// Drains the outbox per stream: retries with backoff, survives restarts (state is the table), never delivers
// a row twice once accepted, and keeps one car's reports in order (the repo only hands out a key's oldest row).
import type { Logger } from 'pino';
import type { Store, OutboxRow } from '../storage/index.js';
import type { DomainEventType } from '../site/events.js';

export type SendResult = 'ok' | 'skip';

export interface StreamSender {
  stream: string;
  /** event types this stream wants written to its outbox */
  kinds: ReadonlySet<DomainEventType> | 'all';
  /**
   * Deliver one row. Resolve 'ok' once the cloud accepted it (e.g. KT resCode 0), 'skip' when this row needs
   * no call. Throw to retry later (network error, timeout, cloud said no).
   */
  send(row: OutboxRow): Promise<SendResult>;
  /** rows in flight at once (different cars); default 8 */
  concurrency?: number;
}

export interface DispatcherOptions {
  store: Store;
  logger: Logger;
  senders: StreamSender[];
  now?: () => number;
  /** first retry delay; doubles up to maxBackoffMs */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** idle poll when nothing wakes us */
  idleMs?: number;
}

interface StreamState {
  sender: StreamSender;
  running: boolean;
  timer?: NodeJS.Timeout;
  delivered: number;
  failed: number;
  lastError?: string;
  lastOkAt?: number;
}

export class OutboxDispatcher {
  private readonly streams = new Map<string, StreamState>();
  private stopped = true;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly base: number;
  private readonly max: number;
  private readonly idle: number;

  constructor(private readonly opts: DispatcherOptions) {
    this.log = opts.logger.child({ component: 'outbox' });
    this.now = opts.now ?? Date.now;
    this.base = opts.baseBackoffMs ?? 1000;
    this.max = opts.maxBackoffMs ?? 5 * 60_000;
    this.idle = opts.idleMs ?? 5000;
    for (const s of opts.senders)
      this.streams.set(s.stream, { sender: s, running: false, delivered: 0, failed: 0 });
  }

  start(): void {
    this.stopped = false;
    for (const name of this.streams.keys()) this.wake(name);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const s of this.streams.values()) if (s.timer) clearTimeout(s.timer);
    // let rows already in flight finish so none is sent without being marked
    const deadline = Date.now() + 5000;
    while ([...this.streams.values()].some((s) => s.running) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
  }

  /** Something was written: drain now (all streams when no name is given). */
  wake(stream?: string): void {
    if (this.stopped) return;
    const names = stream ? [stream] : [...this.streams.keys()];
    for (const n of names) {
      const s = this.streams.get(n);
      if (!s || s.running) continue;
      if (s.timer) clearTimeout(s.timer);
      s.timer = setTimeout(() => void this.drain(s), 0);
    }
  }

  private backoff(attempts: number): number {
    const d = Math.min(this.max, this.base * 2 ** Math.min(attempts, 20));
    return Math.round(d * (0.8 + Math.random() * 0.4));
  }

  private async drain(s: StreamState): Promise<void> {
    if (this.stopped || s.running) return;
    s.running = true;
    try {
      for (;;) {
        if (this.stopped) break;
        const rows = this.opts.store.outbox.due(s.sender.stream, this.now(), 200);
        if (!rows.length) break;
        // one row per key per round: a car's later report waits for its earlier one
        const width = s.sender.concurrency ?? 8;
        for (let i = 0; i < rows.length && !this.stopped; i += width) {
          await Promise.all(rows.slice(i, i + width).map((row) => this.deliver(s, row)));
        }
      }
    } catch (e) {
      this.log.error({ err: e, stream: s.sender.stream }, 'outbox drain failed');
    } finally {
      s.running = false;
    }
    if (this.stopped) return;
    const next = this.opts.store.outbox.nextDueAt(s.sender.stream);
    const delay = next === undefined ? this.idle : Math.max(10, Math.min(this.idle, next - this.now()));
    s.timer = setTimeout(() => void this.drain(s), delay);
  }

  private async deliver(s: StreamState, row: OutboxRow): Promise<void> {
    try {
      await s.sender.send(row);
      this.opts.store.outbox.markDelivered(row.id, this.now());
      s.delivered++;
      s.lastOkAt = this.now();
      s.lastError = undefined;
    } catch (e) {
      const msg = (e as Error).message ?? String(e);
      s.failed++;
      s.lastError = msg;
      this.opts.store.outbox.markFailed(row.id, this.now() + this.backoff(row.attempts), msg);
      this.log.warn(
        { stream: s.sender.stream, id: row.id, kind: row.kind, attempts: row.attempts + 1, err: msg },
        'report not delivered, will retry',
      );
    }
  }

  stats(): Array<{
    stream: string;
    backlog: number;
    oldest?: number;
    delivered: number;
    failed: number;
    lastError?: string;
    lastOkAt?: number;
  }> {
    const backlog = new Map(this.opts.store.outbox.backlog().map((b) => [b.stream, b]));
    return [...this.streams.values()].map((s) => ({
      stream: s.sender.stream,
      backlog: backlog.get(s.sender.stream)?.n ?? 0,
      oldest: backlog.get(s.sender.stream)?.oldest,
      delivered: s.delivered,
      failed: s.failed,
      lastError: s.lastError,
      lastOkAt: s.lastOkAt,
    }));
  }
}
