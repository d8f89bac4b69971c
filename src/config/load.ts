// Reads parkedge.yaml, fills ${ENV} secrets, validates against the schema and the cross-references,
// and reports every problem at once with its path, so an installer fixes the file in one pass.
import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { configSchema, type Config } from './schema.js';
import { DEVICE_ROLE } from './devices.schema.js';

export interface ConfigProblem {
  path: string;
  message: string;
  hint?: string;
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
  ) {
    super(`${file}: ${problems.length} problem(s)\n` + problems.map(formatProblem).join('\n'));
  }
}

export function formatProblem(p: ConfigProblem): string {
  return `${p.path || '(root)'}: ${p.message}${p.hint ? `\n    hint: ${p.hint}` : ''}`;
}

/** `--config`, else $CONFIGURATION_DIRECTORY/parkedge.yaml, else /etc/parkedge/parkedge.yaml. */
export function resolveConfigPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return resolve(flag);
  if (env.CONFIGURATION_DIRECTORY) return join(env.CONFIGURATION_DIRECTORY.split(':')[0], 'parkedge.yaml');
  return '/etc/parkedge/parkedge.yaml';
}

export function pathOf(segments: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else out += out ? `.${String(s)}` : String(s);
  }
  return out;
}

const ENV_REF = /\$\{([A-Z_][A-Z0-9_]*)\}/g;

function fillEnv(
  node: unknown,
  path: PropertyKey[],
  env: NodeJS.ProcessEnv,
  problems: ConfigProblem[],
): unknown {
  if (typeof node === 'string') {
    return node.replace(ENV_REF, (_m, name: string) => {
      const v = env[name];
      if (v === undefined) {
        problems.push({
          path: pathOf(path),
          message: `environment variable ${name} is not set`,
          hint: `export ${name}=… (under systemd: Environment= or EnvironmentFile= in the unit)`,
        });
        return '';
      }
      return v;
    });
  }
  if (Array.isArray(node)) return node.map((v, i) => fillEnv(v, [...path, i], env, problems));
  if (node && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = fillEnv(v, [...path, k], env, problems);
    return out;
  }
  return node;
}

function hintFor(issue: z.core.$ZodIssue): string | undefined {
  const last = issue.path[issue.path.length - 1];
  if (issue.code === 'unrecognized_keys')
    return 'remove the key or check its spelling against config/example.yaml';
  if (issue.code === 'invalid_union' && last === 'type')
    return 'type is one of modbus-relay, camera-relay, zhenshi, hikvision, onvif, fk-led';
  if (issue.code === 'invalid_type' && issue.message.includes('undefined')) return 'this key is required';
  return undefined;
}

