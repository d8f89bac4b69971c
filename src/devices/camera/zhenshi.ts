// Zhenshi / Vzenith HTTP push camera. The camera POSTs AlarmInfoPlate; the lane's decision goes
// back in the HTTP reply (Response_AlarmInfoPlate): info:"ok" pulses the camera relay, serialData
// carries LED/voice frames to its RS485. Commands issued outside a push (manual open, LED text)
// wait for the next push or heartbeat reply ("comet polling" heartbeat mode).
import type { Logger } from 'pino';
import { z } from 'zod';
import { BaseDevice, errMsg, withTimeout } from '../base.js';
import {
  KT_DEVICE_TYPE,
  type DisplayLine,
  type LaneReply,
  type PlateColour,
  type PlateRead,
  type PlateSource,
  type PlateTrigger,
} from '../interfaces.js';
import type { zhenshiSchema } from '../../config/devices.schema.js';
import { encodeTempText, encodeVoice, FK_COLOUR, FK_EFFECT } from '../../codecs/fkled.js';
import type { ImageStore } from './images.js';

export type ZhenshiConfig = z.infer<typeof zhenshiSchema>;

const num = z.union([
  z.number(),
  z
    .string()
    .regex(/^-?\d+$/)
    .transform(Number),
]);
export const alarmInfoPlateSchema = z.object({
  AlarmInfoPlate: z.object({
    channel: num.optional(),
    deviceName: z.string().optional(),
    ipaddr: z.string().optional(),
    serialno: z.string().optional(),
    user_data: z.string().optional(),
    result: z.object({
      PlateResult: z
        .object({
          license: z.string(),
          colorType: num.optional(),
          type: num.optional(),
          confidence: num.optional(),
          direction: num.optional(),
          triggerType: num.optional(),
          plateid: num.optional(),
          isoffline: num.optional(),
          imagePath: z.string().optional(),
          imageFile: z.string().optional(),
          imageFileLen: num.optional(),
          imageFragmentFile: z.string().optional(),
          timeStamp: z
            .object({ Timeval: z.object({ sec: num, usec: num.optional() }).passthrough() })
            .passthrough()
            .optional(),
        })
        .passthrough(),
    }),
  }),
});
export type AlarmInfoPlate = z.infer<typeof alarmInfoPlateSchema>;

export const COLOR_TYPES: Record<number, PlateColour> = {
  0: 'unknown',
  1: 'blue',
  2: 'yellow',
  3: 'white',
  4: 'black',
  5: 'green',
};

export function triggerOf(bits: number | undefined): PlateTrigger {
  if (bits === undefined) return 'unknown';
  if (bits & 2) return 'io';
  if (bits & 8) return 'virtual-loop';
  if (bits & 4) return 'manual';
  if (bits & 1) return 'auto';
  return 'unknown';
}

export interface ZhenshiReplyBody {
  info?: 'ok' | 'no';
  serialData?: Array<{ serialChannel: number; data: string; dataLen: number }>;
  ivs_ioctrl?: { io: number; value: 0 | 1 | 2; delay: number };
  playserver_json_request?: {
    type: 'ps_voice_play';
    voice: string;
    voice_volume: number;
    voice_male: number;
    voice_interval: number;
  };
  manualTrigger?: 'ok';
}

interface Pending {
  body: ZhenshiReplyBody;
  resolve: () => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export interface AttachedDisplay {
  address: number;
  serialChannel: number;
}
export interface AttachedRelay {
  io: number;
  pulseMs: number;
}

const RECENT_IDS = 2000;

export class ZhenshiCamera extends BaseDevice implements PlateSource {
  readonly kind = 'camera' as const;
  readonly ktDeviceType = KT_DEVICE_TYPE.camera;
  private handler: ((read: PlateRead) => Promise<LaneReply>) | null = null;
  private hbTimer: NodeJS.Timeout | null = null;
  private running = false;
  private inflight = 0;
  /** commands issued while a push is being decided ride on that push's reply */
  private riding: ZhenshiReplyBody[] = [];
  private queue: Pending[] = [];
  private seenIds = new Set<string>();
  private display: AttachedDisplay | null = null;
  private relay: AttachedRelay | null = null;
  private lastImage: { data: Buffer; at: number } | null = null;
  private imageWaiters: Array<(b: Buffer) => void> = [];
  readonly stats = { pushes: 0, duplicates: 0, heartbeats: 0 };

  constructor(
    readonly cfg: ZhenshiConfig,
    logger: Logger,
    private readonly images: ImageStore,
  ) {
    super(cfg.id, cfg.type, logger);
  }

