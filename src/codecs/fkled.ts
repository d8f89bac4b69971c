// The `00 64 FF FF` LED/voice board protocol ("FK control card" family). Pure: bytes in, bytes out.
// Frame: DA VR PN(2, LE) CMD DL DATA CRC16/MODBUS(LE) — see docs/devices.md for the field tables.
import iconv from 'iconv-lite';
import type { DisplayLine } from '../devices/interfaces.js';

export const FK_VERSION = 0x64;
export const FK_CMD = {
  connect: 0x00,
  changePassword: 0x02,
  voice: 0x30,
  tempText: 0x62,
  permText: 0x67,
  cameraAd: 0x68,
} as const;

/** Enter/exit effects of the text commands. */
export const FK_EFFECT = {
  instant: 0x00,
  rightToLeft: 0x01,
  leftToRight: 0x02,
  up: 0x03,
  down: 0x04,
  charByChar: 0x0d,
  continuousLeft: 0x15,
} as const;

export type Rgb = readonly [number, number, number];
export const FK_COLOUR: Record<'red' | 'green' | 'yellow' | 'white' | 'black', Rgb> = {
  red: [0xff, 0, 0],
  green: [0, 0xff, 0],
  yellow: [0xff, 0xff, 0],
  white: [0xff, 0xff, 0xff],
  black: [0, 0, 0],
};

export interface FkFrame {
  address: number;
  version: number;
  packet: number;
  cmd: number;
  data: Buffer;
}

