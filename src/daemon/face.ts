// What a face (a cloud protocol or the booth) gets from the daemon, and what it gives back.
// Faces call only the site use-cases; device I/O goes through the site's LanePort.
import type { Logger } from 'pino';
import type { Router } from 'express';
import type { Registry } from 'prom-client';
import type { Config } from '../config/schema.js';
import type { Site } from '../site/site.js';
import type { DeviceManager } from '../devices/manager.js';
import type { StreamSender } from '../uplink/dispatcher.js';
import type { ExitDueHook } from '../lanes/lane-manager.js';

export interface ComponentHealth {
  status: 'ok' | 'degraded' | 'down';
  detail?: Record<string, unknown>;
}

/** A started part of the daemon. start() must not throw for a remote being down: log, report in health, retry. */
export interface Extension {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  health?(): ComponentHealth;
}

export interface FaceContext {
  config: Config;
  site: Site;
  logger: Logger;
  /** the device manager; undefined in unit tests that run a face without devices */
  devices?: DeviceManager;
  metrics: Registry;
  now: () => number;
}

export interface Face {
  name: string;
  /** mounted at '/' on the downlink server (routes carry their own full paths, e.g. /api/ParkingPay/...) */
  router?: Router;
  /** the outbox stream this face drains */
  sender?: StreamSender;
  /** background work: cron reports, long polls, own HTTP servers */
  extensions?: Extension[];
  /** a car waits at an exit with money due: this cloud may settle it (auto-pay); true when paid */
  onExitDue?: ExitDueHook;
}

export type FaceFactory = (ctx: FaceContext) => Face;