  async start(): Promise<void> {
    this.running = true;
    // online only once the camera talks to us; until then it is simply not heard from
    this.setHealth('offline', 'waiting for the first push or heartbeat');
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.hbTimer) clearTimeout(this.hbTimer);
    this.hbTimer = null;
    for (const p of this.queue.splice(0)) {
      clearTimeout(p.timer);
      p.reject(new Error(`${this.id}: camera driver stopped`));
    }
    this.setHealth('offline', 'stopped');
  }

  onRead(handler: (read: PlateRead) => Promise<LaneReply>): void {
    this.handler = handler;
  }

  attachDisplay(d: AttachedDisplay): void {
    this.display = d;
  }
  attachRelay(r: AttachedRelay): void {
    this.relay = r;
  }

  matches(
    serialno: string | undefined,
    ipaddr: string | undefined,
    remote: string | undefined,
  ): 'serial' | 'ip' | false {
    if (this.cfg.serialno && serialno && this.cfg.serialno === serialno) return 'serial';
    if (this.cfg.ipaddr && (this.cfg.ipaddr === ipaddr || this.cfg.ipaddr === remote)) return 'ip';
    return false;
  }

  private seen(): void {
    if (!this.running) return;
    this.setHealth('online');
    if (this.hbTimer) clearTimeout(this.hbTimer);
    this.hbTimer = setTimeout(() => {
      this.setHealth('offline', `no heartbeat for ${this.cfg.heartbeatTimeoutSec} s`);
      for (const p of this.queue.splice(0)) {
        clearTimeout(p.timer);
        p.reject(new Error(`${this.id}: camera went offline before the command was delivered`));
      }
    }, this.cfg.heartbeatTimeoutSec * 1000);
    this.hbTimer.unref();
  }

  /** Heartbeat (form fields or JSON); the reply carries whatever commands are waiting. */
  heartbeat(): { Response_AlarmInfoPlate: ZhenshiReplyBody } {
    this.stats.heartbeats++;
    this.seen();
    return { Response_AlarmInfoPlate: this.drainQueue({}) };
  }

  async push(msg: AlarmInfoPlate): Promise<{ Response_AlarmInfoPlate: ZhenshiReplyBody }> {
    this.stats.pushes++;
    this.seen();
    const pr = msg.AlarmInfoPlate.result.PlateResult;
    const recordId = pr.plateid !== undefined ? String(pr.plateid) : undefined;
    const offline = pr.isoffline === 1;
    if (recordId !== undefined) {
      if (this.seenIds.has(recordId)) {
        // the camera re-sends until it gets an answer; the first copy was already handled
        this.stats.duplicates++;
        this.log.debug({ recordId, offline }, 'duplicate push dropped');
        return { Response_AlarmInfoPlate: this.drainQueue({ info: 'no' }) };
      }
      this.seenIds.add(recordId);
      if (this.seenIds.size > RECENT_IDS) this.seenIds.delete(this.seenIds.values().next().value!);
    }
    const sec = pr.timeStamp?.Timeval.sec;
    const time =
      sec !== undefined ? sec * 1000 + Math.floor((pr.timeStamp?.Timeval.usec ?? 0) / 1000) : Date.now();
    const read: PlateRead = {
      plate: pr.license,
      colour: COLOR_TYPES[pr.colorType ?? 0] ?? 'unknown',
      confidence: pr.confidence ?? 0,
      cameraId: this.id,
      time,
      recordId,
      trigger: triggerOf(pr.triggerType),
      offline,
    };
    if (pr.imageFile) {
      const data = Buffer.from(pr.imageFile, 'base64');
      if (data.length) {
        try {
          read.imageUrl = (await this.images.save(this.id, data, time)).url;
        } catch (e) {
          this.log.warn({ err: errMsg(e) }, 'could not store plate image');
        }
        this.lastImage = { data, at: Date.now() };
        for (const w of this.imageWaiters.splice(0)) w(data);
      }
    }
    let decision: LaneReply = { open: false };
    if (this.handler) {
      this.inflight++;
      try {
        decision = await withTimeout(
          this.handler(read),
          this.cfg.replyTimeoutMs,
          `${this.id}: lane decision`,
        );
      } catch (e) {
        this.log.warn(
          { plate: read.plate, err: errMsg(e) },
          'lane did not decide in time; answering without opening',
        );
      } finally {
        this.inflight--;
      }
    }
    // a buffered record describes a car that is long gone: record it, never open for it
    const body = this.replyFor(offline ? { ...decision, open: false } : decision);
    for (const r of this.riding.splice(0)) mergeReply(body, r);
    return { Response_AlarmInfoPlate: this.drainQueue(body) };
  }

