import { describe, expect, it } from 'vitest';
import { CPS3_ATR, VITALE1_ATR, VITALE2_ATR } from '../../../fixtures/cards';
import { ATR_TABLE, atrMatches, recogniseAtr } from './atr';

describe('card recognition by masked ATR', () => {
  it('recognises the public ATRs of each family', () => {
    expect(recogniseAtr(CPS3_ATR)).toBe('CPS3');
    expect(recogniseAtr('3B8F80010031B86404B0ECC1739401808290000E')).toBe('CPS3_CL');
    expect(recogniseAtr('3B9B188001001225006480040100009044')).toBe('CPS4');
    expect(recogniseAtr('3BDC18FF00001225006480000401009000')).toBe('CPS4');
    expect(recogniseAtr(VITALE2_ATR)).toBe('VITALE_2');
    expect(recogniseAtr('3B751300004909EA9000')).toBe('VITALE_2');
    expect(recogniseAtr(VITALE1_ATR)).toBe('VITALE_1');
    expect(recogniseAtr('3F65250052096A9000')).toBe('VITALE_1');
  });

  it('applies the mask: bytes outside it may vary, bytes inside may not', () => {
    const cps3 = ATR_TABLE.find((p) => p.kind === 'CPS3');
    expect(cps3 && atrMatches('3BAC01402A001225006480FFFF10009000', cps3)).toBe(true);
    expect(recogniseAtr('3BAC00402A001225006481000310009000')).toBe('UNKNOWN');
    expect(recogniseAtr('3B00')).toBe('UNKNOWN');
  });

  it('has well-formed table entries (mask and ATR of the same length, each with a source)', () => {
    for (const p of ATR_TABLE) {
      expect(p.atr).toMatch(/^([0-9A-F]{2})+$/);
      if (p.mask) expect(p.mask.length).toBe(p.atr.length);
      expect(p.source.length).toBeGreaterThan(10);
    }
  });
});
