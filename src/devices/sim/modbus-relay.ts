// A Modbus relay/DI board wired to a barrier arm, served over real Modbus TCP (ServerTCP) or RTU
// (ServerSerial on a serial path, e.g. one end of a socat pty pair). The arm travels: an OPEN
// pulse starts it moving and the open limit closes travelMs later, so drivers see 'moving'.
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import { ServerSerial, ServerTCP, type IServiceVector } from 'modbus-serial';

export type ArmState = 'closed' | 'opening' | 'opened' | 'closing';

export interface RelaySimOptions {
  unitId?: number;
  travelMs?: number;
  coils?: { open: number; close: number; stop?: number };
  inputs?: { openLimit: number; closedLimit: number; loop: number; safety: number };
  /** inputs wired normally-closed read inverted on the wire */
  ncInputs?: Array<'openLimit' | 'closedLimit' | 'loop' | 'safety'>;
}

export class GateArmSim extends EventEmitter {
  arm: ArmState = 'closed';
  readonly coils = new Map<number, boolean>();
  readonly writes: Array<{ coil: number; value: boolean; at: number }> = [];
  loop = false;
  safety = false;
  /** when true the board stops answering, as a board with a dead RS485 transceiver would */
  silent = false;
  private timer: NodeJS.Timeout | null = null;
  readonly o: Required<Omit<RelaySimOptions, 'ncInputs'>> & { ncInputs: Set<string> };

  constructor(opts: RelaySimOptions = {}) {
    super();
    this.o = {
      unitId: opts.unitId ?? 1,
      travelMs: opts.travelMs ?? 800,
      coils: opts.coils ?? { open: 0, close: 1, stop: 2 },
      inputs: opts.inputs ?? { openLimit: 0, closedLimit: 1, loop: 2, safety: 3 },
      ncInputs: new Set(opts.ncInputs ?? []),
    };
  }

  setCoil(coil: number, value: boolean): void {
    const prev = this.coils.get(coil) ?? false;
    this.coils.set(coil, value);
    this.writes.push({ coil, value, at: Date.now() });
    this.emit('coil', coil, value);
    if (value && !prev) {
      if (coil === this.o.coils.open) this.move('opening');
      else if (coil === this.o.coils.close) this.tryClose();
      else if (coil === this.o.coils.stop) this.halt();
    }
  }

  setLoop(v: boolean): void {
    this.loop = v;
  }

  private tryClose(): void {
    // a held OPEN contact or a car on the loop keeps real controllers from lowering the arm
    if (this.coils.get(this.o.coils.open) || this.loop || this.safety) return;
    if (this.arm === 'closed') return;
    this.move('closing');
  }

  private halt(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private move(to: 'opening' | 'closing'): void {
    if ((to === 'opening' && this.arm === 'opened') || (to === 'closing' && this.arm === 'closed')) return;
    this.halt();
    this.setArm(to);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.setArm(to === 'opening' ? 'opened' : 'closed');
    }, this.o.travelMs);
    this.timer.unref();
  }

  private setArm(a: ArmState): void {
    this.arm = a;
    this.emit('arm', a);
  }

  input(addr: number): boolean {
    const i = this.o.inputs;
    let name: string | undefined;
    let v = false;
    if (addr === i.openLimit) [name, v] = ['openLimit', this.arm === 'opened'];
    else if (addr === i.closedLimit) [name, v] = ['closedLimit', this.arm === 'closed'];
    else if (addr === i.loop) [name, v] = ['loop', this.loop];
    else if (addr === i.safety) [name, v] = ['safety', this.safety];
    return name && this.o.ncInputs.has(name) ? !v : v;
  }

  vector(): IServiceVector {
    const hang = () => new Promise<never>(() => undefined);
    return {
      getCoil: (addr: number, _unit: number) =>
        this.silent ? hang() : Promise.resolve(this.coils.get(addr) ?? false),
      getDiscreteInput: (addr: number, _unit: number) =>
        this.silent ? hang() : Promise.resolve(this.input(addr)),
      getInputRegister: (_addr: number, _unit: number) => (this.silent ? hang() : Promise.resolve(0)),
      getHoldingRegister: (_addr: number, _unit: number) => (this.silent ? hang() : Promise.resolve(0)),
      setCoil: (addr: number, value: boolean, _unit: number) => {
        if (this.silent) return hang();
        this.setCoil(addr, value);
        return Promise.resolve();
      },
      setRegister: (_addr: number, _value: number, _unit: number) =>
        this.silent ? hang() : Promise.resolve(),
    };
  }

  dispose(): void {
    this.halt();
  }
}

/** The board on Modbus TCP. stop() drops every client socket so drivers see the loss at once. */
export class ModbusTcpRelaySim {
  readonly gate: GateArmSim;
  private server: ServerTCP | null = null;
  private addr: { host: string; port: number } | null = null;

  constructor(opts: RelaySimOptions = {}) {
    this.gate = new GateArmSim(opts);
  }

  async start(host = '127.0.0.1', port = 0): Promise<{ host: string; port: number }> {
    // ServerTCP does `options.port || 502`, so a numeric 0 would bind 502; the string '0' is truthy
    // and net.listen still reads it as "any free port"
    const listenPort = (port === 0 ? '0' : port) as number;
    const server = new ServerTCP(this.gate.vector(), { host, port: listenPort, unitID: this.gate.o.unitId });
    await new Promise<void>((resolve, reject) => {
      server.once('initialized', () => resolve());
      server.once('serverError', (e) => reject(e));
    });
    server.on('serverError', () => undefined);
    server.on('socketError', () => undefined);
    server.on('error', () => undefined);
    const inner = (server as unknown as { _server: { address(): AddressInfo } })._server;
    this.server = server;
    this.addr = { host, port: inner.address().port };
    return this.addr;
  }

  address(): { host: string; port: number } {
    if (!this.addr) throw new Error('simulator not started');
    return this.addr;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    for (const sock of s.socks.keys()) (sock as Socket).destroy();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  async dispose(): Promise<void> {
    await this.stop();
    this.gate.dispose();
  }
}

/** The board on Modbus RTU, answering on a serial device path. */
export class ModbusRtuRelaySim {
  readonly gate: GateArmSim;
  private server: ServerSerial | null = null;

  constructor(opts: RelaySimOptions = {}) {
    this.gate = new GateArmSim(opts);
  }

  async start(path: string, baudRate = 9600): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const server = new ServerSerial(this.gate.vector(), {
        path,
        baudRate,
        unitID: this.gate.o.unitId,
        openCallback: (err) => (err ? reject(err) : resolve()),
      } as ConstructorParameters<typeof ServerSerial>[1]);
      server.on('error', () => undefined);
      server.on('socketError', () => undefined);
      this.server = server;
    });
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    await new Promise<void>((resolve) => {
      try {
        s.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }

  async dispose(): Promise<void> {
    await this.stop();
    this.gate.dispose();
  }
}
