// Per-lane controllers: plate read → decision → gate and display. Implements the site's LanePort, so any face
// (booth, KT GateControl, a payment arriving from a cloud) reaches the hardware through the same path.
import type { Logger } from 'pino';
import type { Site } from '../site/site.js';
import type { GateCommand, LanePort, OrderRecord, QuoteResult, ExitResult } from '../site/api.js';
import { SiteError } from '../site/api.js';
import type { LaneConfig } from '../config/schema.js';
import type {
  Display,
  DisplayLine,
  Gate,
  GateState,
  LaneReply,
  PlateRead,
  PlateSource,
} from '../devices/interfaces.js';
import { normalizePlate, isUnplated } from '../core/plates.js';

/** What the lanes need from the device layer (DeviceManager provides it; tests pass fakes). */
export interface DeviceLookup {
  gate(id: string): Gate | undefined;
  display(id: string): Display | undefined;
  camera(id: string): PlateSource | undefined;
  snapshot(deviceId: string): Promise<Buffer>;
}

/** A face may settle an exit itself (KT auto-pay: PostCarOutInfo's deductMoney). Returns true when paid. */
export type ExitDueHook = (order: OrderRecord, quote: QuoteResult, laneId?: string) => Promise<boolean>;

export interface LaneStatus {
  laneId: string;
  name?: string;
  direction: 'entry' | 'exit';
  lastRead?: { plate: string; colour: string; confidence: number; imageUrl?: string; time: number };
  waiting?: { orderNo: string; plate: string; due: number; since: number };
  gate: GateState;
  keepOpen: boolean;
  message?: string;
}

class Lane {
  status: LaneStatus;
  private lastRead?: { plate: string; at: number; reply: LaneReply };

  constructor(
    readonly cfg: LaneConfig,
    private readonly mgr: LaneManager,
  ) {
    this.status = {
      laneId: cfg.id,
      name: cfg.name,
      direction: cfg.direction,
      gate: 'unknown',
      keepOpen: false,
    };
  }

  gate(): Gate | undefined {
    return this.cfg.gate ? this.mgr.devices.gate(this.cfg.gate) : undefined;
  }
  display(): Display | undefined {
    return this.cfg.display ? this.mgr.devices.display(this.cfg.display) : undefined;
  }

  /** The camera's handler: its answer is the fast path (a push camera puts it in its HTTP reply). */
  async onRead(read: PlateRead): Promise<LaneReply> {
    const plate = isUnplated(read.plate) ? '' : normalizePlate(read.plate);
    const dedupeMs = this.cfg.dedupeSeconds * 1000;
    if (plate && this.lastRead && this.lastRead.plate === plate && read.time - this.lastRead.at < dedupeMs) {
      // the same car seen again (camera resend, car creeping): same answer, no new stay, no second fee
      return this.lastRead.reply;
    }
    this.status.lastRead = {
      plate,
      colour: read.colour,
      confidence: read.confidence,
      imageUrl: read.imageUrl,
      time: read.time,
    };
    let reply: LaneReply;
    try {
      reply = this.cfg.direction === 'entry' ? await this.entry(read) : await this.exit(read, plate);
    } catch (e) {
      const msg = e instanceof SiteError ? e.message : '系统错误';
      this.mgr.log.error({ err: e, lane: this.cfg.id, plate }, 'lane decision failed');
      reply = {
        open: false,
        lines: [{ text: plate || '无牌车' }, { text: '请联系岗亭', colour: 'red' }],
        voice: '请联系岗亭',
      };
      this.status.message = msg;
    }
    if (plate) this.lastRead = { plate, at: read.time, reply };
    this.mgr.log.info(
      { lane: this.cfg.id, plate: plate || '无牌车', open: reply.open, message: this.status.message },
      'plate read',
    );
    this.mgr.publish(this);
    return reply;
  }

