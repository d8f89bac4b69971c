// The booth end to end on the real daemon: demo lot, Zhenshi camera simulators pushing plates to the camera
// server, the lanes deciding, Modbus relay simulators behind the gates, the booth page in headless Chromium.
// A car arrives at the exit, the fee shows, cash is confirmed, the gate simulator sees the open coil, the
// shift report counts it, and a manual open without a reason is refused.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import pino from 'pino';
import { loadConfig } from '../../src/config/load.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { addUser } from '../../src/booth/accounts.js';
import { ZhenshiCameraSim } from '../../src/devices/sim/zhenshi-camera.js';
import { demoConfigCopy } from '../helpers/daemon.js';
import { CHROMIUM_ARGS } from './harness.js';
import { T } from '../helpers/site.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI) throw new Error(`${CHROMIUM} missing: apt-get install -y chromium`);

let daemon: Daemon;
let ctx: BrowserContext;
let page: Page;
let userDir: string;
let base: string;
let camIn: ZhenshiCameraSim;
let camOut: ZhenshiCameraSim;
const clock = { now: T('2026-03-02 08:00') };
const coilWrites = () =>
  daemon.simulators.gates.get('sim-gate-out-1')!.gate.writes.filter((w) => w.coil === 0 && w.value);

describe.skipIf(!haveChromium)('booth on the real daemon with simulated devices', () => {
  beforeAll(async () => {
    const demo = await demoConfigCopy((cfg) => {
      // the test's own cameras push; the demo's self-driving ones would add cars of their own
      cfg.simulators = cfg.simulators.filter((s: { kind: string }) => s.kind !== 'camera');
    });
    daemon = new Daemon({
      config: loadConfig(demo.file, {}),
      logger: pino({ level: 'silent' }),
      now: () => clock.now,
      env: {},
    });
    await daemon.start();
    await addUser(daemon.site, {
      username: 'op',
      password: 'op-secret-1',
      role: 'operator',
      displayName: '李收费',
    });
    const cams = daemon.devices.cameraServerAddress();
    camIn = new ZhenshiCameraSim({ url: `http://${cams.host}:${cams.port}/zhenshi`, serialno: 'SIM-IN-1' });
    camOut = new ZhenshiCameraSim({ url: `http://${cams.host}:${cams.port}/zhenshi`, serialno: 'SIM-OUT-1' });
    const booth = daemon.extension<
      {
        name: string;
        address(): { host: string; port: number };
      } & import('../../src/daemon/face.js').Extension
    >('booth')!;
    base = `http://127.0.0.1:${booth.address().port}`;
    userDir = mkdtempSync(join(tmpdir(), 'booth-daemon-chromium-'));
    ctx = await chromium.launchPersistentContext(userDir, {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      viewport: { width: 1600, height: 900 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    page = await ctx.newPage();
    page.setDefaultTimeout(8000);
  }, 40_000);

  afterAll(async () => {
    await ctx?.close().catch(() => undefined);
    await daemon?.stop();
    if (userDir) rmSync(userDir, { recursive: true, force: true });
  });

  it('logs in and sees the lanes', async () => {
    await page.goto(base + '/');
    await page.fill('#login-user', 'op');
    await page.fill('#login-pass', 'op-secret-1');
    await page.click('#login-submit');
    await page.waitForSelector('article.lane[data-lane="out-1"]');
  });

  it('a car pushed by the entry camera goes in: the reply opens and the entry gate simulator sees the coil', async () => {
    const r = await camIn.push('粤B12345', { time: clock.now });
    expect(r.body.Response_AlarmInfoPlate?.info).toBe('ok');
    await expect
      .poll(() =>
        daemon.simulators.gates.get('sim-gate-in-1')!.gate.writes.some((w) => w.coil === 0 && w.value),
      )
      .toBe(true);
    await expect
      .poll(() => page.locator('article.lane[data-lane="in-1"] .plate').textContent())
      .toBe('粤B12345');
  });

  it('at the exit the fee shows; cash is confirmed; the exit gate simulator sees the open coil', async () => {
    clock.now = T('2026-03-02 10:10');
    const r = await camOut.push('粤B12345', { time: clock.now });
    // the camera's own reply does not open: money is due
    expect(r.body.Response_AlarmInfoPlate?.info).not.toBe('ok');
    expect(coilWrites()).toHaveLength(0);
    const panel = page.locator('.modal[data-panel="exit"]');
    await panel.waitFor();
    await expect.poll(() => page.textContent('#exit-due')).toBe('¥10.00');
    await page.fill('#cash-received', '20');
    await expect.poll(() => page.textContent('#cash-change')).toBe('¥10.00');
    await page.click('#cash-confirm');
    await page.waitForSelector('#exit-result');
    expect(await page.textContent('#exit-result')).toContain('已开闸放行');
    await expect.poll(() => coilWrites().length).toBe(1);
    const order = daemon.site.lastStay('粤B12345')!;
    expect(order.state).toBe('out');
    expect(order.paid).toBe(1000);
  });

  it('the shift report counts the cash', async () => {
    await page.click('#exit-result + .actions button');
    await page.click('nav button[data-view="shift"]');
    await expect.poll(() => page.textContent('#r-cash')).toBe('¥10.00');
  });

  it('a manual open without a reason is refused; with one it reaches the gate simulator', async () => {
    const direct = await page.evaluate(async () => {
      const r = await fetch('/api/lanes/out-1/gate', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ command: 'open', reason: '' }),
      });
      return { status: r.status, body: await r.json() };
    });
    expect(direct).toEqual({ status: 400, body: { error: '手动操作道闸必须填写原因' } });
    expect(coilWrites()).toHaveLength(1);
    await page.click('nav button[data-view="live"]');
    await page.locator('article.lane[data-lane="out-1"] .gatebtn[data-cmd="open"]').click();
    await page.waitForSelector('#gate-reason');
    await page.click('#gate-confirm');
    await expect.poll(() => page.textContent('#gate-error')).toBe('手动开闸必须填写原因');
    await page.fill('#gate-reason', '救护车通行');
    await page.click('#gate-confirm');
    await expect.poll(() => coilWrites().length).toBe(2);
  });
});
