// Every booth action through the HTTP API, against the real site and a recording lane port.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startBooth, siteCars, type Booth, type CarDriver } from './harness.js';
import { T } from '../helpers/site.js';

let b: Booth;
let cars: CarDriver;
let op: string;
beforeEach(async () => {
  b = await startBooth();
  cars = siteCars(b.ts);
  op = await b.login('op');
});
afterEach(async () => {
  await b.close();
});

/** Read SSE frames from the stream until `until` is satisfied. */
async function sse(
  cookie: string,
  until: (events: Array<{ event: string; data: any }>) => boolean,
  act?: () => void | Promise<void>,
) {
  const ctl = new AbortController();
  const r = await fetch(`${b.base}/api/events`, { headers: { cookie }, signal: ctl.signal });
  const reader = r.body!.getReader();
  const dec = new TextDecoder();
  const events: Array<{ event: string; data: any }> = [];
  let buf = '';
  let acted = false;
  const deadline = Date.now() + 5000;
  try {
    while (Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += dec.decode(value, { stream: true });
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const frame = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const ev = /^event: (.*)$/m.exec(frame)?.[1];
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (ev && data) events.push({ event: ev, data: JSON.parse(data) });
      }
      if (!acted && events.some((e) => e.event === 'state')) {
        acted = true;
        await act?.();
      }
      if (acted && until(events)) return events;
    }
    throw new Error(`stream ended without the expected events: ${events.map((e) => e.event).join(',')}`);
  } finally {
    ctl.abort();
  }
}

describe('live view', () => {
  it('state has lanes, free spaces and today totals', async () => {
    const s = await b.call('GET', '/api/state', { cookie: op });
    expect(s.status).toBe(200);
    expect(s.body.site).toMatchObject({ name: '测试停车场', timezone: 'Asia/Shanghai' });
    expect(s.body.lanes.map((l: any) => [l.laneId, l.name, l.direction, l.gate])).toEqual([
      ['in-1', '东门入口', 'entry', 'unknown'],
      ['out-1', '东门出口', 'exit', 'unknown'],
    ]);
    expect(s.body.spaces).toEqual([expect.objectContaining({ id: 'main', total: 100, free: 100 })]);
    expect(s.body.today).toMatchObject({ cash: { amount: 0, count: 0 }, freeReleases: 0, manualOpenings: 0 });
    expect(s.body.devices).toEqual([]);
  });

  it('pushes lane reads, waiting cars, free spaces and activity over SSE', async () => {
    const events = await sse(
      op,
      (ev) =>
        ev.some((e) => e.event === 'lane' && e.data.laneId === 'out-1' && e.data.waiting?.orderNo) &&
        ev.some((e) => e.event === 'spaces'),
      () => {
        cars.enter('粤B12345', T('2026-03-02 08:00'));
        cars.arriveAtExit('粤B12345', T('2026-03-02 10:10'));
      },
    );
    const state = events.find((e) => e.event === 'state')!.data;
    expect(state.user.username).toBe('op');
    const entryLane = events.find((e) => e.event === 'lane' && e.data.laneId === 'in-1')!.data;
    expect(entryLane.lastRead).toMatchObject({ plate: '粤B12345', confidence: 97 });
    expect(entryLane.gate).toBe('opened');
    const exitLane = events.find((e) => e.event === 'lane' && e.data.laneId === 'out-1')!.data;
    expect(exitLane.waiting).toMatchObject({ plate: '粤B12345', due: expect.any(Number) });
    expect(exitLane.waiting.due).toBeGreaterThan(0);
    expect(events.find((e) => e.event === 'spaces')!.data[0].free).toBe(99);
    expect(events.filter((e) => e.event === 'activity').map((e) => e.data.text)).toContainEqual(
      expect.stringContaining('粤B12345 入场 东门入口'),
    );
  });

  it('pushes device health from the device manager', async () => {
    await b.close();
    const { EventEmitter } = await import('node:events');
    const events = new EventEmitter();
    let status = 'online';
    const devices = {
      events,
      healthTable: () => [
        {
          id: 'gate-out-1',
          type: 'modbus-relay',
          kind: 'gate',
          ktDeviceType: 4,
          health: { status, since: 1 },
        },
      ],
      gate: () => ({ state: () => 'closed' as const, events: new EventEmitter() }),
    };
    b = await startBooth({ devices, patch: (c) => (c.lanes[1].gate = 'gate-out-1') });
    op = await b.login('op');
    const s = await b.call('GET', '/api/state', { cookie: op });
    expect(s.body.devices[0]).toMatchObject({ id: 'gate-out-1', health: { status: 'online' } });
    expect(s.body.lanes[1].gate).toBe('closed');
    const got = await sse(
      op,
      (ev) => ev.some((e) => e.event === 'devices'),
      () => {
        status = 'offline';
        events.emit('health', { id: 'gate-out-1' });
      },
    );
    expect(got.find((e) => e.event === 'devices')!.data[0].health.status).toBe('offline');
  });
});

