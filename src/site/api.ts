// The use-cases every face calls (KT, P云, Bolink, the LAN OpenApi, the booth console, the CLI, lanes).
// Shapes are protocol-neutral: integer fen, epoch ms, KT appendix 1.1 car type numbers (the richest
// enumeration of the four clouds); each face converts at its own edge.
import type { Quote } from '../core/tariff/index.js';
import type { DisplayLine, PlateColour } from '../devices/interfaces.js';

/** KT appendix 1.1 car types (defined once, with the decisions that use them). */
export { CT as CarType } from '../core/decisions.js';
import { CT as CarType } from '../core/decisions.js';
export type CarTypeCode = (typeof CarType)[keyof typeof CarType];
export const CAR_TYPE_NAME: Record<number, string> = {
  0: '临时车',
  1: 'VIP车',
  2: '月租车',
  3: '充值车',
  4: '时租车',
  5: '产权车',
  6: '计次车',
  7: '贵宾卡',
  8: '员工卡',
  9: '大客车',
  99: '共享泊位车',
  100: '预约车',
};

export type ActorKind = 'booth' | 'kt' | 'pyun' | 'bolink' | 'lanapi' | 'cli' | 'lane' | 'system';
export interface Actor {
  kind: ActorKind;
  /** operator user name for the booth, else free text */
  name?: string;
}

export type OrderState = 'in' | 'out' | 'void';
/** How an exit was released. 'abnormal' = KT paidType 2. */
export type ReleaseKind = 'normal' | 'paid' | 'free' | 'abnormal' | 'card' | 'manual';

export interface PaymentRecord {
  id: number;
  orderNo: string;
  /** who collected it: 'cash' (booth), 'kt', 'pyun', 'bolink', 'lanapi', 'balance' (stored-value), 'booking' */
  channel: string;
  /** the payer's serial; unique per channel */
  serial: string;
  /** money actually received, fen */
  amount: number;
  /** discount money granted with this payment (fen) */
  discount: number;
  freeMinutes: number;
  /** free-form method within the channel: 'wechat', 'alipay', 'cash', 'unionpay', KT payType numbers as text … */
  method: string;
  time: number;
  operator?: string;
}

export interface OrderRecord {
  orderNo: string;
  plate: string; // normalised; '' for unplated
  plateColour: PlateColour;
  cardNo?: string; // unplated ticket / card / passport number
  carType: number;
  carTypeName: string;
  holderId?: number;
  bookingNo?: string;
  vehicleClass: 'small' | 'large';
  areaId: string;
  entryLane?: string;
  entryTime: number;
  entryImage?: string;
  exitLane?: string;
  exitTime?: number;
  exitImage?: string;
  state: OrderState;
  /** fee of the stay as last settled at the exit (fen); undefined while in the lot */
  totalFee?: number;
  paid: number;
  discount: number;
  discountMinutes: number;
  lastPaidAt?: number;
  release?: ReleaseKind;
  releaseReason?: string;
  /** KT IsDensityPay / P云 vip credits: the cloud will charge at the exit */
  autoPay: boolean;
  /** the fee a cloud set for this stay (KT AutonomousCalfee), valid for the grace minutes after `at` */
  cloudPrice?: { fee: number; at: number; by: string };
}

export interface QuoteResult {
  order: OrderRecord;
  /** the moment quoted (epoch ms) */
  at: number;
  /** tariff breakdown; for card holders the part billed as temporary (may be all zero) */
  quote: Quote;
  total: number;
  paid: number;
  discountMoney: number;
  discountMinutes: number;
  due: number;
  stayMinutes: number;
  /** paid cars may leave until this time (payment + grace minutes) */
  graceUntil?: number;
  /** minutes of grace the policy gives after a payment (KT delayTime) */
  graceMinutes: number;
  tariffId?: string;
}

export type DecisionCode =
  | 'open' // go
  | 'wait-payment' // exit: fee due
  | 'deny-blacklist'
  | 'deny-full'
  | 'deny-expired' // card not usable and temporary cars denied
  | 'deny-balance' // stored value short and policy deny
  | 'deny-unplated'
  | 'deny-no-entry' // exit with no entry record: booth must decide
  | 'deny-duplicate'; // entry while already in (policy) — we re-use the stay instead, kept for faces

export interface Decision {
  code: DecisionCode;
  open: boolean;
  carType: number;
  carTypeName: string;
  /** human text for the booth and logs (zh-CN) */
  message: string;
  lines: DisplayLine[];
  voice?: string;
  /** exit: money due (fen) */
  due?: number;
}

export interface EnterInput {
  plate: string; // as read or typed; unplated reads allowed with cardNo
  colour?: PlateColour;
  cardNo?: string;
  laneId?: string; // absent for cloud-made entries (P云 direct.enter, KT OnlineCarInOut)
  areaId?: string; // defaults to the lane's area or the first area
  time: number;
  image?: string;
  vehicleClass?: 'small' | 'large';
  actor: Actor;
  /** booth / cloud forced entry: skip full-lot and blacklist checks (audited) */
  force?: boolean;
}
export interface EnterResult {
  decision: Decision;
  /** the stay created (or the one already open for this plate); undefined when denied */
  order?: OrderRecord;
}

