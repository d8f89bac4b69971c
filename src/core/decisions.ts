// Entry and exit decisions per KT appendix 1.1 car types. Pure: everything the decision needs is passed in,
// so each branch is a table-driven unit test and every face gets the same answer.
import { fenToYuanText } from './money.js';

export const CT = {
  temporary: 0,
  vip: 1,
  monthly: 2,
  storedValue: 3,
  hourly: 4,
  owned: 5,
  count: 6,
  guest: 7,
  staff: 8,
  bus: 9,
  shared: 99,
  booking: 100,
} as const;

/** Types that pass free while their card is valid. */
const FREE_TYPES = new Set<number>([CT.vip, CT.guest, CT.staff, CT.bus, CT.shared]);
/** Types billed nothing while valid, by validity period. */
const PERIOD_TYPES = new Set<number>([CT.monthly, CT.hourly, CT.owned]);

export interface HolderFacts {
  carType: number;
  validFrom?: number;
  validTo?: number;
  balance: number;
  countLeft?: number;
  spaces: number;
  /** stays of this holder's plates already in the lot */
  inPark: number;
}
export interface BookingFacts {
  start: number;
  end: number;
  prepaid: number;
}

export interface EntryFacts {
  time: number;
  unplated: boolean;
  allowUnplated: boolean;
  blacklisted: boolean;
  blacklistReason?: string;
  holder?: HolderFacts;
  booking?: BookingFacts;
  areaFree: number;
  lotFull: { denyTemporary: boolean; denyCardHolders: boolean };
  force: boolean;
}

export type EntryCode = 'open' | 'deny-blacklist' | 'deny-full' | 'deny-unplated';
export interface EntryVerdict {
  code: EntryCode;
  /** the car type the stay is recorded with */
  carType: number;
  /** why a card holder is recorded as temporary, if so */
  note?: 'expired' | 'not-yet-valid' | 'count-used-up' | 'spaces-taken';
  useBooking: boolean;
  useHolder: boolean;
}

export function holderValidAt(h: HolderFacts, t: number): boolean {
  return (h.validFrom === undefined || h.validFrom <= t) && (h.validTo === undefined || t < h.validTo);
}

/** What a holder's card counts as at entry time (before the lot-full check). */
function entryType(f: EntryFacts): Pick<EntryVerdict, 'carType' | 'note' | 'useBooking' | 'useHolder'> {
  const h = f.holder;
  if (h) {
    const spacesTaken = h.inPark >= Math.max(1, h.spaces);
    if (spacesTaken)
      return { carType: CT.temporary, note: 'spaces-taken', useBooking: false, useHolder: false };
    if (h.carType === CT.storedValue) return { carType: CT.storedValue, useBooking: false, useHolder: true };
    if (h.carType === CT.count) {
      if ((h.countLeft ?? 0) > 0 && holderValidAt(h, f.time))
        return { carType: CT.count, useBooking: false, useHolder: true };
      return { carType: CT.temporary, note: 'count-used-up', useBooking: false, useHolder: false };
    }
    if (PERIOD_TYPES.has(h.carType) || FREE_TYPES.has(h.carType)) {
      if (holderValidAt(h, f.time)) return { carType: h.carType, useBooking: false, useHolder: true };
      const note = h.validFrom !== undefined && f.time < h.validFrom ? 'not-yet-valid' : 'expired';
      // an expired card still enters as a temporary car (月卡过期转临停)
      if (!f.booking) return { carType: CT.temporary, note, useBooking: false, useHolder: false };
    } else if (holderValidAt(h, f.time)) {
      return { carType: h.carType, useBooking: false, useHolder: true };
    }
  }
  if (f.booking && f.booking.start <= f.time && f.time < f.booking.end)
    return { carType: CT.booking, useBooking: true, useHolder: false };
  return { carType: CT.temporary, useBooking: false, useHolder: false };
}

export function decideEntry(f: EntryFacts): EntryVerdict {
  const t = entryType(f);
  if (f.force) return { code: 'open', ...t };
  if (f.blacklisted) return { code: 'deny-blacklist', ...t };
  if (f.unplated && !f.allowUnplated) return { code: 'deny-unplated', ...t };
  if (f.areaFree <= 0) {
    const temporaryLike = t.carType === CT.temporary;
    if (temporaryLike ? f.lotFull.denyTemporary : f.lotFull.denyCardHolders)
      return { code: 'deny-full', ...t };
  }
  return { code: 'open', ...t };
}

export type StoredValueShort = 'deny' | 'temporary' | 'partial';

export interface ExitFacts {
  time: number;
  entryTime: number;
  carType: number;
  holder?: HolderFacts;
  /** money paid so far on this stay (payments), fen */
  paid: number;
  /** discounts granted so far, fen */
  discount: number;
  lastPaidAt?: number;
  graceMinutes: number;
  storedValueShort: StoredValueShort;
}

