// Every KT downlink endpoint with good, unauthenticated and malformed input, every alias path, and the
// transport variants real clients use.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { T } from '../helpers/site.js';
import { DOWN, KEY, startKt, type KtHarness } from './harness.js';
import { ktRoutes } from '../../src/downlink/kt/router.js';
import { KT_SEED_ENDPOINTS } from '../../src/downlink/kt/endpoints.js';
import { ktEncryptText } from '../../src/codecs/kt.js';

let h: KtHarness;
const lane = { kind: 'lane' as const };
const day = { startTime: '2026-03-02 00:00:00', endTime: '2026-03-03 00:00:00' };
const ids: Record<string, any> = {};

beforeAll(async () => {
  h = await startKt({ dispatcher: false });
  const { site, clock } = h.t;
  clock.now = T('2026-03-02 07:00:00');
  // a finished stay, a car inside, a change order
  const done = site.enter({
    plate: '闽D02001',
    laneId: 'in-1',
    time: T('2026-03-02 07:00:00'),
    actor: lane,
  }).order!;
  site.exit({ plate: '闽D02001', laneId: 'out-1', time: T('2026-03-02 07:20:00'), actor: lane });
  ids.done = done.orderNo;
  clock.now = T('2026-03-02 08:00:00');
  ids.inside = site.enter({
    plate: '京A12345',
    laneId: 'in-1',
    time: T('2026-03-02 08:00:00'),
    actor: lane,
    image: 'images/a.jpg',
  }).order!.orderNo;
  clock.now = T('2026-03-02 10:00:00');
  ids.change = site.createChange({
    orderNo: ids.inside,
    inserted: 2000,
    due: 1100,
    time: T('2026-03-02 09:00:00'),
  }).changeNo;
});
afterAll(async () => {
  await h.close();
});

interface Row {
  name: string;
  good: () => unknown;
  check?: (reply: any) => void | Promise<void>;
  /** invalid input and the resMsg it must get */
  bad: [unknown, RegExp];
}

