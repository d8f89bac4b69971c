import { describe, expect, it } from 'vitest';
import { bolinkEnvelope, bolinkSign, fromUnix, rawDataText, unixSeconds } from '../../src/codecs/bolink.js';
import { outparkSettlement } from '../../src/uplink/bolink/sender.js';
import type { OrderRecord, PaymentRecord } from '../../src/site/api.js';

describe('Bolink sign (research/protocols.md §2.1 verified login vector)', () => {
  it('MD5 of the data JSON text followed by key=<ukey>, upper case', () => {
    const data =
      '{"union_id":"200208","park_id":"21835","local_id":"0071cc97102b_1001_qh321_quanhao-atest1"}';
    expect(bolinkSign(data, '8403A41ED5EF20BC')).toBe('CB649425CB5548A375099103AB04CC1E');
  });
  it('the envelope signs exactly the data text it sends', () => {
    const body = bolinkEnvelope(
      'login',
      { union_id: '200208', park_id: '21835', local_id: '0071cc97102b_1001_qh321_quanhao-atest1' },
      '8403A41ED5EF20BC',
    );
    const j = JSON.parse(body);
    expect(j).toMatchObject({ service_name: 'login', sign: 'CB649425CB5548A375099103AB04CC1E' });
    expect(j.token).toBeUndefined();
    expect(rawDataText(body)).toBe(
      '{"union_id":"200208","park_id":"21835","local_id":"0071cc97102b_1001_qh321_quanhao-atest1"}',
    );
    const withToken = JSON.parse(bolinkEnvelope('inpark', { a: 1 }, 'k', 'tok'));
    expect(withToken.token).toBe('tok');
  });
  it('rawDataText copes with braces and quotes inside strings and with spacing', () => {
    const body = '{"service_name":"x", "data" : {"a":"}{\\"","b":{"c":1}},"sign":"S"}';
    expect(rawDataText(body)).toBe('{"a":"}{\\"","b":{"c":1}}');
    expect(rawDataText('{"data":[1]}')).toBeUndefined();
  });
  it('unix seconds out, seconds or ms in', () => {
    expect(unixSeconds(1490875218999)).toBe(1490875218);
    expect(fromUnix(1490875218)).toBe(1490875218000);
    expect(fromUnix('1490875218123')).toBe(1490875218123);
    expect(fromUnix('x')).toBeUndefined();
  });
});

describe('outpark pay_type', () => {
  const order = (o: Partial<OrderRecord>) => ({ release: 'normal', ...o }) as OrderRecord;
  const pay = (channel: string, amount: number) => ({ channel, amount, method: 'x' }) as PaymentRecord;
  it('maps how the stay was settled', () => {
    expect(outparkSettlement(order({ release: 'card' }), [])).toEqual({ payType: 'monthuser', total: 0 });
    expect(outparkSettlement(order({}), [])).toEqual({ payType: 'free', total: 0 });
    expect(outparkSettlement(order({ release: 'free' }), [])).toEqual({ payType: 'free', total: 0 });
    expect(outparkSettlement(order({ release: 'paid' }), [pay('cash', 500)])).toEqual({
      payType: 'cash',
      total: 500,
    });
    expect(outparkSettlement(order({ release: 'paid' }), [pay('bolink', 300), pay('pyun', 200)])).toEqual({
      payType: 'cash',
      total: 200,
    });
    expect(outparkSettlement(order({ release: 'paid' }), [pay('bolink', 300)])).toEqual({
      payType: 'scancode',
      total: 0,
    });
  });
});
