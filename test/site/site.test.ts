import { afterEach, describe, expect, it } from 'vitest';
import { tempSite, T, silentLogger, type TestSite } from '../helpers/site.js';
import { CarType, SiteError } from '../../src/site/api.js';
import { compileTariff } from '../../src/core/tariff/index.js';
import type { DomainEvent } from '../../src/site/events.js';

let t: TestSite;
afterEach(() => t?.close());
const lane = { kind: 'lane' as const, name: 'in-1' };
const booth = { kind: 'booth' as const, name: 'alice' };
const streams = [{ stream: 'kt', kinds: 'all' as const }];
const outboxKinds = (s: TestSite) =>
  (s.store.db.prepare(`SELECT kind FROM outbox ORDER BY id`).all() as Array<{ kind: string }>).map(
    (r) => r.kind,
  );

describe('site: temporary cars', () => {
  it('enter → quote → pay (twice, same serial: charged once) → exit', () => {
    t = tempSite({ streams });
    const e = t.site.enter({
      plate: '粤b 12345',
      colour: 'blue',
      laneId: 'in-1',
      time: T('2026-03-02 10:00'),
      actor: lane,
    });
    expect(e.decision.code).toBe('open');
    expect(e.order!.plate).toBe('粤B12345');
    expect(e.order!.orderNo).toMatch(/^[0-9A-Za-z]{1,32}$/);
    const q = t.site.quote({ plate: '粤B12345', at: T('2026-03-02 11:01') })!;
    expect(q.total).toBe(600);
    expect(q.due).toBe(600);
    const payIn = {
      orderNo: e.order!.orderNo,
      amount: 600,
      method: 'wechat',
      channel: 'kt',
      serial: 'WX-1',
      time: T('2026-03-02 11:01'),
      actor: { kind: 'kt' as const },
    };
    const p1 = t.site.pay(payIn);
    const p2 = t.site.pay(payIn);
    expect(p1.duplicate).toBe(false);
    expect(p2.duplicate).toBe(true);
    expect(t.site.payments(e.order!.orderNo)).toHaveLength(1);
    expect(t.lanes.paidOrders).toEqual([e.order!.orderNo]);
    const x = t.site.exit({ plate: '粤B12345', laneId: 'out-1', time: T('2026-03-02 11:05'), actor: lane });
    expect(x.decision.code).toBe('open');
    expect(x.order!.state).toBe('out');
    expect(x.order!.release).toBe('paid');
    expect(outboxKinds(t).filter((k) => k === 'payment.recorded')).toHaveLength(1);
    expect(outboxKinds(t)).toContain('car.exited');
  });

  it('a different serial for money already paid is refused (no cloud is paid twice)', () => {
    t = tempSite();
    const o = t.site.enter({
      plate: '粤B12345',
      time: T('2026-03-02 10:00'),
      laneId: 'in-1',
      actor: lane,
    }).order!;
    t.site.pay({
      orderNo: o.orderNo,
      amount: 600,
      method: 'x',
      channel: 'pyun',
      serial: 'A',
      time: T('2026-03-02 11:01'),
      actor: { kind: 'pyun' },
    });
    expect(() =>
      t.site.pay({
        orderNo: o.orderNo,
        amount: 600,
        method: 'x',
        channel: 'kt',
        serial: 'B',
        time: T('2026-03-02 11:02'),
        actor: { kind: 'kt' },
      }),
    ).toThrow(/已缴清/);
    expect(t.site.quote({ orderNo: o.orderNo, at: T('2026-03-02 11:03') })!.due).toBe(0);
  });

  it('a serial reused with another amount is a conflict', () => {
    t = tempSite();
    const o = t.site.enter({
      plate: '粤B12345',
      time: T('2026-03-02 10:00'),
      laneId: 'in-1',
      actor: lane,
    }).order!;
    t.site.pay({
      orderNo: o.orderNo,
      amount: 600,
      method: 'x',
      channel: 'kt',
      serial: 'A',
      time: T('2026-03-02 11:01'),
      actor: { kind: 'kt' },
    });
    expect(() =>
      t.site.pay({
        orderNo: o.orderNo,
        amount: 500,
        method: 'x',
        channel: 'kt',
        serial: 'A',
        time: T('2026-03-02 11:01'),
        actor: { kind: 'kt' },
      }),
    ).toThrow(SiteError);
  });

  it('exit with a fee due waits for payment; within the grace after paying it opens; overstaying bills again from the payment time', () => {
    t = tempSite();
    const o = t.site.enter({
      plate: '粤B12345',
      time: T('2026-03-02 10:00'),
      laneId: 'in-1',
      actor: lane,
    }).order!;
    const x1 = t.site.exit({ plate: '粤B12345', laneId: 'out-1', time: T('2026-03-02 11:01'), actor: lane });
    expect(x1.decision.code).toBe('wait-payment');
    expect(x1.decision.due).toBe(600);
    expect(x1.decision.lines[1].text).toBe('请缴费 6.00 元');
    t.site.pay({
      orderNo: o.orderNo,
      amount: 600,
      method: 'x',
      channel: 'kt',
      serial: 'A',
      time: T('2026-03-02 11:01'),
      actor: { kind: 'kt' },
    });
    // 14 minutes later: still inside the 15-minute grace
    expect(t.site.quote({ orderNo: o.orderNo, at: T('2026-03-02 11:15') })!.due).toBe(0);
    // 40 minutes later: billed again from 11:01, without free minutes: 11:01→11:41 day rate, first block 400
    const late = t.site.quote({ orderNo: o.orderNo, at: T('2026-03-02 11:41') })!;
    expect(late.due).toBeGreaterThan(0);
    expect(late.due).toBe(400);
    const x2 = t.site.exit({ plate: '粤B12345', laneId: 'out-1', time: T('2026-03-02 11:41'), actor: lane });
    expect(x2.decision.code).toBe('wait-payment');
  });

  it('a free stay (≤ 30 min inclusive) opens at once', () => {
    t = tempSite();
    t.site.enter({ plate: '粤B12345', time: T('2026-03-02 10:00'), laneId: 'in-1', actor: lane });
    expect(
      t.site.exit({ plate: '粤B12345', laneId: 'out-1', time: T('2026-03-02 10:30'), actor: lane }).decision
        .code,
    ).toBe('open');
  });

  it('an exit with no entry record is refused with fuzzy candidates from the lot', () => {
    t = tempSite();
    t.site.enter({ plate: '粤B80123', time: T('2026-03-02 10:00'), laneId: 'in-1', actor: lane });
    const x = t.site.exit({ plate: '粤BB0123', laneId: 'out-1', time: T('2026-03-02 10:40'), actor: lane });
    expect(x.decision.code).toBe('deny-no-entry');
    expect(x.candidates?.[0]?.plate).toBe('粤B80123');
  });

  it('matches a plate without its province character (KT stores holders that way)', () => {
    t = tempSite();
    t.site.addCard(
      {
        cardNo: 'M1',
        carType: CarType.monthly,
        plates: ['B12345'],
        validFrom: T('2026-01-01 00:00'),
        validTo: T('2026-12-31 00:00'),
      },
      booth,
    );
    const e = t.site.enter({ plate: '粤B12345', time: T('2026-03-02 10:00'), laneId: 'in-1', actor: lane });
    expect(e.order!.carType).toBe(CarType.monthly);
  });
});