const rows: Row[] = [
  {
    name: 'GetCarInOutInfoByPlate',
    good: () => ({ parkCode: '1', plateNo: 'D0200', ...day, pageIndex: '1', pageCount: '10' }),
    check: (r) => {
      expect(r.data[0].totalNum).toBe('1');
      expect(r.data[0].detail[0]).toMatchObject({
        id: ids.done,
        plateNo: '闽D02001',
        entryTime: '2026-03-02 07:00:00',
        leaveTime: '2026-03-02 07:20:00',
        leavePlace: '东门出口',
        payable: '0',
      });
    },
    bad: [
      {
        parkCode: '1',
        plateNo: 'D0200',
        startTime: '2026/13/45',
        endTime: day.endTime,
        pageIndex: 1,
        pageCount: 10,
      },
      /startTime/,
    ],
  },
  {
    name: 'GetCarInOutInfoByPlace',
    good: () => ({ parkCode: '1', leavePlace: '东门', ...day, pageIndex: 1, pageCount: 10 }),
    check: (r) =>
      expect(r.data[0]).toMatchObject({ totalNum: '1', detail: [{ id: ids.done, entryPlace: '东门入口' }] }),
    bad: [{ parkCode: '1', ...day, pageIndex: 0, pageCount: 10 }, /pageIndex/],
  },
  {
    name: 'SearchParkingInfo',
    good: () => ({ parkCode: '1' }),
    check: (r) =>
      expect(r.data).toEqual([
        {
          plateNo: '京A12345',
          cardNo: '',
          entryTime: '2026-03-02 08:00:00',
          entryPlace: '东门入口',
          carType: 0,
          imgName: 'http://parkedge.test:8080/images/a.jpg',
        },
      ]),
    bad: [{ parkCode: '2' }, /停车场编号/],
  },
  {
    name: 'GetParkingPaymentInfo',
    good: () => ({ parkCode: '1', plateNo: '京A12345' }),
    check: (r) => {
      const q = h.t.site.quote({ orderNo: ids.inside, at: h.t.clock.now })!;
      expect(r.data[0]).toMatchObject({
        plateNo: '京A12345',
        payable: q.due,
        totalFee: String(q.total),
        elapsedTime: q.stayMinutes,
      });
      ids.bill = r.data[0].orderNo;
      ids.due = q.due;
    },
    bad: [{ parkCode: '1' }, /三选一/],
  },
  {
    name: 'ParkingFree',
    good: () => ({
      parkCode: '1',
      plateNo: '京A12345',
      freeMoney: 100,
      freeTime: 0,
      payType: 4,
      payMethod: 4,
      remark: '商户券',
    }),
    check: (r) => {
      expect(r.data).toEqual([{ orderNo: ids.inside }]);
      expect(h.t.site.getOrder(ids.inside)!.discount).toBe(100);
    },
    bad: [{ parkCode: '1', plateNo: '京A12345', freeMoney: -5 }, /freeMoney/],
  },
  {
    name: 'PayParkingFee',
    good: () => ({
      parkCode: '1',
      orderNo: ids.bill,
      amount: ids.due - 100,
      discount: 0,
      payType: 4,
      payMethod: 5,
      freeMoney: 0,
      freeTime: 0,
    }),
    check: (r) => {
      expect(r.data[0].parkingTime).toBeGreaterThan(0);
      expect(h.t.site.payments(ids.inside).find((p) => p.channel === 'kt')).toMatchObject({
        amount: ids.due - 100,
        method: 'alipay',
      });
    },
    bad: [
      {
        parkCode: '1',
        orderNo: 'NOPE1',
        amount: 100,
        discount: 0,
        payType: 4,
        payMethod: 4,
        freeMoney: 0,
        freeTime: 0,
      },
      /订单不存在/,
    ],
  },
  {
    name: 'GetPaymentStatus',
    good: () => ({ parkCode: '1', orderNo: ids.bill }),
    check: (r) => expect(r.data).toEqual([{ status: '1' }]),
    bad: [{ parkCode: '1' }, /缺少参数 orderNo/],
  },
  {
    name: 'GetPayChargeInfo',
    good: () => ({ parkCode: '1', orderNo: ids.change }),
    check: (r) =>
      expect(r.data).toEqual([
        {
          orderNo: ids.change,
          plateNo: '京A12345',
          cardNo: '',
          comeTime: '2026-03-02 08:00:00',
          payMoney: 1100,
          paidAmount: 2000,
          ifCharge: 0,
        },
      ]),
    bad: [{ parkCode: '1', orderNo: 'CH-NONE' }, /找零订单不存在/],
  },
  {
    name: 'PayChargeNotice',
    good: () => ({ parkCode: '1', orderNo: ids.change, chargeType: '0', UserAccount: 'wx-openid-1' }),
    check: (r) => {
      expect(r.data).toEqual([{ orderNo: ids.change }]);
      expect(h.t.site.getChange(ids.change)!.state).toBe('noticed');
    },
    bad: [{ parkCode: '1', orderNo: ids.change }, /chargeType/],
  },
  {
    name: 'PayChargeReport',
    good: () => ({ parkCode: '1', ...day, pageIndex: 1, pageCount: 20 }),
    check: (r) =>
      expect(r.data).toEqual([
        expect.objectContaining({
          orderNo: ids.change,
          ifCharge: 1,
          chargeType: '0',
          UserAccount: 'wx-openid-1',
          payMoney: 1100,
          paidAmount: 2000,
          paidTime: '2026-03-02 09:00:00',
        }),
      ]),
    bad: [{ parkCode: '1', ...day, pageIndex: 1, pageCount: 9999 }, /pageCount/],
  },
  {
    name: 'RecordDensityPay',
    good: () => ({ parkCode: '1', plateNo: 'A12345' }),
    check: () => expect(h.t.site.getOrder(ids.inside)!.autoPay).toBe(true),
    bad: [{ parkCode: '1', plateNo: '京Z99999' }, /不在场内/],
  },
  {
    name: 'ModifyFreeSpace',
    good: () => ({ parkCode: '1', areaCode: '2', freeSpaceNum: '12' }),
    check: () => expect(h.t.site.spaces().find((a) => a.id === 'b1')!.free).toBe(12),
    bad: [{ parkCode: '1', areaCode: 9, freeSpaceNum: 1 }, /区域不存在/],
  },
  {
    name: 'GateControl',
    good: () => ({ parkCode: '1', deviceCode: '192.168.9.22', deviceType: 1, controlType: 1 }),
    check: () => expect(h.t.lanes.commands.at(-1)).toEqual({ laneId: 'out-1', command: 'open' }),
    bad: [{ parkCode: '1', deviceCode: 'out-1', deviceType: 0, controlType: 7 }, /controlType/],
  },
  {
    name: 'ShowLedMsg',
    good: () => ({ parkCode: '1', deviceCode: 'cam-in', deviceType: 0, showInfo: '欢迎光临|车位充足' }),
    check: () =>
      expect(h.t.lanes.shown.at(-1)).toMatchObject({
        laneId: 'in-1',
        lines: [{ text: '欢迎光临' }, { text: '车位充足' }],
      }),
    bad: [{ parkCode: '1', deviceCode: 'no-such-device', deviceType: 0, showInfo: 'x' }, /设备不存在/],
  },
  {
    name: 'GetPhoto',
    good: () => ({ parkCode: '1', deviceCode: '东门出口', deviceType: 0 }),
    check: async (r) => {
      const url: string = r.data[0].imageUrl;
      expect(url).toMatch(/^http:\/\/parkedge\.test:8080\/api\/ParkingManage\/Photo\/[0-9a-f]{32}\.jpg$/);
      const img = await fetch(url.replace('http://parkedge.test:8080', h.base));
      expect(img.headers.get('content-type')).toBe('image/jpeg');
      expect(Buffer.from(await img.arrayBuffer())).toEqual(Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
    },
    bad: [{ parkCode: '1', deviceType: 0 }, /缺少参数 deviceCode/],
  },
  {
    name: 'OnlineCarInOut',
    good: () => ({ parkCode: '1', deviceCode: 'in-1', deviceType: 0, cardNo: 'oWx-openid-0001' }),
    check: () => {
      expect(h.t.site.findStay({ cardNo: 'oWx-openid-0001' })).toBeTruthy();
      expect(h.t.lanes.commands.at(-1)).toEqual({ laneId: 'in-1', command: 'open' });
    },
    bad: [{ parkCode: '1', deviceCode: 'in-1', deviceType: 0, cardNo: '123456789012' }, /大于12位/],
  },
  {
    name: 'AddCarCardNo',
    good: () => ({
      parkCode: '1',
      cardName: '一号卡',
      useName: '王五',
      tel: '13900000000',
      roomId: 'X-521',
      plateDetails: '[{"plateNo":"B5720Z","etcNo":""},{"plateNo":"粤B11111","etcNo":""}]',
      carType: '2',
      spaceNum: '2',
      validFrom: '2026-03-01 00:00:00',
      validTo: '2026-03-31 23:59:59',
    }),
    check: (r) => {
      ids.card = r.data[0].cardId;
      expect(typeof ids.card).toBe('number');
    },
    bad: [
      {
        parkCode: '1',
        cardName: 'x',
        useName: 'y',
        plateDetails: 'not json',
        carType: 2,
        spaceNum: 1,
        validFrom: '2026-03-01 00:00:00',
        validTo: '2026-03-31 23:59:59',
      },
      /plateDetails/,
    ],
  },
  {
    name: 'ModifyCarCardNo',
    good: () => ({
      parkCode: '1',
      cardId: String(ids.card),
      tel: '13911111111',
      plateDetails: '[{"plateNo":"粤B22222","etcNo":"","type":1},{"plateNo":"粤B11111","etcNo":"","type":0}]',
      validFrom: '',
      validTo: '2026-04-30 23:59:59',
      totalSPNum: 3,
    }),
    check: () => {
      const c = h.t.site.cardById(ids.card)!;
      expect(c).toMatchObject({ phone: '13911111111', spaces: 3, validTo: T('2026-04-30 23:59:59') });
      expect([...c.plates].sort()).toEqual(['B5720Z', '粤B22222']);
    },
    bad: [{ parkCode: '1', cardId: 999999 }, /卡片不存在/],
  },
  {
    name: 'CarCardNoManage',
    good: () => ({
      parkCode: '1',
      cardId: ids.card,
      plateNo: '粤B33333',
      oldplateNo: '粤B22222',
      isCard: 1,
      modifyType: 1,
    }),
    check: () => expect([...h.t.site.cardById(ids.card)!.plates].sort()).toEqual(['B5720Z', '粤B33333']),
    bad: [{ parkCode: '1', cardId: 1, plateNo: 'x', isCard: 1, modifyType: 'abc' }, /modifyType/],
  },
  {
    name: 'GetCarCardInfo',
    good: () => ({ parkCode: '1', plateNo: '京B5720Z' }),
    check: (r) =>
      expect(r.data).toEqual([
        expect.objectContaining({
          cardId: ids.card,
          carType: 2,
          cardName: '王五',
          tel: '13911111111',
          roomId: 'X-521',
          spaceNum: '3',
          validFrom: '2026-03-01 00:00:00',
          validTo: '2026-04-30 23:59:59',
          validValue: 0,
        }),
      ]),
    bad: [{ parkCode: '1', cardId: 'abc' }, /cardId/],
  },
  {
    name: 'PayCarCardFee',
    good: () => ({
      parkCode: '1',
      cardId: ids.card,
      orderNo: 'KTR-0001',
      amount: 30000,
      validFrom: '2026-05-01 00:00:00',
      validTo: '2026-05-31 23:59:59',
    }),
    check: () => expect(h.t.site.cardById(ids.card)!.validTo).toBe(T('2026-05-31 23:59:59')),
    bad: [{ parkCode: '1', cardId: 1, amount: -1 }, /amount/],
  },
  {
    name: 'GetCardProduct',
    good: () => ({ parkCode: '1', carType: 2 }),
    check: (r) =>
      expect(r.data).toEqual([
        {
          ruleName: '月租',
          rechargeAmount: 1,
          rechargeType: 1,
          basicMoney: 30000,
          sentAmount: 0,
          sentType: 0,
        },
      ]),
    bad: [{ parkCode: '1' }, /缺少参数 carType/],
  },
  {
    name: 'DeleteCarCardNo',
    good: () => ({ parkCode: '1', cardId: ids.card }),
    check: () => expect(h.t.site.cardById(ids.card)).toBeUndefined(),
    bad: [{ parkCode: '1', cardId: 987654 }, /卡片不存在/],
  },
  {
    name: 'BlackListControl',
    good: () => ({ parkCode: '1', blackId: 0, plateNo: '闽A12345', remark: '违章停车', controlType: '0' }),
    check: (r) => {
      ids.black = r.data[0].blackId;
      expect(h.t.site.blacklist('闽A12345')).toHaveLength(1);
    },
    bad: [{ parkCode: '1', blackId: 0, controlType: 0 }, /plateNo/],
  },
  {
    name: 'GetBlackInfo',
    good: () => ({ parkCode: '1', plateNo: '' }),
    check: (r) => expect(r.data).toEqual([{ blackId: ids.black, plateNo: '闽A12345', remark: '违章停车' }]),
    bad: [{ parkCode: 1234567 }, /停车场编号/],
  },
  {
    name: 'AddBookingCar',
    good: () => ({
      parkCode: '1',
      plateNo: '闽D02000',
      preMoney: 100,
      validFrom: '2026-03-02 12:00:00',
      validTo: '2026-03-02 18:00:00',
      bookType: 1,
      promptly: 1,
    }),
    check: (r) => {
      ids.book = r.data[0].bookId;
      expect(ids.book).toBeGreaterThan(0);
    },
    bad: [
      {
        parkCode: '1',
        plateNo: '闽D02000',
        preMoney: 100,
        validFrom: '2026-03-02 18:00:00',
        validTo: '2026-03-02 12:00:00',
        bookType: 1,
      },
      /结束时间必须晚于开始时间/,
    ],
  },
  {
    name: 'ModifyBookingCar',
    good: () => ({ parkCode: '1', bookid: ids.book, validTo: '2026-03-02 20:00:00', modifyType: 0 }),
    check: (r) => expect(r.data).toEqual([{ bookId: ids.book }]),
    bad: [{ parkCode: '1', bookId: 424242, modifyType: 0 }, /预约不存在/],
  },
  {
    name: 'GetBookingCar',
    good: () => ({ parkCode: '1', plateNo: '闽D02000' }),
    check: (r) =>
      expect(r.data).toEqual([
        {
          bookId: ids.book,
          plateNo: '闽D02000',
          preMoney: 100,
          validFrom: '2026-03-02 12:00:00',
          validTo: '2026-03-02 20:00:00',
          bookType: 1,
          isCarIn: 0,
        },
      ]),
    bad: [{ parkCode: '1' }, /缺少参数 plateNo/],
  },
];

describe('KT downlink: every endpoint', () => {
  it('the table covers every seed endpoint', () => {
    expect(rows.map((r) => r.name).sort()).toEqual([...KT_SEED_ENDPOINTS].sort());
  });

  for (const row of rows) {
    it(`${row.name}: good input → resCode 0`, async () => {
      const r = await h.call(row.name, row.good());
      expect(r.status).toBe(200);
      expect(r.contentType).toMatch(/^application\/json/);
      expect({ resCode: r.resCode, resMsg: r.resMsg }).toEqual({ resCode: 0, resMsg: '' });
      await row.check?.(r);
    });
  }

  for (const row of rows) {
    it(`${row.name}: wrong or missing credentials → resCode 1`, async () => {
      const wrong = await h.call(row.name, row.good(), { user: DOWN.user, pwd: 'guess' });
      expect(wrong).toMatchObject({ resCode: 1, resMsg: '用户名或密码错误', data: null, status: 200 });
      const none = await h.call(row.name, row.good(), { user: '', pwd: '' });
      expect(none).toMatchObject({ resCode: 1, resMsg: '用户名或密码错误' });
    });
  }

  for (const row of rows) {
    it(`${row.name}: invalid input → resCode 1 with the reason`, async () => {
      const r = await h.call(row.name, row.bad[0]);
      expect(r.resCode).toBe(1);
      expect(r.status).toBe(200);
      expect(r.resMsg).toMatch(row.bad[1]);
      const junk = await h.cloud.callDownlink(h.base, row.name, {}, DOWN, {
        rawBody: '{"data":"%%%not-base64%%%"}',
      });
      expect(junk).toMatchObject({ resCode: 1, data: null });
      expect(junk.resMsg).toMatch(/base64/);
    });
  }
});

describe('KT downlink: paths and transport', () => {
  it('every alias path is routed to its endpoint and answers JSON', async () => {
    const routes = ktRoutes();
    expect(routes.length).toBeGreaterThanOrEqual(28 * 2);
    for (const r of routes) {
      const res = await h.cloud.callDownlink(h.base, r.path, { parkCode: '1' }, { user: 'x', pwd: 'y' });
      expect(res, r.path).toMatchObject({ resCode: 1, resMsg: '用户名或密码错误', status: 200 });
    }
    for (const p of [
      '/api/ParkingPay/GetParkingPaymentInfo',
      '/api/pay2/GetParkingPaymentInfo',
      '/api/pay/GetParkingPaymentInfo',
      '/api/pay/GetParkingPaymentInfoByCard',
    ]) {
      const res = await h.cloud.callDownlink(h.base, p, { parkCode: '1', plateNo: '京A12345' }, DOWN);
      expect(res.resCode, `${p} ${res.resMsg}`).toBe(0);
    }
    expect((await h.call('/api/card2/GetCarCardInfo', { parkCode: '1' })).resCode).toBe(0);
    expect((await h.call('/api/book/GetBookingCar', { parkCode: '1', plateNo: '闽D02000' })).resCode).toBe(0);
    expect((await h.call('/api/pay/GetCarTypeList', {})).data).toContainEqual({
      carType: '2',
      typeName: '月租车',
    });
    expect((await h.call('/api/pay/GetCardRule', { carType: '2' })).data).toEqual([
      { ruleId: '1', ruleName: '月租', ruleType: '1', ruleAmount: '1', ruleMoney: 30000 },
    ]);
  });

  const q = { parkCode: '1', plateNo: '京A12345' };
  it('form-encoded data=, bare base64 as text, line breaks, UTF-8, numbers as strings, GET with ?data=', async () => {
    expect(
      (await h.cloud.callDownlink(h.base, 'GetParkingPaymentInfo', q, DOWN, { form: true })).resCode,
    ).toBe(0);
    expect(
      (await h.cloud.callDownlink(h.base, 'GetParkingPaymentInfo', q, DOWN, { charset: 'utf-8' })).resCode,
    ).toBe(0);
    expect(
      (
        await h.cloud.callDownlink(h.base, 'GetParkingPaymentInfo', { ...q, remark: 'x'.repeat(300) }, DOWN, {
          lineBreaks: true,
        })
      ).resCode,
    ).toBe(0);
    const b64 = ktEncryptText(JSON.stringify(q), KEY, '20260302');
    expect(
      (
        await h.cloud.callDownlink(h.base, 'GetParkingPaymentInfo', q, DOWN, {
          rawBody: b64,
          contentType: 'text/plain',
        })
      ).resCode,
    ).toBe(0);
    expect(
      (
        await h.cloud.callDownlink(h.base, 'GetParkingPaymentInfo', q, DOWN, {
          rawBody: `data=${b64}`,
          contentType: 'application/x-www-form-urlencoded',
        })
      ).resCode,
    ).toBe(0);
    const get = await fetch(
      `${h.base}/api/ParkingPay/GetParkingPaymentInfo?data=${encodeURIComponent(b64)}`,
      { headers: DOWN },
    );
    expect(((await get.json()) as any).resCode).toBe(0);
    const paged = await h.call('GetCarInOutInfoByPlate', {
      parkCode: 1,
      plateNo: 'D',
      ...day,
      pageIndex: '1',
      pageCount: '5',
    });
    expect(paged.resCode).toBe(0);
  });

  it("yesterday's IV shortly after midnight, tomorrow's shortly before", async () => {
    h.t.clock.now = T('2026-03-03 00:02:00');
    expect(
      (await h.cloud.callDownlink(h.base, 'GetParkingPaymentInfo', q, DOWN, { iv: '20260302' })).resCode,
    ).toBe(0);
    h.t.clock.now = T('2026-03-02 23:59:00');
    expect(
      (await h.cloud.callDownlink(h.base, 'GetParkingPaymentInfo', q, DOWN, { iv: '20260303' })).resCode,
    ).toBe(0);
    h.t.clock.now = T('2026-03-02 12:00:00');
  });

  it('malformed bodies get resCode 1 in JSON: bad JSON, no data, wrong key, too large, empty body', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['{"data": "abc', 'application/json', /不是有效的 JSON/],
      ['{"other": 1}', 'application/json', /缺少 data/],
      [
        JSON.stringify({ data: ktEncryptText('{"parkCode":"1"}', '693207DB8148FBC9D8410179', '20260302') }),
        'application/json',
        /解密|JSON|参数/,
      ],
      [JSON.stringify({ data: 'A'.repeat(400_000) }), 'application/json', /请求体过大/],
      ['', 'application/json', /缺少 data/],
      ['data=', 'application/x-www-form-urlencoded', /缺少 data/],
    ];
    for (const [body, type, msg] of cases) {
      const r = await h.cloud.callDownlink(h.base, 'GetParkingPaymentInfo', {}, DOWN, {
        rawBody: body,
        contentType: type,
      });
      expect(r.status, body.slice(0, 30)).toBe(200);
      expect(r.contentType).toMatch(/^application\/json/);
      expect(r.resCode, body.slice(0, 30)).toBe(1);
      expect(r.resMsg, body.slice(0, 30)).toMatch(msg);
      expect(r.resMsg).not.toMatch(/at .*\.ts|Error:/);
    }
  });

  it('an unknown photo token is a KT-style 404', async () => {
    const r = await fetch(`${h.base}/api/ParkingManage/Photo/${'0'.repeat(32)}.jpg`);
    expect(r.status).toBe(404);
    expect(((await r.json()) as any).resCode).toBe(1);
  });
});

