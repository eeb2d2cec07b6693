/**
 * Card mode signs one assertion PS for the calls of a few minutes, over real HTTPS against the
 * simulator: fewer signatures (a CPS takes hundreds of milliseconds per signature), one signature
 * for concurrent calls, a new one after the window, for another card session, and once more when
 * INSi refuses a reused assertion.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../platform/clock';
import type { XmlSigner } from '../../platform/xml';
import { ensureSharedTestPki, type DemoPki } from '../../../fixtures/sim/pki';
import { startInsiSimulator, type InsiSimulator } from '../../../fixtures/sim/insi';
import { DEMO_LPS, demoPractitionerSession, insiTransports } from '../../../fixtures/wiring/insi';
import { AppError } from '../../contract';
import { ASSERTION_REUSE_MS, InsiClient, type InsiCredentials } from './client';

const clock = createManualClock(Date.UTC(2026, 0, 15, 9));
const query = { birthName: 'TCHITCHI', givenNames: 'CATARINA', sex: 'F' as const, birthDate: '1936-06-21', birthPlaceCode: null };
let pki: DemoPki;
let transports: ReturnType<typeof insiTransports>;
const sims: InsiSimulator[] = [];

beforeAll(async () => {
  pki = await ensureSharedTestPki();
  transports = insiTransports(pki);
});
afterAll(async () => {
  await Promise.all(sims.map((sim) => sim.close()));
  transports.cps.close();
  transports.structure.close();
});

async function setup(simOptions: { assertionMaxAgeMs?: number } = {}) {
  const sim = await startInsiSimulator({ pki, now: () => clock.now(), ...simOptions });
  sims.push(sim);
  const client = new InsiClient({ transport: (mode) => transports[mode], endpoint: () => sim.url, lps: () => DEMO_LPS, clock });
  return { sim, client };
}

/** A card session whose signatures are counted. */
function cardSession(): { credentials: InsiCredentials; signatures: () => number } {
  const session = demoPractitionerSession(pki.practitioner);
  let count = 0;
  const signer: XmlSigner = {
    certificateChain: () => session.signer.certificateChain(),
    sign: (data) => {
      count += 1;
      return session.signer.sign(data);
    },
  };
  return { credentials: { mode: 'cps', holder: session.holder, signer }, signatures: () => count };
}

describe('assertion PS reuse (card mode)', () => {
  it('signs once for calls within the window, concurrent ones included, and again after it', async () => {
    const { sim, client } = await setup();
    const card = cardSession();
    await Promise.all([1, 2, 3, 4].map(() => client.searchByTraits(query, card.credentials)));
    await client.searchByTraits(query, card.credentials);
    expect(card.signatures()).toBe(1);
    expect(sim.requests.slice(-5).map((r) => [r.authentication, r.code])).toEqual(Array.from({ length: 5 }, () => ['cps', '00']));

    clock.advance(ASSERTION_REUSE_MS - 1);
    await client.searchByTraits(query, card.credentials);
    expect(card.signatures()).toBe(1);
    clock.advance(1);
    await client.searchByTraits(query, card.credentials);
    expect(card.signatures()).toBe(2);
  });

  it('signs again for another card session, and never reuses across holders', async () => {
    const { client } = await setup();
    const first = cardSession();
    const second = cardSession();
    await client.searchByTraits(query, first.credentials);
    await client.searchByTraits(query, second.credentials);
    expect([first.signatures(), second.signatures()]).toEqual([1, 1]);
    // same signer, other holder attributes (another situation of the card): a new assertion
    if (first.credentials.mode !== 'cps') throw new Error('card mode expected');
    const other: InsiCredentials = { ...first.credentials, holder: { ...first.credentials.holder, activitySector: 'SA05' } };
    await client.searchByTraits(query, other);
    expect(first.signatures()).toBe(2);
  });

  it('signs again and sends once more when INSi refuses a reused assertion', async () => {
    const { sim, client } = await setup({ assertionMaxAgeMs: 60_000 });
    const card = cardSession();
    await client.searchByTraits(query, card.credentials);
    clock.advance(120_000);
    const result = await client.searchByTraits(query, card.credentials);
    expect(result.code).toBe('00');
    expect(card.signatures()).toBe(2);
    expect(sim.requests.slice(-2).map((r) => r.code)).toEqual(['fault', '00']);
  });

  it('does not retry when a fresh assertion is refused', async () => {
    const { sim, client } = await setup({ assertionMaxAgeMs: -1 });
    const card = cardSession();
    const before = sim.requests.length;
    await expect(client.searchByTraits(query, card.credentials)).rejects.toSatisfy((error) => error instanceof AppError && error.code === 'INSI_RIGHTS_INSUFFICIENT');
    expect(sim.requests.length - before).toBe(1);
    expect(card.signatures()).toBe(1);
  });

  it('keeps no failed signature: the next call signs again', async () => {
    const { client } = await setup();
    const card = cardSession();
    let fail = true;
    if (card.credentials.mode !== 'cps') throw new Error('card mode expected');
    const signer = card.credentials.signer;
    const flaky: InsiCredentials = {
      ...card.credentials,
      signer: { certificateChain: () => signer.certificateChain(), sign: (data) => (fail ? Promise.reject(new Error('card removed')) : signer.sign(data)) },
    };
    await expect(client.searchByTraits(query, flaky)).rejects.toThrow();
    fail = false;
    await expect(client.searchByTraits(query, flaky)).resolves.toMatchObject({ code: '00' });
  });
});
