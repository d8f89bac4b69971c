// The devices package as the rest of parkedge sees it.
export * from './interfaces.js';
export { DeviceManager, type DeviceHealthEvent, type HealthRow } from './manager.js';
export { SimulatorSet } from './sim/set.js';
export { simCommand, SIM_OPTIONS, type SimKind } from './sim/command.js';
export { doctor, formatDoctorTable, type DoctorRow, type Verdict } from './tools/doctor.js';
export {
  discover,
  formatDiscovery,
  probeOnvif,
  type DiscoverOptions,
  type DiscoveredOnvif,
} from './tools/discover.js';
export { ktLedSegmentsToLines } from '../codecs/fkled.js';
export type { ManagedDevice } from './registry.js';
