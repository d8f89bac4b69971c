// The KT face: the downlink router (seed §3), the outbox sender and the state reporters (seed §2).
// The synchronous pay-terminal and exit calls live in src/uplink/kt/payments.ts and are re-exported here.
import type { Face, FaceFactory } from '../../daemon/face.js';
import { KtClient } from '../../uplink/kt/client.js';
import { KtReporter } from '../../uplink/kt/periodic.js';
import { reportContext } from '../../uplink/kt/reports.js';
import { KtSender } from '../../uplink/kt/sender.js';
import { createKtRouter } from './router.js';

export {
  ktAutoPayAtExit,
  ktGetPayQRCode,
  ktPayScanCode,
  ktCloudPrice,
  type AutoPayResult,
} from '../../uplink/kt/payments.js';
export { KT_KINDS, KT_STREAM, KtSender } from '../../uplink/kt/sender.js';
export { createKtRouter, ktRoutes } from './router.js';

export const createKtFace: FaceFactory = (ctx): Face => {
  const kt = ctx.config.clouds.kt;
  if (!kt?.enabled) return { name: 'kt' };
  const router = createKtRouter({
    config: ctx.config,
    kt,
    site: ctx.site,
    logger: ctx.logger,
    metrics: ctx.metrics,
    now: ctx.now,
  });
  if (!kt.uplink) return { name: 'kt', router };
  const client = new KtClient({
    ...kt.uplink,
    key: kt.key,
    timezone: ctx.config.site.timezone,
    now: ctx.now,
  });
  const report = reportContext(ctx.config, kt);
  const sender = new KtSender({
    client,
    report,
    site: ctx.site,
    logger: ctx.logger,
    concurrency: kt.concurrency,
  });
  const reporter = new KtReporter({ ctx, kt, client, report });
  return { name: 'kt', router, sender, extensions: [reporter] };
};