  /** What the site's enter and exit need from a camera read. */
  private input(read: PlateRead) {
    return {
      plate: read.plate,
      colour: read.colour,
      laneId: this.cfg.id,
      time: read.time,
      image: read.imageUrl,
      actor: { kind: 'lane' as const, name: this.cfg.id },
    };
  }

  private async entry(read: PlateRead): Promise<LaneReply> {
    const r = this.mgr.site.enter(this.input(read));
    // the barrier goes up only once the stay is on disk
    await this.mgr.site.durable();
    this.status.message = r.decision.message;
    return this.act({ open: r.decision.open, lines: r.decision.lines, voice: r.decision.voice });
  }

  private async exit(read: PlateRead, plate: string): Promise<LaneReply> {
    const r = this.mgr.site.exit(this.input(read));
    await this.mgr.site.durable();
    return this.afterExit(r, plate, read.time);
  }

  private async afterExit(r: ExitResult, plate: string, time: number): Promise<LaneReply> {
    this.status.message = r.decision.message;
    if (r.decision.code === 'wait-payment' && r.order && r.quote) {
      this.mgr.setWaiting(this, {
        orderNo: r.order.orderNo,
        plate: r.order.plate,
        due: r.decision.due ?? r.quote.due,
        since: time,
      });
      // a cloud may charge at the exit (auto-pay); answer the camera at once and open when the money is in
      void this.mgr.tryHooks(r.order, r.quote, this.cfg.id);
    } else if (r.decision.code === 'deny-no-entry') {
      this.status.waiting = { orderNo: '', plate, due: r.decision.due ?? 0, since: time };
    } else if (r.decision.open) {
      this.mgr.clearWaiting(this);
    }
    return this.act({ open: r.decision.open, lines: r.decision.lines, voice: r.decision.voice });
  }

  /** Drive the separate gate and display; the reply still goes back to the camera in parallel. */
  act(reply: LaneReply): LaneReply {
    const gate = this.gate();
    if (reply.open && gate) {
      gate.open().catch((e) => this.mgr.deviceFailed(this, 'gate', e));
    }
    const disp = this.display();
    if (disp && reply.lines?.length) {
      disp.show(reply.lines).catch((e) => this.mgr.deviceFailed(this, 'display', e));
      if (reply.voice) disp.speak(reply.voice).catch((e) => this.mgr.deviceFailed(this, 'display', e));
    }
    return reply;
  }

  /** A payment for the waiting car arrived from some face: settle the exit and open. */
  async paid(orderNo: string): Promise<void> {
    if (this.status.waiting?.orderNo !== orderNo) return;
    const r = this.mgr.site.exit({
      plate: this.status.waiting.plate,
      orderNo,
      laneId: this.cfg.id,
      time: this.mgr.site.clock(),
      actor: { kind: 'lane', name: this.cfg.id },
    });
    await this.mgr.site.durable();
    await this.afterExit(r, this.status.waiting?.plate ?? '', this.mgr.site.clock());
    this.mgr.publish(this);
  }

  async command(cmd: GateCommand): Promise<void> {
    const gate = this.gate();
    if (!gate) throw new Error(`车道 ${this.cfg.id} 未配置道闸`);
    if (cmd === 'open') await gate.open();
    else if (cmd === 'close') await gate.close();
    else if (cmd === 'keepOpen') await gate.keepOpen();
    else await gate.release();
    this.status.keepOpen =
      cmd === 'keepOpen' ? true : cmd === 'release' || cmd === 'close' ? false : this.status.keepOpen;
    this.status.gate = gate.state();
    this.mgr.publish(this);
  }
}

export class LaneManager implements LanePort {
  private readonly lanes = new Map<string, Lane>();
  private readonly waitingOrders = new Map<string, Lane>();
  readonly log: Logger;
  private hooks: ExitDueHook[] = [];

  constructor(
    readonly site: Site,
    readonly devices: DeviceLookup,
    logger: Logger,
  ) {
    this.log = logger.child({ component: 'lanes' });
    for (const cfg of site.config.lanes) this.lanes.set(cfg.id, new Lane(cfg, this));
    site.attachLanes(this);
  }