describe('KT bookings: promptly', () => {
  it('promptly 0 turns a car already inside (entered in the window) into a booking car now; 1 waits for the next entry', async () => {
    const h = await startKt();
    try {
      const site = h.t.site;
      site.enter({
        plate: '闽D03000',
        time: Date.parse('2026-03-02T08:10:00+08:00'),
        laneId: 'in-1',
        actor: { kind: 'lane' },
      });
      site.enter({
        plate: '闽D04000',
        time: Date.parse('2026-03-02T08:10:00+08:00'),
        laneId: 'in-1',
        actor: { kind: 'lane' },
      });
      const book = (plateNo: string, promptly: number) =>
        h.call('AddBookingCar', {
          parkCode: '1',
          plateNo,
          preMoney: 300,
          validFrom: '2026-03-02 08:00:00',
          validTo: '2026-03-02 18:00:00',
          bookType: 1,
          promptly,
        });
      expect((await book('闽D03000', 0)).resCode).toBe(0);
      expect((await book('闽D04000', 1)).resCode).toBe(0);
      const now = site.findStay({ plate: '闽D03000' })!;
      expect(now.carType).toBe(100);
      expect(now.paid).toBe(300);
      const later = site.findStay({ plate: '闽D04000' })!;
      expect(later.carType).toBe(0);
      expect(later.paid).toBe(0);
    } finally {
      await h.close();
    }
  });
});