describe('site: card holders', () => {
  const card = (over: object = {}) => ({
    cardNo: 'C1',
    carType: CarType.monthly,
    plates: ['粤B12345'],
    validFrom: T('2026-01-01 00:00'),
    validTo: T('2026-12-31 00:00'),
    ...over,
  });

  it('monthly valid: free in and out', () => {
    t = tempSite();
    t.site.addCard(card(), booth);
    const e = t.site.enter({ plate: '粤B12345', time: T('2026-03-02 10:00'), laneId: 'in-1', actor: lane });
    expect(e.decision.carType).toBe(CarType.monthly);
    expect(e.decision.lines[1].text).toMatch(/月租车 剩余\d+天/);
    const x = t.site.exit({ plate: '粤B12345', laneId: 'out-1', time: T('2026-03-04 10:00'), actor: lane });
    expect(x.decision.code).toBe('open');
    expect(x.order!.release).toBe('card');
  });

  it('monthly expired before entry: temporary', () => {
    t = tempSite();
    t.site.addCard(card({ validTo: T('2026-03-01 00:00') }), booth);
    const e = t.site.enter({ plate: '粤B12345', time: T('2026-03-02 10:00'), laneId: 'in-1', actor: lane });
    expect(e.order!.carType).toBe(CarType.temporary);
  });

  it('monthly expiring during the stay: temporary fee from the expiry time', () => {
    t = tempSite();
    t.site.addCard(card({ validTo: T('2026-03-02 12:00') }), booth);
    t.site.enter({ plate: '粤B12345', time: T('2026-03-02 08:00'), laneId: 'in-1', actor: lane });
    // 12:00 → 13:01 billed as temporary: 400 + 200 (the free 30 min are counted, stay is 61 min)
    const q = t.site.quote({ plate: '粤B12345', at: T('2026-03-02 13:01') })!;
    expect(q.due).toBe(600);
  });

  it('stored value: pays from the balance', () => {
    t = tempSite();
    t.site.addCard(
      card({ cardNo: 'S1', carType: CarType.storedValue, balance: 1000, validTo: undefined }),
      booth,
    );
    t.site.enter({ plate: '粤B12345', time: T('2026-03-02 10:00'), laneId: 'in-1', actor: lane });
    const x = t.site.exit({ plate: '粤B12345', laneId: 'out-1', time: T('2026-03-02 11:01'), actor: lane });
    expect(x.decision.code).toBe('open');
    expect(t.site.getCard({ cardNo: 'S1' })!.balance).toBe(400);
  });

  for (const [mode, code, due, balanceAfter] of [
    ['deny', 'deny-balance', 600, 100],
    ['temporary', 'wait-payment', 600, 100],
    ['partial', 'wait-payment', 500, 0],
  ] as const) {
    it(`stored value short, policy ${mode}: ${code}, due ${due}`, () => {
      t = tempSite({ patch: (c) => (c.policy.storedValueShort = mode) });
      t.site.addCard(
        card({ cardNo: 'S1', carType: CarType.storedValue, balance: 100, validTo: undefined }),
        booth,
      );
      t.site.enter({ plate: '粤B12345', time: T('2026-03-02 10:00'), laneId: 'in-1', actor: lane });
      const x = t.site.exit({ plate: '粤B12345', laneId: 'out-1', time: T('2026-03-02 11:01'), actor: lane });
      expect(x.decision.code).toBe(code);
      expect(x.decision.due).toBe(due);
      expect(t.site.getCard({ cardNo: 'S1' })!.balance).toBe(balanceAfter);
    });
  }

  it('count card: one use per stay, then temporary', () => {
    t = tempSite();
    t.site.addCard(card({ cardNo: 'N1', carType: CarType.count, countLeft: 1, validTo: undefined }), booth);
    t.site.enter({ plate: '粤B12345', time: T('2026-03-02 10:00'), laneId: 'in-1', actor: lane });
    expect(
      t.site.exit({ plate: '粤B12345', laneId: 'out-1', time: T('2026-03-02 12:00'), actor: lane }).decision
        .code,
    ).toBe('open');
    expect(t.site.getCard({ cardNo: 'N1' })!.countLeft).toBe(0);
    const e2 = t.site.enter({ plate: '粤B12345', time: T('2026-03-02 13:00'), laneId: 'in-1', actor: lane });
    expect(e2.order!.carType).toBe(CarType.temporary);
  });

  for (const type of [CarType.vip, CarType.staff, CarType.guest, CarType.shared]) {
    it(`free car type ${type}: open both ways`, () => {
      t = tempSite();
      t.site.addCard(card({ carType: type }), booth);
      expect(
        t.site.enter({ plate: '粤B12345', time: T('2026-03-02 10:00'), laneId: 'in-1', actor: lane }).order!
          .carType,
      ).toBe(type);
      expect(
        t.site.exit({ plate: '粤B12345', laneId: 'out-1', time: T('2026-03-03 10:00'), actor: lane }).decision
          .code,
      ).toBe('open');
    });
  }

  it('a holder whose spaces are all taken enters the next car as temporary', () => {
    t = tempSite();
    t.site.addCard(card({ plates: ['粤B12345', '粤B54321'], spaces: 1 }), booth);
    expect(
      t.site.enter({ plate: '粤B12345', time: T('2026-03-02 10:00'), laneId: 'in-1', actor: lane }).order!
        .carType,
    ).toBe(CarType.monthly);
    expect(
      t.site.enter({ plate: '粤B54321', time: T('2026-03-02 10:05'), laneId: 'in-1', actor: lane }).order!
        .carType,
    ).toBe(CarType.temporary);
  });

  it('recharge is idempotent on its serial; renewals extend validity', () => {
    t = tempSite();
    t.site.addCard(
      card({ cardNo: 'S1', carType: CarType.storedValue, balance: 0, validTo: undefined }),
      booth,
    );
    const r = {
      cardNo: 'S1',
      amount: 5000,
      channel: 'kt',
      serial: 'R1',
      time: T('2026-03-02 10:00'),
      actor: { kind: 'kt' as const },
    };
    t.site.recharge(r);
    expect(t.site.recharge(r).duplicate).toBe(true);
    expect(t.site.getCard({ cardNo: 'S1' })!.balance).toBe(5000);
    t.site.addCard(card({ cardNo: 'M2', plates: ['粤C11111'], validTo: T('2026-03-31 00:00') }), booth);
    const h = t.site.recharge({
      cardNo: 'M2',
      amount: 30000,
      months: 1,
      channel: 'kt',
      serial: 'R2',
      time: T('2026-03-02 10:00'),
      actor: { kind: 'kt' },
    }).holder;
    expect(h.validTo).toBe(T('2026-04-30 00:00'));
  });
});

