// One entry per physical device; `type` picks the driver in src/devices/registry.ts.
import { z } from 'zod';

const id = z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only');
const base = { id, name: z.string().optional() };

const polarity = z.enum(['NO', 'NC']).default('NO').describe('NO: input on = active; NC: input off = active');

export const modbusRelaySchema = z
  .object({
    ...base,
    type: z.literal('modbus-relay'),
    transport: z.enum(['tcp', 'rtu']).default('tcp'),
    host: z.string().optional().describe('tcp: relay board address'),
    port: z.number().int().min(1).max(65535).default(502),
    path: z.string().optional().describe('rtu: serial device, e.g. /dev/ttyUSB0'),
    baudRate: z.number().int().positive().default(9600),
    unitId: z.number().int().min(0).max(247).default(1),
    coils: z
      .object({
        open: z.number().int().nonnegative().default(0),
        close: z.number().int().nonnegative().default(1),
        stop: z.number().int().nonnegative().optional(),
      })
      .default({ open: 0, close: 1 }),
    pulseMs: z.number().int().min(50).max(5000).default(500),
    inputs: z
      .object({
        openLimit: z.number().int().nonnegative().optional(),
        closedLimit: z.number().int().nonnegative().optional(),
        loop: z.number().int().nonnegative().optional(),
        safety: z.number().int().nonnegative().optional(),
      })
      .default({}),
    polarity: z
      .object({ openLimit: polarity, closedLimit: polarity, loop: polarity, safety: polarity })
      .partial()
      .default({}),
    pollMs: z.number().int().min(20).default(200),
    timeoutMs: z.number().int().min(50).default(1000),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (d.transport === 'tcp' && !d.host)
      ctx.addIssue({ code: 'custom', path: ['host'], message: 'tcp transport needs host' });
    if (d.transport === 'rtu' && !d.path)
      ctx.addIssue({ code: 'custom', path: ['path'], message: 'rtu transport needs path' });
  });

export const cameraRelaySchema = z
  .object({
    ...base,
    type: z.literal('camera-relay'),
    camera: id.describe('id of the camera whose IO output drives the gate'),
    io: z.number().int().min(0).max(3).default(0),
    closeIo: z
      .number()
      .int()
      .min(0)
      .max(3)
      .optional()
      .describe('zhenshi: IO wired to the controller CLOSE input, if any'),
    pulseMs: z.number().int().min(50).max(5000).default(500),
  })
  .strict();

export const zhenshiSchema = z
  .object({
    ...base,
    type: z.literal('zhenshi'),
    serialno: z
      .string()
      .optional()
      .describe('camera serial number; pushes are matched by it, else by ipaddr'),
    ipaddr: z.string().optional(),
    heartbeatTimeoutSec: z.number().int().positive().default(30),
    replyTimeoutMs: z
      .number()
      .int()
      .min(50)
      .max(10000)
      .default(1500)
      .describe('the lane gets this long to decide before the push is answered without opening'),
    voice: z
      .enum(['auto', 'led', 'camera'])
      .default('auto')
      .describe('auto: LED voice frame when an fk-led rides on this camera, else the camera TTS'),
  })
  .strict();

export const hikvisionSchema = z
  .object({
    ...base,
    type: z.literal('hikvision'),
    url: z.string().url().describe('http://camera-address, for barrierGate control'),
    username: z.string().default('admin'),
    password: z.string().default(''),
    ipaddr: z.string().optional().describe('address the camera pushes from (ipAddress in anpr.xml)'),
    channel: z.number().int().positive().default(1),
    pollSec: z
      .number()
      .int()
      .positive()
      .default(30)
      .describe('deviceInfo poll for health (pushes carry no heartbeat)'),
    timeoutMs: z.number().int().min(100).default(5000),
  })
  .strict();

export const onvifSchema = z
  .object({
    ...base,
    type: z.literal('onvif'),
    host: z.string(),
    port: z.number().int().min(1).max(65535).default(80),
    username: z.string().optional(),
    password: z.string().optional(),
    pollSec: z.number().int().positive().default(30),
    timeoutMs: z.number().int().min(100).default(5000),
  })
  .strict();

export const fkLedSchema = z
  .object({
    ...base,
    type: z.literal('fk-led'),
    transport: z.enum(['serial', 'camera']).default('serial'),
    path: z.string().optional().describe('serial: the RS485 adapter, e.g. /dev/ttyUSB1'),
    baudRate: z.number().int().positive().default(9600),
    camera: id.optional().describe('camera: id of the camera whose RS485 passthrough carries the frames'),
    serialChannel: z.number().int().min(0).max(1).default(0),
    address: z.number().int().min(0).max(255).default(0),
    lines: z.number().int().min(1).max(8).default(2),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (d.transport === 'serial' && !d.path)
      ctx.addIssue({ code: 'custom', path: ['path'], message: 'serial transport needs path' });
    if (d.transport === 'camera' && !d.camera)
      ctx.addIssue({ code: 'custom', path: ['camera'], message: 'camera transport needs camera' });
  });

export const deviceSchema = z.discriminatedUnion('type', [
  modbusRelaySchema,
  cameraRelaySchema,
  zhenshiSchema,
  hikvisionSchema,
  onvifSchema,
  fkLedSchema,
]);
export type DeviceConfig = z.infer<typeof deviceSchema>;
export type DeviceType = DeviceConfig['type'];

/** Which lane slot each device type may fill. */
export const DEVICE_ROLE: Record<DeviceType, 'gate' | 'camera' | 'display' | 'info'> = {
  'modbus-relay': 'gate',
  'camera-relay': 'gate',
  zhenshi: 'camera',
  hikvision: 'camera',
  onvif: 'info',
  'fk-led': 'display',
};

/** Simulators the daemon starts itself (demo lot, tests); never on a real site. */
export const simulatorSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('gate'),
      id,
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535),
      unitId: z.number().int().default(1),
      travelMs: z.number().int().default(800),
    })
    .strict(),
  z
    .object({
      kind: z.literal('onvif'),
      id,
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535),
    })
    .strict(),
  z
    .object({
      kind: z.literal('camera'),
      id,
      camera: id,
      serialno: z.string(),
      plates: z.array(z.string()).default([]),
      intervalSec: z.number().positive().default(20),
      heartbeatSec: z.number().positive().default(5),
      url: z.string().url().optional().describe('push URL; default the daemon camera server /zhenshi'),
    })
    .strict(),
]);
export type SimulatorConfig = z.infer<typeof simulatorSchema>;
