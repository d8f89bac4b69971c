// Lifecycle: storage → devices → lanes → downlink and booth servers → uplink; stop in reverse.
// A failing device or cloud never stops the daemon: it is logged, shown in /healthz, and retried.
import express, { type Request, type Response, type NextFunction } from 'express';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { Store, integrityCheck } from '../storage/index.js';
import { Site } from '../site/site.js';
import { LaneManager } from '../lanes/lane-manager.js';
import { DeviceManager, SimulatorSet } from '../devices/manager.js';
import { OutboxDispatcher, type StreamSender } from '../uplink/dispatcher.js';
import { HttpServer } from '../http/server.js';
import { durableResponses } from '../http/durable.js';
import { createMetrics } from './metrics.js';
import { SdNotify } from './sd-notify.js';
import { FACES } from './faces.js';
import type { ComponentHealth, Extension, Face, FaceContext } from './face.js';

export interface DaemonOptions {
  config: Config;
  logger: Logger;
  now?: () => number;
  env?: NodeJS.ProcessEnv;
  /** database file; default <dataDir>/parkedge.db */
  dbFile?: string;
}

export class Daemon {
  readonly store: Store;
  readonly site: Site;
  readonly devices: DeviceManager;
  readonly simulators: SimulatorSet;
  readonly lanes: LaneManager;
  readonly dispatcher: OutboxDispatcher;
  readonly faces: Face[] = [];
  readonly downlink: HttpServer;
  private readonly extensions: Extension[] = [];
  private readonly notify: SdNotify;
  private readonly log: Logger;
  private readonly metrics;
  private stopping?: Promise<void>;
  private started = false;

  constructor(private readonly opts: DaemonOptions) {
    const { config, logger } = opts;
    this.log = logger.child({ component: 'daemon' });
    this.notify = new SdNotify(opts.env ?? process.env);
    const now = opts.now ?? Date.now;
    this.store = Store.open(opts.dbFile ?? join(config.site.dataDir, 'parkedge.db'));
    // one fsync per event-loop turn for all lanes and faces; replies wait for it (durableResponses, lanes)
    this.store.groupCommit = true;
    this.site = new Site({ store: this.store, config, logger, now });
    this.site.prepareTariffs();
    this.simulators = new SimulatorSet({
      config,
      logger,
      cameraServer: () => this.devices.cameraServerAddress(),
    });
    this.devices = new DeviceManager({ config, logger, imageDir: join(config.site.dataDir, 'images') });
    this.lanes = new LaneManager(this.site, this.devices, logger);
    this.metrics = createMetrics({
      outbox: () => this.dispatcher.stats(),
      devices: () => this.devices.healthTable(),
      spaces: () => this.site.spaces(),
    });
    const ctx: FaceContext = {
      config,
      site: this.site,
      logger,
      devices: this.devices,
      metrics: this.metrics.registry,
      now,
    };
    const senders: StreamSender[] = [];
    for (const entry of FACES) {
      if (!entry.enabled(config)) continue;
      const face = entry.factory(ctx);
      this.faces.push(face);
      if (face.sender) senders.push(face.sender);
      if (face.onExitDue) this.lanes.addExitHook(face.onExitDue);
    }
    this.dispatcher = new OutboxDispatcher({ store: this.store, logger, senders, now });
    this.site.setOutboxStreams(senders.map((s) => ({ stream: s.stream, kinds: s.kinds })));
    this.downlink = new HttpServer('downlink', this.buildDownlinkApp());
  }

  private buildDownlinkApp() {
    const app = express();
    app.disable('x-powered-by');
    app.set('etag', false);
    app.use(durableResponses(() => this.site.durable()));
    app.use((req: Request, res: Response, next: NextFunction) => {
      const end = this.metrics.httpDuration.startTimer({ server: 'downlink' });
      res.on('finish', () => {
        end();
        this.metrics.httpRequests.inc({
          server: 'downlink',
          status: `${Math.floor(res.statusCode / 100)}xx`,
        });
      });
      next();
    });
    app.get('/healthz', (_req, res) => {
      const h = this.health();
      res.status(h.status === 'down' ? 503 : 200).json(h);
    });
    app.get('/metrics', async (_req, res) => {
      res.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
    });
    for (const f of this.faces) if (f.router) app.use(f.router);
    app.use((_req, res) => res.status(404).json({ error: 'not found' }));
    app.use(
      (
        err: Error & { status?: number; type?: string },
        _req: Request,
        res: Response,
        _next: NextFunction,
      ) => {
        this.log.warn({ err: err.message }, 'downlink request failed');
        res
          .status(err.status && err.status < 500 ? err.status : 500)
          .json({ error: err.status && err.status < 500 ? err.message : 'internal error' });
      },
    );
    return app;
  }

