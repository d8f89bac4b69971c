// A barrier wired to a camera's IO output. Zhenshi: the command rides on the camera's next HTTP
// reply (ivs_ioctrl); Hikvision: ISAPI barrierGate. No position feedback, so state is 'unknown'.
import type { Logger } from 'pino';
import type { z } from 'zod';
import { BaseDevice } from '../base.js';
import {
  KT_DEVICE_TYPE,
  type DeviceHealth,
  type Gate,
  type GateInputs,
  type GateState,
} from '../interfaces.js';
import type { cameraRelaySchema } from '../../config/devices.schema.js';
import { ZhenshiCamera } from '../camera/zhenshi.js';
import type { HikvisionCamera } from '../camera/hikvision.js';

export type CameraRelayConfig = z.infer<typeof cameraRelaySchema>;

export class CameraRelayGate extends BaseDevice implements Gate {
  readonly kind = 'gate' as const;
  readonly ktDeviceType = KT_DEVICE_TYPE.gate;
  private latched = false;
  private onCamHealth = (h: DeviceHealth) =>
    this.setHealth(h.status, h.reason && `camera ${this.cfg.camera}: ${h.reason}`);

  constructor(
    readonly cfg: CameraRelayConfig,
    logger: Logger,
    private readonly camera: ZhenshiCamera | HikvisionCamera,
  ) {
    super(cfg.id, cfg.type, logger);
  }

  async start(): Promise<void> {
    if (this.camera instanceof ZhenshiCamera)
      this.camera.attachRelay({ io: this.cfg.io, pulseMs: this.cfg.pulseMs });
    this.camera.events.on('health', this.onCamHealth);
    const h = this.camera.health();
    this.setHealth(h.status, h.reason);
  }

  async stop(): Promise<void> {
    this.camera.events.off('health', this.onCamHealth);
    this.setHealth('offline', 'stopped');
  }

  state(): GateState {
    return 'unknown';
  }
  inputs(): GateInputs {
    return { vehiclePresent: null, safety: null };
  }

  private zio(io: number, value: 0 | 1 | 2): Promise<void> {
    const cam = this.camera as ZhenshiCamera;
    // io 0 with a pulse is what info:"ok" does on every model; other IOs need ivs_ioctrl
    if (io === 0 && value === 2) return cam.enqueue({ info: 'ok' });
    return cam.enqueue({ ivs_ioctrl: { io, value, delay: value === 2 ? this.cfg.pulseMs : 0 } });
  }

  async open(): Promise<void> {
    if (this.latched) return;
    if (this.camera instanceof ZhenshiCamera) await this.zio(this.cfg.io, 2);
    else await this.camera.barrierGate('open');
  }

  async close(): Promise<void> {
    if (this.camera instanceof ZhenshiCamera) {
      if (this.latched) await this.zio(this.cfg.io, 0);
      this.latched = false;
      if (this.cfg.closeIo === undefined)
        throw new Error(`${this.id}: no closeIo configured; the arm closes on its own timer`);
      await this.zio(this.cfg.closeIo, 2);
    } else {
      await this.camera.barrierGate('close');
    }
  }

  async keepOpen(): Promise<void> {
    if (!(this.camera instanceof ZhenshiCamera)) {
      // ISAPI lists lock/unlock but no documented always-open; refusing beats guessing
      throw new Error(`${this.id}: keep-open is not supported through a Hikvision barrierGate`);
    }
    await this.zio(this.cfg.io, 1);
    this.latched = true;
  }

  async release(): Promise<void> {
    if (!(this.camera instanceof ZhenshiCamera)) {
      await this.camera.barrierGate('close');
      return;
    }
    await this.zio(this.cfg.io, 0);
    this.latched = false;
    if (this.cfg.closeIo !== undefined) await this.zio(this.cfg.closeIo, 2);
  }
}