export function crossCheck(cfg: Config): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const devices = new Map(cfg.devices.map((d) => [d.id, d]));
  const areas = new Set(cfg.site.areas.map((a) => a.id));
  const seen = (kind: string, ids: string[], prefix: string) => {
    const s = new Set<string>();
    ids.forEach((id, i) => {
      if (s.has(id)) problems.push({ path: `${prefix}[${i}].id`, message: `duplicate ${kind} id "${id}"` });
      s.add(id);
    });
  };
  seen(
    'device',
    cfg.devices.map((d) => d.id),
    'devices',
  );
  seen(
    'lane',
    cfg.lanes.map((l) => l.id),
    'lanes',
  );
  seen(
    'area',
    cfg.site.areas.map((a) => a.id),
    'site.areas',
  );
  cfg.site.areas.forEach((a, i) => {
    if (a.parent && !areas.has(a.parent))
      problems.push({ path: `site.areas[${i}].parent`, message: `area "${a.parent}" is not defined` });
  });
  cfg.lanes.forEach((lane, i) => {
    if (!areas.has(lane.area))
      problems.push({
        path: `lanes[${i}].area`,
        message: `area "${lane.area}" is not defined`,
        hint: `define it under site.areas (known: ${[...areas].join(', ')})`,
      });
    for (const slot of ['camera', 'gate', 'display'] as const) {
      const ref = lane[slot];
      if (!ref) continue;
      const dev = devices.get(ref);
      if (!dev) {
        problems.push({
          path: `lanes[${i}].${slot}`,
          message: `device "${ref}" is not defined`,
          hint: `add it under devices, or use one of: ${[...devices.keys()].join(', ') || '(none defined)'}`,
        });
      } else if (DEVICE_ROLE[dev.type] !== slot) {
        problems.push({
          path: `lanes[${i}].${slot}`,
          message: `device "${ref}" is a ${dev.type}, which cannot serve as a ${slot}`,
        });
      }
    }
  });
  cfg.devices.forEach((d, i) => {
    const camRef =
      d.type === 'camera-relay'
        ? d.camera
        : d.type === 'fk-led' && d.transport === 'camera'
          ? d.camera
          : undefined;
    if (camRef !== undefined) {
      const cam = devices.get(camRef);
      if (!cam) problems.push({ path: `devices[${i}].camera`, message: `device "${camRef}" is not defined` });
      else if (cam.type !== 'zhenshi' && cam.type !== 'hikvision')
        problems.push({
          path: `devices[${i}].camera`,
          message: `device "${camRef}" is a ${cam.type}, not a camera`,
        });
      else if (d.type === 'fk-led' && cam.type !== 'zhenshi')
        problems.push({
          path: `devices[${i}].camera`,
          message: `only zhenshi cameras pass LED frames through (serialData)`,
        });
    }
  });
  const tariffIds = new Set(Object.keys(cfg.tariffs));
  const checkTariff = (ref: string | undefined, path: string) => {
    if (ref && !tariffIds.has(ref))
      problems.push({
        path,
        message: `tariff "${ref}" is not defined`,
        hint: `define it under tariffs (known: ${[...tariffIds].join(', ')})`,
      });
  };
  checkTariff(cfg.billing.temp.small, 'billing.temp.small');
  checkTariff(cfg.billing.temp.large, 'billing.temp.large');
  for (const [k, m] of Object.entries(cfg.billing.byCarType)) {
    checkTariff(m.small, `billing.byCarType.${k}.small`);
    checkTariff(m.large, `billing.byCarType.${k}.large`);
  }
  cfg.simulators.forEach((s, i) => {
    if (s.kind === 'camera' && !devices.has(s.camera))
      problems.push({ path: `simulators[${i}].camera`, message: `device "${s.camera}" is not defined` });
  });
  try {
    new Intl.DateTimeFormat('en', { timeZone: cfg.site.timezone });
  } catch {
    problems.push({
      path: 'site.timezone',
      message: `unknown time zone "${cfg.site.timezone}"`,
      hint: 'e.g. Asia/Shanghai',
    });
  }
  return problems;
}

/** Parse and validate YAML text; throws ConfigError listing every problem. */
export function parseConfig(text: string, file = '<config>', env: NodeJS.ProcessEnv = process.env): Config {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) {
    throw new ConfigError(
      file,
      // later YAML errors are usually echoes of the first one
      doc.errors.slice(0, 1).map((e) => ({
        path: `line ${e.linePos?.[0].line ?? '?'}`,
        message: e.message.split('\n')[0],
        hint: 'YAML syntax; a value starting with { [ $ * & ! | > needs quotes',
      })),
    );
  }
  const envProblems: ConfigProblem[] = [];
  const raw = fillEnv(doc.toJS(), [], env, envProblems);
  // a disabled cloud may keep its ${SECRET} references without the variables being set
  const clouds = (raw as { clouds?: Record<string, { enabled?: boolean }> } | null)?.clouds ?? {};
  const unresolvedDisabled = new Set<string>();
  const problems = envProblems.filter((p) => {
    const m = /^clouds\.([^.[]+)/.exec(p.path);
    if (!m || clouds[m[1]]?.enabled === true) return true;
    unresolvedDisabled.add(m[1]);
    return false;
  });
  // ...and such a block is checked once it is enabled and its secrets are there
  for (const name of unresolvedDisabled) delete clouds[name];
  const parsed = configSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push({ path: pathOf(issue.path), message: issue.message, hint: hintFor(issue) });
    }
    throw new ConfigError(file, problems);
  }
  problems.push(...crossCheck(parsed.data));
  if (problems.length) throw new ConfigError(file, problems);
  return parsed.data;
}

export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(file, [
      { path: '', message: `cannot read the file: ${(e as Error).message}`, hint: 'pass --config FILE' },
    ]);
  }
  const cfg = parseConfig(text, file, env);
  // dataDir is relative to the working directory (the checkout for the demo, StateDirectory on a box)
  const stateDir = env.STATE_DIRECTORY?.split(':')[0];
  if (stateDir && cfg.site.dataDir === './var') cfg.site.dataDir = stateDir;
  if (!isAbsolute(cfg.site.dataDir)) cfg.site.dataDir = resolve(cfg.site.dataDir);
  return cfg;
}
