// ONVIF device (onvif 0.8, callback API): identity, snapshot URI + JPEG fetch, reachability.
// Not a plate source — Chinese parking cameras deliver plates by their own push; ONVIF gives the
// booth a picture on demand (KT GetPhoto) and the installer an identity check.
import onvif from 'onvif';
import type { Cam } from 'onvif';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { BaseDevice, Backoff, errMsg, sleep, withTimeout } from '../base.js';
import { KT_DEVICE_TYPE, type CameraIdentity, type CameraInfo } from '../interfaces.js';
import type { onvifSchema } from '../../config/devices.schema.js';
import { httpRequest } from '../http/digest.js';

export type OnvifConfig = z.infer<typeof onvifSchema>;

function call<T>(fn: (cb: (err: Error | null, data?: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    try {
      fn((err, data) => (err ? reject(err) : resolve(data as T)));
    } catch (e) {
      reject(e);
    }
  });
}

export async function connectCam(o: {
  host: string;
  port: number;
  username?: string;
  password?: string;
  timeoutMs: number;
  path?: string;
}): Promise<Cam> {
  const cam = new onvif.Cam({
    hostname: o.host,
    port: o.port,
    path: o.path,
    username: o.username,
    password: o.password,
    timeout: o.timeoutMs,
    autoconnect: false,
    // cameras often advertise XAddrs with an address we cannot reach (NAT, second NIC)
    preserveAddress: true,
  });
  cam.on('warning', () => undefined);
  cam.on('error', () => undefined);
  await withTimeout(
    call<void>((cb) => cam.connect((err) => cb(err ?? null))),
    o.timeoutMs,
    `onvif connect ${o.host}:${o.port}`,
  );
  return cam;
}

export class OnvifCamera extends BaseDevice implements CameraInfo {
  readonly kind = 'camera' as const;
  readonly ktDeviceType = KT_DEVICE_TYPE.camera;
  private cam: Cam | null = null;
  private abort = new AbortController();
  private loop: Promise<void> = Promise.resolve();
  private readonly backoff = new Backoff({ initialMs: 1000, maxMs: 60_000 });

  constructor(
    readonly cfg: OnvifConfig,
    logger: Logger,
  ) {
    super(cfg.id, cfg.type, logger);
  }

  async start(): Promise<void> {
    this.abort = new AbortController();
    await this.tryConnect();
    const signal = this.abort.signal;
    this.loop = (async () => {
      while (!signal.aborted) {
        await sleep(this.cam ? this.cfg.pollSec * 1000 : this.backoff.next(), signal);
        if (signal.aborted) break;
        if (!this.cam) await this.tryConnect();
        else if (!(await this.reachable())) {
          this.cam = null;
          this.setHealth('offline', 'GetSystemDateAndTime failed');
        }
      }
    })();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    this.cam = null;
    this.setHealth('offline', 'stopped');
  }

  private async tryConnect(): Promise<void> {
    try {
      this.cam = await connectCam({ ...this.cfg, timeoutMs: this.cfg.timeoutMs });
      this.backoff.reset();
      this.setHealth('online');
    } catch (e) {
      this.cam = null;
      const m = errMsg(e);
      this.setHealth(/auth|401|NotAuthorized/i.test(m) ? 'fault' : 'offline', m);
    }
  }

  private need(): Cam {
    if (!this.cam) throw new Error(`${this.id}: onvif device not connected (${this.health().reason ?? ''})`);
    return this.cam;
  }

  async identity(): Promise<CameraIdentity> {
    const cam = this.need();
    const d = await withTimeout(
      call<{ manufacturer?: string; model?: string; serialNumber?: string; firmwareVersion?: string }>((cb) =>
        cam.getDeviceInformation((err, data) => cb(err, data)),
      ),
      this.cfg.timeoutMs,
      `${this.id}: GetDeviceInformation`,
    );
    return {
      manufacturer: d.manufacturer,
      model: d.model,
      serialNumber: d.serialNumber,
      firmwareVersion: d.firmwareVersion,
    };
  }

  async snapshotUri(): Promise<string> {
    const cam = this.need();
    const r = await withTimeout(
      call<{ uri: string }>((cb) => cam.getSnapshotUri({}, (err, data) => cb(err, data))),
      this.cfg.timeoutMs,
      `${this.id}: GetSnapshotUri`,
    );
    return r.uri;
  }

  async snapshot(): Promise<Buffer> {
    const uri = await this.snapshotUri();
    const r = await httpRequest({
      url: uri,
      username: this.cfg.username,
      password: this.cfg.password,
      timeoutMs: this.cfg.timeoutMs,
    });
    if (r.status !== 200 || !r.body.length)
      throw new Error(`${this.id}: snapshot ${uri} answered HTTP ${r.status}`);
    return r.body;
  }

  async reachable(): Promise<boolean> {
    const cam = this.cam;
    if (!cam) return false;
    try {
      await withTimeout(
        call<Date>((cb) => cam.getSystemDateAndTime((err, d) => cb(err, d))),
        this.cfg.timeoutMs,
        `${this.id}: GetSystemDateAndTime`,
      );
      return true;
    } catch {
      return false;
    }
  }
}
