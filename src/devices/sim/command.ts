// `parkedge sim camera|gate|led|onvif …`: one simulator in the foreground until Ctrl-C, for
// installers rehearsing a lot on a laptop and for the demo.
import { pino, type Logger } from 'pino';
import { errMsg } from '../base.js';
import { ModbusRtuRelaySim, ModbusTcpRelaySim } from './modbus-relay.js';
import { LedBoardSim } from './led-board.js';
import { OnvifDeviceSim } from './onvif-device.js';
import { ZhenshiCameraSim } from './zhenshi-camera.js';

export type SimKind = 'camera' | 'gate' | 'led' | 'onvif';

export const SIM_OPTIONS: Record<SimKind, string> = {
  camera:
    'url=http://127.0.0.1:8090/zhenshi serialno=SIM-CAM-1 plates=京A12345,沪B67890 interval=10 heartbeat=5',
  gate: 'transport=tcp host=127.0.0.1 port=1502 unit=1 travel=800 | transport=rtu path=/dev/ttyV1 baud=9600',
  led: 'path=/dev/ttyV1 baud=9600',
  onvif: 'host=127.0.0.1 port=8000 discovery=false (true: answer WS-Discovery on 3702 multicast)',
};

function num(v: string | undefined, d: number, name: string): number {
  if (v === undefined || v === '') return d;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`${name} must be a number, got "${v}"`);
  return n;
}

function untilStopped(signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    if (signal?.aborted) done();
    signal?.addEventListener('abort', done, { once: true });
  });
}

export async function simCommand(
  kind: SimKind,
  opts: Record<string, string>,
  ctx: { signal?: AbortSignal; logger?: Logger } = {},
): Promise<void> {
  const log = (ctx.logger ?? pino({ level: 'info' })).child({ component: 'sim', sim: kind });
  switch (kind) {
    case 'camera': {
      const sim = new ZhenshiCameraSim({
        url: opts.url ?? 'http://127.0.0.1:8090/zhenshi',
        serialno: opts.serialno ?? 'SIM-CAM-1',
        ipaddr: opts.ipaddr,
      });
      const plates = (opts.plates ?? '京A12345,沪B67890,粤B12345')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      let i = 0;
      sim.led.on('command', (c) =>
        log.info(
          { led: c.kind, text: c.kind === 'text' ? c.text.text : c.kind === 'voice' ? c.text : undefined },
          'LED frame in reply',
        ),
      );
      const push = () =>
        sim
          .push(plates[i++ % plates.length])
          .then((r) => log.info({ status: r.status, ms: Math.round(r.ms), reply: r.body }, 'push answered'))
          .catch((e) => log.warn({ err: errMsg(e) }, 'push failed'));
      const beat = () => sim.heartbeat().catch((e) => log.warn({ err: errMsg(e) }, 'heartbeat failed'));
      void beat();
      void push();
      const t1 = setInterval(push, num(opts.interval, 10, 'interval') * 1000);
      const t2 = setInterval(beat, num(opts.heartbeat, 5, 'heartbeat') * 1000);
      log.info({ url: sim.o.url, serialno: sim.o.serialno, plates }, 'camera simulator pushing');
      await untilStopped(ctx.signal);
      clearInterval(t1);
      clearInterval(t2);
      return;
    }
    case 'gate': {
      const o = { unitId: num(opts.unit, 1, 'unit'), travelMs: num(opts.travel, 800, 'travel') };
      if ((opts.transport ?? 'tcp') === 'rtu') {
        if (!opts.path) throw new Error('gate transport=rtu needs path=/dev/tty…');
        const sim = new ModbusRtuRelaySim(o);
        await sim.start(opts.path, num(opts.baud, 9600, 'baud'));
        sim.gate.on('arm', (a) => log.info({ arm: a }, 'arm'));
        log.info({ path: opts.path, unit: o.unitId }, 'relay board (Modbus RTU) answering');
        await untilStopped(ctx.signal);
        await sim.dispose();
      } else {
        const sim = new ModbusTcpRelaySim(o);
        const a = await sim.start(opts.host ?? '127.0.0.1', num(opts.port, 1502, 'port'));
        sim.gate.on('arm', (s) => log.info({ arm: s }, 'arm'));
        log.info({ ...a, unit: o.unitId }, 'relay board (Modbus TCP) listening');
        await untilStopped(ctx.signal);
        await sim.dispose();
      }
      return;
    }
    case 'led': {
      if (!opts.path)
        throw new Error(
          'led needs path=/dev/tty… (e.g. one end of: socat pty,link=/tmp/ttyV0 pty,link=/tmp/ttyV1)',
        );
      const board = new LedBoardSim();
      board.on('command', (c) =>
        log.info(
          {
            cmd: c.kind,
            text: c.kind === 'text' ? c.text.text : c.kind === 'voice' ? c.text : undefined,
            line: c.kind === 'text' ? c.text.line : undefined,
          },
          'frame',
        ),
      );
      await board.open(opts.path, num(opts.baud, 9600, 'baud'));
      log.info({ path: opts.path }, 'LED board listening');
      await untilStopped(ctx.signal);
      await board.close();
      return;
    }
    case 'onvif': {
      const sim = new OnvifDeviceSim({ serialNumber: opts.serial ?? 'SIM0001' });
      const a = await sim.start(opts.host ?? '127.0.0.1', num(opts.port, 8000, 'port'));
      if (opts.discovery === 'true')
        await sim.startDiscovery({ host: '0.0.0.0', port: 3702, multicast: true });
      log.info({ ...a, discovery: opts.discovery === 'true' }, 'onvif device listening');
      await untilStopped(ctx.signal);
      await sim.stop();
      return;
    }
    default:
      throw new Error(`unknown simulator "${String(kind)}" (camera, gate, led, onvif)`);
  }
}
