// Domain facts → KT uplink report bodies (seed §2). Pure: the caller posts them.
import type { Config } from '../../config/schema.js';
import type { KtConfig } from '../../config/clouds.schema.js';
import type { AreaSpaces, BlacklistEntry, CardHolder, OrderRecord, PaymentRecord } from '../../site/api.js';
import {
  areaCodeOf,
  imageUrl,
  ktBillPayType,
  ktExitPayType,
  ktPlateColour,
  ktTerminalType,
  ktTime,
  parkCodeOf,
  placeOf,
} from '../../downlink/kt/common.js';

export interface KtReportContext {
  config: Config;
  kt: KtConfig;
  tz: string;
  parkCode: string;
}

export function reportContext(config: Config, kt: KtConfig): KtReportContext {
  return { config, kt, tz: config.site.timezone, parkCode: parkCodeOf(config) };
}

const plateOf = (o: Pick<OrderRecord, 'plate'>) => o.plate || '无牌车';
const img = (c: KtReportContext, path: string | undefined) =>
  c.kt.uploadImages ? imageUrl(path, c.kt.publicUrl) : '';
const t = (c: KtReportContext, ms: number | undefined) => ktTime(ms, c.tz);

/** 1.1 PostParkingInfo */
export function parkingInfo(c: KtReportContext, areas: AreaSpaces[]) {
  return {
    parkCode: c.parkCode,
    parkName: c.config.site.name,
    parkArea: areas.length,
    placeCount: areas.reduce((s, a) => s + a.total, 0),
  };
}

/** 1.2 PostAreaInfo */
export function areaInfo(c: KtReportContext, areas: AreaSpaces[]) {
  return {
    parkCode: c.parkCode,
    parkName: c.config.site.name,
    parkArea: String(areas.length),
    totalPlaceCount: areas.reduce((s, a) => s + a.total, 0),
    areaInfo: areas.map((a) => ({
      areaCode: areaCodeOf(c.config, a.id),
      areaName: a.name,
      areaType: 0,
      placeCount: a.total,
    })),
  };
}

/** KT status codes for PostDeviceState: "0" normal, anything else a fault code. */
export function ktDeviceStatus(status: string): string {
  if (status === 'online' || status === 'ok' || status === '0') return '0';
  if (status === 'offline') return '1';
  return '2';
}

/** 1.3 PostDeviceState */
export function deviceState(
  c: KtReportContext,
  d: { id: string; ktDeviceType: number; status: string; reason?: string },
) {
  const cfg = c.config.devices.find((x) => x.id === d.id);
  return {
    parkCode: c.parkCode,
    deviceCode: d.id,
    deviceName: cfg?.name ?? d.id,
    deviceType: d.ktDeviceType,
    status: ktDeviceStatus(d.status),
    remark: ktDeviceStatus(d.status) === '0' ? '' : (d.reason ?? d.status),
  };
}

/** 1.4 PostParkingDevice */
export function parkingDevice(
  c: KtReportContext,
  d: { id: string; name?: string; ip: string; ktDeviceType: number },
) {
  return {
    parkCode: c.parkCode,
    deviceCode: d.id,
    deviceIp: d.ip,
    deviceName: d.name ?? d.id,
    deviceType: d.ktDeviceType,
  };
}

/** 2.1 PostCarInInfo */
export function carIn(c: KtReportContext, o: OrderRecord, laneId: string | undefined) {
  return {
    parkCode: c.parkCode,
    plateNo: plateOf(o),
    cardNo: o.cardNo ?? '',
    entryTime: t(c, o.entryTime),
    entryPlace: placeOf(c.config, c.kt, laneId ?? o.entryLane),
    imgName: img(c, o.entryImage),
    vplType: o.vehicleClass === 'large' ? '1' : '2',
    vplColor: ktPlateColour(o.plateColour),
  };
}

/** 2.2 PostCarOutInfo: the exit-time question to an auto-pay cloud; totalMoney is what is still due. */
export function carOut(
  c: KtReportContext,
  o: OrderRecord,
  at: number,
  due: number,
  laneId: string | undefined,
  image?: string,
) {
  return {
    parkCode: c.parkCode,
    plateNo: plateOf(o),
    cardNo: o.cardNo ?? '',
    entryTime: t(c, o.entryTime),
    leaveTime: t(c, at),
    totalMoney: due,
    leavePlace: placeOf(c.config, c.kt, laneId),
    imgName: img(c, image),
  };
}

/** Payments taken at the exit (booth cash, stored value, the auto-pay answer) vs before it (in-lot, online). */
function splitPayments(o: OrderRecord, payments: PaymentRecord[]) {
  const exit = o.exitTime ?? Number.POSITIVE_INFINITY;
  const atExit = payments.filter((p) => p.time >= exit);
  const before = payments.filter((p) => p.time < exit);
  return { atExit, before };
}

/** What a free or abnormal release waived (fen). */
export function waived(o: OrderRecord): number {
  if (o.release !== 'free' && o.release !== 'abnormal') return 0;
  return Math.max(0, (o.totalFee ?? 0) - o.paid - o.discount);
}

