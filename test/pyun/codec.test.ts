import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  pyunGatewaySign,
  pyunGatewayVerify,
  pyunPlain,
  pyunUplinkSign,
  pyunTime,
  parsePyunTime,
} from '../../src/codecs/pyun.js';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

describe('P云 signs (research/protocols.md §1.2 verified vectors)', () => {
  it('vector 1: parking enter style params, &app_secret=', () => {
    const params = {
      app_id: 'op88641899bd20661',
      car_type: '1',
      enter_time: '1563242533431',
      park_uuid: '40e06b24-7320-4a61-8d97-7ebccb364a87',
      plate: '粤B660PP',
      sign_type: 'MD5',
      timestamp: '1563242932357',
    };
    expect(pyunUplinkSign(params, '29b72e85f56f9d20b2303d5289fe78c9')).toBe(
      '1a6fe20bdd05b654f8fd33a299d75df3'.toUpperCase(),
    );
  });
  it('vector 2: trade query, keys sorted whatever order they come in', () => {
    const params = {
      pay_order: '00202101010000060755912770312323',
      merchant: '62626666666',
      app_id: 'op009619634544',
      sign: 'ignored',
    };
    expect(pyunUplinkSign(params, '6409292d66625a2a0912ac345345')).toBe('8FFDCC0A8C51BB92F183CAE2DD0C70D6');
  });
  it('vector 3: JSON-body style (body text then &app_secret=)', () => {
    const body =
      '{"reason":"接口测试退款","pay_serial":"20220721102644066066610031","app_id":"op00961963581daa7","value":"1"}';
    expect(md5(`${body}&app_secret=6409292d66625a2a0912acfc61ed956c`)).toBe(
      '55d9bc675b3b042a015895fa9f9d037b',
    );
  });
  it('uplink drops empty values; gateway keeps them by default and verifies either way', () => {
    const p = { b: '', a: '1', c: null, sign: 'x' };
    expect(pyunPlain(p, false)).toBe('a=1');
    expect(pyunPlain(p, true)).toBe('a=1&b=');
    const keep = { ...p, sign: pyunGatewaySign(p, 'k', true) };
    const drop = { ...p, sign: pyunGatewaySign(p, 'k', false).toLowerCase() };
    expect(keep.sign).not.toBe(drop.sign.toUpperCase());
    expect(pyunGatewayVerify(keep, 'k')).toBe(true);
    expect(pyunGatewayVerify(drop, 'k')).toBe(true);
    expect(pyunGatewayVerify({ ...p, sign: keep.sign }, 'other')).toBe(false);
    expect(pyunGatewayVerify({ a: '1' }, 'k')).toBe(false);
  });
  it('objects are signed as their JSON text', () => {
    expect(pyunPlain({ payments: [{ value: 1 }], n: 2 }, true)).toBe('n=2&payments=[{"value":1}]');
  });
  it('gateway time is site-local yyyyMMddHHmmss', () => {
    const ms = Date.parse('2026-03-02T08:05:09+08:00');
    expect(pyunTime(ms, 'Asia/Shanghai')).toBe('20260302080509');
    expect(parsePyunTime('20260302080509', 'Asia/Shanghai')).toBe(ms);
    expect(parsePyunTime(String(ms), 'Asia/Shanghai')).toBe(ms);
    expect(parsePyunTime('2026', 'Asia/Shanghai')).toBeUndefined();
  });
});
