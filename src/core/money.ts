// Integer fen inside; yuan only at protocol edges that speak yuan.
export function fenToYuan(fen: number): number {
  return Math.round(fen) / 100;
}
/** "12.00" */
export function fenToYuanText(fen: number): string {
  const neg = fen < 0;
  const a = Math.abs(Math.round(fen));
  return `${neg ? '-' : ''}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
}
/** Accepts numbers or numeric strings in yuan; rounds to the nearest fen. Returns undefined when not a number. */
export function yuanToFen(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n)) return undefined;
  return Math.round(n * 100);
}
