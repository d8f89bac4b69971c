// The booth face: the staff console on its own port (cfg.servers.booth). Users for it are created with
// `parkedge user add`, which calls addUser.
import type { FaceFactory } from '../daemon/face.js';
import { BoothServer } from './server.js';
import type { DeviceView } from './live.js';

export { BoothServer, type BoothServerOptions } from './server.js';
export {
  BoothAccounts,
  addUser,
  listUsers,
  hashPassword,
  verifyPassword,
  ROLES,
  ROLE_NAME,
  type PublicUser,
  type Role,
} from './accounts.js';
export type { LaneEvent, LaneStatus } from './live.js';

export const createBoothFace: FaceFactory = (ctx) => {
  const boothServer = new BoothServer({
    site: ctx.site,
    config: ctx.config,
    logger: ctx.logger,
    // the device manager is read only through the narrow view the live screen needs
    devices: ctx.devices as unknown as DeviceView | undefined,
    now: ctx.now,
  });
  return { name: 'booth', extensions: [boothServer] };
};