/** 2.3 PostPayDetail: the booth's exit record. */
export function payDetail(c: KtReportContext, o: OrderRecord, payments: PaymentRecord[]) {
  const { atExit, before } = splitPayments(o, payments);
  const sum = (ps: PaymentRecord[]) => ps.reduce((s, p) => s + p.amount, 0);
  const main =
    [...atExit].sort((a, b) => b.amount - a.amount)[0] ?? [...before].sort((a, b) => b.amount - a.amount)[0];
  return {
    parkCode: c.parkCode,
    plateNo: plateOf(o),
    cardNo: o.cardNo ?? '',
    entryTime: t(c, o.entryTime),
    leaveTime: t(c, o.exitTime),
    preMoney: sum(before),
    payMoney: sum(atExit),
    payType: main ? ktExitPayType(main.channel, main.method) : 0,
    ticketMoney: o.discount,
    ticketTime: o.discountMinutes * 60,
    freeMoney: waived(o),
    carType: o.carType,
    leavePlace: placeOf(c.config, c.kt, o.exitLane),
    imgName: img(c, o.exitImage),
  };
}

/** 2.7 PostCarBillDetail for one payment. leaveTime is the exit if known, else the time the fee was settled. */
export function billDetail(c: KtReportContext, o: OrderRecord, p: PaymentRecord) {
  return {
    parkCode: c.parkCode,
    plateNo: plateOf(o),
    cardNo: o.cardNo ?? '',
    carType: o.carType,
    entryTime: t(c, o.entryTime),
    leaveTime: t(c, o.exitTime ?? p.time),
    totalMoney: p.amount + p.discount,
    payMoney: p.amount,
    freeMoney: 0,
    selfTotal: 0,
    selfPay: 0,
    ticketMoney: p.discount,
    ticketTime: p.freeMinutes * 60,
    ticketNum: p.discount > 0 || p.freeMinutes > 0 ? 1 : 0,
    terminalType: ktTerminalType(p.channel),
    payType: ktBillPayType(p.channel, p.method),
    payTime: t(c, p.time),
    paidType: 0,
    remark: p.serial,
  };
}

/** 2.7 PostCarBillDetail for an exit let out free (paidType 1) or abnormally (paidType 2), with no payment. */
export function releaseBill(c: KtReportContext, o: OrderRecord) {
  const w = waived(o);
  return {
    parkCode: c.parkCode,
    plateNo: plateOf(o),
    cardNo: o.cardNo ?? '',
    carType: o.carType,
    entryTime: t(c, o.entryTime),
    leaveTime: t(c, o.exitTime),
    totalMoney: w,
    payMoney: 0,
    freeMoney: w,
    selfTotal: 0,
    selfPay: 0,
    ticketMoney: 0,
    ticketTime: 0,
    ticketNum: 0,
    terminalType: 2,
    payType: 100,
    payTime: t(c, o.exitTime),
    paidType: o.release === 'free' ? 1 : 2,
    remark: o.releaseReason ?? '',
  };
}

/** 2.4 PostBlackInInfo */
export function blackIn(
  c: KtReportContext,
  e: { entry: BlacklistEntry; plate: string; laneId?: string; time: number },
) {
  return {
    parkCode: c.parkCode,
    blackId: e.entry.id,
    plateNo: e.plate,
    remark: e.entry.reason,
    entryPlace: placeOf(c.config, c.kt, e.laneId),
    entryTime: t(c, e.time),
  };
}

/** 2.5 PostFreeParkingSpace */
export function freeSpace(c: KtReportContext, areas: AreaSpaces[]) {
  return {
    parkCode: c.parkCode,
    freeSpaceNum: areas.reduce((s, a) => s + a.free, 0),
    totalSpaceNum: areas.reduce((s, a) => s + a.total, 0),
    areaInfo: areas.map((a) => ({
      areaCode: areaCodeOf(c.config, a.id),
      areaName: a.name,
      areaFreeSpaceNum: a.free,
    })),
  };
}

/** 2.6 PostCarCorrect: an auto-pay question went unanswered, so the exit was charged locally. */
export function carCorrect(c: KtReportContext, o: OrderRecord, totalMoney: number) {
  return {
    parkCode: c.parkCode,
    plateNo: plateOf(o),
    entryTime: t(c, o.entryTime),
    leaveTime: t(c, o.exitTime),
    totalMoney,
    leavePlace: placeOf(c.config, c.kt, o.exitLane),
  };
}

/** 3.1 PostCarCard. A deleted card is reported as valid until the deletion, which is how KT expires a card. */
export function carCard(c: KtReportContext, h: CardHolder, deletedAt?: number) {
  return {
    parkCode: c.parkCode,
    cardId: String(h.id),
    userName: h.name ?? '',
    telPhone: h.phone ?? '',
    carType: String(h.carType),
    validFrom: t(c, h.validFrom),
    validTo: t(c, deletedAt ?? h.validTo),
    plateDetails: JSON.stringify(h.plates.map((p) => ({ plateNo: p, etcNo: '' }))),
  };
}
