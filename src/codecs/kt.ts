// KT ("KT_ServerSoft" third-party interface) wire format, shared by the downlink server and the uplink client:
// the `data` parameter is 3DES-CBC (key = the 24 ASCII characters, IV = yyyyMMdd of the site's date, PKCS7)
// over GB2312 JSON, base64-encoded. Replies are plain JSON {resCode, resMsg, data}. Pure: no I/O, time passed in.
//
// Real clients bend the format in known ways (docs/protocols/kt.md "Tolerance"); decoding accepts all of them:
// base64 split by line breaks, '+' turned into ' ' by a form decoder, URL-safe base64, an IV of the day before
// or after (a client that computed its IV once at start-up, or clocks either side of midnight), UTF-8 instead of
// GB2312, JSON with trailing commas, and the three body shapes (JSON {"data"}, form data=, bare text).
import { isUtf8 } from 'node:buffer';
import { createCipheriv, createDecipheriv, type Decipher } from 'node:crypto';
import iconv from 'iconv-lite';
import { formatLocal, localParts, tzOffset } from '../core/clock.js';

export const KT_CIPHER = 'des-ede3-cbc';

export class KtCodecError extends Error {
  constructor(
    readonly code: 'no-data' | 'bad-base64' | 'bad-key' | 'bad-cipher' | 'bad-json',
    message: string,
  ) {
    super(message);
  }
}

function keyBytes(key: string): Buffer {
  const k = Buffer.from(key, 'latin1');
  if (k.length !== 24 || !/^[\x20-\x7e]{24}$/.test(key))
    throw new KtCodecError('bad-key', '3DES 密钥必须是 24 个 ASCII 字符');
  return k;
}

// IVs repeat all day; keep their bytes instead of checking and allocating them per request
const ivCache = new Map<string, Buffer>();
function ivBytes(iv: string): Buffer {
  let b = ivCache.get(iv);
  if (!b) {
    if (!/^\d{8}$/.test(iv)) throw new KtCodecError('bad-key', `IV 必须是 yyyyMMdd: ${iv}`);
    b = Buffer.from(iv, 'latin1');
    if (ivCache.size > 64) ivCache.clear();
    ivCache.set(iv, b);
  }
  return b;
}

/** The IV KT uses at instant `at`: the site-local date as yyyyMMdd. */
export function ktIv(at: number, timezone: string): string {
  return formatLocal(at, timezone, 'yyyyMMdd');
}