describe('site: bookings, blacklist, full lot', () => {
  it('booking within its window: booking car type, prepaid counted as paid; once-only booking is used up', () => {
    t = tempSite();
    t.site.addBooking({
      plate: '粤B12345',
      start: T('2026-03-02 09:00'),
      end: T('2026-03-02 11:00'),
      prepaid: 400,
      actor: { kind: 'kt' },
    });
    const e = t.site.enter({ plate: '粤B12345', time: T('2026-03-02 10:00'), laneId: 'in-1', actor: lane });
    expect(e.order!.carType).toBe(CarType.booking);
    expect(e.order!.paid).toBe(400);
    expect(t.site.quote({ plate: '粤B12345', at: T('2026-03-02 11:01') })!.due).toBe(200);
    t.site.exit({ plate: '粤B12345', laneId: 'out-1', time: T('2026-03-02 10:20'), actor: lane });
    expect(
      t.site.enter({ plate: '粤B12345', time: T('2026-03-02 10:30'), laneId: 'in-1', actor: lane }).order!
        .carType,
    ).toBe(CarType.temporary);
  });

  it('many-entry booking keeps working inside its window', () => {
    t = tempSite();
    t.site.addBooking({
      plate: '粤B12345',
      start: T('2026-03-02 09:00'),
      end: T('2026-03-02 18:00'),
      multiEntry: true,
      actor: { kind: 'kt' },
    });
    t.site.enter({ plate: '粤B12345', time: T('2026-03-02 10:00'), laneId: 'in-1', actor: lane });
    t.site.exit({ plate: '粤B12345', laneId: 'out-1', time: T('2026-03-02 10:10'), actor: lane });
    expect(
      t.site.enter({ plate: '粤B12345', time: T('2026-03-02 12:00'), laneId: 'in-1', actor: lane }).order!
        .carType,
    ).toBe(CarType.booking);
  });

  it('blacklisted: denied and reported', () => {
    t = tempSite({ streams });
    t.site.blacklistAdd({ plate: '粤B12345', reason: '逃费' }, booth);
    const events: DomainEvent[] = [];
    t.site.bus.on('event', (e) => events.push(e));
    const e = t.site.enter({ plate: '粤B12345', time: T('2026-03-02 10:00'), laneId: 'in-1', actor: lane });
    expect(e.decision.code).toBe('deny-blacklist');
    expect(e.order).toBeUndefined();
    expect(events.map((x) => x.type)).toContain('blacklist.hit');
    expect(outboxKinds(t)).toContain('blacklist.hit');
  });

  it('lot full: temporary denied, card holders per config', () => {
    t = tempSite({ patch: (c) => (c.site.areas[0].spaces = 1) });
    t.site.addCard({ cardNo: 'C1', carType: CarType.monthly, plates: ['粤B99999'] }, booth);
    t.site.enter({ plate: '粤B00001', time: T('2026-03-02 10:00'), laneId: 'in-1', actor: lane });
    expect(
      t.site.enter({ plate: '粤B00002', time: T('2026-03-02 10:01'), laneId: 'in-1', actor: lane }).decision
        .code,
    ).toBe('deny-full');
    expect(
      t.site.enter({ plate: '粤B99999', time: T('2026-03-02 10:02'), laneId: 'in-1', actor: lane }).decision
        .code,
    ).toBe('open');
    expect(t.site.spaces()[0].free).toBe(0);
  });

  it('free spaces are exact on every entry and exit, and can be pinned by hand', () => {
    t = tempSite();
    t.site.enter({ plate: '粤B00001', time: T('2026-03-02 10:00'), laneId: 'in-1', actor: lane });
    t.site.enter({ plate: '粤B00002', time: T('2026-03-02 10:00'), laneId: 'in-1', actor: lane });
    expect(t.site.spaces()[0].free).toBe(98);
    t.site.exit({ plate: '粤B00001', laneId: 'out-1', time: T('2026-03-02 10:10'), actor: lane });
    expect(t.site.spaces()[0].free).toBe(99);
    t.site.setFreeSpaces('main', 5, { kind: 'kt' });
    expect(t.site.spaces()[0].free).toBe(5);
    t.site.setFreeSpaces('main', null, { kind: 'kt' });
    expect(t.site.spaces()[0].free).toBe(99);
  });
});

