// A Zhenshi camera: POSTs AlarmInfoPlate JSON and form-field heartbeats to a server URL and keeps
// every reply, decoding any LED frames carried in serialData the way the RS485 board would.
import http from 'node:http';
import { EventEmitter } from 'node:events';
import { LedBoardSim } from './led-board.js';
import { buildMultipart } from '../http/multipart.js';
import type { ZhenshiReplyBody } from '../camera/zhenshi.js';

export interface ZhenshiSimOptions {
  url: string; // e.g. http://127.0.0.1:8090/zhenshi
  serialno: string;
  ipaddr?: string;
  deviceName?: string;
  timeoutMs?: number;
}

export interface PushOptions {
  colorType?: number;
  confidence?: number;
  triggerType?: number;
  plateid?: number;
  isoffline?: 0 | 1;
  image?: Buffer;
  time?: number;
}

export interface SimReply {
  status: number;
  body: { Response_AlarmInfoPlate?: ZhenshiReplyBody; error?: string } & Record<string, unknown>;
  ms: number;
}

/** A keep-alive agent: real cameras reuse one connection, and so should a benchmark. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

export function postRaw(
  url: string,
  body: Buffer | string,
  contentType: string,
  timeoutMs = 5000,
): Promise<SimReply> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const buf = Buffer.isBuffer(body) ? body : Buffer.from(body);
    const t0 = performance.now();
    const req = http.request(
      {
        hostname: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method: 'POST',
        agent,
        headers: { 'content-type': contentType, 'content-length': buf.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: SimReply['body'];
          try {
            parsed = text ? JSON.parse(text) : {};
          } catch {
            parsed = { error: `non-JSON reply: ${text.slice(0, 200)}` };
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, ms: performance.now() - t0 });
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`POST ${url}: timed out`)));
    req.on('error', reject);
    req.end(buf);
  });
}

export class ZhenshiCameraSim extends EventEmitter {
  readonly replies: SimReply[] = [];
  /** the LED board hanging on this camera's RS485 */
  readonly led = new LedBoardSim();
  readonly relayPulses: Array<{ io: number; value: number; at: number }> = [];
  private nextId = 1;
  private hb: NodeJS.Timeout | null = null;

  constructor(readonly o: ZhenshiSimOptions) {
    super();
  }

  buildPush(plate: string, p: PushOptions = {}): Record<string, unknown> {
    const t = p.time ?? Date.now();
    return {
      AlarmInfoPlate: {
        channel: 0,
        deviceName: this.o.deviceName ?? 'IVS',
        ipaddr: this.o.ipaddr ?? '127.0.0.1',
        serialno: this.o.serialno,
        result: {
          PlateResult: {
            license: plate,
            colorType: p.colorType ?? 1,
            type: 1,
            confidence: p.confidence ?? 96,
            direction: 0,
            triggerType: p.triggerType ?? 1,
            plateid: p.plateid ?? this.nextId++,
            isoffline: p.isoffline ?? 0,
            timeStamp: { Timeval: { sec: Math.floor(t / 1000), usec: (t % 1000) * 1000 } },
            ...(p.image ? { imageFile: p.image.toString('base64'), imageFileLen: p.image.length } : {}),
          },
        },
      },
    };
  }

  async push(plate: string, p: PushOptions = {}): Promise<SimReply> {
    const r = await postRaw(
      this.o.url,
      JSON.stringify(this.buildPush(plate, p)),
      'application/json',
      this.o.timeoutMs,
    );
    this.record(r);
    return r;
  }

  async heartbeat(): Promise<SimReply> {
    const boundary = '----zsim' + Date.now().toString(16);
    const fields: Record<string, string> = {
      device_name: this.o.deviceName ?? 'IVS',
      ipaddr: this.o.ipaddr ?? '127.0.0.1',
      port: '80',
      serialno: this.o.serialno,
      channel_num: '1',
    };
    const body = buildMultipart(
      Object.entries(fields).map(([name, v]) => ({ name, data: Buffer.from(v) })),
      boundary,
    );
    const r = await postRaw(this.o.url, body, `multipart/form-data; boundary=${boundary}`, this.o.timeoutMs);
    this.record(r);
    return r;
  }

  /** Sends heartbeats every `ms` until stopHeartbeats(); errors are recorded, not thrown. */
  startHeartbeats(ms: number): void {
    this.stopHeartbeats();
    const tick = () => {
      this.heartbeat().catch((e) => this.emit('failure', e));
    };
    tick();
    this.hb = setInterval(tick, ms);
  }

  stopHeartbeats(): void {
    if (this.hb) clearInterval(this.hb);
    this.hb = null;
  }

  private record(r: SimReply): void {
    this.replies.push(r);
    const body = r.body.Response_AlarmInfoPlate;
    if (!body) return;
    if (body.info === 'ok') this.relayPulses.push({ io: 0, value: 2, at: Date.now() });
    if (body.ivs_ioctrl) this.relayPulses.push({ ...body.ivs_ioctrl, at: Date.now() });
    for (const s of body.serialData ?? []) this.led.feed(Buffer.from(s.data, 'base64'));
    this.emit('reply', r);
  }
}