export interface ExitInput {
  plate: string;
  colour?: PlateColour;
  cardNo?: string;
  orderNo?: string;
  laneId?: string;
  time: number;
  image?: string;
  actor: Actor;
}
export interface ExitResult {
  decision: Decision;
  order?: OrderRecord;
  quote?: QuoteResult;
  /** exit with no exact match: fuzzy candidates from the in-park list */
  candidates?: Array<{ plate: string; orderNo: string; score: number }>;
}

export interface QuoteInput {
  plate?: string;
  orderNo?: string;
  cardNo?: string;
  /** the car waiting at this exit lane */
  laneId?: string;
  at: number;
}

export interface PayInput {
  orderNo: string;
  /** money actually received (fen) */
  amount: number;
  /** discount money granted by the payer (fen) */
  discount?: number;
  freeMinutes?: number;
  method: string;
  channel: string;
  serial: string;
  time: number;
  actor: Actor;
  /** when set, the payment is refused unless it covers what is due at `time` (KT checks the amount) */
  expectDue?: number;
}
export interface PayResult {
  duplicate: boolean;
  payment: PaymentRecord;
  order: OrderRecord;
  /** quote right after the payment (due should be 0) */
  quote: QuoteResult;
}

export interface DiscountInput {
  orderNo: string;
  kind: 'money' | 'minutes' | 'full';
  value: number; // fen or minutes
  code?: string;
  channel: string;
  serial: string; // unique per channel, idempotent
  time: number;
  actor: Actor;
}

export type GateCommand = 'open' | 'close' | 'keepOpen' | 'release';
export interface GateCommandInput {
  laneId: string;
  command: GateCommand;
  actor: Actor;
  reason: string; // required, non-empty
  time: number;
  /** exit releases: the stay being let out and how */
  orderNo?: string;
  release?: ReleaseKind;
}

export interface CardHolderInput {
  cardNo: string;
  name?: string;
  phone?: string;
  carType: number;
  plates: string[];
  validFrom?: number;
  validTo?: number;
  balance?: number; // stored value, fen
  countLeft?: number; // count cards
  spaces?: number;
  areaId?: string;
  remark?: string;
}
export interface CardHolder extends Required<Pick<CardHolderInput, 'cardNo' | 'carType' | 'plates'>> {
  id: number;
  name?: string;
  phone?: string;
  carTypeName: string;
  validFrom?: number;
  validTo?: number;
  balance: number;
  countLeft?: number;
  spaces: number;
  areaId?: string;
  remark?: string;
  createdAt: number;
  updatedAt: number;
}
export interface RechargeInput {
  cardNo: string;
  /** stored value: money added (fen); monthly: money paid for the months */
  amount: number;
  months?: number;
  /** explicit new validity end (overrides months) */
  validTo?: number;
  count?: number;
  channel: string;
  serial: string;
  time: number;
  actor: Actor;
}

export interface BlacklistEntry {
  id: number;
  plate: string;
  reason: string;
  validFrom?: number;
  validTo?: number;
  createdAt: number;
}

export interface BookingInput {
  bookingNo?: string; // generated when absent
  plate: string;
  areaId?: string;
  start: number;
  end: number;
  multiEntry?: boolean;
  prepaid?: number; // fen, counted as paid
  name?: string;
  phone?: string;
  actor: Actor;
  /**
   * Take effect now (KT promptly=0): a car of this plate already inside whose entry lies in the booking
   * window becomes a booking car for this stay. Otherwise the booking applies from its next entry.
   */
  applyNow?: boolean;
}
export interface Booking extends Required<Pick<BookingInput, 'plate' | 'start' | 'end'>> {
  bookingNo: string;
  areaId?: string;
  multiEntry: boolean;
  prepaid: number;
  usedCount: number;
  state: 'active' | 'cancelled' | 'done';
  name?: string;
  phone?: string;
}

export interface AreaSpaces {
  id: string;
  name: string;
  total: number;
  occupied: number;
  free: number;
  /** manual override set by KT ModifyFreeSpace or the booth; null when counting */
  override: number | null;
}

export interface ChangeOrder {
  changeNo: string;
  orderNo?: string;
  inserted: number; // fen inserted in the pay machine
  due: number; // fen due
  change: number; // fen to give back
  state: 'pending' | 'noticed' | 'reported';
  createdAt: number;
  noticedAt?: number;
  reportedAt?: number;
  serial?: string;
}

export interface OrderSearch {
  plate?: string; // fragment, fuzzy
  cardNo?: string;
  state?: OrderState;
  from?: number;
  to?: number;
  page?: number; // 1-based
  pageSize?: number;
}
export interface Page<T> {
  total: number;
  page: number;
  pageSize: number;
  rows: T[];
}

/** What the site may ask of the lanes (implemented by lanes/, which owns the devices). */
export interface LanePort {
  command(laneId: string, command: GateCommand): Promise<void>;
  show(laneId: string, lines: DisplayLine[], voice?: string): Promise<void>;
  /** a JPEG from the lane's camera (KT GetPhoto addresses a device by id) */
  snapshot(deviceId: string): Promise<Buffer>;
  /** a payment arrived for a stay: the lane where it waits lets it out */
  paid(orderNo: string): void;
  /** order number of the car waiting at this exit lane, if any */
  waiting(laneId: string): string | undefined;
}

export class SiteError extends Error {
  constructor(
    readonly code:
      | 'not-found'
      | 'invalid'
      | 'conflict'
      | 'amount-mismatch'
      | 'already-left'
      | 'denied'
      | 'device'
      | 'internal',
    message: string,
  ) {
    super(message);
  }
}