describe('site: transactions', () => {
  it('a failure after a write leaves neither the write nor its outbox row', () => {
    t = tempSite({ streams });
    const before = (t.store.db.prepare('SELECT count(*) n FROM outbox').get() as { n: number }).n;
    const orig = t.store.areas.bump.bind(t.store.areas);
    t.store.areas.bump = () => {
      throw new Error('disk full');
    };
    expect(() =>
      t.site.enter({ plate: '粤B12345', time: T('2026-03-02 10:00'), laneId: 'in-1', actor: lane }),
    ).toThrow('disk full');
    t.store.areas.bump = orig;
    expect(t.site.searchOrders({}).total).toBe(0);
    expect((t.store.db.prepare('SELECT count(*) n FROM outbox').get() as { n: number }).n).toBe(before);
    expect((t.store.db.prepare('SELECT count(*) n FROM events').get() as { n: number }).n).toBe(0);
  });

  it('events are published only after the commit', () => {
    t = tempSite({ streams });
    const seen: string[] = [];
    t.site.bus.on('event', (e: DomainEvent) => seen.push(e.type));
    t.store.orders.finish = () => {
      throw new Error('boom');
    };
    t.site.enter({ plate: '粤B12345', time: T('2026-03-02 10:00'), laneId: 'in-1', actor: lane });
    seen.length = 0;
    t.site.pay({
      orderNo: t.site.findStay({ plate: '粤B12345' })!.orderNo,
      amount: 0,
      discount: 0,
      method: 'x',
      channel: 'kt',
      serial: 'Z',
      time: T('2026-03-02 10:05'),
      actor: { kind: 'kt' },
    });
    expect(seen).toContain('payment.recorded');
    seen.length = 0;
    expect(() =>
      t.site.exit({ plate: '粤B12345', laneId: 'out-1', time: T('2026-03-02 10:10'), actor: lane }),
    ).toThrow('boom');
    expect(seen).toEqual([]);
  });
});