  /** Register each lane with its camera and follow its gate's state. */
  start(): void {
    for (const lane of this.lanes.values()) {
      const cam = lane.cfg.camera ? this.devices.camera(lane.cfg.camera) : undefined;
      cam?.onRead((read) => lane.onRead({ ...read, laneId: lane.cfg.id }));
      const gate = lane.gate();
      if (gate) {
        lane.status.gate = gate.state();
        gate.events.on('state', (s: GateState) => {
          lane.status.gate = s;
          this.publish(lane);
        });
      }
    }
  }

  addExitHook(h: ExitDueHook): void {
    this.hooks.push(h);
  }

  async tryHooks(order: OrderRecord, quote: QuoteResult, laneId?: string): Promise<void> {
    for (const h of this.hooks) {
      try {
        if (await h(order, quote, laneId)) return;
      } catch (e) {
        this.log.warn({ err: e, orderNo: order.orderNo }, 'exit payment hook failed');
      }
    }
  }

  /** For tests and the camera fast path: feed a read as if the lane's camera sent it. */
  read(laneId: string, read: PlateRead): Promise<LaneReply> {
    const lane = this.lanes.get(laneId);
    if (!lane) throw new SiteError('not-found', `车道 ${laneId} 不存在`);
    return lane.onRead(read);
  }

  status(): LaneStatus[] {
    return [...this.lanes.values()].map((l) => ({ ...l.status, gate: l.gate()?.state() ?? l.status.gate }));
  }

  publish(lane: Lane): void {
    this.site.bus.emit('lane', { ...lane.status, gate: lane.gate()?.state() ?? lane.status.gate });
  }

  setWaiting(lane: Lane, w: NonNullable<LaneStatus['waiting']>): void {
    if (lane.status.waiting?.orderNo) this.waitingOrders.delete(lane.status.waiting.orderNo);
    lane.status.waiting = w;
    this.waitingOrders.set(w.orderNo, lane);
  }
  clearWaiting(lane: Lane): void {
    if (lane.status.waiting?.orderNo) this.waitingOrders.delete(lane.status.waiting.orderNo);
    lane.status.waiting = undefined;
  }

  deviceFailed(lane: Lane, what: string, e: unknown): void {
    const msg = `${what === 'gate' ? '道闸' : '显示屏'}命令失败: ${(e as Error).message}`;
    lane.status.message = msg;
    this.log.error({ lane: lane.cfg.id, err: e }, msg);
    this.site.bus.emit('lane-error', { laneId: lane.cfg.id, message: msg });
    this.publish(lane);
  }

  // ---- LanePort

  async command(laneId: string, command: GateCommand): Promise<void> {
    const lane = this.lanes.get(laneId);
    if (!lane) throw new SiteError('not-found', `车道 ${laneId} 不存在`);
    if (command === 'open' || command === 'keepOpen') this.clearWaiting(lane); // the booth override wins
    await lane.command(command);
  }

  async show(laneId: string, lines: DisplayLine[], voice?: string): Promise<void> {
    const lane = this.lanes.get(laneId);
    if (!lane) throw new SiteError('not-found', `车道 ${laneId} 不存在`);
    const d = lane.display();
    if (!d) throw new Error(`车道 ${laneId} 未配置显示屏`);
    await d.show(lines);
    if (voice) await d.speak(voice);
  }

  snapshot(deviceId: string): Promise<Buffer> {
    return this.devices.snapshot(deviceId);
  }

  paid(orderNo: string): void {
    const lane = this.waitingOrders.get(orderNo);
    if (lane)
      void lane
        .paid(orderNo)
        .catch((e) => this.log.error({ err: e, orderNo }, 'opening after payment failed'));
  }

  waiting(laneId: string): string | undefined {
    const w = this.lanes.get(laneId)?.status.waiting;
    return w?.orderNo || undefined;
  }
}
