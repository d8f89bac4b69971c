import { describe, expect, it } from 'vitest';
import {
  PROVINCES,
  fuzzyCandidates,
  isUnplated,
  normalizePlate,
  platesMatch,
  withoutProvince,
} from '../../src/core/plates.js';

describe('normalizePlate', () => {
  it.each([
    ['粤B·12345', '粤B12345'],
    ['粤Ｂ１２３４５', '粤B12345'],
    [' 京a 123-45 ', '京A12345'],
    ['京A.12345', '京A12345'],
    ['沪A・D1234５', '沪AD12345'],
    ['苏E\u3000F6789', '苏EF6789'],
    ['浙A－12345', '浙A12345'],
    ['粤B12345挂', '粤B12345挂'],
  ])('%s → %s', (raw, want) => {
    expect(normalizePlate(raw)).toBe(want);
  });
  it('tolerates missing input', () => {
    expect(normalizePlate(undefined)).toBe('');
    expect(normalizePlate(null)).toBe('');
  });
});

describe('isUnplated', () => {
  it.each(['_无_', '', '  ', '无牌车', '无车牌', '无牌', '无 牌 车'])('"%s" is unplated', (raw) => {
    expect(isUnplated(raw)).toBe(true);
  });
  it.each(['粤B12345', 'A12345', '无锡'])('"%s" is a plate', (raw) => {
    expect(isUnplated(raw)).toBe(false);
  });
});

describe('provinces', () => {
  it('has the 31 provincial abbreviations, each once', () => {
    expect([...PROVINCES]).toHaveLength(31);
    expect(new Set(PROVINCES).size).toBe(31);
    for (const ch of '京沪粤闽琼藏') expect(PROVINCES).toContain(ch);
  });
  it('withoutProvince drops only a leading province character', () => {
    expect(withoutProvince('粤B12345')).toBe('B12345');
    expect(withoutProvince('b 12345')).toBe('B12345');
    expect(withoutProvince('WJ12345')).toBe('WJ12345');
  });
});

describe('platesMatch', () => {
  it('equal after normalising', () => {
    expect(platesMatch('粤B·12345', '粤b12345')).toBe(true);
  });
  it('a side without province (KT sends "A12345") matches the full plate', () => {
    expect(platesMatch('A12345', '闽A12345')).toBe(true);
    expect(platesMatch('闽A12345', 'a-12345')).toBe(true);
  });
  it('different provinces or characters do not match', () => {
    expect(platesMatch('粤B12345', '京B12345')).toBe(false);
    expect(platesMatch('粤B12345', '粤B12346')).toBe(false);
    expect(platesMatch('B12345', 'B12346')).toBe(false);
  });
  it('unplated never matches, not even itself', () => {
    expect(platesMatch('无牌车', '无牌车')).toBe(false);
    expect(platesMatch('', '')).toBe(false);
  });
});

describe('fuzzyCandidates', () => {
  const inPark = ['粤B12345', '粤B12346', '京B12345', 'B1234S', '粤B123456', '粤C99999', '无牌车'];
  it('ranks cheap confusions before a missing province before arbitrary substitutions', () => {
    expect(fuzzyCandidates('粤B1234S', inPark)).toEqual([
      { plate: '粤B12345', score: 0.5 },
      { plate: 'B1234S', score: 0.333 },
      { plate: '粤B12346', score: 0.25 },
      { plate: '京B12345', score: 0.2 },
    ]);
  });
  it('an exact read comes first with score 1', () => {
    expect(fuzzyCandidates('粤b·12345', inPark)[0]).toEqual({ plate: '粤B12345', score: 1 });
  });
  it('every confusable group is cheap', () => {
    const pairs: [string, string][] = [
      ['粤B0000', '粤BODQ0'],
      ['粤B1111', '粤BI1I1'],
      ['粤B8888', '粤BB8B8'],
      ['粤B2222', '粤BZ2Z2'],
      ['粤B5555', '粤BS5S5'],
      ['粤B6666', '粤BG6G6'],
    ];
    for (const [read, cand] of pairs) {
      const got = fuzzyCandidates(read, [cand]);
      expect(got, `${read} vs ${cand}`).toHaveLength(1);
      expect(got[0].score).toBeGreaterThan(0.2);
    }
  });
  it('two arbitrary substitutions, or a different length, are not candidates', () => {
    expect(fuzzyCandidates('粤B12345', ['粤B12377', '粤B1234', '粤B1234567'])).toEqual([]);
  });
  it('respects the limit and ignores unplated reads', () => {
    const many = Array.from({ length: 20 }, (_, i) => `粤B1234${String.fromCharCode(65 + i)}`);
    expect(fuzzyCandidates('粤B12345', many, 3)).toHaveLength(3);
    expect(fuzzyCandidates('_无_', inPark)).toEqual([]);
  });
});