describe('site: booth actions', () => {
  it('free and abnormal releases need a reason; cash release records the payment and opens the lane', async () => {
    t = tempSite();
    const o = t.site.enter({
      plate: '粤B12345',
      time: T('2026-03-02 10:00'),
      laneId: 'in-1',
      actor: lane,
    }).order!;
    expect(() =>
      t.site.release({ orderNo: o.orderNo, kind: 'free', actor: booth, time: T('2026-03-02 11:01') }),
    ).toThrow(/原因/);
    const r = t.site.release({
      orderNo: o.orderNo,
      kind: 'cash',
      amount: 1000,
      laneId: 'out-1',
      actor: booth,
      time: T('2026-03-02 11:01'),
    });
    expect(r.order!.state).toBe('out');
    expect(r.order!.paid).toBe(600);
    await new Promise((res) => setTimeout(res, 10));
    expect(t.lanes.commands).toEqual([{ laneId: 'out-1', command: 'open' }]);
    const report = t.site.shiftReport(T('2026-03-02 00:00'), T('2026-03-03 00:00'), 'alice');
    expect(report.cash).toEqual({ amount: 600, count: 1 });
  });

  it('a manual gate command without a reason is refused; with one it is audited and reported', async () => {
    t = tempSite({ streams });
    await expect(
      t.site.gateCommand({
        laneId: 'out-1',
        command: 'open',
        actor: booth,
        reason: ' ',
        time: T('2026-03-02 10:00'),
      }),
    ).rejects.toThrow(/原因/);
    await t.site.gateCommand({
      laneId: 'out-1',
      command: 'open',
      actor: booth,
      reason: '救护车',
      time: T('2026-03-02 10:00'),
    });
    expect(t.lanes.commands).toHaveLength(1);
    expect(outboxKinds(t)).toContain('gate.operated');
    expect(t.site.shiftReport(T('2026-03-02 00:00'), T('2026-03-03 00:00'), 'alice').manualOpenings).toBe(1);
    t.lanes.failNext = 'coil write timed out';
    await expect(
      t.site.gateCommand({
        laneId: 'out-1',
        command: 'open',
        actor: booth,
        reason: 'x',
        time: T('2026-03-02 10:01'),
      }),
    ).rejects.toThrow(/coil write timed out/);
  });

  it('correcting a plate re-types the stay for a card holder and refuses a clash', () => {
    t = tempSite();
    t.site.addCard({ cardNo: 'C1', carType: CarType.monthly, plates: ['粤B12345'] }, booth);
    const o = t.site.enter({
      plate: '粤B1234S',
      time: T('2026-03-02 10:00'),
      laneId: 'in-1',
      actor: lane,
    }).order!;
    expect(o.carType).toBe(CarType.temporary);
    const fixed = t.site.correctPlate({
      orderNo: o.orderNo,
      plate: '粤B12345',
      actor: booth,
      time: T('2026-03-02 10:05'),
    });
    expect(fixed.carType).toBe(CarType.monthly);
    t.site.enter({ plate: '粤A00000', time: T('2026-03-02 10:00'), laneId: 'in-1', actor: lane });
    expect(() =>
      t.site.correctPlate({
        orderNo: o.orderNo,
        plate: '粤A00000',
        actor: booth,
        time: T('2026-03-02 10:06'),
      }),
    ).toThrow(/已有在场记录/);
  });

  it('order numbers are unique, ASCII alphanumeric and at most 32 characters', () => {
    t = tempSite();
    const seen = new Set<string>();
    for (let i = 0; i < 90; i++) {
      const o = t.site.enter({
        plate: `粤B${String(10000 + i)}`,
        time: T('2026-03-02 10:00'),
        laneId: 'in-1',
        actor: lane,
      }).order!;
      expect(o.orderNo).toMatch(/^[0-9A-Za-z]{1,32}$/);
      seen.add(o.orderNo);
    }
    expect(seen.size).toBe(90);
  });
});

