import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, parseConfig, resolveConfigPath } from '../../src/config/load.js';
import { configJsonSchema } from '../../src/config/json-schema.js';
import { BASE_YAML } from '../helpers/site.js';

function problems(yaml: string, env: NodeJS.ProcessEnv = {}) {
  try {
    parseConfig(yaml, 't.yaml', env);
    return [];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.problems.map((p) => `${p.path}: ${p.message}`);
  }
}

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 20_000,
  });

describe('check-config', () => {
  it('accepts the base test config', () => {
    expect(problems(BASE_YAML)).toEqual([]);
  });

  it('reports an undefined lane device with its path and a hint', () => {
    const yaml = BASE_YAML.replace(
      '- { id: out-1, direction: exit, area: main }',
      '- { id: out-1, direction: exit, area: main, gate: gate-9 }',
    );
    expect(problems(yaml)).toContain('lanes[1].gate: device "gate-9" is not defined');
  });

  it('reports every problem at once, each with its path', () => {
    const yaml = BASE_YAML.replace('timezone: Asia/Shanghai', 'timezone: Mars/Olympus')
      .replace(
        '- { id: in-1, direction: entry, area: main }',
        '- { id: in-1, direction: sideways, area: main }',
      )
      .replace(
        'billing:\n  temp: { small: temp-small, large: temp-large }',
        'billing:\n  temp: { small: temp-smal }',
      )
      .replace('freeMinutes: 30', 'freeMinutes: -3\n    colour: blue');
    const p = problems(yaml);
    expect(p.some((x) => x.startsWith('lanes[0].direction:'))).toBe(true);
    expect(p.some((x) => x.startsWith('tariffs.temp-small.freeMinutes:'))).toBe(true);
    expect(p.some((x) => x.startsWith('tariffs.temp-small') && x.includes('colour'))).toBe(true);
    expect(p.length).toBeGreaterThanOrEqual(3);
  });

  it('checks cross references after the shape: areas, tariffs, device roles, duplicates, time zone', () => {
    const yaml =
      BASE_YAML.replace('timezone: Asia/Shanghai', 'timezone: Mars/Olympus')
        .replace(
          '- { id: out-1, direction: exit, area: main }',
          '- { id: out-1, direction: exit, area: garage, camera: gate-a }\n  - { id: out-1, direction: exit, area: main }',
        )
        .replace(
          'billing:\n  temp: { small: temp-small, large: temp-large }',
          'billing:\n  temp: { small: temp-smal }',
        ) + `devices:\n  - { id: gate-a, type: modbus-relay, host: 127.0.0.1 }\n`;
    const p = problems(yaml);
    expect(p).toContain('lanes[1].area: area "garage" is not defined');
    expect(p).toContain('lanes[1].camera: device "gate-a" is a modbus-relay, which cannot serve as a camera');
    expect(p).toContain('lanes[2].id: duplicate lane id "out-1"');
    expect(p).toContain('billing.temp.small: tariff "temp-smal" is not defined');
    expect(p).toContain('site.timezone: unknown time zone "Mars/Olympus"');
  });

  it('reports device shape problems by index and an unknown device type', () => {
    const yaml =
      BASE_YAML +
      `devices:\n  - { id: g1, type: modbus-relay, transport: rtu }\n  - { id: x1, type: teleporter }\n  - { id: led, type: fk-led, transport: camera }\n`;
    const p = problems(yaml);
    expect(p).toContain('devices[0].path: rtu transport needs path');
    expect(p.some((x) => x.startsWith('devices[1]'))).toBe(true);
    expect(p).toContain('devices[2].camera: camera transport needs camera');
  });

  it('fills ${ENV} secrets and reports a missing one with its path', () => {
    const yaml =
      BASE_YAML +
      `clouds:\n  kt:\n    enabled: true\n    key: "\${KT_KEY}"\n    downlink: { user: kt, pwd: "\${KT_PWD}" }\n`;
    expect(problems(yaml, { KT_KEY: 'F7A0B971B199FD2A1017CEC5', KT_PWD: 'secret' })).toEqual([]);
    expect(problems(yaml, { KT_KEY: 'F7A0B971B199FD2A1017CEC5' })).toContain(
      'clouds.kt.downlink.pwd: environment variable KT_PWD is not set',
    );
  });

  it('reports a YAML syntax error once, with its line', () => {
    const p = problems('site:\n  name: [unclosed\nlanes: []\n');
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^line \d+:/);
  });

  it('finds the file from --config, then $CONFIGURATION_DIRECTORY, then /etc/parkedge', () => {
    expect(resolveConfigPath('x.yaml', {})).toMatch(/x\.yaml$/);
    expect(resolveConfigPath(undefined, { CONFIGURATION_DIRECTORY: '/etc/pe' })).toBe(
      '/etc/pe/parkedge.yaml',
    );
    expect(resolveConfigPath(undefined, {})).toBe('/etc/parkedge/parkedge.yaml');
  });

  it('the CLI passes the demo and example configs and fails a broken one with a non-zero exit', () => {
    const demo = cli(['check-config', 'config/demo.yaml']);
    expect(demo.stderr).toBe('');
    expect(demo.status).toBe(0);
    const example = cli(['check-config', 'config/example.yaml'], { HIK_PASSWORD: 'x', ONVIF_PASSWORD: 'y' });
    expect(example.status, example.stderr).toBe(0);
    const clouds = cli(['check-config', 'config/demo-clouds.yaml']);
    expect(clouds.status, clouds.stderr).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'pe-cfg-'));
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, readFileSync('config/demo.yaml', 'utf8').replace('gate: gate-out-1', 'gate: gate-9'));
    const r = cli(['check-config', bad]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('lanes[1].gate: device "gate-9" is not defined');
    expect(r.stderr).toContain('hint:');
  });
});

describe('JSON Schema', () => {
  it('config/parkedge.schema.json is generated from the zod schema (run `parkedge schema` after changing it)', () => {
    expect(readFileSync('config/parkedge.schema.json', 'utf8')).toBe(configJsonSchema());
  });
});
