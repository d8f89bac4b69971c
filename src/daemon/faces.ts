// Every face the daemon can run. A cloud face is started only when its block in `clouds` is enabled;
// the booth console always runs.
import type { Config } from '../config/schema.js';
import type { FaceFactory } from './face.js';
import { createKtFace, ktAutoPayAtExit, ktCloudPrice } from '../downlink/kt/index.js';
import { createPyunFace, type PyunExtension } from '../downlink/pyun/face.js';
import { createBolinkFace, type BolinkExtension } from '../downlink/bolink/face.js';
import { createLanApiFace } from '../downlink/lanapi/face.js';
import { createBoothFace } from '../booth/index.js';

export interface FaceEntry {
  name: string;
  enabled(cfg: Config): boolean;
  factory: FaceFactory;
}

// Exit auto-pay per cloud: KT asks its cloud with PostCarOutInfo (IsDensityPay stays); P云 charges a
// password-free account through internal/prepay (stays its `vip` service marked); Bolink deducts a wallet
// whose balance it pushed (the e-pay result arrives as a downlink outpark and pays through the site).
// With cloudPricing on, KT first prices the stay (AutonomousCalfee); its fee then stands for the exit.
const withKtAutoPay: FaceFactory = (ctx) => ({
  ...createKtFace(ctx),
  onExitDue: async (order, quote, laneId) => {
    let q = quote;
    const price = await ktCloudPrice(ctx, order, quote.at, laneId);
    if (price !== undefined)
      q = ctx.site.setCloudPrice({ orderNo: order.orderNo, fee: price, by: 'kt', time: quote.at });
    if (q.due === 0) return true;
    return (await ktAutoPayAtExit(ctx, q.order, q, { laneId })).paid;
  },
});
const withPyunAutoPay: FaceFactory = (ctx) => {
  const face = createPyunFace(ctx);
  const ext = face.extensions?.find((e) => e.name === 'pyun') as PyunExtension | undefined;
  return {
    ...face,
    onExitDue: async (order) =>
      order.autoPay && ext ? (await ext.prepay({ orderNo: order.orderNo })).status === 'paid' : false,
  };
};
const withBolinkWallet: FaceFactory = (ctx) => {
  const face = createBolinkFace(ctx);
  const ext = face.extensions?.find((e) => e.name === 'bolink') as BolinkExtension | undefined;
  return {
    ...face,
    onExitDue: async (order, quote) => {
      const balance = ext && order.plate ? ext.balanceOf(order.plate) : undefined;
      if (!ext || balance === undefined || balance < quote.due) return false;
      await ext.chargeAtExit({ orderNo: order.orderNo, payType: 'wallet' });
      return false; // paid when Bolink's outpark result (state 1) arrives
    },
  };
};

export const FACES: FaceEntry[] = [
  { name: 'kt', enabled: (c) => c.clouds.kt?.enabled === true, factory: withKtAutoPay },
  { name: 'pyun', enabled: (c) => c.clouds.pyun?.enabled === true, factory: withPyunAutoPay },
  { name: 'bolink', enabled: (c) => c.clouds.bolink?.enabled === true, factory: withBolinkWallet },
  { name: 'lanapi', enabled: (c) => c.clouds.lanapi?.enabled === true, factory: createLanApiFace },
  { name: 'booth', enabled: () => true, factory: createBoothFace },
];
