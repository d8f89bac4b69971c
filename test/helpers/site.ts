// Test harness: a real SQLite file in a temp dir and a real Site on a small lot config.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { Store } from '../../src/storage/index.js';
import { Site } from '../../src/site/site.js';
import type { OutboxStream } from '../../src/site/events.js';
import type { GateCommand, LanePort } from '../../src/site/api.js';
import type { DisplayLine } from '../../src/devices/interfaces.js';

export const BASE_YAML = `
site:
  parkCode: "P001"
  name: 测试停车场
  timezone: Asia/Shanghai
  areas:
    - { id: main, name: 外场, spaces: 100 }
lanes:
  - { id: in-1, direction: entry, area: main }
  - { id: out-1, direction: exit, area: main }
tariffs:
  temp-small:
    freeMinutes: 30
    freeCounted: true
    rounding: ceil
    boundary: split
    periods:
      - from: "07:00"
        to: "20:00"
        steps:
          - { minutes: 60, price: 400 }
          - { every: 30, price: 200 }
        cap: 1500
      - from: "20:00"
        to: "07:00"
        steps: [ { every: 120, price: 100 } ]
    cap: { amount: 3000, window: rolling24h }
  temp-large:
    periods:
      - { from: "00:00", to: "00:00", steps: [ { every: 60, price: 500 } ] }
billing:
  temp: { small: temp-small, large: temp-large }
`;

export const silentLogger = pino({ level: 'silent' });

/** A fake lane port recording what the site asked of the lanes. */
export class RecordingLanes implements LanePort {
  commands: Array<{ laneId: string; command: GateCommand }> = [];
  shown: Array<{ laneId: string; lines: DisplayLine[]; voice?: string }> = [];
  paidOrders: string[] = [];
  waitingByLane = new Map<string, string>();
  failNext?: string;
  async command(laneId: string, command: GateCommand) {
    if (this.failNext) {
      const m = this.failNext;
      this.failNext = undefined;
      throw new Error(m);
    }
    this.commands.push({ laneId, command });
  }
  async show(laneId: string, lines: DisplayLine[], voice?: string) {
    this.shown.push({ laneId, lines, voice });
  }
  async snapshot() {
    return Buffer.from([0xff, 0xd8, 0xff, 0xd9]);
  }
  paid(orderNo: string) {
    this.paidOrders.push(orderNo);
  }
  waiting(laneId: string) {
    return this.waitingByLane.get(laneId);
  }
}

export interface TestSite {
  dir: string;
  file: string;
  config: Config;
  store: Store;
  site: Site;
  lanes: RecordingLanes;
  clock: { now: number };
  close(): void;
}

/** `yaml` replaces BASE_YAML; `patch` edits the parsed config. Time starts at 2026-03-02 08:00 Asia/Shanghai. */
export function tempSite(
  opts: { yaml?: string; patch?: (c: Config) => void; streams?: OutboxStream[]; now?: number } = {},
): TestSite {
  const dir = mkdtempSync(join(tmpdir(), 'parkedge-test-'));
  const file = join(dir, 'park.db');
  const config = parseConfig(opts.yaml ?? BASE_YAML, 'test.yaml', {});
  opts.patch?.(config);
  const store = Store.open(file);
  const clock = { now: opts.now ?? Date.parse('2026-03-02T08:00:00+08:00') };
  const site = new Site({
    store,
    config,
    logger: silentLogger,
    now: () => clock.now,
    outboxStreams: opts.streams,
  });
  const lanes = new RecordingLanes();
  site.attachLanes(lanes);
  return {
    dir,
    file,
    config,
    store,
    site,
    lanes,
    clock,
    close() {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const T = (local: string) => Date.parse(local.replace(' ', 'T') + '+08:00');