describe('site: cloud pricing (KT AutonomousCalfee)', () => {
  it("a cloud's fee replaces the tariff for the grace minutes, then the tariff applies again", () => {
    t = tempSite();
    const o = t.site.enter({
      plate: '粤B12345',
      time: T('2026-03-02 10:00'),
      laneId: 'in-1',
      actor: lane,
    }).order!;
    expect(t.site.quote({ orderNo: o.orderNo, at: T('2026-03-02 11:01') })!.due).toBe(600);
    const q = t.site.setCloudPrice({ orderNo: o.orderNo, fee: 250, by: 'kt', time: T('2026-03-02 11:01') });
    expect(q.total).toBe(250);
    expect(q.due).toBe(250);
    expect(q.quote.lines).toEqual([
      { period: 'cloud:kt', from: o.entryTime, to: T('2026-03-02 11:01'), units: 1, amount: 250 },
    ]);
    expect(t.lanes.paidOrders).toEqual([o.orderNo]);
    expect(t.site.quote({ orderNo: o.orderNo, at: T('2026-03-02 11:10') })!.due).toBe(250);
    // past the grace the cloud must be asked again; until then the local tariff stands
    expect(t.site.quote({ orderNo: o.orderNo, at: T('2026-03-02 11:40') })!.due).toBe(800);
    expect(() =>
      t.site.setCloudPrice({ orderNo: o.orderNo, fee: -1, by: 'kt', time: T('2026-03-02 11:01') }),
    ).toThrow(/无效/);
  });

  it('a cloud fee of 0 lets the car out', () => {
    t = tempSite();
    const o = t.site.enter({
      plate: '粤B12345',
      time: T('2026-03-02 10:00'),
      laneId: 'in-1',
      actor: lane,
    }).order!;
    t.site.setCloudPrice({ orderNo: o.orderNo, fee: 0, by: 'kt', time: T('2026-03-02 11:01') });
    expect(
      t.site.exit({ plate: '粤B12345', laneId: 'out-1', time: T('2026-03-02 11:02'), actor: lane }).decision
        .code,
    ).toBe('open');
  });
});

