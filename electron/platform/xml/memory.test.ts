/**
 * Issue 14 point 5: "no input accepted by any parser costs more than 10 × its size in host memory".
 * Each case runs in a process of its own (fixtures/testing/memory-probe.ts) so that the figures are
 * the parse's alone: the heap and buffers the result keeps after garbage collection, and the growth
 * of the peak resident set while parsing. The peak also holds V8's young generation (a fixed
 * 16 to 48 MiB whatever the input), which the bound allows for on top of 10 × the input.
 */
import { describe, expect, it } from 'vitest';
import { expectWithinTenTimes, probeMemory as probe, YOUNG_GENERATION_ALLOWANCE } from '../../../fixtures/testing/memory';
import { referenceDir } from '../../../fixtures/testing/tier';

describe('XML parsing memory (separate processes)', () => {
  it.each(['xml-dense-accepted', 'xml-attributes-accepted', 'xml-cda-n1'])('accepts %s (16 MB) within 10 times its size', (kind) => {
    const result = probe(kind, 16);
    expect(result.accepted, result.code ?? '').toBe(true);
    expectWithinTenTimes(result);
  }, 240_000);

  it('accepts the official IPS-FR example within 10 times its size', () => {
    if (referenceDir() === null && process.env.CI !== 'true') return;
    const result = probe('xml-official-ips', 0);
    expect(result.accepted).toBe(true);
    expect(result.retained).toBeLessThanOrEqual(10 * result.bytes);
  }, 240_000);

  it.each([
    ['xml-empty-elements', 'XML_TOO_COMPLEX'],
    ['xml-comments', 'XML_TOO_COMPLEX'],
    ['xml-deep', 'XML_TOO_DEEP'],
    ['xml-billion-laughs', 'XML_DOCTYPE_FORBIDDEN'],
  ])('refuses %s (16 MB) before building it, in little memory and time', (kind, code) => {
    const result = probe(kind, 16);
    expect(result.code).toBe(code);
    // Refusing costs no tree: the streaming pass holds a tag stack and the decoded text.
    expect(result.peakGrowth).toBeLessThanOrEqual(3 * result.bytes + YOUNG_GENERATION_ALLOWANCE);
    expect(result.ms).toBeLessThan(5_000);
  }, 240_000);
});
