// The one schema of parkedge.yaml. config/parkedge.schema.json is generated from it (npm run schema).
import { z } from 'zod';
import { billingSchema, tariffSchema } from './tariff.schema.js';
import { deviceSchema, simulatorSchema } from './devices.schema.js';
import { cloudsSchema } from './clouds.schema.js';

const id = z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only');

const listen = (port: number) =>
  z
    .object({
      host: z.string().default('127.0.0.1').describe('bind address'),
      port: z.number().int().min(0).max(65535).default(port).describe('0 = any free port'),
    })
    .strict()
    .default({ host: '127.0.0.1', port });

export const siteSchema = z
  .object({
    parkCode: z.string().min(1).describe('the lot code every cloud knows it by'),
    name: z.string().min(1),
    timezone: z.string().default('Asia/Shanghai'),
    areas: z
      .array(
        z
          .object({
            id,
            name: z.string(),
            spaces: z.number().int().nonnegative(),
            parent: id.optional().describe('inner lot (场中场): id of the enclosing area'),
          })
          .strict(),
      )
      .min(1),
    dataDir: z.string().default('./var').describe('SQLite file and images; $STATE_DIRECTORY under systemd'),
  })
  .strict();

export const laneSchema = z
  .object({
    id,
    name: z.string().optional(),
    direction: z.enum(['entry', 'exit']),
    area: id,
    camera: id.optional(),
    gate: id.optional(),
    display: id.optional(),
    dedupeSeconds: z
      .number()
      .int()
      .nonnegative()
      .default(10)
      .describe('repeated reads of one plate dropped within'),
  })
  .strict();

export const policySchema = z
  .object({
    graceMinutes: z
      .number()
      .int()
      .nonnegative()
      .default(15)
      .describe('paid cars may leave within (KT delayTime)'),
    storedValueShort: z.enum(['deny', 'temporary', 'partial']).default('partial'),
    lotFull: z
      .object({ denyTemporary: z.boolean().default(true), denyCardHolders: z.boolean().default(false) })
      .strict()
      .default({ denyTemporary: true, denyCardHolders: false }),
    noEntryRecordFee: z
      .number()
      .int()
      .nonnegative()
      .default(1000)
      .describe('fen charged when no entry record is found'),
    allowUnplated: z.boolean().default(true),
  })
  .strict()
  .default({
    graceMinutes: 15,
    storedValueShort: 'partial',
    lotFull: { denyTemporary: true, denyCardHolders: false },
    noEntryRecordFee: 1000,
    allowUnplated: true,
  });

export const configSchema = z
  .object({
    $schema: z.string().optional(),
    site: siteSchema,
    lanes: z.array(laneSchema).default([]),
    devices: z.array(deviceSchema).default([]),
    simulators: z.array(simulatorSchema).default([]).describe('demo and tests only'),
    tariffs: z.record(id, tariffSchema),
    billing: billingSchema,
    policy: policySchema,
    clouds: cloudsSchema,
    servers: z
      .object({
        downlink: listen(8080),
        booth: listen(8081),
        lanapi: listen(8888),
        cameras: listen(8090),
        drainMs: z
          .number()
          .int()
          .positive()
          .default(3000)
          .describe('in-flight requests get this long on stop'),
      })
      .strict()
      .default({
        downlink: { host: '127.0.0.1', port: 8080 },
        booth: { host: '127.0.0.1', port: 8081 },
        lanapi: { host: '127.0.0.1', port: 8888 },
        cameras: { host: '127.0.0.1', port: 8090 },
        drainMs: 3000,
      }),
    logging: z
      .object({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info') })
      .strict()
      .default({ level: 'info' }),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type LaneConfig = z.infer<typeof laneSchema>;
export type PolicyConfig = z.infer<typeof policySchema>;
