// What the live view shows, kept current from the site bus ('event' after each commit, 'lane' from the lane
// controllers) and from the device manager when there is one. The booth server streams its changes over SSE.
import { EventEmitter } from 'node:events';
import type { Config } from '../config/schema.js';
import type { Site } from '../site/site.js';
import type { DomainEvent } from '../site/events.js';
import type { AreaSpaces } from '../site/api.js';
import { CAR_TYPE_NAME } from '../site/api.js';

export type GateState = 'opened' | 'closed' | 'moving' | 'unknown';

/** What the lanes module publishes on `site.bus` as 'lane'. */
export interface LaneEvent {
  laneId: string;
  direction?: 'entry' | 'exit';
  lastRead?: { plate: string; colour?: string; confidence?: number; imageUrl?: string; time: number };
  waiting?: { orderNo?: string; plate?: string; due?: number };
  gate?: GateState;
  /** the barrier is latched open by a keep-open command */
  keepOpen?: boolean;
  message?: string;
}

export interface LaneStatus {
  laneId: string;
  name: string;
  direction: 'entry' | 'exit';
  areaId: string;
  lastRead?: LaneEvent['lastRead'];
  waiting?: LaneEvent['waiting'];
  gate: GateState;
  keepOpen?: boolean;
  message?: string;
  updatedAt?: number;
}

export interface DeviceRow {
  id: string;
  type?: string;
  kind?: string;
  ktDeviceType?: number;
  health: { status: string; reason?: string; since?: number };
}

/** The slice of the DeviceManager the booth reads; optional everywhere so a daemon without devices still works. */
export interface DeviceView {
  healthTable?(): DeviceRow[];
  events?: EventEmitter;
  gate?(id: string): { state(): GateState; events?: EventEmitter } | undefined;
}

export interface Activity {
  time: number;
  kind: 'in' | 'out' | 'pay' | 'gate' | 'deny' | 'plate' | 'info';
  text: string;
  laneId?: string;
  orderNo?: string;
}

export type LiveMessage =
  | { type: 'lane'; data: LaneStatus }
  | { type: 'spaces'; data: AreaSpaces[] }
  | { type: 'devices'; data: DeviceRow[] }
  | { type: 'activity'; data: Activity }
  /** something failed that the operator must act on (a barrier that did not go up) */
  | { type: 'alert'; data: { time: number; laneId?: string; message: string } }
  /** something that changes shift totals happened; each stream recomputes its own operator's numbers */
  | { type: 'money'; data: { time: number } };

const yuan = (fen: number) => (fen / 100).toFixed(2).replace(/\.00$/, '');
const RELEASE_NAME: Record<string, string> = {
  normal: '正常',
  paid: '已缴费',
  free: '免费放行',
  abnormal: '异常放行',
  card: '固定车',
  manual: '人工放行',
};
const GATE_NAME: Record<string, string> = {
  open: '开闸',
  close: '关闸',
  keepOpen: '常开',
  release: '取消常开',
};
const CHANNEL_NAME: Record<string, string> = {
  cash: '现金',
  balance: '储值扣款',
  booking: '预约预付',
  kt: '科拓',
  pyun: 'P云',
  bolink: '泊链',
  lanapi: '局域网接口',
};

export class LiveHub {
  private readonly lanes = new Map<string, LaneStatus>();
  private readonly recent: Activity[] = [];
  private readonly out = new EventEmitter();
  private readonly offs: Array<() => void> = [];
  private readonly laneName: Map<string, string>;

  constructor(
    private readonly site: Site,
    private readonly config: Config,
    private readonly devices?: DeviceView,
  ) {
    this.out.setMaxListeners(200);
    this.laneName = new Map(config.lanes.map((l) => [l.id, l.name ?? l.id]));
    for (const l of config.lanes) {
      const gate = l.gate ? this.devices?.gate?.(l.gate) : undefined;
      this.lanes.set(l.id, {
        laneId: l.id,
        name: l.name ?? l.id,
        direction: l.direction,
        areaId: l.area,
        gate: safeState(gate),
      });
    }
  }