/** The IVs decoding tries, in order: today, yesterday, tomorrow (site-local). */
export function ktIvCandidates(at: number, timezone: string): readonly string[] {
  // one answer per local day, kept for the day: every request of the day asks
  const day = Math.floor((at + tzOffset(at, timezone)) / 86_400_000);
  if (day === lastDay && timezone === lastZone) return lastIvs;
  // calendar arithmetic on the local date, so a DST day's 23 or 25 hours never skip or repeat a date
  const p = localParts(at, timezone);
  const ymd = (delta: number) => {
    const d = new Date(Date.UTC(p.year, p.month - 1, p.day + delta));
    return `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
  };
  lastDay = day;
  lastZone = timezone;
  lastIvs = Object.freeze([ymd(0), ymd(-1), ymd(1)]);
  return lastIvs;
}
let lastDay = NaN;
let lastZone = '';
let lastIvs: readonly string[] = [];

export type KtCharset = 'gb2312' | 'utf-8';

/** Encrypt text with the KT cipher. GB2312 unless told otherwise (the spec: Encoding.GB2312.GetBytes). */
export function ktEncryptText(text: string, key: string, iv: string, charset: KtCharset = 'gb2312'): string {
  const c = createCipheriv(KT_CIPHER, keyBytes(key), ivBytes(iv));
  const plain = charset === 'utf-8' ? Buffer.from(text, 'utf8') : iconv.encode(text, 'gb2312');
  return Buffer.concat([c.update(plain), c.final()]).toString('base64');
}

/** Serialize and encrypt a KT `data` object for the IV of `at`. */
export function ktEncode(
  data: unknown,
  key: string,
  at: number,
  timezone: string,
  charset: KtCharset = 'gb2312',
): string {
  return ktEncryptText(JSON.stringify(data), key, ktIv(at, timezone), charset);
}

const PLAIN_BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Undo what transports do to base64: line breaks, '+' decoded as a space, URL-safe alphabet, lost padding. */
export function cleanBase64(raw: string): string {
  // what nearly every client sends: plain padded base64, nothing to undo
  if (raw.length % 4 === 0 && PLAIN_BASE64.test(raw)) return raw;
  let s = raw;
  if (/%[0-9A-Fa-f]{2}/.test(s)) {
    try {
      s = decodeURIComponent(s);
    } catch {
      // not URL-encoded after all
    }
  }
  s = s
    .replace(/[\r\n\t]/g, '')
    .trim()
    .replace(/ /g, '+')
    .replace(/-/g, '+')
    .replace(/_/g, '/');
  s = s.replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/]*$/.test(s)) throw new KtCodecError('bad-base64', 'data 不是有效的 base64');
  const pad = s.length % 4;
  if (pad === 1) throw new KtCodecError('bad-base64', 'data 不是有效的 base64 (长度错误)');
  return pad ? s + '='.repeat(4 - pad) : s;
}

// Creating an OpenSSL cipher context costs more than decrypting a whole request, and every request (and
// every IV tried around midnight) would create one. So one 3DES-ECB context per key is kept, with padding
// off: ECB has no state between blocks, so update() can be called for ever. CBC is ECB plus one XOR with
// the previous cipher block (the IV for the first), and the PKCS7 padding is checked here. The seed's test
// vectors and the createDecipheriv round trips in test/kt/codec.test.ts hold this to the standard cipher.
const ecbByKey = new Map<string, Decipher>();
function ecbDecipher(key: string): Decipher {
  let d = ecbByKey.get(key);
  if (!d) {
    d = createDecipheriv('des-ede3-ecb', keyBytes(key), null);
    d.setAutoPadding(false);
    if (ecbByKey.size > 16) ecbByKey.clear();
    ecbByKey.set(key, d);
  }
  return d;
}

/** Decrypt raw bytes with one IV; undefined when the padding is wrong (wrong key, or not our cipher text). */
export function ktDecryptBytes(cipher: Buffer, key: string, iv: string): Buffer | undefined {
  if (cipher.length === 0 || cipher.length % 8 !== 0) return undefined;
  const ivb = ivBytes(iv);
  const out = ecbDecipher(key).update(cipher);
  if (out.length !== cipher.length) return undefined;
  for (let i = 0; i < out.length; i++) out[i] ^= i < 8 ? ivb[i] : cipher[i - 8];
  const pad = out[out.length - 1];
  if (pad < 1 || pad > 8) return undefined;
  for (let i = out.length - pad; i < out.length; i++) if (out[i] !== pad) return undefined;
  return out.subarray(0, out.length - pad);
}

// Node's own GB18030 decoder (ICU, no intermediate buffers) where the build has it; iconv-lite otherwise. They
// differ only on ten vertical punctuation forms (ICU follows GB18030-2022, iconv-lite maps them to the private
// use area), which no KT field carries.
const gbDecoder = (() => {
  try {
    return new TextDecoder('gb18030');
  } catch {
    return undefined;
  }
})();
const gbDecode = (bytes: Buffer): string =>
  gbDecoder ? gbDecoder.decode(bytes) : iconv.decode(bytes, 'gb18030');

/**
 * Bytes → text. GB2312 is the standard; the 2017 Node client sends UTF-8. UTF-8 wins only when the bytes are
 * strictly valid UTF-8 and carry at least one 3-byte character (all CJK is): GB2312 text almost never satisfies
 * both, while a GB decoder silently turns UTF-8 into plausible-looking wrong characters.
 */
export function decodeKtText(bytes: Buffer): { text: string; charset: KtCharset } {
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return { text: bytes.toString('latin1'), charset: 'gb2312' };
  // isUtf8 first: a throwing strict decoder costs more than the whole decryption
  if (isUtf8(bytes)) {
    const u = bytes.toString('utf8');
    if (/[\u0800-\uffff]/.test(u)) return { text: u, charset: 'utf-8' };
  }
  // GB18030 decodes every GB2312 and GBK byte sequence the same way and never fails on the rare extension chars
  return { text: gbDecode(bytes), charset: 'gb2312' };
}

/** JSON.parse that forgives trailing commas (the spec's own examples have them). */
export function parseLenientJson(text: string): unknown {
  // the common case first: JSON.parse skips JSON's own white space; a byte-order mark must go
  const bare = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(bare);
  } catch {
    // other white space (no-break and ideographic spaces) around it, commas directly before } or ],
    // outside strings
    const t = bare.trim();
    let out = '';
    let inStr = false;
    for (let i = 0; i < t.length; i++) {
      const ch = t[i];
      if (inStr) {
        out += ch;
        if (ch === '\\') out += t[++i] ?? '';
        else if (ch === '"') inStr = false;
        continue;
      }
      if (ch === '"') inStr = true;
      if (ch === ',') {
        let j = i + 1;
        while (j < t.length && /\s/.test(t[j])) j++;
        if (t[j] === '}' || t[j] === ']') continue;
      }
      out += ch;
    }
    return JSON.parse(out);
  }
}

export interface KtDecoded {
  data: unknown;
  iv: string;
  charset: KtCharset;
  /** true when the IV was not today's */
  ivSkew: boolean;
}

export interface KtDecodeOptions {
  /**
   * Accept a parse only if this says yes. With a wrong-by-one-day IV only the first 8 bytes of CBC plaintext
   * change (by one bit), which can still be valid JSON with a mangled key; the caller's schema tells which IV
   * was meant. When no candidate is accepted, the one whose keys are all KT field names (else today's) is
   * returned so the caller can report its own validation error.
   */
  accept?: (data: unknown) => boolean;
}

// Requests are a few hundred bytes: decode their base64 into one reused buffer rather than a fresh slice of
// Node's pool each time. Safe because nothing keeps it: decryption writes its own output buffer, and
// ktDecode never yields before it is done with the cipher text.
const scratch = Buffer.allocUnsafe(4096);
function base64Bytes(b64: string): Buffer {
  if (b64.length > (scratch.length / 3) * 4) return Buffer.from(b64, 'base64');
  return scratch.subarray(0, scratch.write(b64, 'base64'));
}

/** Decrypt and parse a KT `data` parameter received at `at`. Throws KtCodecError with a message for the reply. */
export function ktDecode(
  raw: string,
  key: string,
  at: number,
  timezone: string,
  opts: KtDecodeOptions = {},
): KtDecoded {
  if (typeof raw !== 'string' || raw.trim() === '') throw new KtCodecError('no-data', '缺少 data 参数');
  const cipher = base64Bytes(cleanBase64(raw));
  if (cipher.length === 0 || cipher.length % 8 !== 0)
    throw new KtCodecError('bad-base64', 'data 长度不是 3DES 分组的整数倍');
  const ivs = ktIvCandidates(at, timezone);
  const parsed: KtDecoded[] = [];
  let sawPlain = false;
  for (const iv of ivs) {
    const bytes = ktDecryptBytes(cipher, key, iv);
    if (!bytes) continue;
    sawPlain = true;
    const { text, charset } = decodeKtText(bytes);
    let data: unknown;
    try {
      data = parseLenientJson(text);
    } catch {
      continue;
    }
    if (data === null || typeof data !== 'object') continue;
    const d: KtDecoded = { data, iv, charset, ivSkew: iv !== ivs[0] };
    if (opts.accept?.(data)) return d;
    parsed.push(d);
  }
  if (parsed.length) {
    // without a caller's verdict, the IV whose keys are all KT field names wins; today's on a tie
    return parsed.find((d) => allKnownKeys(d.data)) ?? parsed[0];
  }
  if (!sawPlain) throw new KtCodecError('bad-cipher', 'data 解密失败: 密钥或日期偏移量(IV)不正确');
  throw new KtCodecError('bad-json', 'data 解密后不是有效的 JSON: 密钥或日期偏移量(IV)不正确');
}

/** Every field name of the seed's requests and replies (lower case), to tell a right IV from a wrong one. */
const KT_FIELDS = new Set(
  `parkCode plateNo cardNo entryTime entryPlace imgName vplType vplColor leaveTime totalMoney leavePlace preMoney payMoney
  payType ticketMoney ticketTime freeMoney carType blackId remark freeSpaceNum totalSpaceNum areaInfo areaCode areaName
  areaFreeSpaceNum selfTotal selfPay ticketNum terminalType payTime paidType cardId userName telPhone validFrom validTo
  plateDetails orderNo deviceCode plateNum inTime elapsedTime amount outTime deviceId carNo authCode startTime endTime
  pageIndex pageCount deviceType controlType showInfo discount payMethod freeTime freeDetail chargeType UserAccount
  cardName useName tel roomId spaceNum totalSPNum oldplateNo isCard modifyType bookType promptly bookId preMoney parkName
  parkArea placeCount totalPlaceCount areaType deviceName deviceIp status IsDensityPay deductMoney densityMoney qrcode
  ruleType ruleAmount ruleId payable delayTime totalFee payedFee`
    .split(/\s+/)
    .filter(Boolean)
    .map((k) => k.toLowerCase()),
);
function allKnownKeys(data: unknown): boolean {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return false;
  const keys = Object.keys(data);
  return keys.length > 0 && keys.every((k) => KT_FIELDS.has(k.toLowerCase()));
}

/**
 * Find the encrypted `data` in a request body as Express left it: a JSON object {"data": …} (also "Data"),
 * a form-decoded object, a raw string holding JSON, `data=…` form text or the bare base64.
 */
export function extractKtData(body: unknown): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (Buffer.isBuffer(body)) return extractKtData(body.toString('utf8'));
  if (typeof body === 'string') {
    const s = body.trim();
    if (!s) return undefined;
    if (s.startsWith('{')) {
      try {
        return extractKtData(JSON.parse(s));
      } catch {
        return undefined;
      }
    }
    if (s.startsWith('"')) {
      try {
        return extractKtData(JSON.parse(s));
      } catch {
        return undefined;
      }
    }
    const m = /(?:^|&)data=([^&]*)/i.exec(s);
    if (m) {
      // form encoding: '+' means space here, which cleanBase64 maps back to '+'
      try {
        return decodeURIComponent(m[1].replace(/\+/g, ' '));
      } catch {
        return m[1];
      }
    }
    return s;
  }
  if (typeof body === 'object') {
    const o = body as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (k.toLowerCase() === 'data') {
        const v = o[k];
        if (typeof v === 'string') return v;
        return undefined;
      }
    }
  }
  return undefined;
}

/** The KT reply envelope. */
export interface KtReply<T = unknown> {
  resCode: number;
  resMsg: string | null;
  data: T;
}
