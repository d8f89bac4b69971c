// Barrier gate behind a Modbus relay/DI board (TCP or RTU). modbus-serial never reconnects on its
// own, so this driver owns the connection: any transport failure tears the client down, marks the
// gate offline once, and a backoff loop builds a fresh client until the board answers again.
import modbusSerial from 'modbus-serial';
import type { Logger } from 'pino';
import { z } from 'zod';
import { BaseDevice, Backoff, errMsg, sleep } from '../base.js';
import { KT_DEVICE_TYPE, type Gate, type GateInputs, type GateState } from '../interfaces.js';
import type { modbusRelaySchema } from '../../config/devices.schema.js';

// NodeNext types the default import as the CJS module object; the package sets exports.default = exports,
// so `.default` is the client class both at runtime and in the typings
const ModbusRTU = modbusSerial.default;
type ModbusRTU = InstanceType<typeof ModbusRTU>;

export type ModbusRelayConfig = z.infer<typeof modbusRelaySchema>;
type InputName = 'openLimit' | 'closedLimit' | 'loop' | 'safety';
const INPUT_NAMES: InputName[] = ['openLimit', 'closedLimit', 'loop', 'safety'];

/** Failures that mean the link is gone, as opposed to a Modbus exception reply from a live board. */
export function isLinkFailure(e: unknown): boolean {
  const m = errMsg(e);
  const code = (e as { errno?: string; code?: string })?.errno ?? (e as { code?: string })?.code;
  return (
    /Port Not Open|Timed out|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|closed|not open|No such file/i.test(
      m,
    ) ||
    code === 'ETIMEDOUT' ||
    code === 'ECONNRESET'
  );
}

export class ModbusRelayGate extends BaseDevice implements Gate {
  readonly kind = 'gate' as const;
  readonly ktDeviceType = KT_DEVICE_TYPE.gate;
  private client: ModbusRTU | null = null;
  private connected = false;
  private stopped = true;
  private abort = new AbortController();
  private loopDone: Promise<void> = Promise.resolve();
  private chain: Promise<unknown> = Promise.resolve();
  private raw: Partial<Record<InputName, boolean>> = {};
  private st: GateState = 'unknown';
  private inp: GateInputs = { vehiclePresent: null, safety: null };
  private latched = false;
  /** coils left ON by an interrupted pulse; switched off first thing after reconnecting */
  private mustRelease = new Set<number>();
  private wakeReconnect: (() => void) | null = null;

