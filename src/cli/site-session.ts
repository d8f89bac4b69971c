// Short-lived access to the lot's store for CLI commands (user add, …): open, run, close.
import { join } from 'node:path';
import pino from 'pino';
import type { Config } from '../config/schema.js';
import { Store } from '../storage/index.js';
import { Site } from '../site/site.js';

export async function withSite<T>(cfg: Config, fn: (site: Site) => Promise<T>): Promise<T> {
  const store = Store.open(join(cfg.site.dataDir, 'parkedge.db'));
  try {
    const site = new Site({ store, config: cfg, logger: pino({ level: 'warn' }) });
    return await fn(site);
  } finally {
    store.close();
  }
}
