// KT test wiring: a real site (SQLite file), the KT face's router on an express app on 127.0.0.1:0, the real
// outbox dispatcher draining the KT sender to the fake KT cloud, and a site clock that runs (so retries
// become due) but can be set like the other tests' clocks.
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { BASE_YAML, silentLogger, tempSite, type TestSite } from '../helpers/site.js';
import { startFakeKtCloud, type FakeKtCloud } from '../../scripts/fake-kt-cloud.js';
import { createKtFace, KT_KINDS } from '../../src/downlink/kt/index.js';
import type { Face, FaceContext } from '../../src/daemon/face.js';
import { OutboxDispatcher } from '../../src/uplink/dispatcher.js';

export const KEY = 'F7A0B971B199FD2A1017CEC5';
export const DOWN = { user: 'ktapi', pwd: '0306A9' };
export const UP = { user: 'thirdparty', pwd: 'up-secret-1' };

/** The base lot plus two cameras on the lanes (GetPhoto, device codes by IP) and a second area. */
export function ktYaml(cloudUrl: string, extra = ''): string {
  const yaml = BASE_YAML.replace(
    `  areas:
    - { id: main, name: 外场, spaces: 100 }`,
    `  areas:
    - { id: main, name: 外场, spaces: 100 }
    - { id: b1, name: 地库, spaces: 50 }`,
  ).replace(
    `  - { id: in-1, direction: entry, area: main }
  - { id: out-1, direction: exit, area: main }`,
    `  - { id: in-1, name: 东门入口, direction: entry, area: main, camera: cam-in }
  - { id: out-1, name: 东门出口, direction: exit, area: main, camera: cam-out }
devices:
  - { id: cam-in, name: 入口相机, type: zhenshi, ipaddr: 192.168.9.21 }
  - { id: cam-out, name: 出口相机, type: zhenshi, ipaddr: 192.168.9.22 }`,
  );
  return `${yaml}
clouds:
  kt:
    enabled: true
    parkCode: "1"
    key: ${KEY}
    downlink: { user: ${DOWN.user}, pwd: ${DOWN.pwd} }
    uplink: { url: "${cloudUrl}", user: ${UP.user}, pwd: ${UP.pwd}, timeoutMs: 2000, autoPayTimeoutMs: 300 }
    publicUrl: http://parkedge.test:8080
    freeSpaceEverySec: 3600
    cardProducts:
      - { carType: 2, ruleName: 月租, rechargeAmount: 1, rechargeType: 1, basicMoney: 30000 }
${extra}`;
}

export interface KtHarness {
  t: TestSite;
  cloud: FakeKtCloud;
  face: Face;
  ctx: FaceContext;
  base: string;
  dispatcher: OutboxDispatcher;
  call(
    endpoint: string,
    data: unknown,
    creds?: { user: string; pwd: string },
  ): ReturnType<FakeKtCloud['callDownlink']>;
  close(): Promise<void>;
}

export async function startKt(
  o: { extraYaml?: string; startExtensions?: boolean; dispatcher?: boolean; backoffMs?: number } = {},
): Promise<KtHarness> {
  let base = Date.parse('2026-03-02T08:00:00+08:00');
  let anchor = Date.now();
  let cloudUrl = '';
  const cloudNow = () => clock.now;
  const cloud = await startFakeKtCloud({
    key: KEY,
    user: UP.user,
    pwd: UP.pwd,
    timezone: 'Asia/Shanghai',
    now: cloudNow,
  });
  cloudUrl = cloud.url;
  const t = tempSite({ yaml: ktYaml(cloudUrl, o.extraYaml), streams: [{ stream: 'kt', kinds: KT_KINDS }] });
  // the site reads t.clock.now; make it a running clock that tests can still set
  const clock = t.clock;
  Object.defineProperty(clock, 'now', {
    get: () => base + (Date.now() - anchor),
    set: (v: number) => {
      base = v;
      anchor = Date.now();
    },
  });
  const ctx: FaceContext = {
    config: t.config,
    site: t.site,
    logger: silentLogger,
    metrics: new Registry(),
    now: () => clock.now,
  };
  const face = createKtFace(ctx);
  const app = express();
  if (face.router) app.use(face.router);
  app.use((_req, res) => res.status(404).send('not found'));
  const server: Server = await new Promise((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  const dispatcher = new OutboxDispatcher({
    store: t.store,
    logger: silentLogger,
    senders: face.sender ? [face.sender] : [],
    now: () => clock.now,
    baseBackoffMs: o.backoffMs ?? 30,
    maxBackoffMs: (o.backoffMs ?? 30) * 4,
    idleMs: 30,
  });
  if (o.dispatcher !== false) dispatcher.start();
  const wake = () => dispatcher.wake();
  t.site.bus.on('event', wake);
  if (o.startExtensions) for (const e of face.extensions ?? []) await e.start();
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    t,
    cloud,
    face,
    ctx,
    base: url,
    dispatcher,
    call: (endpoint, data, creds = DOWN) => cloud.callDownlink(url, endpoint, data, creds),
    async close() {
      t.site.bus.off('event', wake);
      if (o.startExtensions) for (const e of face.extensions ?? []) await e.stop();
      await dispatcher.stop();
      server.closeAllConnections?.();
      await new Promise<void>((r) => server.close(() => r()));
      await cloud.close();
      t.close();
    },
  };
}

export async function waitFor<T>(
  fn: () => T | undefined | false | null,
  ms = 5000,
  what = 'condition',
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 15));
  }
}