/**
 * The billing plan for an exit: which interval is billed as temporary and how it will be settled.
 * The site runs the tariff over `billFrom`..`billTo` and then calls settleExit with the fee.
 */
export interface ExitPlan {
  /** nothing to bill at all (valid period card, free car, count card use) */
  free: boolean;
  billFrom: number;
  billTo: number;
  /** paid, then overstayed the grace: the overstay is billed from the payment time with no free minutes */
  overstay: boolean;
  useCount: boolean;
  note?: 'expired-during-stay' | 'expired';
}

export function planExit(f: ExitFacts): ExitPlan {
  const base: ExitPlan = {
    free: false,
    billFrom: f.entryTime,
    billTo: f.time,
    overstay: false,
    useCount: false,
  };
  const h = f.holder;
  if (h && (PERIOD_TYPES.has(f.carType) || FREE_TYPES.has(f.carType))) {
    if (holderValidAt(h, f.time)) return { ...base, free: true };
    if (h.validTo !== undefined && h.validTo > f.entryTime && h.validTo <= f.time)
      return { ...base, billFrom: h.validTo, note: 'expired-during-stay' };
    return { ...base, note: 'expired' };
  }
  if (f.carType === CT.shared) return { ...base, free: true };
  if (f.carType === CT.count && h && (h.countLeft ?? 0) > 0) return { ...base, free: true, useCount: true };
  if (f.lastPaidAt !== undefined && f.paid + f.discount > 0) {
    const graceEnd = f.lastPaidAt + f.graceMinutes * 60_000;
    if (f.time <= graceEnd) return { ...base, billTo: Math.max(f.entryTime, f.lastPaidAt) };
    return { ...base, billFrom: f.lastPaidAt, overstay: true };
  }
  return base;
}

export type ExitCode = 'open' | 'wait-payment' | 'deny-balance';
export interface ExitVerdict {
  code: ExitCode;
  due: number;
  /** stored value: money to take from the balance now */
  fromBalance: number;
}

/** Settle an exit once the fee of the billed interval is known. `due` is what is still owed in cash or online. */
export function settleExit(f: ExitFacts, plan: ExitPlan, fee: number): ExitVerdict {
  if (plan.free) return { code: 'open', due: 0, fromBalance: 0 };
  const owed = plan.overstay ? fee : Math.max(0, fee - f.paid - f.discount);
  if (owed <= 0) return { code: 'open', due: 0, fromBalance: 0 };
  if (f.carType === CT.storedValue && f.holder) {
    const bal = Math.max(0, f.holder.balance);
    if (bal >= owed) return { code: 'open', due: 0, fromBalance: owed };
    if (f.storedValueShort === 'deny') return { code: 'deny-balance', due: owed, fromBalance: 0 };
    if (f.storedValueShort === 'partial') return { code: 'wait-payment', due: owed - bal, fromBalance: bal };
    return { code: 'wait-payment', due: owed, fromBalance: 0 };
  }
  return { code: 'wait-payment', due: owed, fromBalance: 0 };
}

/** LED lines and voice for each outcome (zh-CN, as booth staff and drivers expect them). */
export function entryText(plate: string, code: EntryCode, carTypeName: string, daysLeft?: number) {
  const shown = plate || '无牌车';
  switch (code) {
    case 'open': {
      const second = daysLeft !== undefined ? `${carTypeName} 剩余${daysLeft}天` : '欢迎光临';
      return { lines: [{ text: shown }, { text: second }], voice: `${shown},欢迎光临` };
    }
    case 'deny-full':
      return { lines: [{ text: shown }, { text: '车位已满', colour: 'red' as const }], voice: '车位已满' };
    case 'deny-blacklist':
      return { lines: [{ text: shown }, { text: '禁止通行', colour: 'red' as const }], voice: '禁止通行' };
    case 'deny-unplated':
      return {
        lines: [{ text: '无牌车' }, { text: '请联系岗亭', colour: 'red' as const }],
        voice: '请联系岗亭',
      };
  }
}

export function exitText(plate: string, code: ExitCode | 'deny-no-entry', due: number) {
  const shown = plate || '无牌车';
  switch (code) {
    case 'open':
      return { lines: [{ text: shown }, { text: '一路顺风' }], voice: `${shown},一路顺风` };
    case 'wait-payment':
      return {
        lines: [{ text: shown }, { text: `请缴费 ${fenToYuanText(due)} 元`, colour: 'yellow' as const }],
        voice: `请缴费${fenToYuanText(due)}元`,
      };
    case 'deny-balance':
      return {
        lines: [{ text: shown }, { text: '余额不足', colour: 'red' as const }],
        voice: '余额不足,请联系岗亭',
      };
    case 'deny-no-entry':
      return {
        lines: [{ text: shown }, { text: '无入场记录', colour: 'red' as const }],
        voice: '无入场记录,请联系岗亭',
      };
  }
}