describe('the car waiting at an exit', () => {
  it('shows photos, stay, fee breakdown and what was paid', async () => {
    cars.enter('粤B12345', T('2026-03-02 08:00'));
    const arrived = cars.arriveAtExit('粤B12345', T('2026-03-02 10:10'));
    expect(arrived.code).toBe('wait-payment');
    const r = await b.call('GET', '/api/lanes/out-1/exit', { cookie: op });
    expect(r.status).toBe(200);
    const w = r.body.waiting;
    expect(w.order).toMatchObject({
      orderNo: arrived.orderNo,
      plate: '粤B12345',
      state: 'in',
      entryImage: expect.stringMatching(/^\/images\/in-/),
    });
    expect(r.body.exitImage).toMatch(/^\/images\/out-/);
    expect(w.quote.stayMinutes).toBe(130);
    expect(w.quote.lines.length).toBeGreaterThan(0);
    expect(w.quote.lines.reduce((s: number, l: any) => s + l.amount, 0)).toBe(w.quote.total);
    expect(w.quote.due).toBe(arrived.due);
    expect(w.quote.paid).toBe(0);
    expect(r.body.candidates).toEqual([]);
  });

  it('cash: refuses too little, records the due amount, gives change, opens the gate and counts it', async () => {
    cars.enter('粤B12345', T('2026-03-02 08:00'));
    const { orderNo, due } = cars.arriveAtExit('粤B12345', T('2026-03-02 10:10'));
    const short = await b.call('POST', `/api/orders/${orderNo}/cash`, {
      cookie: op,
      body: { laneId: 'out-1', received: due! - 1 },
    });
    expect(short.status).toBe(409);
    expect(short.body.error).toContain('实收金额不足');
    const bad = await b.call('POST', `/api/orders/${orderNo}/cash`, {
      cookie: op,
      body: { laneId: 'out-1', received: 12.5 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('实收金额: 金额必须是整数(分)');
    expect(cars.gateCommands()).toEqual([]);

    const r = await b.call('POST', `/api/orders/${orderNo}/cash`, {
      cookie: op,
      body: { laneId: 'out-1', received: 5000, serial: 'k1' },
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ charged: due, received: 5000, change: 5000 - due!, gate: { ok: true } });
    expect(r.body.order).toMatchObject({ state: 'out', release: 'paid', paid: due });
    expect(cars.gateCommands()).toEqual([{ laneId: 'out-1', command: 'open' }]);
    const again = await b.call('POST', `/api/orders/${orderNo}/cash`, {
      cookie: op,
      body: { laneId: 'out-1', received: 5000, serial: 'k1' },
    });
    expect(again.status).toBe(409);
    expect(again.body.error).toContain('已出场');
    expect(b.ts.site.payments(orderNo!)).toHaveLength(1);

    const shift = await b.call('GET', '/api/shift', { cookie: op });
    expect(shift.body).toMatchObject({ cash: { amount: due, count: 1 }, manualOpenings: 0, freeReleases: 0 });
    const lane = (await b.call('GET', '/api/state', { cookie: op })).body.lanes.find(
      (l: any) => l.laneId === 'out-1',
    );
    expect(lane.waiting).toBeUndefined();
  });

  it('a cash release whose gate fails still settles and says so', async () => {
    cars.enter('粤B12345', T('2026-03-02 08:00'));
    const { orderNo, due } = cars.arriveAtExit('粤B12345', T('2026-03-02 10:10'));
    b.ts.lanes.failNext = 'modbus timeout';
    let r: any;
    const events = await sse(
      op,
      (ev) => ev.some((e) => e.event === 'alert'),
      async () => {
        r = await b.call('POST', `/api/orders/${orderNo}/cash`, {
          cookie: op,
          body: { laneId: 'out-1', received: due },
        });
      },
    );
    expect(r.status).toBe(200);
    expect(r.body.order.state).toBe('out');
    expect(r.body.gate).toEqual({ ok: false, error: '道闸命令失败: modbus timeout' });
    // the page also gets it live, for failures slower than the request
    expect(events.find((e) => e.event === 'alert')!.data.message).toBe(
      '东门出口 道闸命令失败: modbus timeout',
    );
  });

  it('free and abnormal releases need a reason and are counted', async () => {
    cars.enter('粤B12345', T('2026-03-02 08:00'));
    cars.enter('粤A88888', T('2026-03-02 08:05'));
    const a = cars.arriveAtExit('粤B12345', T('2026-03-02 10:10'));
    const noReason = await b.call('POST', `/api/orders/${a.orderNo}/release`, {
      cookie: op,
      body: { laneId: 'out-1', kind: 'free', reason: '  ' },
    });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error).toBe('免费放行必须填写原因');
    const free = await b.call('POST', `/api/orders/${a.orderNo}/release`, {
      cookie: op,
      body: { laneId: 'out-1', kind: 'free', reason: '领导批准' },
    });
    expect(free.status).toBe(200);
    expect(free.body.order).toMatchObject({
      state: 'out',
      release: 'free',
      releaseReason: '领导批准',
      paid: 0,
    });

    const c = cars.arriveAtExit('粤A88888', T('2026-03-02 10:20'));
    expect(
      (
        await b.call('POST', `/api/orders/${c.orderNo}/release`, {
          cookie: op,
          body: { laneId: 'out-1', kind: 'abnormal' },
        })
      ).body.error,
    ).toBe('异常放行必须填写原因');
    const ab = await b.call('POST', `/api/orders/${c.orderNo}/release`, {
      cookie: op,
      body: { laneId: 'out-1', kind: 'abnormal', reason: '设备故障' },
    });
    expect(ab.status).toBe(200);
    expect(ab.body.order).toMatchObject({ release: 'abnormal', releaseReason: '设备故障' });
    expect(cars.gateCommands()).toEqual([
      { laneId: 'out-1', command: 'open' },
      { laneId: 'out-1', command: 'open' },
    ]);
    const paidAfter = await b.call('POST', `/api/orders/${c.orderNo}/release`, {
      cookie: op,
      body: { laneId: 'out-1', kind: 'paid' },
    });
    expect(paidAfter.status).toBe(409);
    const shift = await b.call('GET', '/api/shift', { cookie: op });
    expect(shift.body).toMatchObject({
      freeReleases: 1,
      abnormalReleases: 1,
      manualOpenings: 0,
      cash: { amount: 0 },
    });
    expect(
      shift.body.entries
        .filter((e: any) => e.action.startsWith('release-'))
        .map((e: any) => [e.action, e.reason, e.actor]),
    ).toEqual([
      ['release-free', '领导批准', 'op'],
      ['release-abnormal', '设备故障', 'op'],
    ]);
  });

  it('a stay with nothing due is let out with the paid release; one with money due is refused', async () => {
    cars.enter('粤B12345', T('2026-03-02 08:00'));
    const inFree = cars.arriveAtExit('粤B12345', T('2026-03-02 08:10'));
    // inside the free minutes the site opens at once
    expect(inFree.code).toBe('open');
    cars.enter('粤C55555', T('2026-03-02 08:00'));
    const due = cars.arriveAtExit('粤C55555', T('2026-03-02 11:00'));
    const r = await b.call('POST', `/api/orders/${due.orderNo}/release`, {
      cookie: op,
      body: { laneId: 'out-1', kind: 'paid' },
    });
    expect(r.status).toBe(409);
    expect(r.body.error).toMatch(/^尚欠 /);
  });

  it('corrects the plate, with fuzzy candidates from the in-park list', async () => {
    cars.enter('粤B1234S', T('2026-03-02 08:00'));
    cars.enter('粤B12346', T('2026-03-02 08:01'));
    const cands = await b.call('GET', `/api/candidates?plate=${encodeURIComponent('粤B12345')}`, {
      cookie: op,
    });
    expect(cands.status).toBe(200);
    const plates = cands.body.candidates.map((c: any) => c.plate);
    expect(plates).toEqual(expect.arrayContaining(['粤B1234S', '粤B12346']));
    expect(cands.body.candidates[0]).toMatchObject({
      orderNo: expect.any(String),
      entryTime: expect.any(Number),
      entryImage: expect.stringMatching(/^\/images\//),
    });
    const orderNo = cands.body.candidates.find((c: any) => c.plate === '粤B1234S').orderNo;
    const fixed = await b.call('POST', `/api/orders/${orderNo}/plate`, {
      cookie: op,
      body: { plate: '粤B12345' },
    });
    expect(fixed.status).toBe(200);
    expect(fixed.body.order.plate).toBe('粤B12345');
    expect(fixed.body.quote).toMatchObject({ due: expect.any(Number) });
    const clash = await b.call('POST', `/api/orders/${orderNo}/plate`, {
      cookie: op,
      body: { plate: '粤B12346' },
    });
    expect(clash.status).toBe(409);
    expect(clash.body.error).toContain('已有在场记录');
    expect(
      (await b.call('POST', '/api/orders/NOPE/plate', { cookie: op, body: { plate: '粤B12345' } })).status,
    ).toBe(404);
    expect((await b.call('GET', '/api/candidates', { cookie: op })).body.error).toBe('请输入车牌');
  });

  it('no entry record: offers look-alike cars in the lot, or charges the configured minimum with a reason', async () => {
    const real = cars.enter('粤B1234S', T('2026-03-02 08:00'));
    const r = cars.arriveAtExit('粤B12345', T('2026-03-02 09:00'));
    expect(r.code).toBe('deny-no-entry');
    const view = await b.call('GET', '/api/lanes/out-1/exit', { cookie: op });
    expect(view.body.waiting).toBeUndefined();
    expect(view.body.lane.waiting).toMatchObject({ orderNo: '', plate: '粤B12345' });
    expect(view.body.candidates.map((c: any) => c.orderNo)).toContain(real);
    expect(view.body.noEntryRecordFee).toBe(1000);

    const noReason = await b.call('POST', '/api/lanes/out-1/no-entry', {
      cookie: op,
      body: { plate: '粤B12345', reason: '' },
    });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error).toBe('原因: 必须填写原因');
    const other = await b.call('POST', '/api/lanes/out-1/no-entry', {
      cookie: op,
      body: { plate: '粤B12345', reason: '无入场记录', amount: 1 },
    });
    expect(other.status).toBe(403);
    const ok = await b.call('POST', '/api/lanes/out-1/no-entry', {
      cookie: op,
      body: { plate: '粤B12345', reason: '入场未识别' },
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      charged: 1000,
      gate: { ok: true },
      order: { plate: '粤B12345', state: 'out', release: 'manual', paid: 1000 },
    });
    expect(cars.gateCommands()).toEqual([{ laneId: 'out-1', command: 'open' }]);
    const shift = await b.call('GET', '/api/shift', { cookie: op });
    expect(shift.body).toMatchObject({
      noEntryExits: 1,
      cash: { amount: 1000, count: 1 },
      manualOpenings: 0,
    });
    // picking a candidate instead: the panel loads that stay
    const picked = await b.call('GET', `/api/orders/${real}`, { cookie: op });
    expect(picked.body.order.plate).toBe('粤B1234S');
  });
});

describe('manual gate', () => {
  it('refuses an opening without a reason; a reasoned one reaches the lane, is audited and counted', async () => {
    const none = await b.call('POST', '/api/lanes/out-1/gate', { cookie: op, body: { command: 'open' } });
    expect(none.status).toBe(400);
    expect(none.body.error).toBe('手动操作道闸必须填写原因');
    const blank = await b.call('POST', '/api/lanes/out-1/gate', {
      cookie: op,
      body: { command: 'open', reason: '   ' },
    });
    expect(blank.status).toBe(400);
    expect(b.ts.lanes.commands).toEqual([]);

    for (const command of ['open', 'keepOpen', 'release', 'close'] as const) {
      const r = await b.call('POST', '/api/lanes/out-1/gate', {
        cookie: op,
        body: { command, reason: '防止砸车砸人' },
      });
      expect(r.status).toBe(200);
    }
    expect(b.ts.lanes.commands.map((c) => c.command)).toEqual(['open', 'keepOpen', 'release', 'close']);
    const shift = await b.call('GET', '/api/shift', { cookie: op });
    expect(shift.body.manualOpenings).toBe(2);
    expect(
      shift.body.entries
        .filter((e: any) => e.action.startsWith('gate-'))
        .every((e: any) => e.actor === 'op' && e.reason === '防止砸车砸人'),
    ).toBe(true);

    expect(
      (await b.call('POST', '/api/lanes/nope/gate', { cookie: op, body: { command: 'open', reason: 'x' } }))
        .status,
    ).toBe(404);
    expect(
      (
        await b.call('POST', '/api/lanes/out-1/gate', {
          cookie: op,
          body: { command: 'explode', reason: 'x' },
        })
      ).body.error,
    ).toBe('道闸命令: 格式不正确');
    b.ts.lanes.failNext = 'no answer from relay';
    const failed = await b.call('POST', '/api/lanes/out-1/gate', {
      cookie: op,
      body: { command: 'open', reason: '测试' },
    });
    expect(failed.status).toBe(502);
    expect(failed.body.error).toBe('道闸命令失败: no answer from relay');
  });
});

describe('records', () => {
  it('searches by plate fragment, card number, state and entry time range', async () => {
    cars.enter('粤B12345', T('2026-03-02 08:00'));
    cars.enter('粤B67890', T('2026-03-02 09:00'));
    const unplated = b.ts.site.enter({
      plate: '',
      cardNo: 'T0001',
      laneId: 'in-1',
      time: T('2026-03-02 09:30'),
      actor: { kind: 'lane' },
    });
    cars.enter('粤A11111', T('2026-03-02 10:00'));
    cars.arriveAtExit('粤A11111', T('2026-03-02 10:15'));
    const q = (s: string) => b.call('GET', `/api/orders${s}`, { cookie: op }).then((r) => r.body);
    expect((await q('?plate=B123')).rows.map((o: any) => o.plate)).toEqual(['粤B12345']);
    expect((await q('?cardNo=T0001')).rows.map((o: any) => o.orderNo)).toEqual([unplated.order!.orderNo]);
    expect((await q('?state=in')).total).toBe(3);
    expect((await q('?state=out')).rows.map((o: any) => o.plate)).toEqual(['粤A11111']);
    const range = await q(
      `?from=${encodeURIComponent('2026-03-02T08:30')}&to=${encodeURIComponent('2026-03-02T09:45')}`,
    );
    expect(range.total).toBe(2);
    expect((await q('?from=yesterday')).error).toBe('开始时间: 时间格式不正确');
    expect((await q('?state=gone')).error).toBe('状态无效');
    const detail = await b.call('GET', `/api/orders/${range.rows[0].orderNo}`, { cookie: op });
    expect(detail.body.order.payments).toEqual([]);
    expect((await b.call('GET', '/api/orders/NOPE', { cookie: op })).body.error).toBe('订单 NOPE 不存在');
  });

  it('serves photos only to logged-in staff, from the camera server', async () => {
    const img = await fetch(`${b.base}/images/in-3-blue.png`, { headers: { cookie: op } });
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/png');
    const bytes = Buffer.from(await img.arrayBuffer());
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
    expect((await fetch(`${b.base}/images/in-3-blue.png`)).status).toBe(401);
    expect((await fetch(`${b.base}/images/..%2Fetc%2Fpasswd`, { headers: { cookie: op } })).status).toBe(404);
    expect((await fetch(`${b.base}/images/missing.png`, { headers: { cookie: op } })).status).toBe(404);
  });

  it('answers unknown API paths with a JSON 404 and bad JSON with 400', async () => {
    const r = await b.call('GET', '/api/nope', { cookie: op });
    expect(r.status).toBe(404);
    expect(r.body.error).toBe('接口不存在');
    const bad = await b.call('POST', '/api/login', { raw: '{"username":', contentType: 'application/json' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('请求格式错误');
  });
});

describe('card holders, blacklist, bookings', () => {
  it('cards: add, list, get, edit, recharge, delete, with clear errors', async () => {
    const sup = await b.login('sup');
    const add = await b.call('POST', '/api/cards', {
      cookie: sup,
      body: {
        cardNo: 'M001',
        name: '陈先生',
        phone: '13800000000',
        carType: 2,
        plates: ['粤B11111', '粤B22222'],
        validFrom: '2026-03-01T00:00',
        validTo: '2026-04-01T00:00',
      },
    });
    expect(add.status).toBe(200);
    expect(add.body).toMatchObject({
      cardNo: 'M001',
      carTypeName: '月租车',
      plates: ['粤B11111', '粤B22222'],
      validTo: T('2026-04-01 00:00'),
    });
    expect(
      (
        await b.call('POST', '/api/cards', {
          cookie: sup,
          body: { cardNo: 'M001', carType: 2, plates: ['粤B33333'] },
        })
      ).status,
    ).toBe(409);
    const badType = await b.call('POST', '/api/cards', {
      cookie: sup,
      body: { cardNo: 'M002', carType: 0, plates: ['粤B33333'] },
    });
    expect(badType.status).toBe(400);
    expect(badType.body.error).toBe('固定车类型无效: 0');
    expect(
      (
        await b.call('POST', '/api/cards', {
          cookie: sup,
          body: { cardNo: 'M002', carType: 2, plates: ['粤B33333'], validTo: '31/12/2026' },
        })
      ).body.error,
    ).toBe('有效期结束: 时间格式不正确');

    expect(
      (await b.call('GET', '/api/cards?plate=B2222', { cookie: op })).body.rows.map((c: any) => c.cardNo),
    ).toEqual(['M001']);
    expect((await b.call('GET', '/api/cards/M001', { cookie: op })).body.name).toBe('陈先生');
    expect((await b.call('GET', '/api/cards/NOPE', { cookie: op })).status).toBe(404);

    const edit = await b.call('PUT', '/api/cards/M001', {
      cookie: sup,
      body: {
        cardNo: 'ignored',
        name: '陈女士',
        carType: 2,
        plates: ['粤B11111'],
        validTo: '2026-05-01T00:00',
      },
    });
    expect(edit.status).toBe(200);
    expect(edit.body).toMatchObject({
      cardNo: 'M001',
      name: '陈女士',
      plates: ['粤B11111'],
      validTo: T('2026-05-01 00:00'),
    });
    const renew = await b.call('POST', '/api/cards/M001/recharge', {
      cookie: sup,
      body: { amount: 30000, months: 1 },
    });
    expect(renew.status).toBe(200);
    expect(renew.body.validTo).toBe(T('2026-06-01 00:00'));
    const stored = await b.call('POST', '/api/cards', {
      cookie: sup,
      body: { cardNo: 'S001', carType: 3, plates: ['粤B44444'], balance: 1000 },
    });
    expect(stored.body.balance).toBe(1000);
    expect(
      (await b.call('POST', '/api/cards/S001/recharge', { cookie: sup, body: { amount: 5000 } })).body
        .balance,
    ).toBe(6000);
    expect((await b.call('DELETE', '/api/cards/M001', { cookie: sup })).status).toBe(200);
    expect((await b.call('DELETE', '/api/cards/M001', { cookie: sup })).body.error).toBe('卡号 M001 不存在');
    // the card use-cases report to the clouds like the KT endpoints do: they are domain events
    const kinds = b.ts.store.db.prepare(`SELECT type FROM events WHERE type = 'card.changed'`).all();
    expect(kinds.length).toBe(6);
  });

  it('blacklist: add, edit, list, remove', async () => {
    const sup = await b.login('sup');
    const add = await b.call('POST', '/api/blacklist', {
      cookie: sup,
      body: { plate: '粤B99999', reason: '逃费' },
    });
    expect(add.status).toBe(200);
    expect(add.body).toMatchObject({ plate: '粤B99999', reason: '逃费' });
    expect(
      (
        await b.call('POST', '/api/blacklist', {
          cookie: sup,
          body: { plate: '粤B99999', reason: '逃费两次', validTo: '2026-12-31T00:00' },
        })
      ).body.reason,
    ).toBe('逃费两次');
    const list = await b.call('GET', '/api/blacklist?plate=999', { cookie: op });
    expect(list.body.rows).toEqual([
      expect.objectContaining({ plate: '粤B99999', reason: '逃费两次', validTo: T('2026-12-31 00:00') }),
    ]);
    expect((await b.call('POST', '/api/blacklist', { cookie: sup, body: { plate: 'X' } })).body.error).toBe(
      '车牌号无效: X',
    );
    expect(
      (await b.call('DELETE', `/api/blacklist/${encodeURIComponent('粤B99999')}`, { cookie: sup })).status,
    ).toBe(200);
    expect(
      (await b.call('DELETE', `/api/blacklist/${encodeURIComponent('粤B99999')}`, { cookie: sup })).status,
    ).toBe(404);
    // a blacklisted car at the entry shows up in the live activity
    await b.call('POST', '/api/blacklist', { cookie: sup, body: { plate: '粤B77777', reason: '逃费' } });
    b.ts.site.enter({ plate: '粤B77777', laneId: 'in-1', time: b.ts.clock.now, actor: { kind: 'lane' } });
    const s = await b.call('GET', '/api/state', { cookie: op });
    expect(s.body.activity.map((a: any) => a.text)).toContainEqual(
      expect.stringContaining('黑名单车辆 粤B77777'),
    );
  });

  it('bookings: add, edit, cancel, list', async () => {
    const sup = await b.login('sup');
    const add = await b.call('POST', '/api/bookings', {
      cookie: sup,
      body: {
        plate: '粤B55555',
        start: '2026-03-02T09:00',
        end: '2026-03-02T18:00',
        name: '访客',
        prepaid: 500,
      },
    });
    expect(add.status).toBe(200);
    const no = add.body.bookingNo;
    expect(add.body).toMatchObject({
      plate: '粤B55555',
      start: T('2026-03-02 09:00'),
      prepaid: 500,
      state: 'active',
    });
    const bad = await b.call('POST', '/api/bookings', {
      cookie: sup,
      body: { plate: '粤B55556', start: '2026-03-02T18:00', end: '2026-03-02T09:00' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('预约结束时间必须晚于开始时间');
    const edit = await b.call('PUT', `/api/bookings/${no}`, {
      cookie: sup,
      body: { plate: '粤B55555', start: '2026-03-02T10:00', end: '2026-03-02T20:00', multiEntry: true },
    });
    expect(edit.body).toMatchObject({ start: T('2026-03-02 10:00'), multiEntry: true });
    expect((await b.call('GET', '/api/bookings?plate=55555', { cookie: op })).body.rows).toHaveLength(1);
    expect((await b.call('DELETE', `/api/bookings/${no}`, { cookie: sup })).body.state).toBe('cancelled');
    const again = await b.call('PUT', `/api/bookings/${no}`, {
      cookie: sup,
      body: { plate: '粤B55555', start: '2026-03-02T10:00', end: '2026-03-02T20:00' },
    });
    expect(again.status).toBe(409);
    expect((await b.call('DELETE', '/api/bookings/NOPE', { cookie: sup })).status).toBe(404);
  });
});
