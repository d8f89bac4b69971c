// Every face the daemon can run. A cloud face is started only when its block in `clouds` is enabled.
import type { Config } from '../config/schema.js';
import type { FaceFactory } from './face.js';

export interface FaceEntry {
  name: string;
  enabled(cfg: Config): boolean;
  factory: FaceFactory;
}

export const FACES: FaceEntry[] = [];
