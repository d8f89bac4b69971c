// Owns every configured device and the camera push server. start() never throws: a driver that
// cannot start is marked fault and retried with backoff, so one broken relay board cannot keep
// the lot's other lanes (or the clouds) from running.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { DeviceType } from '../config/devices.schema.js';
import { Backoff, errMsg, sleep } from './base.js';
import { CameraServer } from './camera-server.js';
import { HikvisionCamera } from './camera/hikvision.js';
import { ImageStore } from './camera/images.js';
import { OnvifCamera } from './camera/onvif.js';
import { ZhenshiCamera } from './camera/zhenshi.js';
import { FkLedDisplay } from './display/fk-led.js';
import { buildDevice, buildOrder, type ManagedDevice } from './registry.js';
import {
  KT_DEVICE_TYPE,
  type CameraInfo,
  type DeviceHealth,
  type Display,
  type Gate,
  type KtDeviceType,
  type PlateSource,
} from './interfaces.js';

export interface DeviceHealthEvent {
  id: string;
  type: DeviceType;
  ktDeviceType: KtDeviceType;
  health: DeviceHealth;
}

export interface HealthRow {
  id: string;
  type: DeviceType;
  kind: 'gate' | 'display' | 'camera';
  ktDeviceType: KtDeviceType;
  health: DeviceHealth;
}

const KIND: Record<DeviceType, { kind: HealthRow['kind']; kt: KtDeviceType }> = {
  'modbus-relay': { kind: 'gate', kt: KT_DEVICE_TYPE.gate },
  'camera-relay': { kind: 'gate', kt: KT_DEVICE_TYPE.gate },
  zhenshi: { kind: 'camera', kt: KT_DEVICE_TYPE.camera },
  hikvision: { kind: 'camera', kt: KT_DEVICE_TYPE.camera },
  onvif: { kind: 'camera', kt: KT_DEVICE_TYPE.camera },
  'fk-led': { kind: 'display', kt: KT_DEVICE_TYPE.led },
};

export class DeviceManager {
  /** 'health' DeviceHealthEvent, once per transition of any device */
  readonly events = new EventEmitter();
  private readonly log: Logger;
  private readonly devices = new Map<string, ManagedDevice>();
  /** devices whose driver could not even be constructed; reported as fault forever */
  private readonly broken = new Map<string, { type: DeviceType; health: DeviceHealth }>();
  private readonly server: CameraServer;
  private readonly images: ImageStore;
  private abort = new AbortController();
  private supervisors: Promise<void>[] = [];
  private started = false;

  constructor(private readonly opts: { config: Config; logger: Logger; imageDir: string }) {
    this.log = opts.logger.child({ component: 'devices' });
    this.images = new ImageStore(opts.imageDir);
    this.server = new CameraServer({
      host: opts.config.servers.cameras.host,
      port: opts.config.servers.cameras.port,
      logger: opts.logger,
      images: this.images,
    });
    this.events.on('error', () => undefined);
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.abort = new AbortController();
    for (const cfg of buildOrder(this.opts.config.devices)) {
      try {
        const dev = buildDevice(cfg, {
          logger: this.opts.logger,
          images: this.images,
          server: this.server,
          lookup: (id) => this.devices.get(id),
        });
        this.devices.set(cfg.id, dev);
        dev.events.on('health', (health: DeviceHealth) =>
          this.events.emit('health', {
            id: dev.id,
            type: cfg.type,
            ktDeviceType: dev.ktDeviceType,
            health,
          } satisfies DeviceHealthEvent),
        );
      } catch (e) {
        const health: DeviceHealth = { status: 'fault', reason: errMsg(e), since: Date.now() };
        this.broken.set(cfg.id, { type: cfg.type, health });
        this.log.error({ device: cfg.id, err: errMsg(e) }, 'device driver could not be built');
        this.events.emit('health', {
          id: cfg.id,
          type: cfg.type,
          ktDeviceType: KIND[cfg.type].kt,
          health,
        } satisfies DeviceHealthEvent);
      }
    }
    await this.startServer();
    // drivers start concurrently; a slow board must not delay the others
    await Promise.all([...this.devices.values()].map((d) => this.firstStart(d)));
  }

