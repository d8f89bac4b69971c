// The console in headless Chromium against the real booth server: log in, a car waits at the exit, the fee
// shows, cash is taken, the gate opens, the shift report counts it, a manual open without a reason is refused.
// Screenshots go to $BOOTH_SCREENSHOTS (docs/screenshots when refreshing the docs), else to a temp dir.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startBooth, siteCars, PASSWORDS, CHROMIUM_ARGS, type Booth, type CarDriver } from './harness.js';
import { T } from '../helpers/site.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI) throw new Error(`${CHROMIUM} missing: apt-get install -y chromium`);

const shots = process.env.BOOTH_SCREENSHOTS
  ? resolve(process.env.BOOTH_SCREENSHOTS)
  : mkdtempSync(join(tmpdir(), 'booth-shots-'));
mkdirSync(shots, { recursive: true });

const yuan = (fen: number) => `¥${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;

// devices as the device manager would report them: the live view shows one of them down
const deviceEvents = new EventEmitter();
const devices = {
  events: deviceEvents,
  healthTable: () => [
    {
      id: 'cam-in-1',
      type: 'zhenshi',
      kind: 'camera',
      ktDeviceType: 2,
      health: { status: 'online', since: 1 },
    },
    {
      id: 'cam-out-1',
      type: 'zhenshi',
      kind: 'camera',
      ktDeviceType: 2,
      health: { status: 'online', since: 1 },
    },
    {
      id: 'gate-in-1',
      type: 'modbus-relay',
      kind: 'gate',
      ktDeviceType: 4,
      health: { status: 'online', since: 1 },
    },
    {
      id: 'gate-out-1',
      type: 'modbus-relay',
      kind: 'gate',
      ktDeviceType: 4,
      health: { status: 'online', since: 1 },
    },
    {
      id: 'led-out-1',
      type: 'fk-led',
      kind: 'display',
      ktDeviceType: 3,
      health: { status: 'offline', reason: '串口无响应', since: 1 },
    },
  ],
};

let b: Booth;
let cars: CarDriver;
let ctx: BrowserContext;
let userDir: string;
let page: Page;
let fee = 0;
const pageErrors: string[] = [];

async function shot(name: string) {
  // toasts from earlier steps would otherwise cover the screen being documented
  await page.evaluate(() => (globalThis as any).document.getElementById('toasts')?.replaceChildren());
  // photos arrive through the image proxy; wait for them so the pictures are not half drawn
  await page
    .waitForFunction(
      () => [...(globalThis as any).document.images].every((i: any) => i.complete),
      undefined,
      { timeout: 5000 },
    )
    .catch(() => undefined);
  await page.screenshot({ path: join(shots, `${name}.png`) });
}
async function tab(view: string) {
  await page.click(`nav button[data-view="${view}"]`);
}

describe.skipIf(!haveChromium)('booth console in Chromium', () => {
  beforeAll(async () => {
    b = await startBooth({ devices });
    cars = siteCars(b.ts);
    userDir = mkdtempSync(join(tmpdir(), 'booth-chromium-'));
    // a fresh profile per run: nothing cached or remembered from an earlier run
    ctx = await chromium.launchPersistentContext(userDir, {
      executablePath: CHROMIUM,
      args: [...CHROMIUM_ARGS, '--lang=zh-CN'],
      viewport: { width: 1600, height: 900 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
      // date and time inputs follow the process locale, as on a Chinese booth PC
      env: { ...process.env, LANG: 'zh_CN.UTF-8', LANGUAGE: 'zh_CN:zh' },
    });
    page = await ctx.newPage();
    page.setDefaultTimeout(8000);
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on(
      'console',
      (m) => m.type() === 'error' && !/Failed to load resource/.test(m.text()) && pageErrors.push(m.text()),
    );
    // a lot with some life in it
    cars.enter('粤A0D123', T('2026-03-02 07:12'), { colour: 'green' });
    cars.enter('粤B1234S', T('2026-03-02 07:40'));
    cars.enter('粤B88K21', T('2026-03-02 07:55'), { colour: 'yellow' });
    cars.enter('粤B12345', T('2026-03-02 08:00'));
  }, 30_000);

  afterAll(async () => {
    await ctx?.close().catch(() => undefined);
    await b?.close();
    rmSync(userDir, { recursive: true, force: true });
    if (!process.env.BOOTH_SCREENSHOTS) rmSync(shots, { recursive: true, force: true });
  });

  it('logs in, refusing a wrong password with a clear message', async () => {
    await page.goto(b.base + '/');
    await page.waitForSelector('#login-form');
    await shot('login');
    await page.fill('#login-user', 'op');
    await page.fill('#login-pass', 'not-my-password');
    await page.click('#login-submit');
    await expect.poll(() => page.textContent('#login-error')).toBe('用户名或密码错误');
    await page.fill('#login-pass', PASSWORDS.op);
    await page.click('#login-submit');
    await page.waitForSelector('article.lane[data-lane="out-1"]');
    expect(await page.textContent('#who')).toContain('张收费');
    await expect.poll(() => page.textContent('#conn')).toContain('实时');
  });

  it('shows lanes with their last read, free spaces and device health, live', async () => {
    expect(await page.textContent('#spaces')).toContain('96');
    const entry = page.locator('article.lane[data-lane="in-1"]');
    expect(await entry.locator('.plate').textContent()).toBe('粤B12345');
    expect(await entry.locator('.gate').textContent()).toBe('已开闸');
    expect(await page.locator('.devices .dev.s-offline .id').textContent()).toBe('led-out-1');
    // a new entry arrives while we look
    cars.enter('粤C7Q019', T('2026-03-02 08:20'));
    await expect.poll(() => entry.locator('.plate').textContent()).toBe('粤C7Q019');
    await expect.poll(() => page.textContent('#spaces')).toContain('95');
    await shot('live');
  });

  it('a car waiting at the exit brings up its panel with photos and the fee breakdown; cash opens the gate', async () => {
    const arrived = cars.arriveAtExit('粤B12345', T('2026-03-02 10:10'));
    expect(arrived.code).toBe('wait-payment');
    fee = arrived.due!;
    const panel = page.locator('.modal[data-panel="exit"]');
    await panel.waitFor();
    await expect.poll(() => page.textContent('#exit-due')).toBe(yuan(fee));
    expect(await panel.locator('.plate-line .plate').textContent()).toBe('粤B12345');
    expect(await panel.locator('table.fee tbody tr').count()).toBeGreaterThan(0);
    expect(await panel.locator('dl.kv').textContent()).toContain('2小时10分钟');
    expect(await panel.locator('.photo img').count()).toBe(2);
    await page.fill('#cash-received', '50');
    await expect.poll(() => page.textContent('#cash-change')).toBe(yuan(5000 - fee));
    await shot('exit-fee');
    // a common booth screen: the panel still fits, confirm button included, with no scrolling
    await page.setViewportSize({ width: 1366, height: 768 });
    const box = await page.locator('#cash-confirm').boundingBox();
    expect(box!.y + box!.height).toBeLessThanOrEqual(768);
    expect(
      await page.evaluate(
        () =>
          (globalThis as any).document.querySelector('#modal').scrollHeight <=
          (globalThis as any).innerHeight,
      ),
    ).toBe(true);
    await page.setViewportSize({ width: 1600, height: 900 });

    // not enough money: refused in the page before anything is recorded
    await page.fill('#cash-received', '1');
    await page.click('#cash-confirm');
    await expect.poll(() => page.textContent('#exit-error')).toContain('实收金额不足');
    expect(cars.gateCommands()).toEqual([]);

    await page.fill('#cash-received', '50');
    await page.click('#cash-confirm');
    await page.waitForSelector('#exit-result');
    expect(await page.textContent('#exit-result')).toContain(`找零 ${yuan(5000 - fee)}`);
    expect(await page.textContent('#exit-result')).toContain('已开闸放行');
    // the command reached the lane port (in the daemon test: the gate simulator's coil)
    expect(cars.gateCommands()).toEqual([{ laneId: 'out-1', command: 'open' }]);
    await page.click('#exit-result + .actions button');
    await expect
      .poll(() => page.locator('article.lane[data-lane="out-1"] .gate').textContent())
      .toBe('已开闸');
    await expect.poll(() => page.textContent('.today')).toContain(yuan(fee));
  });

  it('the shift report counts the cash', async () => {
    await tab('shift');
    await expect.poll(() => page.textContent('#r-cash')).toBe(yuan(fee));
    expect(await page.textContent('.report-stats')).toContain('1 笔');
    expect(await page.textContent('#r-manual')).toBe('0');
    expect(await page.textContent('.report-rows')).toContain('现金收费放行');
    await shot('shift-report');
    await page.emulateMedia({ media: 'print' });
    await shot('shift-report-print');
    await page.emulateMedia({ media: 'screen' });
  });

  it('refuses a manual open without a reason, in the page and on the server', async () => {
    await tab('live');
    const lane = page.locator('article.lane[data-lane="out-1"]');
    await lane.locator('.gatebtn[data-cmd="open"]').click();
    await page.waitForSelector('#gate-reason');
    await page.click('#gate-confirm');
    await expect.poll(() => page.textContent('#gate-error')).toBe('手动开闸必须填写原因');
    await shot('gate-no-reason');
    // the server refuses it too, whatever the page does
    const direct = await page.evaluate(async () => {
      const r = await fetch('/api/lanes/out-1/gate', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ command: 'open', reason: '' }),
      });
      return { status: r.status, body: await r.json() };
    });
    expect(direct).toEqual({ status: 400, body: { error: '手动操作道闸必须填写原因' } });
    expect(cars.gateCommands()).toHaveLength(1);

    await page.click('.chips .chip >> text=防止砸车砸人');
    await page.click('#gate-confirm');
    await page.waitForSelector('#gate-reason', { state: 'detached' });
    expect(cars.gateCommands()).toEqual([
      { laneId: 'out-1', command: 'open' },
      { laneId: 'out-1', command: 'open' },
    ]);
    const report = await b.call('GET', '/api/shift', { cookie: await b.login('op') });
    expect(report.body.manualOpenings).toBe(1);
  });

  it('no entry record: look-alike cars in the lot, or the minimum fee', async () => {
    cars.arriveAtExit('粤B12346', T('2026-03-02 10:30'));
    const panel = page.locator('.modal[data-panel="no-entry"]');
    await panel.waitFor();
    await expect.poll(() => panel.locator('.candlist li').count()).toBeGreaterThan(0);
    expect(await panel.locator('.candlist').textContent()).toContain('粤B1234S');
    expect(await page.inputValue('#noentry-plate')).toBe('粤B12346');
    await shot('exit-no-entry');
    await page.click('#noentry-confirm');
    await expect.poll(() => page.textContent('#noentry-error')).toBe('无入场记录放行必须填写原因');
    await page.click('.modal .chips .chip >> text=入场未识别');
    await page.click('#noentry-confirm');
    await page.waitForSelector('#exit-result');
    expect(await page.textContent('#exit-result')).toContain('无入场记录，已收 ¥10.00');
    await page.click('#exit-result + .actions button');
  });

  it('searches the lot with photos', async () => {
    await tab('search');
    await page.waitForSelector('table.orders tbody tr');
    expect(await page.locator('table.orders tbody tr').count()).toBe(4);
    await page.fill('#q-plate', 'B1234');
    await page.click('#q-go');
    await expect.poll(() => page.locator('table.orders tbody tr').count()).toBe(1);
    await page.fill('#q-plate', '');
    await page.click('#q-go');
    await expect.poll(() => page.locator('table.orders tbody tr').count()).toBe(4);
    await shot('search');
    await page.locator('table.orders tbody tr').first().locator('button').click();
    await page.waitForSelector('.modal .detail-grid');
    await shot('search-detail');
    await page.keyboard.press('Escape');
  });

  it('picks the right car among look-alikes and lets it out free, with a reason', async () => {
    const before = cars.gateCommands().length;
    cars.arriveAtExit('粤B12348', T('2026-03-02 10:40'));
    const noEntry = page.locator('.modal[data-panel="no-entry"]');
    await noEntry.waitFor();
    const pick = noEntry.locator('.candlist li', { hasText: '粤B1234S' }).locator('button');
    await pick.click();
    const panel = page.locator('.modal[data-panel="exit"]');
    await panel.waitFor();
    expect(await panel.locator('.plate-line .plate').textContent()).toBe('粤B1234S');
    await page.click('#btn-free');
    await page.click('#free-confirm');
    await expect.poll(() => page.textContent('#exit-error')).toBe('免费放行必须填写原因');
    await page.click('.sub-action .chip >> text=内部车辆');
    await page.click('#free-confirm');
    await page.waitForSelector('#exit-result');
    expect(await page.textContent('#exit-result')).toContain('免费放行：内部车辆');
    expect(cars.gateCommands().slice(before)).toEqual([{ laneId: 'out-1', command: 'open' }]);
    const order = b.ts.site.searchOrders({ plate: '粤B1234S' }).rows[0];
    expect(order).toMatchObject({ state: 'out', release: 'free', releaseReason: '内部车辆' });
    await page.click('#exit-result + .actions button');
  });

  it('corrects a misread plate from the exit panel', async () => {
    cars.enter('粤E66661', T('2026-03-02 10:45'));
    const { orderNo } = cars.arriveAtExit('粤E66661', T('2026-03-02 11:50'));
    const panel = page.locator('.modal[data-panel="exit"]');
    await panel.waitFor();
    await page.click('#btn-plate');
    await page.fill('#plate-input', '粤E66667');
    await page.click('#plate-save');
    await expect.poll(() => panel.locator('.plate-line .plate').textContent()).toBe('粤E66667');
    expect(b.ts.site.getOrder(orderNo!)!.plate).toBe('粤E66667');
    await page.keyboard.press('Escape');
    await page.waitForSelector('#modal', { state: 'detached' });
  });

  it('cards, blacklist and bookings: operators read, supervisors edit', async () => {
    const sup = await b.login('sup');
    await b.call('POST', '/api/cards', {
      cookie: sup,
      body: {
        cardNo: 'M0001',
        name: '陈先生',
        phone: '13800000001',
        carType: 2,
        plates: ['粤B11111'],
        validFrom: '2026-01-01T00:00',
        validTo: '2026-06-30T23:59',
      },
    });
    await b.call('POST', '/api/cards', {
      cookie: sup,
      body: { cardNo: 'S0002', name: '刘女士', carType: 3, plates: ['粤B22222', '粤B22223'], balance: 12500 },
    });
    await b.call('POST', '/api/cards', {
      cookie: sup,
      body: { cardNo: 'V0003', name: '物业管理处', carType: 1, plates: ['粤B00001'], remark: '物业车辆' },
    });
    await b.call('POST', '/api/blacklist', { cookie: sup, body: { plate: '粤B66666', reason: '多次逃费' } });
    await b.call('POST', '/api/bookings', {
      cookie: sup,
      body: {
        plate: '粤B55555',
        start: '2026-03-02T09:00',
        end: '2026-03-02T18:00',
        name: '访客王先生',
        phone: '13900000000',
        prepaid: 1000,
      },
    });

    await tab('cards');
    await page.waitForSelector('tr[data-card="M0001"]');
    expect(await page.textContent('.note')).toContain('只能查看');
    expect(await page.locator('button.add').count()).toBe(0);

    await page.click('#btn-logout');
    await page.waitForSelector('#login-form');
    await page.fill('#login-user', 'sup');
    await page.fill('#login-pass', PASSWORDS.sup);
    await page.click('#login-submit');
    await page.waitForSelector('article.lane');
    await tab('cards');
    await page.waitForSelector('tr[data-card="M0001"]');
    await shot('cards');
    await page.click('button.add');
    await page.fill('#f-cardNo', 'M0004');
    await page.fill('#f-plates', '粤B44444');
    await page.fill('#f-name', '周先生');
    await page.fill('#f-to', '2026-12-31T23:59');
    await shot('card-form');
    await page.click('#f-save');
    await page.waitForSelector('tr[data-card="M0004"]');
    expect(b.ts.site.getCard({ cardNo: 'M0004' })).toMatchObject({ name: '周先生', plates: ['粤B44444'] });

    await tab('blacklist');
    await page.waitForSelector('tr[data-plate="粤B66666"]');
    await shot('blacklist');
    await tab('bookings');
    await page.waitForSelector('tr[data-booking]');
    await shot('bookings');
  });

  it('raised no script errors along the way', () => {
    expect(pageErrors).toEqual([]);
  });
});
