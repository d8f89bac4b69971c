import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb, integrityCheck } from '../../src/storage/db.js';
import { MIGRATIONS } from '../../src/storage/migrations.js';

const cli = (args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    encoding: 'utf8',
    timeout: 20_000,
  });
const latest = MIGRATIONS[MIGRATIONS.length - 1].version;

describe('parkedge db', () => {
  it('migrate creates and upgrades the file, then reports it up to date', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pe-cli-')), 'p.db');
    const first = cli(['db', 'migrate', '-c', 'config/demo.yaml', '--file', file]);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain(`migrated 0 → ${latest}`);
    const again = cli(['db', 'migrate', '-c', 'config/demo.yaml', '--file', file]);
    expect(again.stdout).toContain(`up to date (version ${latest})`);
  });

  it('backup writes a copy that passes integrity_check', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pe-cli-'));
    const file = join(dir, 'p.db');
    cli(['db', 'migrate', '-c', 'config/demo.yaml', '--file', file]);
    const r = cli(['db', 'backup', join(dir, 'copy.db'), '-c', 'config/demo.yaml', '--file', file]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(': OK');
    const copy = openDb(join(dir, 'copy.db'), { readonly: true });
    expect(integrityCheck(copy)).toBe('ok');
    expect(copy.pragma('user_version', { simple: true })).toBe(latest);
    copy.close();
  });
});

describe('parkedge fee', () => {
  it('prints the quote as JSON with total in fen, times site-local', () => {
    const r = cli([
      'fee',
      '-c',
      'config/demo.yaml',
      '--tariff',
      'temp-small',
      '--in',
      '2026-03-01 10:00',
      '--out',
      '2026-03-01 11:01',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const q = JSON.parse(r.stdout);
    expect(q.total).toBe(600);
    expect(q.lines.length).toBeGreaterThan(0);
  });

  it('an unknown tariff fails with a clear message', () => {
    const r = cli([
      'fee',
      '-c',
      'config/demo.yaml',
      '--tariff',
      'nope',
      '--in',
      '2026-03-01 10:00',
      '--out',
      '2026-03-01 11:00',
    ]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/nope/);
  });
});
