import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import {
  KtCodecError,
  cleanBase64,
  decodeKtText,
  extractKtData,
  ktDecode,
  ktEncode,
  ktEncryptText,
  ktIv,
  ktIvCandidates,
  parseLenientJson,
} from '../../src/codecs/kt.js';
import {
  billNo,
  credentialsMatch,
  normalizeKeys,
  parseBill,
  stripBlank,
} from '../../src/downlink/kt/common.js';
import { readKtReply } from '../../src/uplink/kt/client.js';

const TZ = 'Asia/Shanghai';
const at = (local: string) => Date.parse(local.replace(' ', 'T') + '+08:00');

describe('KT 3DES codec: the seed vectors', () => {
  it('vector 1: key 693207DB8148FBC9D8410179, IV 20190225, GB2312 text with a province character', () => {
    const text = '{"parkCode":"1","plateNo":"京A11113"}';
    const b64 = ktEncryptText(text, '693207DB8148FBC9D8410179', '20190225');
    expect(b64).toBe('0edFaLw+X+9J2LHbzKQa0zo3RGmHII0JXoSLu19d+/pvYydg1qZV5A==');
    const d = ktDecode(b64, '693207DB8148FBC9D8410179', at('2019-02-25 12:00:00'), TZ);
    expect(d.data).toEqual({ parkCode: '1', plateNo: '京A11113' });
    expect(d.charset).toBe('gb2312');
    expect(d.ivSkew).toBe(false);
  });

  it('vector 2: key F7A0B971B199FD2A1017CEC5, IV 20160120', () => {
    expect(ktEncryptText('{"plateNo":"A12345"}', 'F7A0B971B199FD2A1017CEC5', '20160120')).toBe(
      'DkTwRsUUza33A8/TvrocXI3r+Az1T7bt',
    );
    expect(
      ktDecode('DkTwRsUUza33A8/TvrocXI3r+Az1T7bt', 'F7A0B971B199FD2A1017CEC5', at('2016-01-20 13:19:19'), TZ)
        .data,
    ).toEqual({ plateNo: 'A12345' });
  });

  it('the IV is the site-local date, not UTC', () => {
    // 2019-02-24 17:30 UTC is already the 25th in Shanghai
    expect(ktIv(Date.parse('2019-02-24T17:30:00Z'), TZ)).toBe('20190225');
    expect(ktIvCandidates(at('2019-03-01 00:10:00'), TZ)).toEqual(['20190301', '20190228', '20190302']);
    expect(ktIvCandidates(at('2020-12-31 23:50:00'), TZ)).toEqual(['20201231', '20201230', '20210101']);
  });

  it('round-trips through ktEncode/ktDecode', () => {
    const now = at('2026-03-02 10:00:00');
    const data = { parkCode: '1', plateNo: '粤B·12345', amount: 1200, list: [{ a: '闽' }] };
    expect(
      ktDecode(ktEncode(data, 'F7A0B971B199FD2A1017CEC5', now, TZ), 'F7A0B971B199FD2A1017CEC5', now, TZ).data,
    ).toEqual(data);
  });
});

