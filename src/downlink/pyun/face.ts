// P云 face: the gateway router, the 'pyun' outbox sender and an extension carrying the exit auto-deduct.
import type { Extension, Face, FaceContext, FaceFactory } from '../../daemon/face.js';
import type { DomainEvent } from '../../site/events.js';
import { createPyunServices } from './services.js';
import { createPyunRouter } from './router.js';
import { PyunUplink, type PrepayOutcome } from '../../uplink/pyun/client.js';
import { createPyunSender } from '../../uplink/pyun/sender.js';

export interface PyunExtension extends Extension {
  /** charge a waiting car through P云 (password-free auto-pay, or a scanned pay code) */
  prepay(input: { orderNo: string; gateId?: string; authCode?: string }): Promise<PrepayOutcome>;
  uplink: PyunUplink;
}

const GATE_STATUS = { open: 'OPEN', close: 'CLOSE', keepOpen: 'KEEP_OPEN', release: 'CLOSE' } as const;

export const createPyunFace: FaceFactory = (ctx: FaceContext): Face => {
  const cfg = ctx.config.clouds.pyun;
  if (!cfg) throw new Error('clouds.pyun is not configured');
  const log = ctx.logger.child({ component: 'pyun' });
  const gateState = new Map<string, string>();
  const services = createPyunServices({
    site: ctx.site,
    config: ctx.config,
    cfg,
    log,
    now: ctx.now,
    gateState,
  });
  const uplink = new PyunUplink({ cfg, site: ctx.site, log, now: ctx.now });
  const onEvent = (e: DomainEvent) => {
    if (e.type === 'gate.operated' && e.ok) gateState.set(e.laneId, GATE_STATUS[e.command]);
  };
  const ext: PyunExtension = {
    name: 'pyun',
    uplink,
    async start() {
      ctx.site.bus.on('event', onEvent);
    },
    async stop() {
      ctx.site.bus.off('event', onEvent);
      uplink.stop();
    },
    prepay: (input) => uplink.prepay(input),
  };
  return {
    name: 'pyun',
    router: createPyunRouter({ cfg, log, services }),
    sender: createPyunSender({ site: ctx.site, config: ctx.config, uplink, log }),
    extensions: [ext],
  };
};
