import { afterEach, describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import { tempSite, T, silentLogger, type TestSite } from '../helpers/site.js';
import { LaneManager, type DeviceLookup } from '../../src/lanes/lane-manager.js';
import type {
  Display,
  DisplayLine,
  Gate,
  GateState,
  LaneReply,
  PlateRead,
  PlateSource,
} from '../../src/devices/interfaces.js';

// In-memory fakes of the device interfaces (the real drivers are tested against their simulators in test/devices).
class FakeGate implements Gate {
  readonly kind = 'gate' as const;
  readonly ktDeviceType = 4 as const;
  readonly events = new EventEmitter();
  log: string[] = [];
  fail?: string;
  private s: GateState = 'closed';
  constructor(readonly id: string) {}
  health() {
    return { status: 'online' as const, since: 0 };
  }
  async start() {}
  async stop() {}
  private async act(c: string, s: GateState) {
    if (this.fail) throw new Error(this.fail);
    this.log.push(c);
    this.s = s;
    this.events.emit('state', s);
  }
  open() {
    return this.act('open', 'opened');
  }
  close() {
    return this.act('close', 'closed');
  }
  keepOpen() {
    return this.act('keepOpen', 'opened');
  }
  release() {
    return this.act('release', 'closed');
  }
  state() {
    return this.s;
  }
  inputs() {
    return { vehiclePresent: false, safety: false };
  }
}
class FakeDisplay implements Display {
  readonly kind = 'display' as const;
  readonly ktDeviceType = 3 as const;
  readonly events = new EventEmitter();
  shown: DisplayLine[][] = [];
  spoken: string[] = [];
  constructor(readonly id: string) {}
  health() {
    return { status: 'online' as const, since: 0 };
  }
  async start() {}
  async stop() {}
  async show(l: DisplayLine[]) {
    this.shown.push(l);
  }
  async speak(t: string) {
    this.spoken.push(t);
  }
}
class FakeCamera implements PlateSource {
  readonly kind = 'camera' as const;
  readonly ktDeviceType = 2 as const;
  readonly events = new EventEmitter();
  handler?: (r: PlateRead) => Promise<LaneReply>;
  constructor(readonly id: string) {}
  health() {
    return { status: 'online' as const, since: 0 };
  }
  async start() {}
  async stop() {}
  onRead(h: (r: PlateRead) => Promise<LaneReply>) {
    this.handler = h;
  }
  push(plate: string, time: number) {
    return this.handler!({ plate, colour: 'blue', confidence: 95, cameraId: this.id, time });
  }
}

const YAML_LANES = (base: string) =>
  base.replace(
    /lanes:\n(.*\n){2}/,
    `lanes:
  - { id: in-1, direction: entry, area: main, camera: cam-in, gate: gate-in, display: led-in }
  - { id: out-1, direction: exit, area: main, camera: cam-out, gate: gate-out, display: led-out }
devices:
  - { id: cam-in, type: zhenshi }
  - { id: cam-out, type: zhenshi }
  - { id: gate-in, type: modbus-relay, host: 127.0.0.1 }
  - { id: gate-out, type: modbus-relay, host: 127.0.0.1 }
  - { id: led-in, type: fk-led, path: /dev/null }
  - { id: led-out, type: fk-led, path: /dev/null }
`,
  );

let t: TestSite;
afterEach(() => t?.close());

async function setup() {
  const { BASE_YAML } = await import('../helpers/site.js');
  t = tempSite({ yaml: YAML_LANES(BASE_YAML) });
  const dev = {
    gates: { 'gate-in': new FakeGate('gate-in'), 'gate-out': new FakeGate('gate-out') } as Record<
      string,
      FakeGate
    >,
    displays: { 'led-in': new FakeDisplay('led-in'), 'led-out': new FakeDisplay('led-out') } as Record<
      string,
      FakeDisplay
    >,
    cams: { 'cam-in': new FakeCamera('cam-in'), 'cam-out': new FakeCamera('cam-out') } as Record<
      string,
      FakeCamera
    >,
  };
  const lookup: DeviceLookup = {
    gate: (id) => dev.gates[id],
    display: (id) => dev.displays[id],
    camera: (id) => dev.cams[id],
    snapshot: async () => Buffer.from('jpeg'),
  };
  const lanes = new LaneManager(t.site, lookup, silentLogger);
  lanes.start();
  return { dev, lanes };
}
const tick = () => new Promise((r) => setTimeout(r, 5));

describe('lanes', () => {
  it('entry: decides, opens the gate, shows the plate and greets', async () => {
    const { dev } = await setup();
    const reply = await dev.cams['cam-in'].push('粤B12345', T('2026-03-02 10:00'));
    expect(reply.open).toBe(true);
    await tick();
    expect(dev.gates['gate-in'].log).toEqual(['open']);
    expect(dev.displays['led-in'].shown[0].map((l) => l.text)).toEqual(['粤B12345', '欢迎光临']);
    expect(dev.displays['led-in'].spoken[0]).toBe('粤B12345,欢迎光临');
  });

  it('drops repeated reads of the same plate within the window: one stay, one gate command', async () => {
    const { dev } = await setup();
    await dev.cams['cam-in'].push('粤B12345', T('2026-03-02 10:00'));
    const again = await dev.cams['cam-in'].push('粤B12345', T('2026-03-02 10:00') + 5000);
    expect(again.open).toBe(true);
    await tick();
    expect(t.site.searchOrders({}).total).toBe(1);
    expect(dev.gates['gate-in'].log).toEqual(['open']);
    // after the window a new read is a new decision
    await dev.cams['cam-in'].push('粤B12345', T('2026-03-02 10:00') + 11_000);
    await tick();
    expect(dev.gates['gate-in'].log).toEqual(['open', 'open']);
  });

  it('exit: shows the fee, waits, and opens when a payment arrives from any face', async () => {
    const { dev, lanes } = await setup();
    await dev.cams['cam-in'].push('粤B12345', T('2026-03-02 10:00'));
    t.clock.now = T('2026-03-02 11:01');
    const r = await dev.cams['cam-out'].push('粤B12345', T('2026-03-02 11:01'));
    expect(r.open).toBe(false);
    expect(r.lines?.[1].text).toBe('请缴费 6.00 元');
    const orderNo = lanes.waiting('out-1')!;
    expect(orderNo).toBeTruthy();
    expect(t.site.quote({ laneId: 'out-1', at: T('2026-03-02 11:01') })!.due).toBe(600);
    t.site.pay({
      orderNo,
      amount: 600,
      method: 'wechat',
      channel: 'pyun',
      serial: 'P1',
      time: T('2026-03-02 11:01'),
      actor: { kind: 'pyun' },
    });
    await tick();
    expect(dev.gates['gate-out'].log).toEqual(['open']);
    expect(lanes.waiting('out-1')).toBeUndefined();
    expect(t.site.getOrder(orderNo)!.state).toBe('out');
  });

  it('a booth override wins: a manual open clears the wait and opens at once', async () => {
    const { dev, lanes } = await setup();
    await dev.cams['cam-in'].push('粤B12345', T('2026-03-02 10:00'));
    await dev.cams['cam-out'].push('粤B12345', T('2026-03-02 11:01'));
    expect(lanes.waiting('out-1')).toBeTruthy();
    await t.site.gateCommand({
      laneId: 'out-1',
      command: 'open',
      actor: { kind: 'booth', name: 'bob' },
      reason: '消防车',
      time: T('2026-03-02 11:02'),
    });
    expect(dev.gates['gate-out'].log).toEqual(['open']);
    expect(lanes.waiting('out-1')).toBeUndefined();
  });

  it('keep-open latches and release closes; lane state follows the gate', async () => {
    const { dev, lanes } = await setup();
    await t.site.gateCommand({
      laneId: 'in-1',
      command: 'keepOpen',
      actor: { kind: 'booth' },
      reason: '高峰',
      time: T('2026-03-02 08:00'),
    });
    expect(lanes.status().find((l) => l.laneId === 'in-1')!.keepOpen).toBe(true);
    await t.site.gateCommand({
      laneId: 'in-1',
      command: 'release',
      actor: { kind: 'booth' },
      reason: '高峰结束',
      time: T('2026-03-02 09:00'),
    });
    expect(dev.gates['gate-in'].log).toEqual(['keepOpen', 'release']);
    expect(lanes.status().find((l) => l.laneId === 'in-1')!.gate).toBe('closed');
  });

  it('a gate that fails is reported to the lane and the booth, never swallowed', async () => {
    const { dev, lanes } = await setup();
    dev.gates['gate-in'].fail = 'Modbus timeout';
    const errors: unknown[] = [];
    t.site.bus.on('lane-error', (e) => errors.push(e));
    await dev.cams['cam-in'].push('粤B12345', T('2026-03-02 10:00'));
    await tick();
    expect(errors).toEqual([{ laneId: 'in-1', message: '道闸命令失败: Modbus timeout' }]);
    expect(lanes.status().find((l) => l.laneId === 'in-1')!.message).toBe('道闸命令失败: Modbus timeout');
    await expect(
      t.site.gateCommand({
        laneId: 'in-1',
        command: 'open',
        actor: { kind: 'booth' },
        reason: 'x',
        time: T('2026-03-02 10:01'),
      }),
    ).rejects.toThrow(/Modbus timeout/);
  });

  it('publishes lane status on the bus for the booth', async () => {
    const { dev } = await setup();
    const seen: any[] = [];
    t.site.bus.on('lane', (s) => seen.push(s));
    await dev.cams['cam-in'].push('粤B12345', T('2026-03-02 10:00'));
    expect(seen.at(-1)).toMatchObject({ laneId: 'in-1', lastRead: { plate: '粤B12345', confidence: 95 } });
  });
});

describe('lanes: exit hooks', () => {
  it('a cloud hook gets the waiting car and its lane; a cloud price that is covered opens the gate', async () => {
    const { dev, lanes } = await setup();
    const calls: Array<{ orderNo: string; laneId?: string; due: number }> = [];
    lanes.addExitHook(async (order, quote, laneId) => {
      calls.push({ orderNo: order.orderNo, laneId, due: quote.due });
      t.site.setCloudPrice({ orderNo: order.orderNo, fee: 0, by: 'kt', time: quote.at });
      return true;
    });
    await dev.cams['cam-in'].push('粤B12345', T('2026-03-02 10:00'));
    t.clock.now = T('2026-03-02 11:01');
    const r = await dev.cams['cam-out'].push('粤B12345', T('2026-03-02 11:01'));
    expect(r.open).toBe(false);
    await expect.poll(() => dev.gates['gate-out'].log).toEqual(['open']);
    expect(calls).toEqual([{ orderNo: expect.any(String), laneId: 'out-1', due: 600 }]);
    expect(lanes.waiting('out-1')).toBeUndefined();
  });
});