  start(): void {
    const onLane = (e: LaneEvent) => this.onLane(e);
    const onEvent = (e: DomainEvent) => this.onDomain(e);
    const onLaneError = (e: { laneId?: string; message?: string }) => this.onLaneError(e);
    this.site.bus.on('lane', onLane);
    this.site.bus.on('event', onEvent);
    this.site.bus.on('lane-error', onLaneError);
    this.offs.push(
      () => this.site.bus.off('lane', onLane),
      () => this.site.bus.off('event', onEvent),
      () => this.site.bus.off('lane-error', onLaneError),
    );
    const dev = this.devices?.events;
    if (dev && typeof dev.on === 'function') {
      const onHealth = () => this.emit({ type: 'devices', data: this.deviceTable() });
      dev.on('health', onHealth);
      this.offs.push(() => dev.off('health', onHealth));
    }
    // gate position straight from the driver, for lanes whose controller has not said anything yet
    for (const l of this.config.lanes) {
      const gate = l.gate ? this.devices?.gate?.(l.gate) : undefined;
      const ev = gate?.events;
      if (!ev || typeof ev.on !== 'function') continue;
      const onState = (s: GateState) => this.patchLane(l.id, { gate: s });
      ev.on('state', onState);
      this.offs.push(() => ev.off('state', onState));
    }
  }

  stop(): void {
    for (const off of this.offs.splice(0)) off();
    this.out.removeAllListeners();
  }

  subscribe(fn: (m: LiveMessage) => void): () => void {
    this.out.on('m', fn);
    return () => this.out.off('m', fn);
  }

  laneStatus(): LaneStatus[] {
    // the driver knows the barrier's position best; the face may have been built before the devices started
    return [...this.lanes.values()].map((l) => {
      const id = this.config.lanes.find((c) => c.id === l.laneId)?.gate;
      const gate = id ? this.devices?.gate?.(id) : undefined;
      return gate ? { ...l, gate: safeState(gate) } : l;
    });
  }
  lane(id: string): LaneStatus | undefined {
    return this.lanes.get(id);
  }
  activity(): Activity[] {
    return [...this.recent];
  }
  deviceTable(): DeviceRow[] {
    try {
      const t = this.devices?.healthTable?.();
      if (Array.isArray(t)) return t;
    } catch {
      // a half-started device manager must not break the booth
    }
    return [];
  }

  private emit(m: LiveMessage): void {
    this.out.emit('m', m);
  }

  private patchLane(laneId: string, patch: Partial<LaneStatus>): void {
    const cur = this.lanes.get(laneId);
    if (!cur) return;
    const next = { ...cur, ...patch, updatedAt: this.site.clock() };
    this.lanes.set(laneId, next);
    this.emit({ type: 'lane', data: next });
  }

  private onLane(e: LaneEvent): void {
    if (!e || typeof e.laneId !== 'string' || !this.lanes.has(e.laneId)) return;
    // each lane event is the controller's whole view of the lane: a missing `waiting` means nothing waits
    this.patchLane(e.laneId, {
      lastRead: e.lastRead ?? this.lanes.get(e.laneId)!.lastRead,
      waiting: e.waiting,
      gate: e.gate ?? this.lanes.get(e.laneId)!.gate,
      keepOpen: e.keepOpen ?? this.lanes.get(e.laneId)!.keepOpen,
      message: e.message,
    });
  }

  private onLaneError(e: { laneId?: string; message?: string }): void {
    if (!e?.message) return;
    const time = this.site.clock();
    const message = `${e.laneId ? `${this.lname(e.laneId)} ` : ''}${e.message}`;
    this.add({ time, kind: 'deny', laneId: e.laneId, text: message });
    this.emit({ type: 'alert', data: { time, laneId: e.laneId, message } });
  }

