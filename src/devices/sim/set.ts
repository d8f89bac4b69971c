// Starts the simulators listed under `simulators:` (demo lot, integration tests): relay boards with
// moving gate arms on Modbus TCP, ONVIF devices, and Zhenshi cameras that push plates to the
// daemon's camera server on a timer and heartbeat in between.
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import type { SimulatorConfig } from '../../config/devices.schema.js';
import { errMsg } from '../base.js';
import { ModbusTcpRelaySim } from './modbus-relay.js';
import { OnvifDeviceSim } from './onvif-device.js';
import { ZhenshiCameraSim } from './zhenshi-camera.js';

const DEMO_PLATES = ['京A12345', '沪B67890', '粤B12345', '浙A0D123', '苏E88888', '川A6F520'];

export class SimulatorSet {
  readonly gates = new Map<string, ModbusTcpRelaySim>();
  readonly onvif = new Map<string, OnvifDeviceSim>();
  readonly cameras = new Map<string, ZhenshiCameraSim>();
  private timers: NodeJS.Timeout[] = [];
  private readonly log: Logger;

  constructor(
    private readonly opts: {
      config: Config;
      logger: Logger;
      /** where camera simulators push; defaults to servers.cameras (resolved at each push, so port 0 works) */
      cameraServer?: () => { host: string; port: number };
    },
  ) {
    this.log = opts.logger.child({ component: 'devices', device: 'simulators' });
  }

  async start(): Promise<void> {
    for (const s of this.opts.config.simulators) {
      try {
        await this.startOne(s);
      } catch (e) {
        this.log.error({ sim: s.id, err: errMsg(e) }, 'simulator failed to start');
      }
    }
  }

  private cameraUrl(s: Extract<SimulatorConfig, { kind: 'camera' }>): string {
    if (s.url) return s.url;
    const a = this.opts.cameraServer?.() ?? this.opts.config.servers.cameras;
    const host = a.host === '0.0.0.0' || a.host === '::' ? '127.0.0.1' : a.host;
    return `http://${host}:${a.port}/zhenshi`;
  }

  private async startOne(s: SimulatorConfig): Promise<void> {
    if (s.kind === 'gate') {
      const sim = new ModbusTcpRelaySim({ unitId: s.unitId, travelMs: s.travelMs });
      const a = await sim.start(s.host, s.port);
      this.gates.set(s.id, sim);
      this.log.info({ sim: s.id, ...a }, 'gate simulator (Modbus TCP) listening');
      return;
    }
    if (s.kind === 'onvif') {
      const sim = new OnvifDeviceSim({ serialNumber: s.id });
      const a = await sim.start(s.host, s.port);
      this.onvif.set(s.id, sim);
      this.log.info({ sim: s.id, ...a }, 'onvif simulator listening');
      return;
    }
    const plates = s.plates.length ? s.plates : DEMO_PLATES;
    const sim = new ZhenshiCameraSim({ url: this.cameraUrl(s), serialno: s.serialno });
    this.cameras.set(s.id, sim);
    let i = 0;
    const beat = () => {
      sim.o.url = this.cameraUrl(s);
      sim.heartbeat().catch((e) => this.log.debug({ sim: s.id, err: errMsg(e) }, 'heartbeat failed'));
    };
    const push = () => {
      sim.o.url = this.cameraUrl(s);
      const plate = plates[i++ % plates.length];
      sim
        .push(plate)
        .then((r) =>
          this.log.info(
            { sim: s.id, plate, status: r.status, reply: r.body.Response_AlarmInfoPlate ?? r.body },
            'simulated read',
          ),
        )
        .catch((e) => this.log.warn({ sim: s.id, err: errMsg(e) }, 'simulated push failed'));
    };
    // keep the reply log short: LED frames are decoded by the simulated board
    sim.led.on('command', (c) =>
      this.log.info(
        {
          sim: s.id,
          led: c.kind,
          text: 'text' in c ? (typeof c.text === 'string' ? c.text : c.text.text) : undefined,
        },
        'LED',
      ),
    );
    this.timers.push(setInterval(beat, s.heartbeatSec * 1000), setInterval(push, s.intervalSec * 1000));
    setTimeout(beat, 200).unref();
  }

  async stop(): Promise<void> {
    for (const t of this.timers.splice(0)) clearInterval(t);
    await Promise.all([...this.gates.values()].map((g) => g.dispose()));
    await Promise.all([...this.onvif.values()].map((o) => o.stop()));
    this.gates.clear();
    this.onvif.clear();
    this.cameras.clear();
  }
}