  constructor(
    readonly cfg: ModbusRelayConfig,
    logger: Logger,
    private readonly backoff = new Backoff({ initialMs: 200, maxMs: 10_000 }),
  ) {
    super(cfg.id, cfg.type, logger);
  }

  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    this.abort = new AbortController();
    // the first attempt runs inline so a healthy board is online when start() resolves
    await this.connectOnce();
    this.loopDone = this.run();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.abort.abort();
    this.wakeReconnect?.();
    await this.loopDone;
    await this.dropClient();
    this.setHealth('offline', 'stopped');
  }

  state(): GateState {
    return this.st;
  }
  inputs(): GateInputs {
    return { ...this.inp };
  }

  async open(): Promise<void> {
    // a latched open coil already holds the arm up; pulsing it again would be a no-op at best
    if (this.latched) return;
    await this.pulse(this.cfg.coils.open);
  }

  async close(): Promise<void> {
    if (this.latched) await this.writeCoil(this.cfg.coils.open, false).then(() => (this.latched = false));
    await this.pulse(this.cfg.coils.close);
  }

  async stopArm(): Promise<void> {
    if (this.cfg.coils.stop === undefined) throw new Error(`${this.id}: no stop coil configured`);
    await this.pulse(this.cfg.coils.stop);
  }

  async keepOpen(): Promise<void> {
    await this.writeCoil(this.cfg.coils.open, true);
    this.latched = true;
  }

  async release(): Promise<void> {
    await this.writeCoil(this.cfg.coils.open, false);
    this.latched = false;
    await this.pulse(this.cfg.coils.close);
  }

  isLatched(): boolean {
    return this.latched;
  }

  /** Reads the configured inputs once; used by `parkedge doctor`. */
  async readInputsOnce(): Promise<Partial<Record<InputName, boolean>>> {
    await this.pollOnce();
    return { ...this.raw };
  }

  /**
   * Resolves once the ON write is acknowledged — that is the moment the gate controller sees the
   * contact close. The OFF write follows after pulseMs; if the link drops in between, the coil is
   * remembered and switched off right after the reconnect.
   */
  private async pulse(coil: number): Promise<void> {
    await this.writeCoil(coil, true);
    this.mustRelease.add(coil);
    void sleep(this.cfg.pulseMs).then(async () => {
      if (!this.mustRelease.has(coil)) return;
      try {
        await this.writeCoil(coil, false);
        this.mustRelease.delete(coil);
      } catch (e) {
        this.log.warn({ coil, err: errMsg(e) }, 'pulse release failed; will retry after reconnect');
      }
    });
  }

  private async writeCoil(coil: number, on: boolean): Promise<void> {
    await this.exclusive(async (c) => {
      await c.writeCoil(coil, on);
    });
  }

  /** One transaction at a time: RTU has no transaction ids and the boards are slow. */
  private exclusive<T>(fn: (c: ModbusRTU) => Promise<T>): Promise<T> {
    const run = async () => {
      const c = this.client;
      if (!c || !this.connected)
        throw new Error(`${this.id}: gate offline (${this.health().reason ?? 'not connected'})`);
      try {
        return await fn(c);
      } catch (e) {
        if (isLinkFailure(e)) this.linkLost(errMsg(e));
        throw new Error(`${this.id}: ${errMsg(e)}`);
      }
    };
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => undefined);
    return p;
  }

  private linkLost(reason: string): void {
    if (!this.connected) return;
    this.connected = false;
    this.setHealth('offline', reason);
    this.setState('unknown');
    this.setInputs({ vehiclePresent: null, safety: null });
    this.wakeReconnect?.();
  }

  private async dropClient(): Promise<void> {
    const c = this.client;
    this.client = null;
    this.connected = false;
    if (!c) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 500);
      try {
        c.close(() => {
          clearTimeout(t);
          resolve();
        });
      } catch {
        clearTimeout(t);
        resolve();
      }
    });
    (c as unknown as NodeJS.EventEmitter).removeAllListeners();
    // keep a listener: a late socket error on a discarded client must not become an uncaught 'error'
    c.on('error', () => undefined);
  }

  private async connectOnce(): Promise<boolean> {
    await this.dropClient();
    const c = new ModbusRTU();
    c.on('error', (e: unknown) => this.linkLost(`port error: ${errMsg(e)}`));
    try {
      if (this.cfg.transport === 'tcp') {
        await c.connectTCP(this.cfg.host!, { port: this.cfg.port });
      } else {
        await c.connectRTUBuffered(this.cfg.path!, { baudRate: this.cfg.baudRate });
      }
      c.setID(this.cfg.unitId);
      c.setTimeout(this.cfg.timeoutMs);
      c.on('close', () => {
        if (this.client === c) this.linkLost('connection closed');
      });
      this.client = c;
      this.connected = true;
      // a live connection is not enough: the board must answer (RTU ptys accept writes with no one behind them)
      await this.pollOnce();
      for (const coil of [...this.mustRelease]) {
        if (this.latched && coil === this.cfg.coils.open) continue;
        await this.writeCoil(coil, false);
        this.mustRelease.delete(coil);
      }
      if (!this.connected) return false;
      this.backoff.reset();
      this.setHealth('online');
      return true;
    } catch (e) {
      if (this.client !== c) {
        this.client = c;
      }
      await this.dropClient();
      this.setHealth('offline', errMsg(e));
      return false;
    }
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      if (!this.connected) {
        const wait = this.backoff.next();
        this.log.debug({ waitMs: wait }, 'reconnecting');
        await sleep(wait, signal);
        if (signal.aborted) break;
        await this.connectOnce();
        continue;
      }
      try {
        await this.pollOnce();
      } catch (e) {
        this.log.debug({ err: errMsg(e) }, 'poll failed');
      }
      if (!this.connected) continue;
      await new Promise<void>((resolve) => {
        this.wakeReconnect = resolve;
        void sleep(this.cfg.pollMs, signal).then(resolve);
      });
      this.wakeReconnect = null;
    }
  }

  private async pollOnce(): Promise<void> {
    const used = INPUT_NAMES.filter((n) => this.cfg.inputs[n] !== undefined);
    if (used.length === 0) {
      // nothing to watch, but the board still has to prove it is alive
      await this.exclusive((c) => c.readCoils(this.cfg.coils.open, 1));
      return;
    }
    const addrs = used.map((n) => this.cfg.inputs[n]!);
    const first = Math.min(...addrs);
    const count = Math.max(...addrs) - first + 1;
    // modbus-serial pads bit reads to whole bytes; index by address, never by array length
    const res = await this.exclusive((c) => c.readDiscreteInputs(first, count));
    const raw: Partial<Record<InputName, boolean>> = {};
    for (const n of used) {
      const bit = Boolean(res.data[this.cfg.inputs[n]! - first]);
      raw[n] = (this.cfg.polarity[n] ?? 'NO') === 'NC' ? !bit : bit;
    }
    this.raw = raw;
    this.derive();
  }

  private derive(): void {
    const r = this.raw;
    const hasLimits = r.openLimit !== undefined || r.closedLimit !== undefined;
    let st: GateState = 'unknown';
    if (hasLimits) {
      if (r.openLimit && r.closedLimit) st = 'unknown';
      else if (r.openLimit) st = 'opened';
      else if (r.closedLimit) st = 'closed';
      else if (r.openLimit === undefined || r.closedLimit === undefined) st = 'unknown';
      else st = 'moving';
    }
    this.setState(st);
    this.setInputs({ vehiclePresent: r.loop ?? null, safety: r.safety ?? null });
  }

  private setState(st: GateState): void {
    if (st === this.st) return;
    this.st = st;
    this.events.emit('state', st);
  }

  private setInputs(i: GateInputs): void {
    if (i.vehiclePresent === this.inp.vehiclePresent && i.safety === this.inp.safety) return;
    this.inp = i;
    this.events.emit('inputs', { ...i });
  }
}