  private add(a: Activity): void {
    this.recent.unshift(a);
    if (this.recent.length > 40) this.recent.length = 40;
    this.emit({ type: 'activity', data: a });
  }

  private lname(id?: string): string {
    return id ? (this.laneName.get(id) ?? id) : '';
  }

  private onDomain(e: DomainEvent): void {
    switch (e.type) {
      case 'car.entered':
        this.add({
          time: e.time,
          kind: 'in',
          laneId: e.laneId,
          orderNo: e.order.orderNo,
          text: `${e.order.plate || '无牌车'} 入场 ${this.lname(e.laneId)} · ${e.order.carTypeName}`,
        });
        break;
      case 'car.exited': {
        this.add({
          time: e.time,
          kind: 'out',
          laneId: e.laneId,
          orderNo: e.order.orderNo,
          text: `${e.order.plate || '无牌车'} 出场 ${this.lname(e.laneId)} · ${RELEASE_NAME[e.order.release ?? ''] ?? ''}${e.order.paid ? ` · 已付 ¥${yuan(e.order.paid)}` : ''}`,
        });
        // the lane controller will say so too; clearing here keeps the console right when it does not
        for (const l of this.lanes.values()) {
          if (l.waiting?.orderNo === e.order.orderNo)
            this.patchLane(l.laneId, { waiting: undefined, message: '已放行' });
        }
        this.emit({ type: 'money', data: { time: e.time } });
        break;
      }
      case 'payment.recorded':
        this.add({
          time: e.time,
          kind: 'pay',
          orderNo: e.order.orderNo,
          text: `${e.order.plate || '无牌车'} 缴费 ¥${yuan(e.payment.amount)} · ${CHANNEL_NAME[e.payment.channel] ?? e.payment.channel}`,
        });
        for (const l of this.lanes.values()) {
          if (l.waiting?.orderNo === e.order.orderNo)
            this.patchLane(l.laneId, { waiting: { ...l.waiting, due: 0 } });
        }
        this.emit({ type: 'money', data: { time: e.time } });
        break;
      case 'gate.operated':
        this.add({
          time: e.time,
          kind: 'gate',
          laneId: e.laneId,
          orderNo: e.orderNo,
          text: `${this.lname(e.laneId)} ${GATE_NAME[e.command] ?? e.command}${e.ok ? '' : '失败'} · ${e.actor.name ?? e.actor.kind} · ${e.reason}`,
        });
        this.emit({ type: 'money', data: { time: e.time } });
        break;
      case 'car.denied':
        this.add({
          time: e.time,
          kind: 'deny',
          laneId: e.laneId,
          text: `${e.plate || '无牌车'} ${e.decision.open ? '' : '禁止通行 '}${this.lname(e.laneId)} · ${e.decision.message}`,
        });
        break;
      case 'blacklist.hit':
        this.add({
          time: e.time,
          kind: 'deny',
          laneId: e.laneId,
          text: `黑名单车辆 ${e.plate} ${this.lname(e.laneId)} · ${e.entry.reason}`,
        });
        break;
      case 'plate.corrected':
        this.add({
          time: e.time,
          kind: 'plate',
          orderNo: e.order.orderNo,
          text: `车牌更正 ${e.from || '无牌'} → ${e.order.plate} · ${e.actor.name ?? e.actor.kind}${e.order.carType ? ` · ${CAR_TYPE_NAME[e.order.carType] ?? ''}` : ''}`,
        });
        break;
      case 'spaces.changed':
        this.emit({ type: 'spaces', data: e.areas });
        break;
      case 'device.state':
        this.emit({ type: 'devices', data: this.deviceTable() });
        break;
      default:
        break;
    }
  }
}

function safeState(gate: { state(): GateState } | undefined): GateState {
  try {
    return gate?.state() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