  health(): { status: ComponentHealth['status']; components: Record<string, ComponentHealth> } {
    const components: Record<string, ComponentHealth> = {};
    try {
      this.store.db.prepare('SELECT 1').get();
      components.storage = { status: 'ok' };
    } catch (e) {
      components.storage = { status: 'down', detail: { error: (e as Error).message } };
    }
    const devs = this.devices.healthTable();
    const bad = devs.filter((d) => d.health.status !== 'online');
    components.devices = {
      status: bad.length ? 'degraded' : 'ok',
      detail: Object.fromEntries(devs.map((d) => [d.id, { type: d.type, ...d.health }])),
    };
    const out = this.dispatcher.stats();
    components.outbox = {
      status: out.some((s) => s.backlog > 0 && s.lastError) ? 'degraded' : 'ok',
      detail: Object.fromEntries(
        out.map((s) => [
          s.stream,
          { backlog: s.backlog, delivered: s.delivered, failed: s.failed, lastError: s.lastError },
        ]),
      ),
    };
    for (const ext of this.extensions) if (ext.health) components[ext.name] = ext.health();
    const all = Object.values(components).map((c) => c.status);
    const status =
      components.storage.status === 'down'
        ? 'down'
        : all.includes('down') || all.includes('degraded')
          ? 'degraded'
          : 'ok';
    return { status, components };
  }

  async start(): Promise<void> {
    const cfg = this.opts.config;
    this.log.info(
      { park: cfg.site.parkCode, lanes: cfg.lanes.length, devices: cfg.devices.length },
      'starting',
    );
    await this.simulators.start();
    this.devices.events.on(
      'health',
      (e: {
        id: string;
        type: string;
        ktDeviceType: number;
        health: { status: string; reason?: string; since: number };
      }) => {
        try {
          this.site.recordDeviceState({
            id: e.id,
            type: e.type,
            ktDeviceType: e.ktDeviceType,
            status: e.health.status,
            reason: e.health.reason,
            since: e.health.since,
          });
        } catch (err) {
          this.log.error({ err }, 'recording device state failed');
        }
      },
    );
    await this.devices.start();
    this.lanes.start();
    const dl = cfg.servers.downlink;
    const addr = await this.downlink.listen(dl.host, dl.port);
    this.log.info({ host: addr.address, port: addr.port }, 'downlink server listening');
    for (const f of this.faces) {
      for (const ext of f.extensions ?? []) {
        try {
          await ext.start();
          this.extensions.push(ext);
        } catch (e) {
          // a face that cannot start (port taken, remote down) is reported, not fatal
          this.log.error({ err: e, face: f.name, extension: ext.name }, 'extension failed to start');
          this.extensions.push({
            ...ext,
            health: () => ({ status: 'down', detail: { error: (e as Error).message } }),
          });
        }
      }
    }
    this.site.bus.on('event', () => this.dispatcher.wake());
    this.dispatcher.start();
    this.started = true;
    await this.notify.ready();
    this.notify.startWatchdog(() => this.health().status !== 'down', this.opts.env ?? process.env);
    this.log.info('ready');
  }

  downlinkAddress(): { host: string; port: number } {
    const a = this.downlink.address();
    if (!a) throw new Error('downlink server not listening');
    return { host: a.address, port: a.port };
  }

  extension<T extends Extension>(name: string): T | undefined {
    return this.extensions.find((e) => e.name === name) as T | undefined;
  }

  stop(): Promise<void> {
    if (!this.stopping) this.stopping = this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    this.log.info('stopping');
    await this.notify.stopping();
    const drain = this.opts.config.servers.drainMs;
    const step = async (name: string, fn: () => Promise<unknown> | unknown) => {
      try {
        await fn();
      } catch (e) {
        this.log.error({ err: e, step: name }, 'stop step failed');
      }
    };
    await step('outbox', () => this.dispatcher.stop());
    for (const ext of [...this.extensions].reverse()) await step(ext.name, () => ext.stop());
    await step('downlink', () => this.downlink.close(drain));
    await step('devices', () => this.devices.stop());
    await step('simulators', () => this.simulators.stop());
    await step('storage', () => {
      if (this.started) this.store.db.pragma('wal_checkpoint(TRUNCATE)');
      const ok = integrityCheck(this.store.db);
      if (ok !== 'ok') this.log.error({ integrity: ok }, 'integrity check failed at stop');
      this.store.close();
    });
    this.notify.close();
    this.log.info('stopped');
  }
}

/** Start and run until SIGTERM/SIGINT. Resolves with the exit code. */
export async function runDaemon(opts: DaemonOptions): Promise<number> {
  const daemon = new Daemon(opts);
  let signalled = false;
  const done = new Promise<number>((resolve) => {
    const onSignal = (sig: string) => {
      if (signalled) return;
      signalled = true;
      opts.logger.info({ signal: sig }, 'signal received');
      const force = setTimeout(() => resolve(1), 10_000);
      force.unref();
      void daemon.stop().then(() => {
        clearTimeout(force);
        resolve(0);
      });
    };
    process.once('SIGTERM', () => onSignal('SIGTERM'));
    process.once('SIGINT', () => onSignal('SIGINT'));
  });
  try {
    await daemon.start();
  } catch (e) {
    opts.logger.fatal({ err: e }, 'start failed');
    await daemon.stop();
    return 1;
  }
  return done;
}
