/**
 * One signed VIHF per caller, patient and purpose of use, reused for every request within its
 * validity window instead of one per request: the signature (a card operation with a CPS) leaves
 * the critical path of all but the first exchange, and can be made ahead (pre-warm).
 *
 * A VIHF 3.0 carries no validity period of its own (official examples: no saml2:Conditions); the
 * DMP judges its freshness by IssueInstant, and the window it allows is not public. Modelled here
 * as 5 minutes (the simulator's bound, fixtures/sim/dmp/vihf.ts), renewed one minute before its end
 * so that a VIHF never reaches the server stale. A VIHF the DMP refuses is dropped (the client asks
 * again with a fresh one, ./client.ts).
 */
import type { Clock } from '../../platform/clock';
import type { XmlSigner } from '../../platform/xml';
import type { Element } from '@xmldom/xmldom';
import { signedVihf, type VihfInput } from './vihf';

/** Modelled validity of a VIHF, from its IssueInstant (see above). */
export const VIHF_VALIDITY_MS = 5 * 60_000;
/** A new VIHF is made when the cached one has less than this left. */
export const VIHF_RENEW_BEFORE_MS = 60_000;

interface Entry {
  issuedAt: number;
  assertion: Promise<Element>;
}

export interface VihfLease {
  assertion: Element;
  /** True when this VIHF was signed for an earlier request. */
  reused: boolean;
  /** Drops it (the DMP refused it): the next request signs a new one. */
  drop(): void;
}

export class VihfCache {
  /** By signer: a card taken out takes its VIHFs with it (another card, another signer object). */
  private bySigner = new WeakMap<XmlSigner, Map<string, Entry>>();

  constructor(
    private readonly clock: Clock,
    private readonly window: { validityMs: number; renewBeforeMs: number } = { validityMs: VIHF_VALIDITY_MS, renewBeforeMs: VIHF_RENEW_BEFORE_MS },
  ) {}

  /** Forgets every VIHF (the card session ended: none is kept for the next one). */
  clear(): void {
    this.bySigner = new WeakMap();
  }

  async get(input: Omit<VihfInput, 'issueInstant' | 'id'>, signer: XmlSigner): Promise<VihfLease> {
    let entries = this.bySigner.get(signer);
    if (entries === undefined) {
      entries = new Map();
      this.bySigner.set(signer, entries);
    }
    const now = this.clock.now();
    const usableUntil = this.window.validityMs - this.window.renewBeforeMs;
    for (const [k, e] of entries) if (now - e.issuedAt >= usableUntil || now < e.issuedAt) entries.delete(k);
    const key = JSON.stringify([input.mode, input.subject, input.patient, input.purposeOfUse, input.lps]);
    const cached = entries.get(key);
    const entry = cached ?? { issuedAt: now, assertion: signedVihf({ ...input, issueInstant: new Date(now).toISOString() }, signer) };
    if (cached === undefined) {
      entries.set(key, entry);
      entry.assertion.catch(() => {
        if (entries.get(key) === entry) entries.delete(key);
      });
    }
    const assertion = await entry.assertion;
    return {
      assertion,
      reused: cached !== undefined,
      drop: () => {
        if (entries.get(key) === entry) entries.delete(key);
      },
    };
  }
}
