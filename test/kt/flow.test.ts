import { afterEach, describe, expect, it } from 'vitest';
import { T } from '../helpers/site.js';
import { startKt, UP, waitFor, type KtHarness } from './harness.js';
import { ktAutoPayAtExit } from '../../src/downlink/kt/index.js';

let h: KtHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const lane = { kind: 'lane' as const };
const names = (h: KtHarness, plate: string) =>
  h.cloud.received.filter((r) => r.data?.plateNo === plate).map((r) => r.name);

describe('KT: a whole stay through the protocol', () => {
  it('enter → PostCarInInfo → GetParkingPaymentInfo → PayParkingFee twice (charged once) → exit → PostCarBillDetail, PostPayDetail', async () => {
    h = await startKt();
    const { site, clock, lanes } = h.t;
    clock.now = T('2026-03-02 08:00:00');
    const entered = site.enter({
      plate: '京A11113',
      laneId: 'in-1',
      time: clock.now,
      actor: lane,
      image: 'images/in/1.jpg',
    });
    const orderNo = entered.order!.orderNo;

    const carIn = await h.cloud.waitFor((r) => r.name === 'PostCarInInfo');
    expect(carIn.headers.user).toBe(UP.user);
    expect(carIn.headers.pwd).toBe(UP.pwd);
    expect(carIn.data).toEqual({
      parkCode: '1',
      plateNo: '京A11113',
      cardNo: '',
      entryTime: '2026-03-02 08:00:00',
      entryPlace: '东门入口',
      imgName: 'http://parkedge.test:8080/images/in/1.jpg',
      vplType: '2',
      vplColor: '0',
    });

    // two hours later the cloud asks for the fee; KT clients send the plate without its province
    clock.now = T('2026-03-02 10:00:00');
    const info = await h.call('GetParkingPaymentInfo', { parkCode: '1', plateNo: 'A11113' });
    expect(info.status).toBe(200);
    expect(info.contentType).toMatch(/application\/json/);
    expect(info.resCode).toBe(0);
    const due = site.quote({ orderNo, at: T('2026-03-02 10:00:00') })!.due;
    expect(due).toBeGreaterThan(0);
    const bill = (info.data as any[])[0];
    expect(bill).toMatchObject({
      plateNo: '京A11113',
      cardNo: '',
      entryTime: '2026-03-02 08:00:00',
      elapsedTime: 120,
      payable: due,
      delayTime: 15,
      totalFee: String(due),
      payedFee: '0',
      imgName: 'http://parkedge.test:8080/images/in/1.jpg',
    });
    expect(bill.payTime).toMatch(/^2026-03-02 10:00:0\d$/);
    expect(bill.orderNo).toMatch(new RegExp(`^${orderNo}Q[0-9A-Z]+$`));

    const pay = {
      parkCode: '1',
      orderNo: bill.orderNo,
      amount: due,
      discount: 0,
      payType: 4,
      payMethod: 4,
      freeMoney: 0,
      freeTime: 0,
      freeDetail: '',
    };
    const p1 = await h.call('PayParkingFee', pay);
    expect(p1).toMatchObject({ resCode: 0, data: [{ parkingTime: 120 }] });
    const p2 = await h.call('PayParkingFee', pay);
    expect(p2.resCode).toBe(0);
    const ktPayments = site.payments(orderNo).filter((p) => p.channel === 'kt');
    expect(ktPayments).toHaveLength(1);
    expect(ktPayments[0]).toMatchObject({ amount: due, serial: bill.orderNo, method: 'wechat' });
    expect(lanes.paidOrders).toEqual([orderNo]);
    // the same bill with another amount is refused; so is a new bill for a paid stay
    expect((await h.call('PayParkingFee', { ...pay, amount: due + 100 })).resCode).toBe(1);
    clock.now = T('2026-03-02 10:00:30');
    const again = await h.call('GetParkingPaymentInfo', { parkCode: '1', plateNo: '京A11113' });
    expect((again.data as any[])[0]).toMatchObject({ payable: 0, payedFee: String(due) });
    const second = await h.call('PayParkingFee', { ...pay, orderNo: (again.data as any[])[0].orderNo });
    expect(second.resCode).toBe(1);
    expect(second.resMsg).toMatch(/已缴清/);
    expect((await h.call('GetPaymentStatus', { parkCode: '1', orderNo: bill.orderNo })).data).toEqual([
      { status: '1' },
    ]);
    expect(site.payments(orderNo).reduce((s, p) => s + p.amount, 0)).toBe(due);

    const billDetail = await h.cloud.waitFor((r) => r.name === 'PostCarBillDetail');
    expect(billDetail.data).toMatchObject({
      plateNo: '京A11113',
      carType: 0,
      totalMoney: due,
      payMoney: due,
      terminalType: 14,
      payType: 111,
      paidType: 0,
      remark: bill.orderNo,
      entryTime: '2026-03-02 08:00:00',
    });

    clock.now = T('2026-03-02 10:05:00');
    const out = site.exit({
      plate: '京A11113',
      laneId: 'out-1',
      time: T('2026-03-02 10:05:00'),
      actor: lane,
      image: 'images/out/1.jpg',
    });
    expect(out.decision.open).toBe(true);
    const payDetail = await h.cloud.waitFor((r) => r.name === 'PostPayDetail');
    expect(payDetail.data).toEqual({
      parkCode: '1',
      plateNo: '京A11113',
      cardNo: '',
      entryTime: '2026-03-02 08:00:00',
      leaveTime: '2026-03-02 10:05:00',
      preMoney: due,
      payMoney: 0,
      payType: 6,
      ticketMoney: 0,
      ticketTime: 0,
      freeMoney: 0,
      carType: 0,
      leavePlace: '东门出口',
      imgName: 'http://parkedge.test:8080/images/out/1.jpg',
    });
    // one car's reports in the order things happened, each once
    await waitFor(() => h!.dispatcher.stats()[0].backlog === 0, 5000, 'empty backlog');
    expect(names(h, '京A11113')).toEqual(['PostCarInInfo', 'PostCarBillDetail', 'PostPayDetail']);

    // the finished stay is now in the booth report the cloud can query
    const report = await h.call('GetCarInOutInfoByPlate', {
      parkCode: '1',
      plateNo: 'A111',
      startTime: '2026-03-02 00:00:00',
      endTime: '2026-03-03 00:00:00',
      pageIndex: 1,
      pageCount: 10,
    });
    expect(report.data).toEqual([
      {
        totalNum: '1',
        detail: [
          {
            id: orderNo,
            plateNo: '京A11113',
            entryTime: '2026-03-02 08:00:00',
            entryPlace: '东门入口',
            leaveTime: '2026-03-02 10:05:00',
            leavePlace: '东门出口',
            imgName: expect.stringMatching(/images\/out\/1\.jpg$/),
            payable: String(due),
            cashUser: 'KT',
            cashTime: '2026-03-02 10:00:00',
          },
        ],
      },
    ]);
  });

  it('auto-pay: IsDensityPay at entry, PostCarOutInfo deducts at the exit, counted as paid', async () => {
    h = await startKt();
    const { site, clock } = h.t;
    h.cloud.setReply('PostCarInInfo', () => ({ resCode: 0, resMsg: '', data: [{ IsDensityPay: 1 }] }));
    h.cloud.setReply('PostCarOutInfo', (d) => ({
      resCode: 0,
      resMsg: '',
      data: [{ deductMoney: d.totalMoney }],
    }));
    clock.now = T('2026-03-02 08:00:00');
    const orderNo = site.enter({ plate: '沪B20001', laneId: 'in-1', time: clock.now, actor: lane }).order!
      .orderNo;
    await waitFor(() => site.getOrder(orderNo)!.autoPay, 5000, 'autoPay flag');

    clock.now = T('2026-03-02 11:00:00');
    const at = T('2026-03-02 11:00:00');
    const q = site.quote({ plate: '沪B20001', at })!;
    expect(q.due).toBeGreaterThan(0);
    const r = await ktAutoPayAtExit(h.ctx, site.getOrder(orderNo)!, q, { laneId: 'out-1' });
    expect(r).toEqual({ paid: true, deducted: q.due });
    const outInfo = h.cloud.received.find((x) => x.name === 'PostCarOutInfo')!;
    expect(outInfo.data).toMatchObject({
      plateNo: '沪B20001',
      entryTime: '2026-03-02 08:00:00',
      leaveTime: '2026-03-02 11:00:00',
      totalMoney: q.due,
      leavePlace: '东门出口',
    });
    const exit = site.exit({ plate: '沪B20001', laneId: 'out-1', time: at, actor: lane });
    expect(exit.decision.open).toBe(true);
    const pd = await h.cloud.waitFor((x) => x.name === 'PostPayDetail');
    expect(pd.data).toMatchObject({ preMoney: 0, payMoney: q.due, payType: 6 });
    expect(h.cloud.received.some((x) => x.name === 'PostCarCorrect')).toBe(false);
  });

  it('auto-pay with no answer in time: charged locally, PostCarCorrect follows', async () => {
    h = await startKt();
    const { site, clock } = h.t;
    h.cloud.setReply('PostCarInInfo', () => ({ resCode: 0, resMsg: '', data: [{ IsDensityPay: 1 }] }));
    h.cloud.setReply('PostCarOutInfo', async (d) => {
      await new Promise((r) => setTimeout(r, 1200));
      return { resCode: 0, resMsg: '', data: [{ deductMoney: d.totalMoney }] };
    });
    clock.now = T('2026-03-02 08:00:00');
    const orderNo = site.enter({ plate: '粤C30003', laneId: 'in-1', time: clock.now, actor: lane }).order!
      .orderNo;
    await waitFor(() => site.getOrder(orderNo)!.autoPay, 5000, 'autoPay flag');
    clock.now = T('2026-03-02 09:30:00');
    const at = T('2026-03-02 09:30:00');
    const q = site.quote({ orderNo, at })!;
    const started = Date.now();
    const r = await ktAutoPayAtExit(h.ctx, site.getOrder(orderNo)!, q, { laneId: 'out-1' });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(r).toEqual({ paid: false, deducted: 0, uncertain: true });
    site.release({ orderNo, laneId: 'out-1', kind: 'cash', actor: { kind: 'booth', name: 'op1' }, time: at });
    const correct = await h.cloud.waitFor((x) => x.name === 'PostCarCorrect');
    expect(correct.data).toEqual({
      parkCode: '1',
      plateNo: '粤C30003',
      entryTime: '2026-03-02 08:00:00',
      leaveTime: '2026-03-02 09:30:00',
      totalMoney: q.due,
      leavePlace: '东门出口',
    });
    const pd = await h.cloud.waitFor((x) => x.name === 'PostPayDetail');
    expect(pd.data).toMatchObject({ preMoney: 0, payMoney: q.due, payType: 0 });
    const bd = h.cloud.received.find((x) => x.name === 'PostCarBillDetail')!;
    expect(bd.data).toMatchObject({ payMoney: q.due, payType: 100, terminalType: 2 });
    await waitFor(() => h!.dispatcher.stats()[0].backlog === 0, 5000, 'empty backlog');
    expect(names(h, '粤C30003')).toEqual([
      'PostCarInInfo',
      'PostCarOutInfo',
      'PostCarBillDetail',
      'PostCarCorrect',
      'PostPayDetail',
    ]);
  });

  it('free release: PostPayDetail carries the waived fee, PostCarBillDetail paidType 1', async () => {
    h = await startKt();
    const { site, clock } = h.t;
    clock.now = T('2026-03-02 08:00:00');
    const orderNo = site.enter({ plate: '浙A66666', laneId: 'in-1', time: clock.now, actor: lane }).order!
      .orderNo;
    const at = T('2026-03-02 12:00:00');
    clock.now = at;
    const due = site.quote({ orderNo, at })!.due;
    site.release({
      orderNo,
      laneId: 'out-1',
      kind: 'free',
      reason: '救护车',
      actor: { kind: 'booth', name: 'op1' },
      time: at,
    });
    const pd = await h.cloud.waitFor((x) => x.name === 'PostPayDetail');
    expect(pd.data).toMatchObject({ preMoney: 0, payMoney: 0, freeMoney: due });
    const bd = await h.cloud.waitFor((x) => x.name === 'PostCarBillDetail');
    expect(bd.data).toMatchObject({ payMoney: 0, freeMoney: due, paidType: 1, remark: '救护车' });
  });

  it('blacklist hit at entry → PostBlackInInfo; card changes → PostCarCard', async () => {
    h = await startKt();
    const { site, clock } = h.t;
    const add = await h.call('BlackListControl', {
      parkCode: '1',
      blackId: 0,
      plateNo: '闽D02000',
      remark: '违章停车',
      controlType: 0,
    });
    const blackId = (add.data as any[])[0].blackId;
    clock.now = T('2026-03-02 09:00:00');
    const r = site.enter({ plate: '闽D02000', laneId: 'in-1', time: clock.now, actor: lane });
    expect(r.decision.open).toBe(false);
    const hit = await h.cloud.waitFor((x) => x.name === 'PostBlackInInfo');
    expect(hit.data).toEqual({
      parkCode: '1',
      blackId,
      plateNo: '闽D02000',
      remark: '违章停车',
      entryPlace: '东门入口',
      entryTime: '2026-03-02 09:00:00',
    });

    const card = await h.call('AddCarCardNo', {
      parkCode: '1',
      cardName: '张三的卡',
      useName: '张三',
      tel: '18100000000',
      plateDetails: '[{"plateNo":"A12345","etcNo":""}]',
      carType: 2,
      spaceNum: '1',
      ValidFrom: '2026-03-01 00:00:00',
      ValidTo: '2026-03-31 23:59:59',
    });
    expect(card.resMsg).toBe('');
    const cardId = (card.data as any[])[0].cardId;
    const pc = await h.cloud.waitFor((x) => x.name === 'PostCarCard');
    expect(pc.data).toEqual({
      parkCode: '1',
      cardId: String(cardId),
      userName: '张三',
      telPhone: '18100000000',
      carType: '2',
      validFrom: '2026-03-01 00:00:00',
      validTo: '2026-03-31 23:59:59',
      plateDetails: '[{"plateNo":"A12345","etcNo":""}]',
    });
    await h.call('DeleteCarCardNo', { parkCode: '1', cardId });
    const del = await h.cloud.waitFor((x) => x.name === 'PostCarCard' && x !== pc);
    expect(del.data.validTo).toBe('2026-03-02 09:00:00'.slice(0, 10) + del.data.validTo.slice(10));
  });
});

