// Booth test harness: a real Site on a temp SQLite file, the real booth server on 127.0.0.1:0, a tiny
// image server standing in for the camera server, and one account per role.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deflateSync } from 'node:zlib';
import { tempSite, silentLogger, type TestSite } from '../helpers/site.js';
import { BoothServer } from '../../src/booth/server.js';
import { addUser } from '../../src/booth/accounts.js';
import type { DeviceView, LaneEvent } from '../../src/booth/live.js';
import type { Config } from '../../src/config/schema.js';

export const PASSWORDS = {
  admin: 'admin-secret',
  sup: 'super-secret',
  op: 'operator-1',
  op2: 'operator-2',
} as const;

// ---------------------------------------------------------------- synthetic camera frames (PNG)

const CRC = new Int32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});
function crc32(buf: Buffer): number {
  let c = -1;
  for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
/** A dim lane scene with a car body and a plate, tinted by `seed`, so screenshots show something photo-like. */
export function syntheticFrame(
  seed: number,
  plateColour: 'blue' | 'yellow' | 'green' = 'blue',
  w = 320,
  h = 180,
): Buffer {
  const rows: Buffer[] = [];
  const car = [
    [40, 70, 40],
    [150, 30, 30],
    [200, 200, 205],
    [30, 60, 140],
    [90, 90, 95],
  ][seed % 5];
  const plate =
    plateColour === 'yellow' ? [240, 200, 20] : plateColour === 'green' ? [90, 200, 120] : [25, 70, 200];
  for (let y = 0; y < h; y++) {
    const row = Buffer.alloc(1 + w * 3);
    for (let x = 0; x < w; x++) {
      let px = [40 + (y * 50) / h, 45 + (y * 50) / h, 55 + (y * 40) / h]; // dusk road
      if (y > h * 0.55 && (x / 24 + y / 40) % 2 < 0.08) px = [200, 200, 170]; // lane marking
      const cx = w / 2;
      const body = Math.abs(x - cx) < w * 0.32 && y > h * 0.28 && y < h * 0.88;
      const roof = Math.abs(x - cx) < w * 0.22 && y > h * 0.12 && y <= h * 0.3;
      const glass = Math.abs(x - cx) < w * 0.19 && y > h * 0.16 && y <= h * 0.3;
      if (body || roof) px = car.map((v, i) => v + (i === seed % 3 ? 10 : 0) - (y - h * 0.3) * 0.2);
      if (glass) px = [70, 90, 110];
      if (body && Math.abs(x - cx) > w * 0.24 && y > h * 0.4 && y < h * 0.5) px = [250, 240, 200]; // lamps
      if (Math.abs(x - cx) < w * 0.09 && y > h * 0.62 && y < h * 0.72) px = plate;
      if (Math.abs(x - cx) < w * 0.08 && y > h * 0.645 && y < h * 0.695 && x % 6 < 3)
        px = plateColour === 'blue' ? [235, 235, 235] : [20, 20, 20];
      for (let i = 0; i < 3; i++) row[1 + x * 3 + i] = Math.max(0, Math.min(255, Math.round(px[i])));
    }
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Serves /images/<name>.png as a synthetic frame; stands in for the camera server's image store. */
export async function startImageServer(): Promise<{
  origin: string;
  requests: string[];
  close(): Promise<void>;
}> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const m = /^\/images\/([a-z]+)-(\d+)(?:-(blue|yellow|green))?\.png$/.exec(req.url ?? '');
    if (!m) {
      res.writeHead(404).end();
      return;
    }
    res
      .writeHead(200, { 'Content-Type': 'image/png' })
      .end(syntheticFrame(Number(m[2]), (m[3] as 'blue') ?? 'blue'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

// ---------------------------------------------------------------- the booth

export const BOOTH_YAML_PATCH = (c: Config) => {
  c.servers.booth = { host: '127.0.0.1', port: 0 };
  c.lanes = [
    { id: 'in-1', name: '东门入口', direction: 'entry', area: 'main', dedupeSeconds: 10 },
    { id: 'out-1', name: '东门出口', direction: 'exit', area: 'main', dedupeSeconds: 10 },
  ];
};

export interface Booth {
  ts: TestSite;
  server: BoothServer;
  base: string;
  images: Awaited<ReturnType<typeof startImageServer>>;
  login(username: keyof typeof PASSWORDS | string, password?: string): Promise<string>;
  call(
    method: string,
    path: string,
    opts?: { cookie?: string; body?: unknown; raw?: string; contentType?: string },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

export async function startBooth(
  opts: { sessionTtlMs?: number; patch?: (c: Config) => void; devices?: DeviceView } = {},
): Promise<Booth> {
  const ts = tempSite({
    patch: (c) => {
      BOOTH_YAML_PATCH(c);
      opts.patch?.(c);
    },
  });
  const images = await startImageServer();
  const server = new BoothServer({
    site: ts.site,
    config: ts.config,
    logger: silentLogger,
    sessionTtlMs: opts.sessionTtlMs,
    devices: opts.devices,
    imageOrigin: images.origin,
    pingMs: 200,
  });
  await server.start();
  await addUser(ts.site, {
    username: 'admin',
    password: PASSWORDS.admin,
    role: 'admin',
    displayName: '王管理',
  });
  await addUser(ts.site, {
    username: 'sup',
    password: PASSWORDS.sup,
    role: 'supervisor',
    displayName: '李主管',
  });
  await addUser(ts.site, { username: 'op', password: PASSWORDS.op, role: 'operator', displayName: '张收费' });
  await addUser(ts.site, {
    username: 'op2',
    password: PASSWORDS.op2,
    role: 'operator',
    displayName: '赵收费',
  });
  const base = `http://127.0.0.1:${server.address().port}`;

  const call: Booth['call'] = async (method, path, o = {}) => {
    const headers: Record<string, string> = {};
    if (o.cookie) headers.cookie = o.cookie;
    let body: string | undefined;
    if (o.raw !== undefined) {
      body = o.raw;
      headers['content-type'] = o.contentType ?? 'text/plain';
    } else if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] = 'application/json';
    }
    const r = await fetch(base + path, { method, headers, body, signal: AbortSignal.timeout(10_000) });
    const text = await r.text();
    let parsed: any = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON (images, pages) */
    }
    return { status: r.status, body: parsed, headers: r.headers };
  };
  const login: Booth['login'] = async (username, password) => {
    const r = await call('POST', '/api/login', {
      body: { username, password: password ?? PASSWORDS[username as keyof typeof PASSWORDS] },
    });
    if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.headers.get('set-cookie')!.split(';')[0];
  };
  return {
    ts,
    server,
    base,
    images,
    login,
    call,
    async close() {
      await server.stop();
      await images.close();
      ts.close();
    },
  };
}

// ---------------------------------------------------------------- cars

/**
 * How a test makes a car arrive. This one drives the site use-cases and plays the lane controller's part
 * (the 'lane' event and the LanePort's waiting list); a daemon-level test swaps in the camera simulator
 * by implementing the same interface.
 */
export interface CarDriver {
  enter(plate: string, at: number, opts?: { colour?: 'blue' | 'yellow' | 'green'; image?: string }): string;
  arriveAtExit(
    plate: string,
    at: number,
    opts?: { colour?: 'blue' | 'yellow' | 'green'; image?: string },
  ): { orderNo?: string; due?: number; code: string };
  /** gate commands that reached the lanes, in order */
  gateCommands(): Array<{ laneId: string; command: string }>;
}

export function siteCars(ts: TestSite, lanes = { entry: 'in-1', exit: 'out-1' }): CarDriver {
  let n = 0;
  const emit = (e: LaneEvent) => ts.site.bus.emit('lane', e);
  // like the lane controller: once a gate command went through, publish the lane with the new position
  const command = ts.lanes.command.bind(ts.lanes);
  ts.lanes.command = async (laneId, cmd) => {
    await command(laneId, cmd);
    if (cmd === 'open' || cmd === 'keepOpen') ts.lanes.waitingByLane.delete(laneId);
    emit({
      laneId,
      gate: cmd === 'close' || cmd === 'release' ? 'closed' : 'opened',
      keepOpen: cmd === 'keepOpen',
    });
  };
  return {
    enter(plate, at, opts = {}) {
      ts.clock.now = at;
      const image = opts.image ?? `/images/in-${n++}-${opts.colour ?? 'blue'}.png`;
      const r = ts.site.enter({
        plate,
        colour: opts.colour ?? 'blue',
        laneId: lanes.entry,
        time: at,
        image,
        actor: { kind: 'lane', name: lanes.entry },
      });
      emit({
        laneId: lanes.entry,
        direction: 'entry',
        lastRead: { plate, colour: opts.colour ?? 'blue', confidence: 97, imageUrl: image, time: at },
        gate: r.decision.open ? 'opened' : 'closed',
        message: r.decision.message,
      });
      return r.order!.orderNo;
    },
    arriveAtExit(plate, at, opts = {}) {
      ts.clock.now = at;
      const image = opts.image ?? `/images/out-${n++}-${opts.colour ?? 'blue'}.png`;
      const r = ts.site.exit({
        plate,
        colour: opts.colour ?? 'blue',
        laneId: lanes.exit,
        time: at,
        image,
        actor: { kind: 'lane', name: lanes.exit },
      });
      let waiting: LaneEvent['waiting'];
      if (r.decision.code === 'wait-payment' && r.order) {
        ts.lanes.waitingByLane.set(lanes.exit, r.order.orderNo);
        waiting = { orderNo: r.order.orderNo, plate: r.order.plate, due: r.decision.due ?? 0 };
      } else if (r.decision.code === 'deny-no-entry') {
        ts.lanes.waitingByLane.delete(lanes.exit);
        waiting = { orderNo: '', plate, due: r.decision.due ?? 0 };
      }
      emit({
        laneId: lanes.exit,
        direction: 'exit',
        lastRead: { plate, colour: opts.colour ?? 'blue', confidence: 95, imageUrl: image, time: at },
        waiting,
        gate: r.decision.open ? 'opened' : 'closed',
        message: r.decision.message,
      });
      return { orderNo: r.order?.orderNo, due: r.decision.due, code: r.decision.code };
    },
    gateCommands() {
      return ts.lanes.commands;
    },
  };
}

/** How Chromium runs on these machines (as root, no network beyond loopback): see the Booth issue. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
