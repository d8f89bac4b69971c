// LAN OpenApi face: an extension that runs the seed-003 API on its own port (servers.lanapi, default 8888).
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ComponentHealth, Extension, Face, FaceContext, FaceFactory } from '../../daemon/face.js';
import { createLanApiApp } from './server.js';

export interface LanApiExtension extends Extension {
  /** where the server listens (tests bind port 0) */
  address(): AddressInfo | undefined;
}

export const createLanApiFace: FaceFactory = (ctx: FaceContext): Face => {
  const cfg = ctx.config.clouds.lanapi;
  if (!cfg) throw new Error('clouds.lanapi is not configured');
  const log = ctx.logger.child({ component: 'lanapi' });
  const app = createLanApiApp({ site: ctx.site, config: ctx.config, cfg, log, now: ctx.now });
  let server: Server | undefined;
  let health: ComponentHealth = { status: 'down', detail: { reason: 'not started' } };
  const ext: LanApiExtension = {
    name: 'lanapi',
    async start() {
      const { host, port } = ctx.config.servers.lanapi;
      await new Promise<void>((resolve) => {
        const s = app.listen(port, host);
        s.once('listening', () => {
          server = s;
          health = { status: 'ok', detail: { port: (s.address() as AddressInfo).port } };
          log.info({ host, port: (s.address() as AddressInfo).port }, 'lanapi listening');
          resolve();
        });
        // a taken port must not stop the daemon: report it and carry on without this face
        s.once('error', (e) => {
          health = { status: 'down', detail: { error: (e as Error).message } };
          log.error({ err: (e as Error).message, host, port }, 'lanapi could not listen');
          resolve();
        });
      });
    },
    async stop() {
      const s = server;
      server = undefined;
      if (!s) return;
      await new Promise<void>((r) => {
        s.close(() => r());
        s.closeAllConnections();
      });
      health = { status: 'down', detail: { reason: 'stopped' } };
    },
    health: () => health,
    address: () => (server?.address() as AddressInfo | null) ?? undefined,
  };
  return { name: 'lanapi', extensions: [ext] };
};
