// One block per cloud protocol. Secrets may be written as ${ENV_NAME} and are filled from the environment.
import { z } from 'zod';

const url = z.string().url();

export const ktSchema = z
  .object({
    enabled: z.boolean().default(false),
    parkCode: z.string().optional().describe('KT parkCode; defaults to site.parkCode'),
    key: z
      .string()
      .length(24, '3DES key must be 24 ASCII characters')
      .describe('3DES key, 24 ASCII characters'),
    downlink: z
      .object({ user: z.string().min(1), pwd: z.string().min(1) })
      .strict()
      .describe('credentials KT must send in the user/pwd headers when it calls us'),
    uplink: z
      .object({
        url: url.describe('third-party base URL; report names are appended, e.g. <url>/PostCarInInfo'),
        user: z.string(),
        pwd: z.string(),
        timeoutMs: z.number().int().positive().default(5000),
        autoPayTimeoutMs: z
          .number()
          .int()
          .positive()
          .default(3000)
          .describe('PostCarOutInfo answer wait at the exit'),
      })
      .strict()
      .optional(),
    freeSpaceEverySec: z.number().int().positive().default(300),
    dailyCron: z
      .string()
      .default('0 3 * * *')
      .describe('node-cron expression for PostParkingInfo / PostAreaInfo'),
    cloudPricing: z.boolean().default(false).describe('AutonomousCalfee: let the cloud price exits'),
    publicUrl: url
      .optional()
      .describe(
        'base URL the cloud can reach us at (image links in imgName / GetPhoto); default: the request Host',
      ),
    uploadImages: z.boolean().default(true).describe('send image URLs in imgName (uplink); false sends ""'),
    placeAs: z
      .enum(['name', 'id'])
      .default('name')
      .describe('entryPlace / leavePlace: the lane name or the lane id'),
    billTtlSec: z
      .number()
      .int()
      .positive()
      .default(300)
      .describe('a GetParkingPaymentInfo bill may be paid (PayParkingFee) within this many seconds'),
    bodyLimit: z.string().default('256kb').describe('largest downlink request body'),
    concurrency: z
      .number()
      .int()
      .positive()
      .default(8)
      .describe('uplink reports in flight at once (different cars)'),
    cardProducts: z
      .array(
        z
          .object({
            carType: z.number().int().describe('KT appendix 1.1'),
            ruleName: z.string(),
            rechargeAmount: z.number().int().nonnegative(),
            rechargeType: z
              .number()
              .int()
              .min(0)
              .max(4)
              .describe('0 money (fen), 1 month, 2 day, 3 hour, 4 uses'),
            basicMoney: z.number().int().nonnegative().describe('price in fen'),
            sentAmount: z.number().int().nonnegative().default(0),
            sentType: z.number().int().min(0).max(4).default(0),
          })
          .strict(),
      )
      .default([])
      .describe('GetCardProduct answers: the recharge rules sold per card type'),
  })
  .strict();
export type KtConfig = z.infer<typeof ktSchema>;

export const pyunSchema = z
  .object({
    enabled: z.boolean().default(false),
    parkUuid: z.string(),
    appId: z.string().optional().describe('sent as app_id on uplink calls when set'),
    appSecret: z.string().describe('uplink sign secret (&app_secret=)'),
    gatewayKey: z.string().describe('downlink gateway sign secret (&key=)'),
    uplinkUrl: url
      .default('https://api.4pyun.com/gate/1.0/parking/internal')
      .describe('base URL; enter, leave, prepay and payment are appended'),
    path: z
      .string()
      .default('/gateway/1.0/dispatch')
      .describe('downlink gateway path on the downlink server'),
    timeoutMs: z.number().int().positive().default(5000),
    payPollMs: z
      .number()
      .int()
      .positive()
      .default(2000)
      .describe('internal/payment poll interval after a prepay'),
    payPollForMs: z
      .number()
      .int()
      .positive()
      .default(60000)
      .describe('give up polling a prepay after this long'),
    gates: z
      .record(z.string(), z.string())
      .default({})
      .describe('P云 gate_id → lane id, for gates whose P云 id differs from the lane id'),
  })
  .strict();

export const bolinkSchema = z
  .object({
    enabled: z.boolean().default(false),
    unionId: z.string(),
    parkId: z.string(),
    localId: z.string(),
    ukey: z.string(),
    url: url.default('http://p.bolink.club/bpd').describe('base URL; upload.do and download.do are appended'),
    timeoutMs: z.number().int().positive().default(5000),
    pollTimeoutMs: z.number().int().positive().default(35000),
    retryMs: z.number().int().positive().default(3000).describe('wait before re-polling after an error'),
    queryOrder: z
      .object({
        startAfterMs: z.number().int().nonnegative().default(10000),
        everyMs: z.number().int().positive().default(2000),
        stopAfterMs: z.number().int().positive().default(120000),
      })
      .strict()
      .default({ startAfterMs: 10000, everyMs: 2000, stopAfterMs: 120000 })
      .describe('query_order polling after a price is returned'),
    channels: z
      .record(z.string(), z.string())
      .default({})
      .describe('Bolink channel id → lane id, for channels whose Bolink id differs from the lane id'),
  })
  .strict();

export const lanapiSchema = z
  .object({
    enabled: z.boolean().default(false),
    parkKey: z.string(),
    appId: z.string(),
    appSecret: z.string(),
    timestampWindowSec: z.number().int().positive().default(300),
  })
  .strict();

export const cloudsSchema = z
  .object({
    kt: ktSchema.optional(),
    pyun: pyunSchema.optional(),
    bolink: bolinkSchema.optional(),
    lanapi: lanapiSchema.optional(),
  })
  .strict()
  .default({});
export type CloudsConfig = z.infer<typeof cloudsSchema>;
