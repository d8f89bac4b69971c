// Licence-plate text: one canonical form, matching that tolerates a missing province character (some
// clouds, e.g. KT examples, send "A12345"), and ranked guesses for camera misreads at exits.

/** The 31 provincial-level abbreviations that open a civil plate. */
export const PROVINCES = '京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼';

// Separators cameras, keyboards and clouds put inside plates: ASCII and full-width dots, the several
// "middle dot" code points (粤B·12345 is the printed form), hyphens and dashes.
const SEPARATORS = /[\s.\u00b7\u2022\u2027\u30fb\u3002\u2010\u2011\u2012\u2013\u2014\u2212-]/g;

// Upper-case ASCII letters, digits and CJK ideographs only: already in canonical form.
const CANONICAL = /^[0-9A-Z\u4e00-\u9fff]+$/;

/** Full-width → half-width, upper case, separators removed. Never throws; null/undefined → "". */
export function normalizePlate(raw: string | null | undefined): string {
  if (!raw) return '';
  // what cameras and clouds send nearly always: nothing to convert (every lookup normalises first)
  if (CANONICAL.test(raw)) return raw;
  let out = '';
  for (const ch of raw) {
    const code = ch.codePointAt(0)!;
    if (code >= 0xff01 && code <= 0xff5e) out += String.fromCodePoint(code - 0xfee0);
    else if (code === 0x3000) out += ' ';
    else out += ch;
  }
  return out.toUpperCase().replace(SEPARATORS, '');
}

const UNPLATED = new Set(['', '_无_', '无牌车', '无车牌', '无牌']);

/** True for the texts cameras and clouds use for "no plate read" (and for nothing at all). */
export function isUnplated(raw: string | null | undefined): boolean {
  return UNPLATED.has(normalizePlate(raw));
}

function hasProvince(p: string): boolean {
  return p.length > 0 && PROVINCES.includes(p[0]);
}

/** The plate without its leading province character, if it has one (normalised). */
export function withoutProvince(raw: string): string {
  const p = normalizePlate(raw);
  return hasProvince(p) ? p.slice(1) : p;
}

/**
 * Same plate: equal after normalising, or equal without the province when exactly one side lacks it.
 * Two different provinces never match, and an unplated read matches nothing.
 */
export function platesMatch(a: string, b: string): boolean {
  if (isUnplated(a) || isUnplated(b)) return false;
  const na = normalizePlate(a);
  const nb = normalizePlate(b);
  if (na === nb) return true;
  if (hasProvince(na) === hasProvince(nb)) return false;
  return withoutProvince(na) === withoutProvince(nb);
}

// Glyphs recognisers swap for one another on real plates; a swap inside one group is a cheap edit.
const CONFUSABLE_GROUPS = ['0ODQ', '1I', '8B', '2Z', '5S', '6G'];
const confusableGroup = new Map<string, number>();
CONFUSABLE_GROUPS.forEach((g, i) => {
  for (const ch of g) confusableGroup.set(ch, i);
});

const COST_CONFUSABLE = 1;
const COST_MISSING_PROVINCE = 2;
const COST_ARBITRARY = 3;
const MAX_COST = 4;

function editCost(read: string, cand: string): number | null {
  let a = read;
  let b = cand;
  let cost = 0;
  let arbitrary = 0;
  const pa = hasProvince(a);
  const pb = hasProvince(b);
  if (pa && pb) {
    if (a[0] !== b[0]) {
      cost += COST_ARBITRARY;
      arbitrary++;
    }
    a = a.slice(1);
    b = b.slice(1);
  } else if (pa !== pb) {
    cost += COST_MISSING_PROVINCE;
    a = pa ? a.slice(1) : a;
    b = pb ? b.slice(1) : b;
  }
  if (a.length !== b.length) return null;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    const ga = confusableGroup.get(a[i]);
    if (ga !== undefined && ga === confusableGroup.get(b[i])) {
      cost += COST_CONFUSABLE;
    } else {
      cost += COST_ARBITRARY;
      arbitrary++;
    }
    if (arbitrary > 1 || cost > MAX_COST) return null;
  }
  return arbitrary > 1 || cost > MAX_COST ? null : cost;
}

export interface PlateCandidate {
  plate: string; // as given in inPark
  score: number; // 1 = exact; falls with the edit cost: 1 / (1 + cost)
}

/**
 * In-park plates that a (mis)read plate may really be, best first. Cheap edits: swaps within the
 * confusable groups above; dearer: a missing province, or one arbitrary substitution. Lengths must
 * agree (no insertions or deletions), so a 7-character read never matches an 8-character green plate.
 */
export function fuzzyCandidates(read: string, inPark: string[], limit = 5): PlateCandidate[] {
  if (isUnplated(read) || limit <= 0) return [];
  const r = normalizePlate(read);
  const scored: { plate: string; cost: number }[] = [];
  const seen = new Set<string>();
  for (const plate of inPark) {
    if (seen.has(plate) || isUnplated(plate)) continue;
    seen.add(plate);
    const cost = editCost(r, normalizePlate(plate));
    if (cost !== null) scored.push({ plate, cost });
  }
  scored.sort((x, y) => x.cost - y.cost || (x.plate < y.plate ? -1 : x.plate > y.plate ? 1 : 0));
  return scored
    .slice(0, limit)
    .map((x) => ({ plate: x.plate, score: Math.round(1000 / (1 + x.cost)) / 1000 }));
}