  private replyFor(d: LaneReply): ZhenshiReplyBody {
    const body: ZhenshiReplyBody = {};
    if (d.open) {
      if (this.relay && this.relay.io !== 0)
        body.ivs_ioctrl = { io: this.relay.io, value: 2, delay: this.relay.pulseMs };
      else body.info = 'ok';
    } else {
      body.info = 'no';
    }
    if (d.lines?.length && this.display) mergeReply(body, this.displayBody(d.lines, undefined));
    if (d.voice) {
      const viaLed = this.cfg.voice === 'led' || (this.cfg.voice === 'auto' && this.display);
      if (viaLed && this.display) mergeReply(body, this.displayBody(undefined, d.voice));
      else if (this.cfg.voice !== 'led') body.playserver_json_request = cameraVoice(d.voice);
    }
    return body;
  }

  displayBody(lines: DisplayLine[] | undefined, voice: string | undefined): ZhenshiReplyBody {
    const d = this.display ?? { address: 0, serialChannel: 0 };
    const frames = [
      ...(lines ?? []).map((l, i) => encodeLine(l, i, d.address)),
      ...(voice ? [encodeVoice(voice, { mode: 1, address: d.address })] : []),
    ];
    return {
      serialData: frames.map((f) => ({
        serialChannel: d.serialChannel,
        data: f.toString('base64'),
        dataLen: f.length,
      })),
    };
  }

  /**
   * Sends a reply fragment with the next reply the camera receives. Resolves when that reply is
   * written (or at once when a push is being decided right now — it rides on that reply, and
   * waiting for it from inside the lane's handler would deadlock).
   */
  enqueue(body: ZhenshiReplyBody): Promise<void> {
    if (this.health().status !== 'online') {
      return Promise.reject(new Error(`${this.id}: camera offline (${this.health().reason ?? ''})`));
    }
    if (this.inflight > 0) {
      this.riding.push(body);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const p: Pending = {
        body,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.queue = this.queue.filter((x) => x !== p);
          reject(
            new Error(
              `${this.id}: camera did not poll for the command within ${this.cfg.heartbeatTimeoutSec} s`,
            ),
          );
        }, this.cfg.heartbeatTimeoutSec * 1000),
      };
      this.queue.push(p);
    });
  }

  private drainQueue(body: ZhenshiReplyBody): ZhenshiReplyBody {
    for (const p of this.queue.splice(0)) {
      clearTimeout(p.timer);
      mergeReply(body, p.body);
      // delivery = the reply leaves our socket; the camera gives no further acknowledgement
      setImmediate(p.resolve);
    }
    return body;
  }

  /** Latest picture, or asks the camera to read again (manualTrigger) and waits for its image. */
  async snapshot(maxAgeMs = 10_000, waitMs = 5_000): Promise<Buffer> {
    if (this.lastImage && Date.now() - this.lastImage.at < maxAgeMs) return this.lastImage.data;
    const got = new Promise<Buffer>((resolve) => this.imageWaiters.push(resolve));
    try {
      await this.enqueue({ manualTrigger: 'ok' });
      return await withTimeout(got, waitMs, `${this.id}: snapshot`);
    } catch (e) {
      if (this.lastImage) return this.lastImage.data;
      throw e;
    }
  }
}

function cameraVoice(text: string): NonNullable<ZhenshiReplyBody['playserver_json_request']> {
  return {
    type: 'ps_voice_play',
    voice: Buffer.from(text, 'utf8').toString('base64'),
    voice_volume: 100,
    voice_male: 0,
    voice_interval: 0,
  };
}

export function encodeLine(l: DisplayLine, index: number, address = 0): Buffer {
  const effect =
    l.effect === 'instant'
      ? FK_EFFECT.instant
      : l.effect === 'scroll-left'
        ? FK_EFFECT.rightToLeft
        : FK_EFFECT.continuousLeft;
  return encodeTempText(l.text, {
    line: index,
    colour: FK_COLOUR[l.colour ?? 'red'],
    enterEffect: effect,
    exitEffect: effect,
    address,
  });
}

/** Later fragments win for scalar keys; serialData lists concatenate. */
export function mergeReply(into: ZhenshiReplyBody, from: ZhenshiReplyBody): ZhenshiReplyBody {
  for (const [k, v] of Object.entries(from) as Array<[keyof ZhenshiReplyBody, unknown]>) {
    if (k === 'serialData')
      into.serialData = [...(into.serialData ?? []), ...(v as NonNullable<ZhenshiReplyBody['serialData']>)];
    else if (k === 'info') into.info = into.info === 'ok' || v === 'ok' ? 'ok' : 'no';
    else (into as Record<string, unknown>)[k] = v;
  }
  return into;
}
