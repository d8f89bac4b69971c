// LED/voice board speaking the `00 64 FF FF` protocol, reached either on its own serial line or
// through a Zhenshi camera's RS485 passthrough (frames ride base64 in the camera's HTTP replies).
// The boards send no acknowledgement we know of, so "online" means: the serial port is open
// (serial transport) or the carrying camera is online (camera transport).
import { existsSync } from 'node:fs';
import { SerialPort } from 'serialport';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { BaseDevice, Backoff, errMsg, sleep } from '../base.js';
import { KT_DEVICE_TYPE, type DeviceHealth, type Display, type DisplayLine } from '../interfaces.js';
import type { fkLedSchema } from '../../config/devices.schema.js';
import { encodeVoice } from '../../codecs/fkled.js';
import { encodeLine, type ZhenshiCamera } from '../camera/zhenshi.js';

export type FkLedConfig = z.infer<typeof fkLedSchema>;

export interface SerialLike {
  isOpen: boolean;
  write(data: Buffer, cb: (err: Error | null | undefined) => void): boolean;
  drain(cb: (err: Error | null) => void): void;
  close(cb?: (err: Error | null) => void): void;
  on(event: string, fn: (...args: any[]) => void): unknown;
  removeAllListeners(): unknown;
}
export type SerialFactory = (path: string, baudRate: number) => Promise<SerialLike>;

export const openSerial: SerialFactory = (path, baudRate) =>
  new Promise((resolve, reject) => {
    const port = new SerialPort({ path, baudRate, autoOpen: false });
    port.open((err) => (err ? reject(err) : resolve(port as unknown as SerialLike)));
  });

export class FkLedDisplay extends BaseDevice implements Display {
  readonly kind = 'display' as const;
  readonly ktDeviceType = KT_DEVICE_TYPE.led;
  private port: SerialLike | null = null;
  private abort = new AbortController();
  private loop: Promise<void> = Promise.resolve();
  private readonly backoff = new Backoff({ initialMs: 250, maxMs: 10_000 });
  private wake: (() => void) | null = null;
  private onCamHealth = (h: DeviceHealth) =>
    this.setHealth(h.status, h.reason && `camera ${this.cfg.camera}: ${h.reason}`);

  constructor(
    readonly cfg: FkLedConfig,
    logger: Logger,
    private readonly camera?: ZhenshiCamera,
    private readonly factory: SerialFactory = openSerial,
  ) {
    super(cfg.id, cfg.type, logger);
    if (cfg.transport === 'camera' && !camera)
      throw new Error(`${cfg.id}: camera "${cfg.camera}" is not a zhenshi camera here`);
  }

  async start(): Promise<void> {
    if (this.cfg.transport === 'camera') {
      this.camera!.attachDisplay({ address: this.cfg.address, serialChannel: this.cfg.serialChannel });
      this.camera!.events.on('health', this.onCamHealth);
      const h = this.camera!.health();
      this.setHealth(h.status, h.reason);
      return;
    }
    this.abort = new AbortController();
    await this.tryOpen();
    const signal = this.abort.signal;
    this.loop = (async () => {
      while (!signal.aborted) {
        if (this.port) {
          // ptys and some USB adapters vanish without an error event; the device node is the truth
          await new Promise<void>((resolve) => {
            this.wake = resolve;
            void sleep(1000, signal).then(resolve);
          });
          this.wake = null;
          if (this.port && !existsSync(this.cfg.path!)) this.lost('device node disappeared');
        } else {
          await sleep(this.backoff.next(), signal);
          if (!signal.aborted) await this.tryOpen();
        }
      }
    })();
  }

  async stop(): Promise<void> {
    this.camera?.events.off('health', this.onCamHealth);
    this.abort.abort();
    this.wake?.();
    await this.loop;
    await this.closePort();
    this.setHealth('offline', 'stopped');
  }

  private async tryOpen(): Promise<void> {
    try {
      const p = await this.factory(this.cfg.path!, this.cfg.baudRate);
      p.on('error', (e: Error) => this.lost(`serial error: ${errMsg(e)}`));
      p.on('close', () => this.lost('serial port closed'));
      this.port = p;
      this.backoff.reset();
      this.setHealth('online');
    } catch (e) {
      this.setHealth('offline', errMsg(e));
    }
  }

  private lost(reason: string): void {
    if (!this.port) return;
    void this.closePort();
    this.setHealth('offline', reason);
    this.wake?.();
  }

  private async closePort(): Promise<void> {
    const p = this.port;
    this.port = null;
    if (!p) return;
    p.removeAllListeners();
    p.on('error', () => undefined);
    if (p.isOpen) await new Promise<void>((resolve) => p.close(() => resolve()));
  }

  async show(lines: DisplayLine[]): Promise<void> {
    const frames = lines.slice(0, this.cfg.lines).map((l, i) => encodeLine(l, i, this.cfg.address));
    await this.send(frames, () => this.camera!.displayBody(lines.slice(0, this.cfg.lines), undefined));
  }

  async speak(text: string): Promise<void> {
    await this.send([encodeVoice(text, { mode: 1, address: this.cfg.address })], () =>
      this.camera!.displayBody(undefined, text),
    );
  }

  private async send(
    frames: Buffer[],
    viaCamera: () => ReturnType<ZhenshiCamera['displayBody']>,
  ): Promise<void> {
    if (this.cfg.transport === 'camera') {
      await this.camera!.enqueue(viaCamera());
      return;
    }
    const p = this.port;
    if (!p) throw new Error(`${this.id}: display offline (${this.health().reason ?? ''})`);
    try {
      for (const f of frames) {
        await new Promise<void>((resolve, reject) => p.write(f, (err) => (err ? reject(err) : resolve())));
        await new Promise<void>((resolve, reject) => p.drain((err) => (err ? reject(err) : resolve())));
      }
    } catch (e) {
      this.lost(`write failed: ${errMsg(e)}`);
      throw new Error(`${this.id}: ${errMsg(e)}`);
    }
  }
}
