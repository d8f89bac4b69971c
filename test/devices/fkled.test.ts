import { describe, expect, it } from 'vitest';
import {
  crc16modbus,
  decodeFrame,
  describeFrame,
  encodeConnect,
  encodeTempText,
  encodeVoice,
  FkDecodeError,
  FkFrameSplitter,
  ktLedSegmentsToLines,
  FK_COLOUR,
  FK_EFFECT,
} from '../../src/codecs/fkled.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// worked examples from the research notes (verified frames)
const TEXT_FRAME = hex(
  '00 64 FF FF 62 25 00 15 01 00 02 15 01 03 00 FF 00 00 00 00 00 00 00 12 00 BB B6 D3 AD B9 E2 C1 D9 C7 EB C8 EB B3 A1 CD A3 B3 B5 F4 F5',
);
const VOICE_FRAME = hex(
  '00 64 FF FF 30 14 01 BB B6 D3 AD B9 E2 C1 D9 2C C7 EB C8 EB B3 A1 CD A3 B3 B5 A9 36',
);
const CONNECT_FRAME = hex('00 64 FF FF 00 06 31 35 39 37 35 33 FB 06');

describe('fk-led codec (00 64 FF FF)', () => {
  it('encodes the temporary-text example byte for byte', () => {
    expect(
      encodeTempText('欢迎光临请入场停车', {
        line: 0,
        colour: FK_COLOUR.red,
        enterEffect: FK_EFFECT.continuousLeft,
      }).toString('hex'),
    ).toBe(TEXT_FRAME.toString('hex'));
  });

  it('encodes the voice examples byte for byte', () => {
    expect(encodeVoice('欢迎光临,请入场停车').toString('hex')).toBe(VOICE_FRAME.toString('hex'));
    expect(encodeVoice('欢迎光临,请入场停车').toString('base64')).toBe(
      'AGT//zAUAbu206254sHZLMfryOuzoc2js7WpNg==',
    );
    expect(encodeVoice('粤B12345,欢迎光临').toString('base64')).toBe('AGT//zASAdTBQjEyMzQ1LLu206254sHZapE=');
  });

  it('encodes the connect example', () => {
    expect(encodeConnect().toString('hex')).toBe(CONNECT_FRAME.toString('hex'));
  });

  it('CRC-16/MODBUS check value and low-byte-first placement', () => {
    expect(crc16modbus(Buffer.from('123456789'))).toBe(0x4b37);
    expect(TEXT_FRAME.readUInt16LE(TEXT_FRAME.length - 2)).toBe(0xf5f4);
  });

  it('decodes text and voice frames back to their fields', () => {
    const t = describeFrame(decodeFrame(TEXT_FRAME));
    expect(t.kind).toBe('text');
    if (t.kind === 'text') {
      expect(t.text.text).toBe('欢迎光临请入场停车');
      expect(t.text.colour).toEqual([0xff, 0, 0]);
      expect(t.text.line).toBe(0);
      expect(t.text.enterEffect).toBe(0x15);
    }
    const v = describeFrame(decodeFrame(VOICE_FRAME));
    expect(v).toMatchObject({ kind: 'voice', mode: 1, text: '欢迎光临,请入场停车' });
    expect(describeFrame(decodeFrame(CONNECT_FRAME))).toMatchObject({ kind: 'connect', password: '159753' });
  });

  it('rejects bad CRC, bad length and bad version', () => {
    const bad = Buffer.from(TEXT_FRAME);
    bad[bad.length - 1] ^= 0xff;
    expect(() => decodeFrame(bad)).toThrow(FkDecodeError);
    expect(() => decodeFrame(TEXT_FRAME.subarray(0, 20))).toThrow(/length/);
    const v = Buffer.from(CONNECT_FRAME);
    v[1] = 0x65;
    expect(() => decodeFrame(v)).toThrow(/version/);
    expect(() => encodeTempText('长'.repeat(200))).toThrow(RangeError);
  });

  it('splits a chunked stream with noise into frames', () => {
    const sp = new FkFrameSplitter();
    const stream = Buffer.concat([hex('FF 13'), TEXT_FRAME, VOICE_FRAME, CONNECT_FRAME]);
    const frames = [];
    for (let i = 0; i < stream.length; i += 7) frames.push(...sp.push(stream.subarray(i, i + 7)).frames);
    expect(frames.map((f) => f.cmd)).toEqual([0x62, 0x30, 0x00]);
  });

  it('maps KT ShowLedMsg segments to lines', () => {
    expect(ktLedSegmentsToLines('京A12345|欢迎光临')).toEqual([{ text: '京A12345' }, { text: '欢迎光临' }]);
    expect(ktLedSegmentsToLines('|请缴费|')).toEqual([{ text: '' }, { text: '请缴费' }]);
    expect(ktLedSegmentsToLines('')).toEqual([]);
    expect(ktLedSegmentsToLines('a|b|c|d', 2)).toEqual([{ text: 'a' }, { text: 'b' }]);
  });
});
