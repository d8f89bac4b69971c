// A small HTTP client with RFC 7616 digest auth (MD5, qop=auth) — what Hikvision ISAPI and most
// ONVIF cameras ask for. fetch() cannot do digest, and pulling a dependency for ~60 lines is not worth it.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface RequestOptions {
  url: string;
  method?: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
  username?: string;
  password?: string;
  timeoutMs?: number;
  maxBytes?: number;
}

function rawRequest(o: RequestOptions, auth?: string): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const u = new URL(o.url);
    const headers: Record<string, string | number> = { ...o.headers };
    if (o.body !== undefined) headers['content-length'] = Buffer.byteLength(o.body);
    if (auth) headers.authorization = auth;
    const req = http.request(
      {
        hostname: u.hostname,
        port: u.port || 80,
        path: u.pathname + u.search,
        method: o.method ?? 'GET',
        headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let n = 0;
        res.on('data', (c: Buffer) => {
          n += c.length;
          if (n > (o.maxBytes ?? 16 * 1024 * 1024)) {
            req.destroy(new Error(`${o.url}: response exceeds ${o.maxBytes ?? 16 * 1024 * 1024} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(o.timeoutMs ?? 5000, () =>
      req.destroy(new Error(`${o.method ?? 'GET'} ${o.url}: timed out`)),
    );
    req.on('error', reject);
    if (o.body !== undefined) req.write(o.body);
    req.end();
  });
}

export function parseChallenge(h: string): Record<string, string> {
  const out: Record<string, string> = {};
  const s = h.replace(/^\s*Digest\s+/i, '');
  const re = /(\w+)=(?:"([^"]*)"|([^,\s]*))/g;
  for (let m = re.exec(s); m; m = re.exec(s)) out[m[1].toLowerCase()] = m[2] ?? m[3];
  return out;
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

export function digestHeader(
  challenge: Record<string, string>,
  o: { method: string; uri: string; username: string; password: string; nc?: number; cnonce?: string },
): string {
  const nc = (o.nc ?? 1).toString(16).padStart(8, '0');
  const cnonce = o.cnonce ?? randomBytes(8).toString('hex');
  const ha1 = md5(`${o.username}:${challenge.realm}:${o.password}`);
  const ha2 = md5(`${o.method}:${o.uri}`);
  const qop = challenge.qop
    ?.split(',')
    .map((s) => s.trim())
    .includes('auth')
    ? 'auth'
    : undefined;
  const response = qop
    ? md5(`${ha1}:${challenge.nonce}:${nc}:${cnonce}:${qop}:${ha2}`)
    : md5(`${ha1}:${challenge.nonce}:${ha2}`);
  const parts = [
    `username="${o.username}"`,
    `realm="${challenge.realm}"`,
    `nonce="${challenge.nonce}"`,
    `uri="${o.uri}"`,
    `response="${response}"`,
    'algorithm=MD5',
  ];
  if (qop) parts.push(`qop=${qop}`, `nc=${nc}`, `cnonce="${cnonce}"`);
  if (challenge.opaque) parts.push(`opaque="${challenge.opaque}"`);
  return `Digest ${parts.join(', ')}`;
}

/** One request; on a digest 401 challenge, retries once with credentials. */
export async function httpRequest(o: RequestOptions): Promise<HttpResult> {
  const first = await rawRequest(o);
  if (first.status !== 401 || o.username === undefined) return first;
  const www = first.headers['www-authenticate'];
  const h = Array.isArray(www) ? www.find((x) => /^digest/i.test(x)) : www;
  if (!h) return first;
  if (/^basic/i.test(h)) {
    return rawRequest(o, 'Basic ' + Buffer.from(`${o.username}:${o.password ?? ''}`).toString('base64'));
  }
  const u = new URL(o.url);
  return rawRequest(
    o,
    digestHeader(parseChallenge(h), {
      method: o.method ?? 'GET',
      uri: u.pathname + u.search,
      username: o.username,
      password: o.password ?? '',
    }),
  );
}

/** Server side, for simulators: verifies a digest Authorization header against one user. */
export function verifyDigest(
  authorization: string | undefined,
  o: { method: string; realm: string; username: string; password: string; nonces: Set<string> },
): boolean {
  if (!authorization || !/^digest/i.test(authorization)) return false;
  const a = parseChallenge(authorization);
  if (a.username !== o.username || a.realm !== o.realm || !o.nonces.has(a.nonce)) return false;
  const ha1 = md5(`${o.username}:${o.realm}:${o.password}`);
  const ha2 = md5(`${o.method}:${a.uri}`);
  const want = a.qop
    ? md5(`${ha1}:${a.nonce}:${a.nc}:${a.cnonce}:${a.qop}:${ha2}`)
    : md5(`${ha1}:${a.nonce}:${ha2}`);
  return want === a.response;
}
