// Every face the daemon can run. A cloud face is started only when its block in `clouds` is enabled;
// the booth console always runs.
import type { Config } from '../config/schema.js';
import type { FaceFactory } from './face.js';
import { createKtFace } from '../downlink/kt/index.js';
import { createPyunFace } from '../downlink/pyun/face.js';
import { createBolinkFace } from '../downlink/bolink/face.js';
import { createLanApiFace } from '../downlink/lanapi/face.js';
import { createBoothFace } from '../booth/index.js';

export interface FaceEntry {
  name: string;
  enabled(cfg: Config): boolean;
  factory: FaceFactory;
}

export const FACES: FaceEntry[] = [
  { name: 'kt', enabled: (c) => c.clouds.kt?.enabled === true, factory: createKtFace },
  { name: 'pyun', enabled: (c) => c.clouds.pyun?.enabled === true, factory: createPyunFace },
  { name: 'bolink', enabled: (c) => c.clouds.bolink?.enabled === true, factory: createBolinkFace },
  { name: 'lanapi', enabled: (c) => c.clouds.lanapi?.enabled === true, factory: createLanApiFace },
  { name: 'booth', enabled: () => true, factory: createBoothFace },
];
