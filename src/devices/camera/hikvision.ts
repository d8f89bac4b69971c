// Hikvision ANPR camera: plates arrive as ISAPI alarm pushes (multipart anpr.xml + pictures) on
// the camera server; the gate is the camera's barrierGate resource (PUT, digest auth). A push
// cannot carry the decision, so an "open" from the lane becomes a barrierGate call after the
// push is answered. Pushes carry no heartbeat: deviceInfo is polled for health.
import type { Logger } from 'pino';
import type { z } from 'zod';
import { BaseDevice, errMsg, sleep } from '../base.js';
import {
  KT_DEVICE_TYPE,
  type CameraIdentity,
  type CameraInfo,
  type LaneReply,
  type PlateColour,
  type PlateRead,
  type PlateSource,
} from '../interfaces.js';
import type { hikvisionSchema } from '../../config/devices.schema.js';
import { httpRequest, type HttpResult } from '../http/digest.js';
import { xmlText } from '../http/multipart.js';
import type { ImageStore } from './images.js';

export type HikvisionConfig = z.infer<typeof hikvisionSchema>;
export type BarrierMode = 'open' | 'close' | 'lock' | 'unlock';

const COLOURS: Record<string, PlateColour> = {
  blue: 'blue',
  yellow: 'yellow',
  white: 'white',
  black: 'black',
  green: 'green',
};

export class HikvisionCamera extends BaseDevice implements PlateSource, CameraInfo {
  readonly kind = 'camera' as const;
  readonly ktDeviceType = KT_DEVICE_TYPE.camera;
  private handler: ((read: PlateRead) => Promise<LaneReply>) | null = null;
  private abort = new AbortController();
  private loop: Promise<void> = Promise.resolve();
  private recent = new Set<string>();

  constructor(
    readonly cfg: HikvisionConfig,
    logger: Logger,
    private readonly images: ImageStore,
  ) {
    super(cfg.id, cfg.type, logger);
  }

  private get base(): string {
    return this.cfg.url.replace(/\/+$/, '');
  }

  async start(): Promise<void> {
    this.abort = new AbortController();
    await this.probe();
    const signal = this.abort.signal;
    this.loop = (async () => {
      while (!signal.aborted) {
        await sleep(this.cfg.pollSec * 1000, signal);
        if (!signal.aborted) await this.probe();
      }
    })();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    this.setHealth('offline', 'stopped');
  }

  private async probe(): Promise<void> {
    try {
      const r = await this.isapi('GET', '/ISAPI/System/deviceInfo');
      if (r.status === 200) this.setHealth('online');
      else if (r.status === 401) this.setHealth('fault', 'camera rejected the credentials (401)');
      else this.setHealth('fault', `deviceInfo answered HTTP ${r.status}`);
    } catch (e) {
      this.setHealth('offline', errMsg(e));
    }
  }

  onRead(handler: (read: PlateRead) => Promise<LaneReply>): void {
    this.handler = handler;
  }

  matches(ipAddress: string | undefined, remote: string | undefined): boolean {
    const host = new URL(this.cfg.url).hostname;
    const mine = this.cfg.ipaddr ?? host;
    // the XML address is what the camera believes; behind NAT only the socket address matches
    return ipAddress === mine || remote === mine;
  }

  async push(xml: string, pictures: Array<{ name: string; data: Buffer }>): Promise<void> {
    this.setHealth('online');
    const eventType = xmlText(xml, 'eventType');
    if (eventType && eventType !== 'ANPR') {
      this.log.debug({ eventType }, 'non-ANPR alarm ignored');
      return;
    }
    const plate = xmlText(xml, 'licensePlate') ?? '';
    const dateTime = xmlText(xml, 'dateTime');
    const key = `${xmlText(xml, 'channelID') ?? ''}|${dateTime ?? ''}|${plate}|${xmlText(xml, 'activePostCount') ?? ''}`;
    if (this.recent.has(key)) return; // firmware re-sends when our answer was late
    this.recent.add(key);
    if (this.recent.size > 1000) this.recent.delete(this.recent.values().next().value!);
    const parsedTime = dateTime ? Date.parse(dateTime) : NaN;
    const read: PlateRead = {
      plate,
      colour: COLOURS[(xmlText(xml, 'plateColor') ?? '').toLowerCase()] ?? 'unknown',
      confidence: Number(xmlText(xml, 'confidenceLevel') ?? 0) || 0,
      cameraId: this.id,
      time: Number.isFinite(parsedTime) ? parsedTime : Date.now(),
      trigger: 'auto',
    };
    const pic = pictures.find((p) => /detection/i.test(p.name)) ?? pictures[0];
    if (pic?.data.length) {
      try {
        read.imageUrl = (await this.images.save(this.id, pic.data, read.time)).url;
      } catch (e) {
        this.log.warn({ err: errMsg(e) }, 'could not store plate image');
      }
    }
    if (!this.handler) return;
    // answered first, decided after: a slow lane must not make the camera re-send
    void this.handler(read)
      .then(async (d) => {
        if (d.open) await this.barrierGate('open');
      })
      .catch((e) => this.log.warn({ plate, err: errMsg(e) }, 'decision for hikvision read failed'));
  }

  private isapi(method: string, path: string, body?: string): Promise<HttpResult> {
    return httpRequest({
      url: this.base + path,
      method,
      body,
      headers: body ? { 'content-type': 'application/xml' } : undefined,
      username: this.cfg.username,
      password: this.cfg.password,
      timeoutMs: this.cfg.timeoutMs,
    });
  }

  /** Rejects unless the camera answers statusCode 1 (accepted; not a promise the arm moved). */
  async barrierGate(mode: BarrierMode): Promise<void> {
    const r = await this.isapi(
      'PUT',
      `/ISAPI/Parking/channels/${this.cfg.channel}/barrierGate`,
      `<?xml version="1.0" encoding="UTF-8"?><BarrierGate><ctrlMode>${mode}</ctrlMode></BarrierGate>`,
    );
    const text = r.body.toString('utf8');
    const code = xmlText(text, 'statusCode');
    if (r.status !== 200 || code !== '1') {
      const why = xmlText(text, 'subStatusCode') ?? xmlText(text, 'statusString') ?? `HTTP ${r.status}`;
      throw new Error(`${this.id}: barrierGate ${mode} refused: ${why}`);
    }
  }

  async identity(): Promise<CameraIdentity> {
    const r = await this.isapi('GET', '/ISAPI/System/deviceInfo');
    if (r.status !== 200) throw new Error(`${this.id}: deviceInfo answered HTTP ${r.status}`);
    const x = r.body.toString('utf8');
    return {
      manufacturer: 'Hikvision',
      model: xmlText(x, 'model'),
      serialNumber: xmlText(x, 'serialNumber'),
      firmwareVersion: xmlText(x, 'firmwareVersion'),
    };
  }

  async snapshot(): Promise<Buffer> {
    const r = await this.isapi('GET', `/ISAPI/Streaming/channels/${this.cfg.channel}01/picture`);
    if (r.status !== 200 || !r.body.length) throw new Error(`${this.id}: snapshot answered HTTP ${r.status}`);
    return r.body;
  }

  async reachable(): Promise<boolean> {
    try {
      return (await this.isapi('GET', '/ISAPI/System/deviceInfo')).status === 200;
    } catch {
      return false;
    }
  }
}
