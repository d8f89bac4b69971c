// Shared wiring for the cloud-face tests: a real site, the faces' routers on an express app on port 0, and
// the real outbox dispatcher draining the faces' senders to fake clouds on loopback.
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { BASE_YAML, silentLogger, tempSite, type TestSite } from '../helpers/site.js';
import type { Face, FaceFactory } from '../../src/daemon/face.js';
import { OutboxDispatcher } from '../../src/uplink/dispatcher.js';
import type { OutboxStream } from '../../src/site/events.js';

export interface Harness {
  t: TestSite;
  faces: Face[];
  base: string;
  dispatcher: OutboxDispatcher;
  close(): Promise<void>;
}

/** `clouds` is YAML text indented under `clouds:`; `streams` must list each face's outbox stream. */
export async function startHarness(o: {
  clouds: string;
  factories: FaceFactory[];
  streams: OutboxStream[];
  extraYaml?: string;
  startExtensions?: boolean;
  /** edit the base lot text (e.g. give lanes cameras) */
  patchBase?: (base: string) => string;
}): Promise<Harness> {
  const yaml = `${o.patchBase ? o.patchBase(BASE_YAML) : BASE_YAML}\nclouds:\n${o.clouds}\n${o.extraYaml ?? ''}`;
  const t = tempSite({ yaml, streams: o.streams });
  const ctx = {
    config: t.config,
    site: t.site,
    logger: silentLogger,
    metrics: new Registry(),
    now: () => t.clock.now,
  };
  const faces = o.factories.map((f) => f(ctx));
  const app = express();
  for (const f of faces) if (f.router) app.use(f.router);
  const server: Server = await new Promise((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  const dispatcher = new OutboxDispatcher({
    store: t.store,
    logger: silentLogger,
    senders: faces.flatMap((f) => (f.sender ? [f.sender] : [])),
    now: () => t.clock.now,
    baseBackoffMs: 30,
    maxBackoffMs: 200,
    idleMs: 30,
  });
  dispatcher.start();
  const wake = () => dispatcher.wake();
  t.site.bus.on('event', wake);
  if (o.startExtensions !== false) for (const f of faces) for (const e of f.extensions ?? []) await e.start();
  const port = (server.address() as AddressInfo).port;
  return {
    t,
    faces,
    base: `http://127.0.0.1:${port}`,
    dispatcher,
    async close() {
      t.site.bus.off('event', wake);
      for (const f of faces) for (const e of f.extensions ?? []) await e.stop();
      await dispatcher.stop();
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections?.();
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