describe('site: nonces of signed requests', () => {
  it('a nonce is accepted once inside its window, refused again after a restart, and free after it expires', async () => {
    t = tempSite();
    const now = T('2026-03-02 10:00');
    expect(t.site.useNonce('lanapi:APP01', 'n-1', now, 120_000)).toBe(true);
    expect(t.site.useNonce('lanapi:APP01', 'n-1', now + 1000, 120_000)).toBe(false);
    expect(t.site.useNonce('lanapi:APP02', 'n-1', now + 1000, 120_000)).toBe(true);
    // the daemon restarts: a new store and site on the same file
    t.store.close();
    const { Store } = await import('../../src/storage/index.js');
    const { Site } = await import('../../src/site/site.js');
    const store = Store.open(t.file);
    const site = new Site({ store, config: t.config, logger: silentLogger, now: () => now });
    expect(site.useNonce('lanapi:APP01', 'n-1', now + 2000, 120_000)).toBe(false);
    expect(site.useNonce('lanapi:APP01', 'n-1', now + 121_000, 120_000)).toBe(true);
    t.store = store;
  });
});

describe('site: tariffs prepared up front', () => {
  afterEach(() => t?.close());

  it('prepareTariffs builds every configured tariff’s long-stay tables before any quote', () => {
    // tariffs of a shape no other test uses: compiled tariffs are shared by shape
    t = tempSite({ patch: (c) => Object.values(c.tariffs).forEach((tariff) => (tariff.freeMinutes = 17)) });
    const compiled = Object.values(t.config.tariffs).map((tariff) => compileTariff(tariff));
    expect(compiled.every((c) => c.plan === undefined)).toBe(true);
    t.site.prepareTariffs();
    expect(compiled.every((c) => c.plan !== undefined)).toBe(true);
  });
});