describe('KT: state reports', () => {
  it('at start: lot, areas, devices, free spaces, every card; free spaces again after a change', async () => {
    h = await startKt({ startExtensions: false });
    const { site, clock } = h.t;
    site.addCard(
      {
        cardNo: 'C1',
        name: '李四',
        carType: 2,
        plates: ['苏E88888'],
        validFrom: T('2026-01-01 00:00:00'),
        validTo: T('2026-12-31 00:00:00'),
      },
      { kind: 'booth' },
    );
    const ext = h.face.extensions!;
    for (const e of ext) await e.start();
    try {
      const need = [
        'PostParkingInfo',
        'PostAreaInfo',
        'PostParkingDevice',
        'PostDeviceState',
        'PostFreeParkingSpace',
        'PostCarCard',
      ];
      await waitFor(
        () => need.every((n) => h!.cloud.received.some((r) => r.name === n)),
        5000,
        'start-up reports',
      );
      const get = (n: string) => h!.cloud.received.filter((r) => r.name === n).map((r) => r.data);
      expect(get('PostParkingInfo')[0]).toEqual({
        parkCode: '1',
        parkName: '测试停车场',
        parkArea: 2,
        placeCount: 150,
      });
      expect(get('PostAreaInfo')[0]).toEqual({
        parkCode: '1',
        parkName: '测试停车场',
        parkArea: '2',
        totalPlaceCount: 150,
        areaInfo: [
          { areaCode: 1, areaName: '外场', areaType: 0, placeCount: 100 },
          { areaCode: 2, areaName: '地库', areaType: 0, placeCount: 50 },
        ],
      });
      await waitFor(
        () => get('PostParkingDevice').length === 2 && get('PostDeviceState').length === 2,
        5000,
        'device reports',
      );
      expect(get('PostParkingDevice')).toContainEqual({
        parkCode: '1',
        deviceCode: 'cam-in',
        deviceIp: '192.168.9.21',
        deviceName: '入口相机',
        deviceType: 2,
      });
      expect(get('PostDeviceState')).toContainEqual({
        parkCode: '1',
        deviceCode: 'cam-out',
        deviceName: '出口相机',
        deviceType: 2,
        status: '1',
        remark: 'not started',
      });
      expect(get('PostCarCard').some((d) => d.plateDetails.includes('苏E88888'))).toBe(true);
      expect(get('PostFreeParkingSpace')[0]).toMatchObject({ freeSpaceNum: 150, totalSpaceNum: 150 });

      // a device comes up: only its state is reported again
      site.recordDeviceState({
        id: 'cam-out',
        type: 'zhenshi',
        ktDeviceType: 2,
        status: 'online',
        since: clock.now,
      });
      await waitFor(
        () => get('PostDeviceState').some((d) => d.deviceCode === 'cam-out' && d.status === '0'),
        5000,
        'device state change',
      );

      // three entries in a burst become one free-space report
      const before = get('PostFreeParkingSpace').length;
      for (const p of ['京N00001', '京N00002', '京N00003'])
        site.enter({ plate: p, laneId: 'in-1', time: clock.now, actor: lane });
      await waitFor(() => get('PostFreeParkingSpace').length > before, 5000, 'free space report');
      await new Promise((r) => setTimeout(r, 1300));
      const after = get('PostFreeParkingSpace').slice(before);
      expect(after).toHaveLength(1);
      expect(after[0]).toMatchObject({
        freeSpaceNum: 147,
        totalSpaceNum: 150,
        areaInfo: [
          { areaCode: 1, areaName: '外场', areaFreeSpaceNum: 97 },
          { areaCode: 2, areaName: '地库', areaFreeSpaceNum: 50 },
        ],
      });
      // the first full card upload happens once per database
      expect(site.cloudState('kt').get('cards-synced')).toBeTruthy();
    } finally {
      for (const e of ext) await e.stop();
    }
  });
});
