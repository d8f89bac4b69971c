// A small LAN OpenApi caller: builds the signed envelope and sends it the way the vendor documents (GET with a
// JSON body) or as POST. Tests and installers use it.
//   tsx scripts/lanapi-client.ts http://127.0.0.1:8888 GetOrderPrice '{"OrderNo":"…"}'
//   (PARK_KEY / APP_ID / APP_SECRET from the environment)
import { request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { lanSign, type LanEnvelope } from '../src/codecs/lanapi.js';

export interface LanCallOptions {
  parkKey: string;
  appId: string;
  appSecret: string;
  method?: 'GET' | 'POST';
  /** override envelope fields after signing (tests: stale TimeStamp, replayed Nonce, bad Sign) */
  timeStamp?: string;
  nonce?: string;
  sign?: string;
}

export function lanEnvelope(data: Record<string, unknown>, o: LanCallOptions): LanEnvelope {
  const e: LanEnvelope = {
    ParkKey: o.parkKey,
    AppId: o.appId,
    TimeStamp: o.timeStamp ?? String(Date.now()),
    Nonce: o.nonce ?? randomBytes(8).toString('hex'),
    Data: data,
  };
  e.Sign = o.sign ?? lanSign(e, o.appSecret);
  return e;
}

export function lanCall(
  base: string,
  api: string,
  data: Record<string, unknown>,
  o: LanCallOptions,
): Promise<Record<string, any>> {
  const body = JSON.stringify(lanEnvelope(data, o));
  const url = new URL(`/Api/V2/OpenApi/${api}`, base);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: o.method ?? 'GET',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          } catch (e) {
            reject(e);
          }
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [base = 'http://127.0.0.1:8888', api = 'GetOrderPrice', data = '{}'] = process.argv.slice(2);
  lanCall(base, api, JSON.parse(data), {
    parkKey: process.env.PARK_KEY ?? '',
    appId: process.env.APP_ID ?? '',
    appSecret: process.env.APP_SECRET ?? '',
    method: (process.env.METHOD as 'GET' | 'POST') ?? 'GET',
  }).then((r) => console.log(JSON.stringify(r, null, 2)));
}