export function crc16modbus(buf: Uint8Array, start = 0, end = buf.length): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) {
    crc ^= buf[i];
    for (let b = 0; b < 8; b++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

export function encodeGb2312(text: string): Buffer {
  // GBK is a superset of GB2312; boards render GB2312 and print '?' for the rest, same as their vendor tools
  return iconv.encode(text, 'gbk');
}
export function decodeGb2312(buf: Buffer): string {
  return iconv.decode(buf, 'gbk');
}

export function encodeFrame(
  cmd: number,
  data: Uint8Array,
  opts: { address?: number; packet?: number } = {},
): Buffer {
  // DL is one byte in every frame we have seen; the doc hints at 2 for long payloads but never shows it
  if (data.length > 255) throw new RangeError(`fk-led payload ${data.length} bytes exceeds 255`);
  const out = Buffer.alloc(6 + data.length + 2);
  out[0] = (opts.address ?? 0) & 0xff;
  out[1] = FK_VERSION;
  out.writeUInt16LE((opts.packet ?? 0xffff) & 0xffff, 2);
  out[4] = cmd;
  out[5] = data.length;
  Buffer.from(data).copy(out, 6);
  out.writeUInt16LE(crc16modbus(out, 0, 6 + data.length), 6 + data.length);
  return out;
}

export class FkDecodeError extends Error {}

/** Decodes exactly one frame; throws FkDecodeError on bad length, version or CRC. */
export function decodeFrame(buf: Buffer): FkFrame {
  if (buf.length < 8) throw new FkDecodeError(`frame too short (${buf.length} bytes)`);
  if (buf[1] !== FK_VERSION) throw new FkDecodeError(`unexpected version byte 0x${buf[1].toString(16)}`);
  const dl = buf[5];
  if (buf.length !== 8 + dl) throw new FkDecodeError(`length ${buf.length} does not match DL ${dl}`);
  const want = crc16modbus(buf, 0, 6 + dl);
  const got = buf.readUInt16LE(6 + dl);
  if (want !== got)
    throw new FkDecodeError(`CRC mismatch: got 0x${got.toString(16)}, want 0x${want.toString(16)}`);
  return {
    address: buf[0],
    version: buf[1],
    packet: buf.readUInt16LE(2),
    cmd: buf[4],
    data: buf.subarray(6, 6 + dl),
  };
}

/**
 * Splits a byte stream into frames. Serial reads arrive in arbitrary chunks and a board may
 * emit noise, so resynchronise on the version byte and trust the CRC.
 */
export class FkFrameSplitter {
  private buf: Buffer = Buffer.alloc(0);
  push(chunk: Buffer): { frames: FkFrame[]; garbage: number } {
    this.buf = Buffer.concat([this.buf, chunk]);
    const frames: FkFrame[] = [];
    let garbage = 0;
    for (;;) {
      if (this.buf.length < 8) break;
      if (this.buf[1] !== FK_VERSION) {
        this.buf = this.buf.subarray(1);
        garbage++;
        continue;
      }
      const total = 8 + this.buf[5];
      if (this.buf.length < total) break;
      try {
        frames.push(decodeFrame(Buffer.from(this.buf.subarray(0, total))));
        this.buf = this.buf.subarray(total);
      } catch {
        this.buf = this.buf.subarray(1);
        garbage++;
      }
    }
    return { frames, garbage };
  }
}

export interface TempTextOptions {
  line?: number;
  colour?: Rgb;
  background?: Rgb;
  enterEffect?: number;
  enterSpeed?: number;
  dwellTime?: number;
  exitEffect?: number;
  exitSpeed?: number;
  font?: number;
  repeat?: number;
  address?: number;
}

export function encodeTempText(text: string, o: TempTextOptions = {}): Buffer {
  const t = encodeGb2312(text);
  const head = Buffer.from([
    o.line ?? 0,
    o.enterEffect ?? FK_EFFECT.continuousLeft,
    o.enterSpeed ?? 1,
    0, // dwell mode
    o.dwellTime ?? 2,
    o.exitEffect ?? FK_EFFECT.continuousLeft,
    o.exitSpeed ?? 1,
    o.font ?? 3,
    o.repeat ?? 0,
    ...(o.colour ?? FK_COLOUR.red),
    0,
    ...(o.background ?? FK_COLOUR.black),
    0,
    t.length & 0xff,
    (t.length >> 8) & 0xff,
  ]);
  return encodeFrame(FK_CMD.tempText, Buffer.concat([head, t]), { address: o.address });
}

export interface TempText {
  line: number;
  enterEffect: number;
  enterSpeed: number;
  dwellTime: number;
  exitEffect: number;
  exitSpeed: number;
  font: number;
  repeat: number;
  colour: [number, number, number];
  background: [number, number, number];
  text: string;
}

export function parseTempText(data: Buffer): TempText {
  if (data.length < 19) throw new FkDecodeError('temp text payload too short');
  const len = data.readUInt16LE(17);
  if (data.length !== 19 + len) throw new FkDecodeError(`temp text length ${len} does not match payload`);
  return {
    line: data[0],
    enterEffect: data[1],
    enterSpeed: data[2],
    dwellTime: data[4],
    exitEffect: data[5],
    exitSpeed: data[6],
    font: data[7],
    repeat: data[8],
    colour: [data[9], data[10], data[11]],
    background: [data[13], data[14], data[15]],
    text: decodeGb2312(data.subarray(19)),
  };
}

/** 0 queue only, 1 queue and play, 2 clear the queue then play. */
export type VoiceMode = 0 | 1 | 2;
export function encodeVoice(text: string, o: { mode?: VoiceMode; address?: number } = {}): Buffer {
  return encodeFrame(FK_CMD.voice, Buffer.concat([Buffer.from([o.mode ?? 1]), encodeGb2312(text)]), {
    address: o.address,
  });
}
export function parseVoice(data: Buffer): { mode: number; text: string } {
  if (data.length < 1) throw new FkDecodeError('voice payload empty');
  return { mode: data[0], text: decodeGb2312(data.subarray(1)) };
}

export function encodeConnect(password = '159753', address?: number): Buffer {
  return encodeFrame(FK_CMD.connect, Buffer.from(password, 'ascii'), { address });
}

export type DecodedCommand =
  | { kind: 'text'; frame: FkFrame; text: TempText }
  | { kind: 'voice'; frame: FkFrame; mode: number; text: string }
  | { kind: 'connect'; frame: FkFrame; password: string }
  | { kind: 'other'; frame: FkFrame };

export function describeFrame(frame: FkFrame): DecodedCommand {
  switch (frame.cmd) {
    case FK_CMD.tempText:
      return { kind: 'text', frame, text: parseTempText(frame.data) };
    case FK_CMD.voice:
      return { kind: 'voice', frame, ...parseVoice(frame.data) };
    case FK_CMD.connect:
      return { kind: 'connect', frame, password: frame.data.toString('ascii') };
    default:
      return { kind: 'other', frame };
  }
}

/**
 * KT ShowLedMsg sends `line1|line2|…`; empty segments keep their slot so the sender can
 * address line 2 without touching line 1. Trailing empty segments are dropped.
 */
export function ktLedSegmentsToLines(msg: string, maxLines = 8): DisplayLine[] {
  const parts = msg.split('|').map((s) => s.trim());
  while (parts.length && parts[parts.length - 1] === '') parts.pop();
  return parts.slice(0, maxLines).map((text) => ({ text }));
}
