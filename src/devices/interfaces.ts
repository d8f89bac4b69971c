// The contract between lanes/ and device drivers. Lanes see only these interfaces, never a driver class,
// so a lane test can use in-memory fakes and the daemon can swap brands by config.
import type { EventEmitter } from 'node:events';

/** Health as the booth and the clouds see it. KT PostDeviceState: 1 online, 0 offline, 2 fault (see kt codes below). */
export type HealthStatus = 'online' | 'offline' | 'fault';
export interface DeviceHealth {
  status: HealthStatus;
  reason?: string;
  /** epoch ms of the last transition */
  since: number;
}

/** KT appendix 1.5 device types. */
export const KT_DEVICE_TYPE = { pc: 1, camera: 2, led: 3, gate: 4 } as const;
export type KtDeviceType = (typeof KT_DEVICE_TYPE)[keyof typeof KT_DEVICE_TYPE];
/** KT PostDeviceState `status`: "0" normal, any other value a fault code (seed 002 §2 1.3); ours: 1 offline, 2 fault. */
export function ktDeviceStatus(h: HealthStatus): '0' | '1' | '2' {
  return h === 'online' ? '0' : h === 'offline' ? '1' : '2';
}

export interface DeviceBase {
  readonly id: string;
  readonly kind: 'gate' | 'display' | 'camera';
  readonly ktDeviceType: KtDeviceType;
  health(): DeviceHealth;
  /** emits 'health' (DeviceHealth) once per transition */
  readonly events: EventEmitter;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export type GateState = 'opened' | 'closed' | 'moving' | 'unknown';
export interface GateInputs {
  vehiclePresent: boolean | null;
  safety: boolean | null;
}
export interface Gate extends DeviceBase {
  readonly kind: 'gate';
  /** Resolves when the command reached the hardware (coil written / camera acknowledged); rejects otherwise. */
  open(): Promise<void>;
  close(): Promise<void>;
  keepOpen(): Promise<void>;
  release(): Promise<void>;
  state(): GateState;
  inputs(): GateInputs;
  /** emits 'state' (GateState) and 'inputs' (GateInputs) on change */
}

export type LedColour = 'red' | 'green' | 'yellow' | 'white';
export interface DisplayLine {
  text: string;
  colour?: LedColour;
  effect?: 'instant' | 'scroll-left' | 'continuous-left';
}
export interface Display extends DeviceBase {
  readonly kind: 'display';
  /** lines[0] goes to window 0, lines[1] to window 1 … */
  show(lines: DisplayLine[]): Promise<void>;
  speak(text: string): Promise<void>;
}

export type PlateColour = 'blue' | 'yellow' | 'white' | 'black' | 'green' | 'unknown';
export interface PlateRead {
  plate: string; // as read; '' or '_无_' for unplated
  colour: PlateColour;
  confidence: number; // 0-100
  cameraId: string;
  laneId?: string;
  time: number; // epoch ms
  /** URL path under the image store, when the camera sent a picture */
  imageUrl?: string;
  /** camera's own record id, used to drop offline re-sends */
  recordId?: string;
  /** what made the camera read: its own video detection, an IO (loop) input, software, virtual loop */
  trigger?: PlateTrigger;
  /** true for a record the camera buffered while the server was unreachable and sends late; never open for it */
  offline?: boolean;
}
export type PlateTrigger = 'auto' | 'io' | 'manual' | 'virtual-loop' | 'unknown';

/** What the lane decided for a read; a push-style camera carries it in its HTTP reply (the fast path). */
export interface LaneReply {
  open: boolean;
  lines?: DisplayLine[];
  voice?: string;
}

export interface PlateSource extends DeviceBase {
  readonly kind: 'camera';
  /**
   * The lane registers one handler; the camera calls it for every read and waits for the answer
   * so that push cameras can put the decision into their reply.
   */
  onRead(handler: (read: PlateRead) => Promise<LaneReply>): void;
}

export interface CameraIdentity {
  manufacturer?: string;
  model?: string;
  serialNumber?: string;
  firmwareVersion?: string;
}
export interface CameraInfo {
  identity(): Promise<CameraIdentity>;
  snapshot(): Promise<Buffer>; // JPEG
  reachable(): Promise<boolean>;
}

export type AnyDevice = Gate | Display | PlateSource;
export function isGate(d: AnyDevice): d is Gate {
  return d.kind === 'gate';
}
export function isDisplay(d: AnyDevice): d is Display {
  return d.kind === 'display';
}
export function isPlateSource(d: AnyDevice): d is PlateSource {
  return d.kind === 'camera';
}
