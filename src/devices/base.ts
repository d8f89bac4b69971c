// Shared plumbing for drivers: health bookkeeping that reports each transition exactly once,
// and a reconnect loop with capped exponential backoff that never throws.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { DeviceHealth, HealthStatus, KtDeviceType } from './interfaces.js';

export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  factor?: number;
}

export class Backoff {
  private attempt = 0;
  constructor(private readonly o: BackoffOptions = {}) {}
  next(): number {
    const initial = this.o.initialMs ?? 500;
    const max = this.o.maxMs ?? 30_000;
    const base = Math.min(max, initial * (this.o.factor ?? 2) ** this.attempt);
    this.attempt++;
    // jitter keeps sixteen lanes that lost the same switch from reconnecting in lockstep
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }
  reset(): void {
    this.attempt = 0;
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

export function errMsg(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export abstract class BaseDevice {
  readonly events = new EventEmitter();
  protected readonly log: Logger;
  private h: DeviceHealth = { status: 'offline', reason: 'not started', since: Date.now() };
  abstract readonly kind: 'gate' | 'display' | 'camera';
  abstract readonly ktDeviceType: KtDeviceType;

  constructor(
    readonly id: string,
    readonly type: string,
    logger: Logger,
  ) {
    this.log = logger.child({ component: 'devices', device: id });
    // an 'error' event with no listener would crash the daemon; drivers never emit it, but be sure
    this.events.on('error', (e) => this.log.warn({ err: errMsg(e) }, 'device error event'));
  }

  health(): DeviceHealth {
    return { ...this.h };
  }

  /** The manager's supervisor calls this when start() itself failed (bad port path, missing driver…). */
  reportFault(reason: string): void {
    this.setHealth('fault', reason);
  }

  /** Reports only real transitions; a reason change within the same status is logged, not emitted. */
  protected setHealth(status: HealthStatus, reason?: string): void {
    if (this.h.status === status) {
      this.h.reason = reason;
      return;
    }
    this.h = { status, reason, since: Date.now() };
    const lvl = status === 'online' ? 'info' : 'warn';
    this.log[lvl]({ health: status, reason }, `device ${status}`);
    this.events.emit('health', this.health());
  }
}
