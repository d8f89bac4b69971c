import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { lanDataMd5, lanFlatten, lanPreSign, lanSign, lanVerify } from '../../src/codecs/lanapi.js';

describe('LAN OpenApi sign (research/protocols.md §3.1)', () => {
  it('flattens Data sorted, lower-cased, empty array as k= (verified MD5 step)', () => {
    const data = { PageSize: 25, OrderBy: 'UID', QueryCondition: [], PageIndex: 1, OrderType: 0 };
    expect(lanFlatten(data)).toBe('orderby=uid&ordertype=0&pageindex=1&pagesize=25&querycondition=');
    expect(lanDataMd5(data)).toBe('0a78297be1cf12b1faf9efa8b74f1c5e');
  });
  it('skips nulls; arrays become sorted element texts joined with &', () => {
    expect(lanFlatten({ B: null, A: ['y', 'X'], C: 'Z' })).toBe('a=x&y&c=z');
    expect(lanFlatten(null)).toBe('');
  });
  it('pre-sign string in the fixed order, HMAC-SHA256 base64, lower case', () => {
    const e = {
      ParkKey: 'PK1',
      AppId: 'APP1',
      TimeStamp: '1711000000000',
      Nonce: 'AbC',
      Data: { OrderNo: 'X1' },
    };
    const md5 = createHash('md5').update('orderno=x1').digest('hex');
    expect(lanPreSign(e)).toBe(`appid=app1&data=${md5}&parkkey=pk1&timestamp=1711000000000&nonce=abc`);
    const want = createHmac('sha256', 'secret').update(lanPreSign(e)).digest('base64').toLowerCase();
    expect(lanSign(e, 'secret')).toBe(want);
    expect(lanVerify({ ...e, Sign: want.toUpperCase() }, 'secret')).toBe(true);
    expect(lanVerify({ ...e, Sign: want }, 'other')).toBe(false);
    expect(lanVerify({ ...e, Data: { OrderNo: 'X2' }, Sign: want }, 'secret')).toBe(false);
    expect(lanVerify(e, 'secret')).toBe(false);
  });
});
