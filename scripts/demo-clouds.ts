// The demo's clouds: fake KT, P云 and Bolink servers on loopback that record what the daemon reports and
// answer as the real ones do. Run beside the daemon on config/demo-clouds.yaml:
//   terminal 1:  npx tsx scripts/demo-clouds.ts
//   terminal 2:  node bin/parkedge.js start -c config/demo-clouds.yaml
// Every report that arrives is printed as one line.
import { startFakeKtCloud } from './fake-kt-cloud.js';
import { startFakePyunCloud } from './fake-pyun-cloud.js';
import { startFakeBolinkCloud } from './fake-bolink-cloud.js';

const kt = await startFakeKtCloud({
  port: 9700,
  key: '693207DB8148FBC9D8410179',
  user: 'ktup',
  pwd: 'demo-up-pwd',
});
const pyun = await startFakePyunCloud({
  port: 9301,
  appSecret: 'demo-app-secret',
  gatewayKey: 'demo-gateway-key',
});
const bolink = await startFakeBolinkCloud({ port: 9302, ukey: 'DEMOUKEY0000' });
console.log(`fake KT     ${kt.url}\nfake P云    ${pyun.url}\nfake Bolink ${bolink.url}`);

const seen = { kt: 0, pyun: 0, bolink: 0 };
setInterval(() => {
  for (const r of kt.received.slice(seen.kt))
    console.log(`KT     ${r.name} ${JSON.stringify(r.data).slice(0, 160)}`);
  seen.kt = kt.received.length;
  for (const m of pyun.messages.slice(seen.pyun))
    console.log(`P云    ${m.path} ${JSON.stringify(m.params).slice(0, 160)}`);
  seen.pyun = pyun.messages.length;
  for (const u of bolink.uploads.slice(seen.bolink))
    console.log(`Bolink ${u.service} ${JSON.stringify(u.data).slice(0, 160)}`);
  seen.bolink = bolink.uploads.length;
}, 1000);

const stop = async () => {
  await Promise.all([kt.close(), pyun.close(), bolink.close()]);
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