  private async startServer(): Promise<void> {
    try {
      const a = await this.server.start();
      this.log.info(a, 'camera push server listening');
    } catch (e) {
      this.log.error({ err: errMsg(e) }, 'camera push server could not listen; retrying');
      this.supervisors.push(
        (async () => {
          const b = new Backoff({ initialMs: 1000, maxMs: 30_000 });
          while (!this.abort.signal.aborted) {
            await sleep(b.next(), this.abort.signal);
            if (this.abort.signal.aborted) return;
            try {
              this.log.info(await this.server.start(), 'camera push server listening');
              return;
            } catch (err) {
              this.log.warn({ err: errMsg(err) }, 'camera push server still cannot listen');
            }
          }
        })(),
      );
    }
  }

  private async firstStart(dev: ManagedDevice): Promise<void> {
    try {
      await dev.start();
    } catch (e) {
      dev.reportFault(`start failed: ${errMsg(e)}`);
      this.supervisors.push(this.retryStart(dev));
    }
  }

  private async retryStart(dev: ManagedDevice): Promise<void> {
    const b = new Backoff({ initialMs: 1000, maxMs: 60_000 });
    const signal = this.abort.signal;
    while (!signal.aborted) {
      await sleep(b.next(), signal);
      if (signal.aborted) return;
      try {
        await dev.start();
        return;
      } catch (e) {
        dev.reportFault(`start failed: ${errMsg(e)}`);
      }
    }
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.abort.abort();
    await Promise.all(this.supervisors.splice(0));
    await Promise.all(
      [...this.devices.values()].map((d) =>
        d.stop().catch((e) => this.log.warn({ device: d.id, err: errMsg(e) }, 'stop failed')),
      ),
    );
    await this.server.stop();
  }

  get(id: string): ManagedDevice | undefined {
    return this.devices.get(id);
  }

  gate(id: string): Gate | undefined {
    const d = this.devices.get(id);
    return d && d.kind === 'gate' ? (d as Gate) : undefined;
  }

  display(id: string): Display | undefined {
    const d = this.devices.get(id);
    return d instanceof FkLedDisplay ? d : undefined;
  }

  camera(id: string): PlateSource | undefined {
    const d = this.devices.get(id);
    return d instanceof ZhenshiCamera || d instanceof HikvisionCamera ? d : undefined;
  }

  cameraInfo(id: string): CameraInfo | undefined {
    const d = this.devices.get(id);
    if (d instanceof OnvifCamera || d instanceof HikvisionCamera) return d;
    if (d instanceof ZhenshiCamera) {
      return {
        identity: async () => ({ manufacturer: 'Zhenshi', serialNumber: d.cfg.serialno }),
        snapshot: () => d.snapshot(),
        reachable: async () => d.health().status === 'online',
      };
    }
    return undefined;
  }

  /** JPEG for KT GetPhoto: ONVIF/ISAPI snapshot, or the Zhenshi camera's latest (or freshly triggered) picture. */
  async snapshot(deviceId: string): Promise<Buffer> {
    const info = this.cameraInfo(deviceId);
    if (!info) throw new Error(`device "${deviceId}" is not a camera`);
    return info.snapshot();
  }

  healthTable(): HealthRow[] {
    return this.opts.config.devices.map((cfg) => {
      const d = this.devices.get(cfg.id);
      const health = d
        ? d.health()
        : (this.broken.get(cfg.id)?.health ?? { status: 'offline', reason: 'not started', since: 0 });
      return {
        id: cfg.id,
        type: cfg.type,
        kind: KIND[cfg.type].kind,
        ktDeviceType: KIND[cfg.type].kt,
        health,
      };
    });
  }

  cameraServerAddress(): { host: string; port: number } {
    return this.server.address();
  }
}

export { SimulatorSet } from './sim/set.js';
