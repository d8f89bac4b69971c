// Config `type` → driver. Cameras are built first because camera-relay gates and camera-transport
// displays hang on them.
import type { Logger } from 'pino';
import type { DeviceConfig, DeviceType } from '../config/devices.schema.js';
import type { BaseDevice } from './base.js';
import { CameraServer } from './camera-server.js';
import { HikvisionCamera } from './camera/hikvision.js';
import type { ImageStore } from './camera/images.js';
import { OnvifCamera } from './camera/onvif.js';
import { ZhenshiCamera } from './camera/zhenshi.js';
import { FkLedDisplay } from './display/fk-led.js';
import { CameraRelayGate } from './gate/camera-relay.js';
import { ModbusRelayGate } from './gate/modbus-relay.js';

export type ManagedDevice =
  ModbusRelayGate | CameraRelayGate | FkLedDisplay | ZhenshiCamera | HikvisionCamera | OnvifCamera;

export interface BuildContext {
  logger: Logger;
  images: ImageStore;
  server: CameraServer;
  lookup(id: string): ManagedDevice | undefined;
}

type Builder<T extends DeviceType> = (
  cfg: Extract<DeviceConfig, { type: T }>,
  ctx: BuildContext,
) => ManagedDevice;

function cameraFor(id: string, ctx: BuildContext, who: string): ZhenshiCamera | HikvisionCamera {
  const cam = ctx.lookup(id);
  if (cam instanceof ZhenshiCamera || cam instanceof HikvisionCamera) return cam;
  throw new Error(`${who}: camera "${id}" is not a configured zhenshi/hikvision camera`);
}

export const REGISTRY: { [T in DeviceType]: Builder<T> } = {
  zhenshi: (cfg, ctx) => {
    const cam = new ZhenshiCamera(cfg, ctx.logger, ctx.images);
    ctx.server.zhenshi.push(cam);
    return cam;
  },
  hikvision: (cfg, ctx) => {
    const cam = new HikvisionCamera(cfg, ctx.logger, ctx.images);
    ctx.server.hikvision.push(cam);
    return cam;
  },
  onvif: (cfg, ctx) => new OnvifCamera(cfg, ctx.logger),
  'modbus-relay': (cfg, ctx) => new ModbusRelayGate(cfg, ctx.logger),
  'camera-relay': (cfg, ctx) => new CameraRelayGate(cfg, ctx.logger, cameraFor(cfg.camera, ctx, cfg.id)),
  'fk-led': (cfg, ctx) => {
    if (cfg.transport === 'camera') {
      const cam = cameraFor(cfg.camera!, ctx, cfg.id);
      if (!(cam instanceof ZhenshiCamera))
        throw new Error(`${cfg.id}: only zhenshi cameras pass LED frames through`);
      return new FkLedDisplay(cfg, ctx.logger, cam);
    }
    return new FkLedDisplay(cfg, ctx.logger);
  },
};

const ORDER: Record<DeviceType, number> = {
  zhenshi: 0,
  hikvision: 0,
  onvif: 0,
  'modbus-relay': 1,
  'camera-relay': 1,
  'fk-led': 1,
};

export function buildOrder(devices: DeviceConfig[]): DeviceConfig[] {
  return [...devices].sort((a, b) => ORDER[a.type] - ORDER[b.type]);
}

export function buildDevice(cfg: DeviceConfig, ctx: BuildContext): ManagedDevice {
  const b = REGISTRY[cfg.type] as Builder<DeviceType>;
  return b(cfg as never, ctx);
}

export type { BaseDevice };
