import { afterEach, describe, expect, it } from 'vitest';
import { T } from '../helpers/site.js';
import { startKt, waitFor, type KtHarness } from './harness.js';

let h: KtHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const lane = { kind: 'lane' as const };

/** 20 stays: every second one pays cash at the booth, the others leave within the free 30 minutes. */
function traffic(h: KtHarness): string[] {
  const { site, clock } = h.t;
  const plates: string[] = [];
  const steps: Array<{ at: number; run: () => void }> = [];
  for (let i = 0; i < 20; i++) {
    const plate = `京K${String(10000 + i)}`;
    plates.push(plate);
    const entry = T('2026-03-02 08:00:00') + i * 60_000;
    const exit = entry + (i % 2 === 0 ? 3 * 3_600_000 : 10 * 60_000);
    steps.push({ at: entry, run: () => site.enter({ plate, laneId: 'in-1', time: entry, actor: lane }) });
    steps.push({
      at: exit,
      run: () => {
        const r = site.exit({ plate, laneId: 'out-1', time: exit, actor: lane });
        if (!r.decision.open)
          site.release({
            orderNo: r.order!.orderNo,
            laneId: 'out-1',
            kind: 'cash',
            actor: { kind: 'booth', name: 'op1' },
            time: exit,
          });
      },
    });
  }
  // the site clock only moves forward, as on a real lot (retry times are taken from it)
  for (const s of steps.sort((a, b) => a.at - b.at)) {
    clock.now = s.at;
    s.run();
  }
  return plates;
}

function expectEachOnceInOrder(h: KtHarness, plates: string[]) {
  const got = h.cloud.received.filter((r) => plates.includes(r.data?.plateNo));
  const keys = got.map((r) => `${r.name}|${r.data.plateNo}`);
  expect(new Set(keys).size).toBe(keys.length);
  const count = (n: string) => got.filter((r) => r.name === n).length;
  expect(count('PostCarInInfo')).toBe(20);
  expect(count('PostPayDetail')).toBe(20);
  expect(count('PostCarBillDetail')).toBe(10);
  for (const p of plates) {
    const seq = got.filter((r) => r.data.plateNo === p).map((r) => r.name);
    expect(seq).toEqual(
      seq.includes('PostCarBillDetail')
        ? ['PostCarInInfo', 'PostCarBillDetail', 'PostPayDetail']
        : ['PostCarInInfo', 'PostPayDetail'],
    );
  }
  const cash = got.filter((r) => r.name === 'PostPayDetail' && r.data.payMoney > 0);
  expect(cash).toHaveLength(10);
  for (const r of cash) expect(r.data.payType).toBe(0);
}

describe('KT outbox delivery', () => {
  it('the cloud down for a while: every report arrives after it returns, each once, one car’s in order', async () => {
    h = await startKt({ backoffMs: 20 });
    h.cloud.setDown(true);
    const plates = traffic(h);
    await waitFor(() => h!.dispatcher.stats()[0].failed >= 20, 5000, 'failed attempts');
    await new Promise((r) => setTimeout(r, 300));
    expect(h.cloud.received).toHaveLength(0);
    const stalled = h.dispatcher.stats()[0];
    expect(stalled.backlog).toBe(50);
    expect(stalled.lastError).toBeTruthy();

    h.cloud.setDown(false);
    await waitFor(() => h!.dispatcher.stats()[0].backlog === 0, 15_000, 'backlog drained');
    // nothing more after the backlog is empty
    await new Promise((r) => setTimeout(r, 300));
    expectEachOnceInOrder(h, plates);
    expect(h.dispatcher.stats()[0].delivered).toBe(50);
  });

  it('a cloud answering resCode 1 is retried until resCode 0, then never again', async () => {
    h = await startKt({ backoffMs: 20 });
    let refusals = 0;
    const busy = () => {
      refusals++;
      return { resCode: 1, resMsg: '系统繁忙', data: null };
    };
    for (const n of ['PostCarInInfo', 'PostPayDetail', 'PostCarBillDetail']) h.cloud.setReply(n, busy);
    const plates = traffic(h);
    await waitFor(() => refusals >= 40, 5000, 'refusals');
    for (const n of ['PostCarInInfo', 'PostPayDetail', 'PostCarBillDetail']) h.cloud.setReply(n, undefined);
    h.cloud.received.length = 0;
    await waitFor(() => h!.dispatcher.stats()[0].backlog === 0, 15_000, 'backlog drained');
    await new Promise((r) => setTimeout(r, 300));
    expectEachOnceInOrder(h, plates);
  });

  it('a report of several calls that fails half-way resumes after the accepted part', async () => {
    h = await startKt({ backoffMs: 20 });
    const { site, clock } = h.t;
    h.cloud.setReply('PostCarInInfo', () => ({ resCode: 0, resMsg: '', data: [{ IsDensityPay: 1 }] }));
    clock.now = T('2026-03-02 08:00:00');
    const orderNo = site.enter({ plate: '川A77777', laneId: 'in-1', time: clock.now, actor: lane }).order!
      .orderNo;
    await waitFor(() => site.getOrder(orderNo)!.autoPay, 5000, 'autoPay');
    // an unanswered auto-pay question leaves a correction for the exit report
    site.cloudState('kt').set(`correct:${orderNo}`, JSON.stringify({ totalMoney: 500 }));
    let payDetailTries = 0;
    h.cloud.setReply('PostPayDetail', () =>
      ++payDetailTries < 3
        ? { resCode: 1, resMsg: 'later', data: null }
        : { resCode: 0, resMsg: '', data: null },
    );
    clock.now = T('2026-03-02 08:10:00');
    site.exit({ plate: '川A77777', laneId: 'out-1', time: clock.now, actor: lane });
    await waitFor(() => h!.dispatcher.stats()[0].backlog === 0, 10_000, 'backlog drained');
    const names = h.cloud.received.map((r) => r.name);
    expect(names.filter((n) => n === 'PostCarCorrect')).toHaveLength(1);
    expect(names.filter((n) => n === 'PostPayDetail')).toHaveLength(3);
    expect(payDetailTries).toBe(3);
  });
});