describe('KT codec: tolerance', () => {
  const key = 'F7A0B971B199FD2A1017CEC5';
  const now = at('2026-03-02 00:05:00');
  const text = '{"parkCode":"1","plateNo":"京A11113","pageIndex":"1"}';
  const b64 = ktEncryptText(text, key, '20260302');

  it('base64 with line breaks every 76 characters (sun.misc.BASE64Encoder)', () => {
    const long = ktEncryptText(JSON.stringify({ parkCode: '1', remark: 'x'.repeat(200) }), key, '20260302');
    const wrapped = long.replace(/(.{76})/g, '$1\r\n');
    expect(wrapped).toContain('\r\n');
    expect((ktDecode(wrapped, key, now, TZ).data as any).remark).toHaveLength(200);
  });

  it("'+' turned into a space by a form decoder, URL-encoding left in, URL-safe alphabet, missing padding", () => {
    expect(b64).toMatch(/\+/);
    expect(ktDecode(b64.replace(/\+/g, ' '), key, now, TZ).data).toMatchObject({ plateNo: '京A11113' });
    expect(ktDecode(encodeURIComponent(b64), key, now, TZ).data).toMatchObject({ plateNo: '京A11113' });
    expect(
      ktDecode(b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''), key, now, TZ).data,
    ).toMatchObject({ plateNo: '京A11113' });
    expect(cleanBase64(' QUJD\r\nREVG ')).toBe('QUJDREVG');
    expect(cleanBase64('QUJD REV')).toBe('QUJD+REV');
  });

  it('an IV of yesterday or tomorrow around midnight', () => {
    const yesterday = ktEncryptText(text, key, '20260301');
    const tomorrow = ktEncryptText(text, key, '20260303');
    const y = ktDecode(yesterday, key, now, TZ);
    expect(y.data).toMatchObject({ parkCode: '1', plateNo: '京A11113' });
    expect(y.iv).toBe('20260301');
    expect(y.ivSkew).toBe(true);
    expect(ktDecode(tomorrow, key, at('2026-03-02 23:58:00'), TZ).iv).toBe('20260303');
    // two days off is not tried: CBC garbles only the first block, so the keys come out mangled and the
    // endpoint's schema refuses the request
    const far = ktDecode(ktEncryptText(text, key, '20260228'), key, now, TZ);
    expect(far.data).not.toEqual(JSON.parse(text));
  });

  it('a wrong-day IV that still parses is told apart by the caller’s schema', () => {
    // yesterday's IV differs from today's in one bit of byte 7: {"parkCode" becomes {"parkCnde" — still JSON
    const y = ktEncryptText('{"parkCode":"1"}', key, '20260301');
    const plain = ktDecode(y, key, now, TZ, { accept: () => false });
    const accepted = ktDecode(y, key, now, TZ, { accept: (d) => typeof (d as any).parkCode === 'string' });
    expect(accepted.data).toEqual({ parkCode: '1' });
    expect(accepted.iv).toBe('20260301');
    // with no verdict from the caller, the candidate whose keys are KT field names wins
    expect(plain.iv).toBe('20260301');
    expect(plain.data).toEqual({ parkCode: '1' });
  });

  it('UTF-8 text instead of GB2312 (the 2017 Node client)', () => {
    const utf = ktEncryptText(text, key, '20260302', 'utf-8');
    const d = ktDecode(utf, key, now, TZ);
    expect(d.charset).toBe('utf-8');
    expect(d.data).toMatchObject({ plateNo: '京A11113' });
    // GB2312 bytes that happen to be valid 2-byte UTF-8 (鲁 = C2 B3) stay GB2312
    expect(decodeKtText(iconv.encode('鲁A12345', 'gb2312')).text).toBe('鲁A12345');
    for (const p of ['京', '沪', '粤', '闽', '浙', '苏', '川', '鄂'])
      expect(decodeKtText(iconv.encode(`${p}A12345 东门入口`, 'gb2312')).text).toBe(`${p}A12345 东门入口`);
  });

  it('JSON with trailing commas, as in the seed’s own examples', () => {
    expect(parseLenientJson('{"remark": "156,}", "a":[1,2,],}')).toEqual({ remark: '156,}', a: [1, 2] });
    expect(() => parseLenientJson('{"a":')).toThrow();
  });

  it('finds data in every body shape', () => {
    expect(extractKtData({ data: 'abc' })).toBe('abc');
    expect(extractKtData({ Data: 'abc' })).toBe('abc');
    expect(extractKtData('{"data":"abc"}')).toBe('abc');
    expect(extractKtData('data=ab%2Bc&x=1')).toBe('ab+c');
    expect(extractKtData('data=ab+c')).toBe('ab c');
    expect(extractKtData('QUJD')).toBe('QUJD');
    expect(extractKtData({ other: 1 })).toBeUndefined();
    expect(extractKtData({ data: { nested: true } })).toBeUndefined();
    expect(extractKtData(undefined)).toBeUndefined();
  });

  it('refuses with a reason: no data, not base64, wrong key, not JSON', () => {
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e as KtCodecError;
      }
      throw new Error('no error');
    };
    expect(err(() => ktDecode('', key, now, TZ)).code).toBe('no-data');
    expect(err(() => ktDecode('***not base64***', key, now, TZ)).code).toBe('bad-base64');
    expect(err(() => ktDecode('QUJDREVG', key, now, TZ)).code).toBe('bad-base64');
    expect(['bad-cipher', 'bad-json']).toContain(
      err(() => ktDecode(b64, '693207DB8148FBC9D8410179', now, TZ)).code,
    );
    expect(err(() => ktDecode(ktEncryptText('not json at all', key, '20260302'), key, now, TZ)).code).toBe(
      'bad-json',
    );
    expect(err(() => ktEncryptText('x', 'short', '20260302')).code).toBe('bad-key');
  });
});

