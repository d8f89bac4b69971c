// `parkedge doctor`: checks every configured device once, the way an installer would by hand,
// and prints one verdict per device. Drivers are built standalone (no daemon, no camera server).
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import type { DeviceConfig } from '../../config/devices.schema.js';
import { Backoff, errMsg, withTimeout } from '../base.js';
import { ModbusRelayGate } from '../gate/modbus-relay.js';
import { HikvisionCamera } from '../camera/hikvision.js';
import { ImageStore } from '../camera/images.js';
import { OnvifCamera } from '../camera/onvif.js';
import { openSerial } from '../display/fk-led.js';
import { httpRequest } from '../http/digest.js';
import { tmpdir } from 'node:os';

export type Verdict = 'ok' | 'warn' | 'fail';
export interface DoctorRow {
  id: string;
  type: DeviceConfig['type'];
  verdict: Verdict;
  detail: string;
}

async function checkOne(d: DeviceConfig, cfg: Config, logger: Logger, timeoutMs: number): Promise<DoctorRow> {
  const row = (verdict: Verdict, detail: string): DoctorRow => ({ id: d.id, type: d.type, verdict, detail });
  switch (d.type) {
    case 'modbus-relay': {
      const where = d.transport === 'tcp' ? `${d.host}:${d.port}` : `${d.path} @${d.baudRate}`;
      const g = new ModbusRelayGate(
        { ...d, timeoutMs: Math.min(d.timeoutMs, timeoutMs) },
        logger,
        new Backoff({ initialMs: 3_600_000 }),
      );
      try {
        await g.start();
        if (g.health().status !== 'online')
          return row('fail', `${where} unit ${d.unitId}: ${g.health().reason ?? 'no answer'}`);
        const inputs = await g.readInputsOnce();
        const names = Object.entries(inputs).map(([k, v]) => `${k}=${v ? 'active' : 'idle'}`);
        const st = g.state();
        const limits = d.inputs.openLimit !== undefined || d.inputs.closedLimit !== undefined;
        if (limits && st === 'unknown')
          return row(
            'warn',
            `${where}: answers, but both/none of the limits read active — check wiring/polarity (${names.join(' ')})`,
          );
        return row(
          'ok',
          `${where} unit ${d.unitId} answers; arm ${st}${names.length ? '; ' + names.join(' ') : ''}`,
        );
      } catch (e) {
        return row('fail', `${where}: ${errMsg(e)}`);
      } finally {
        await g.stop();
      }
    }
    case 'onvif': {
      const cam = new OnvifCamera({ ...d, timeoutMs: Math.min(d.timeoutMs, timeoutMs) }, logger);
      try {
        await cam.start();
        if (cam.health().status !== 'online')
          return row('fail', `${d.host}:${d.port}: ${cam.health().reason ?? 'no answer'}`);
        const id = await cam.identity();
        const uri = await cam.snapshotUri().catch((e) => `no snapshot URI (${errMsg(e)})`);
        return row(
          'ok',
          `${id.manufacturer ?? '?'} ${id.model ?? '?'} s/n ${id.serialNumber ?? '?'}; snapshot ${uri}`,
        );
      } catch (e) {
        return row('fail', errMsg(e));
      } finally {
        await cam.stop();
      }
    }
    case 'hikvision': {
      const cam = new HikvisionCamera(
        { ...d, timeoutMs: Math.min(d.timeoutMs, timeoutMs) },
        logger,
        new ImageStore(tmpdir()),
      );
      try {
        const id = await cam.identity();
        return row(
          'ok',
          `${id.model ?? '?'} s/n ${id.serialNumber ?? '?'} fw ${id.firmwareVersion ?? '?'}; point its alarm host at /hikvision`,
        );
      } catch (e) {
        return row('fail', `${d.url}: ${errMsg(e)}`);
      }
    }
    case 'zhenshi': {
      const push = `http://<this box>:${cfg.servers.cameras.port}/zhenshi`;
      if (!d.ipaddr)
        return row(
          'warn',
          `push-only camera (no ipaddr to probe); set its HTTP push + comet heartbeat to ${push}`,
        );
      try {
        const r = await httpRequest({ url: `http://${d.ipaddr}/`, timeoutMs });
        return row('ok', `web UI at ${d.ipaddr} answers HTTP ${r.status}; pushes must go to ${push}`);
      } catch (e) {
        return row('fail', `${d.ipaddr}: ${errMsg(e)}`);
      }
    }
    case 'fk-led': {
      if (d.transport === 'camera')
        return row(
          'warn',
          `frames ride on camera ${d.camera} RS485 channel ${d.serialChannel}; verify on the board after a push`,
        );
      try {
        const p = await withTimeout(openSerial(d.path!, d.baudRate), timeoutMs, `open ${d.path}`);
        await new Promise<void>((resolve) => p.close(() => resolve()));
        return row('ok', `${d.path} opens at ${d.baudRate} baud (boards do not answer; watch the display)`);
      } catch (e) {
        return row('fail', `${d.path}: ${errMsg(e)}`);
      }
    }
    case 'camera-relay': {
      const cam = cfg.devices.find((x) => x.id === d.camera);
      return row(
        'warn',
        `IO ${d.io} of camera ${d.camera} (${cam?.type ?? 'missing'}); test with a manual open`,
      );
    }
  }
}

export async function doctor(
  cfg: Config,
  logger: Logger,
  opts: { timeoutMs?: number } = {},
): Promise<{ rows: DoctorRow[]; ok: boolean }> {
  const timeoutMs = opts.timeoutMs ?? 3000;
  const rows = await Promise.all(
    cfg.devices.map((d) =>
      checkOne(d, cfg, logger, timeoutMs).catch((e): DoctorRow => ({
        id: d.id,
        type: d.type,
        verdict: 'fail',
        detail: errMsg(e),
      })),
    ),
  );
  return { rows, ok: rows.every((r) => r.verdict !== 'fail') };
}

export function formatDoctorTable(rows: DoctorRow[]): string {
  const head = ['DEVICE', 'TYPE', 'VERDICT', 'DETAIL'];
  const body = rows.map((r) => [r.id, r.type, r.verdict.toUpperCase(), r.detail]);
  const w = [0, 1, 2].map((i) => Math.max(head[i].length, ...body.map((b) => b[i].length)));
  const line = (c: string[]) => c.map((v, i) => (i < 3 ? v.padEnd(w[i]) : v)).join('  ');
  return [line(head), ...body.map(line)].join('\n') + (rows.length ? '' : '\n(no devices configured)');
}
