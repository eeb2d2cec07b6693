/**
 * Issue 14 point 5: "no input accepted by any parser costs more than 10 × its size in host memory",
 * for the CSV import's reading and checking (fixtures/testing/memory.ts: a process of its own per
 * case; the peak also allows for V8's fixed young generation). Sizes are the largest the import
 * accepts for each shape (100 000 lines).
 */
import { describe, expect, it } from 'vitest';
import { expectWithinTenTimes, probeMemory } from '../../../fixtures/testing/memory';

describe('CSV import memory (separate processes)', () => {
  it.each([
    ['csv-export', 7],
    ['csv-utf16', 14],
    ['csv-empty-cells', 0.38],
  ])('reads and checks %s within 10 times its size', (kind, sizeMb) => {
    const result = probeMemory(kind as string, sizeMb as number);
    expect(result.accepted, result.code ?? '').toBe(true);
    expectWithinTenTimes(result);
  }, 240_000);
});