describe('KT helpers', () => {
  it('bill numbers carry the stay and the quote second, within 32 ASCII characters', () => {
    const t = at('2026-03-02 10:00:07');
    const b = billNo('20260302080000000001', t);
    expect(b.length).toBeLessThanOrEqual(32);
    expect(b).toMatch(/^[0-9A-Z]+$/);
    expect(parseBill(b)).toEqual({ orderNo: '20260302080000000001', at: t });
    expect(parseBill('20260302080000000001')).toBeUndefined();
    expect(parseBill('Q123')).toBeUndefined();
  });

  it('credentials compare in constant time on digests and need both values', () => {
    const want = { user: 'ktapi', pwd: '0306A9' };
    expect(credentialsMatch('ktapi', '0306A9', want)).toBe(true);
    expect(credentialsMatch('ktapi', '0306A', want)).toBe(false);
    expect(credentialsMatch('ktapi', undefined, want)).toBe(false);
    expect(credentialsMatch(['ktapi'], '0306A9', want)).toBe(false);
    expect(credentialsMatch('', '', { user: '', pwd: '' })).toBe(true);
  });

  it('a JSON "__proto__" key never becomes the prototype of the normalised input', () => {
    const hostile = JSON.parse('{"__proto__":{"parkCode":"1","plateNo":"京A11111"},"cardNo":""}');
    for (const out of [normalizeKeys(hostile, ['parkCode', 'plateNo', 'cardNo']), stripBlank(hostile)]) {
      expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
      expect((out as Record<string, unknown>).parkCode).toBeUndefined();
    }
  });

  it('reads KT replies leniently (the seed’s sample reply is not valid JSON)', () => {
    const seedSample =
      '{"data":[{"orderNo":"0001201601201319195951","entryTime":"2016-01-20 11:02:07","elapsedTime":137,"payable":300,"delayTime":20],"resCode":0,"resMsg":null}';
    expect(readKtReply(seedSample).resCode).toBe(0);
    expect(readKtReply('{"resCode":1,"resMsg":"bad"}')).toEqual({ resCode: 1, resMsg: 'bad', data: null });
    expect(() => readKtReply('<html>502</html>')).toThrow();
  });
});

describe('KT decryption against the standard CBC cipher', () => {
  it('agrees with createDecipheriv on random texts, keys and IVs, and rejects bad padding', async () => {
    const { randomBytes, createCipheriv } = await import('node:crypto');
    const { ktDecryptBytes } = await import('../../src/codecs/kt.js');
    const keys = ['693207DB8148FBC9D8410179', 'F7A0B971B199FD2A1017CEC5'];
    for (let n = 0; n < 300; n++) {
      const key = keys[n % 2];
      const iv = `2026${String((n % 12) + 1).padStart(2, '0')}${String((n % 28) + 1).padStart(2, '0')}`;
      const plain = randomBytes(n % 97);
      const c = createCipheriv('des-ede3-cbc', Buffer.from(key, 'ascii'), Buffer.from(iv, 'ascii'));
      const cipher = Buffer.concat([c.update(plain), c.final()]);
      expect(ktDecryptBytes(cipher, key, iv)?.equals(plain)).toBe(true);
    }
    // the same cipher text with the key of another lot: the padding does not check out
    const c = createCipheriv('des-ede3-cbc', Buffer.from(keys[0], 'ascii'), Buffer.from('20260302', 'ascii'));
    const cipher = Buffer.concat([c.update(Buffer.from('{"plateNo":"A12345"}')), c.final()]);
    let rejected = 0;
    for (const k of ['F7A0B971B199FD2A1017CEC5', '000000000000000000000000', 'ABCDEFABCDEFABCDEFABCDEF'])
      if (ktDecryptBytes(cipher, k, '20260302') === undefined) rejected++;
    expect(rejected).toBeGreaterThanOrEqual(2); // a random last block pads correctly 1 time in ~250
  });
});
