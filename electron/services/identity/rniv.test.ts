import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  IDENTITY_DEVICES,
  INS_OID,
  applyIdentityEvent,
  canShareIns,
  deriveStatus,
  initialIdentityState,
  insiCallBlock,
  normalizeStrictTraits,
  type IdentityEvent,
  type IdentityRecord,
  type StrictTraits,
} from '.';
import { AppError } from '../../contract';

function traits(overrides: Partial<Parameters<typeof normalizeStrictTraits>[0]> = {}): StrictTraits {
  const result = normalizeStrictTraits({
    birthName: 'ECETINSI',
    birthGivenNames: 'PIERRE-ALAIN MURIEL FLORIANT',
    birthDate: '14/07/2009',
    sex: 'M',
    birthPlaceCode: '63220',
    ...overrides,
  });
  if (!result.ok) throw new Error('fixture traits must be valid');
  return result.traits;
}

const at = '2026-11-22T10:00:00.000Z';
const ctx = { at, actor: 'CPE 1234' };
const ECETINSI_INS = { matricule: '109076322083489', oid: INS_OID.TEST } as const;

function record(): IdentityRecord {
  return { traits: traits(), identity: initialIdentityState() };
}

function run(start: IdentityRecord, ...events: IdentityEvent[]) {
  let current = start;
  const entries = [];
  for (const event of events) {
    const t = applyIdentityEvent(current, event, ctx);
    current = t.record;
    entries.push(t.entry);
  }
  return { record: current, entries };
}

const insiOk: IdentityEvent = { type: 'insi.succeeded', ins: ECETINSI_INS, traits: traits() };
const passport: IdentityEvent = { type: 'document.checked', device: 'passeport' };

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof AppError ? error.code : 'not-an-AppError';
  }
  return undefined;
}

describe('RNIV statuses (EXI SI 07, FR Core fr-core-cs-identity-status)', () => {
  it('starts provisional', () => {
    expect(record().identity).toEqual({
      status: 'PROV',
      attributes: { homonyme: false, douteuse: false, fictive: false },
      ins: null,
      insiConfirmedAt: null,
      documentCheck: null,
    });
  });

  it('PROV + INSi success → RECUP, then + high-trust document → QUAL', () => {
    const { record: r, entries } = run(record(), insiOk, passport);
    expect(entries.map((e) => [e.event, e.from, e.to])).toEqual([
      ['insi.succeeded', 'PROV', 'RECUP'],
      ['document.checked', 'RECUP', 'QUAL'],
    ]);
    expect(r.identity.ins).toEqual(ECETINSI_INS);
    expect(r.identity.documentCheck).toEqual({ device: 'passeport', parentDevice: null, highTrust: true, checkedBy: 'CPE 1234', checkedAt: at });
    expect(canShareIns(r.identity)).toBe(true);
  });

  it('PROV + high-trust document → VALI, then + INSi success with the same traits → QUAL', () => {
    const { entries } = run(record(), { type: 'document.checked', device: 'carte-identite' }, insiOk);
    expect(entries.map((e) => [e.from, e.to])).toEqual([
      ['PROV', 'VALI'],
      ['VALI', 'QUAL'],
    ]);
  });

  it('VALI + INSi returning other traits → RECUP: the document was checked against the old traits', () => {
    const start = run(record(), passport).record;
    const t = applyIdentityEvent(start, { type: 'insi.succeeded', ins: ECETINSI_INS, traits: traits({ birthGivenNames: 'PIERRE-ALAIN MURIEL' }) }, ctx);
    expect([t.entry.from, t.entry.to]).toEqual(['VALI', 'RECUP']);
    expect(t.entry.details).toMatchObject({ changedTraits: ['birthGivenNames'], documentCheckDropped: true });
    expect(t.record.traits.birthGivenNames).toBe('PIERRE-ALAIN MURIEL');
  });

  it('a low-trust device (driving licence, carte Vitale) is recorded but does not validate', () => {
    for (const device of ['permis-conduire', 'carte-vitale'] as const) {
      const t = applyIdentityEvent(record(), { type: 'document.checked', device }, ctx);
      expect([t.entry.from, t.entry.to]).toEqual(['PROV', 'PROV']);
      expect(t.entry.details).toMatchObject({ device, highTrust: false });
    }
    // and it never replaces an earlier high-trust check
    const qual = run(record(), insiOk, passport).record;
    const after = applyIdentityEvent(qual, { type: 'document.checked', device: 'permis-conduire' }, ctx);
    expect(after.record.identity.status).toBe('QUAL');
    expect(after.record.identity.documentCheck?.device).toBe('passeport');
  });

  it("a minor's livret de famille validates only with a parent's high-trust document (RNIV 2024)", () => {
    const minor = record(); // born 2009-07-14: 17 on 2026-11-22
    expect(codeOf(() => applyIdentityEvent(minor, { type: 'document.checked', device: 'livret-famille' }, ctx))).toBe('IDENTITY_PARENT_DEVICE_REQUIRED');
    expect(
      codeOf(() => applyIdentityEvent(minor, { type: 'document.checked', device: 'livret-famille', parentDevice: 'permis-conduire' }, ctx)),
    ).toBe('IDENTITY_PARENT_DEVICE_REQUIRED');
    const t = applyIdentityEvent(minor, { type: 'document.checked', device: 'extrait-acte-naissance', parentDevice: 'carte-identite' }, ctx);
    expect(t.record.identity).toMatchObject({ status: 'VALI', documentCheck: { device: 'extrait-acte-naissance', parentDevice: 'carte-identite', highTrust: true } });
    // for an adult the livret is recorded as low trust
    const adult: IdentityRecord = { traits: traits({ birthDate: '01/01/1960' }), identity: initialIdentityState() };
    const a = applyIdentityEvent(adult, { type: 'document.checked', device: 'livret-famille', parentDevice: 'passeport' }, ctx);
    expect(a.record.identity.status).toBe('PROV');
  });

  it('refuses an unknown device: there is no default (RNIV EXI SI 10/23)', () => {
    expect(codeOf(() => applyIdentityEvent(record(), { type: 'document.checked', device: '' as never }, ctx))).toBe('IDENTITY_DEVICE_REQUIRED');
  });

  it('a strict trait change drops RECUP and VALI back to PROV, and is refused on a QUAL identity', () => {
    const recup = run(record(), insiOk).record;
    const t = applyIdentityEvent(recup, { type: 'traits.changed', traits: traits({ birthPlaceCode: '75056' }) }, ctx);
    expect([t.entry.from, t.entry.to]).toEqual(['RECUP', 'PROV']);
    expect(t.entry.details).toEqual({ changedTraits: ['birthPlaceCode'] });
    const vali = run(record(), passport).record;
    expect(applyIdentityEvent(vali, { type: 'traits.changed', traits: traits({ sex: 'F' }) }, ctx).record.identity.status).toBe('PROV');
    const qual = run(record(), insiOk, passport).record;
    expect(codeOf(() => applyIdentityEvent(qual, { type: 'traits.changed', traits: traits({ birthName: 'ECETINSY' }) }, ctx))).toBe(
      'IDENTITY_QUALIFIED_LOCKED',
    );
    // saving the same traits is no change at all
    expect(applyIdentityEvent(qual, { type: 'traits.changed', traits: traits() }, ctx).record.identity.status).toBe('QUAL');
  });

  it('douteuse and fictive force PROV, invalidate the INS and block INSi calls', () => {
    const qual = run(record(), insiOk, passport).record;
    for (const attribute of ['douteuse', 'fictive'] as const) {
      const t = applyIdentityEvent(qual, { type: 'attribute.set', attribute, value: true, reason: 'traits contradictoires' }, ctx);
      expect(t.record.identity).toMatchObject({ status: 'PROV', ins: null, insiConfirmedAt: null, documentCheck: null });
      expect(t.entry.details).toMatchObject({ attribute, value: true, insInvalidated: true });
      expect(insiCallBlock(t.record.identity)).toEqual({ blocked: true, reason: attribute });
      expect(codeOf(() => applyIdentityEvent(t.record, insiOk, ctx))).toBe('IDENTITY_INSI_BLOCKED');
    }
  });

  it('clearing the doubt leaves the identity provisional until it is verified again', () => {
    const doubtful = run(record(), insiOk, { type: 'attribute.set', attribute: 'douteuse', value: true }).record;
    const cleared = applyIdentityEvent(doubtful, { type: 'attribute.set', attribute: 'douteuse', value: false }, ctx).record;
    expect(cleared.identity).toMatchObject({ status: 'PROV', attributes: { douteuse: false } });
    expect(insiCallBlock(cleared.identity)).toEqual({ blocked: false });
    expect(run(cleared, insiOk, passport).record.identity.status).toBe('QUAL');
  });

  it('homonyme is compatible with every status; only douteuse + homonyme combine ([EXI ID 24/26])', () => {
    const qual = run(record(), insiOk, passport).record;
    const homonym = applyIdentityEvent(qual, { type: 'attribute.set', attribute: 'homonyme', value: true }, ctx).record;
    expect(homonym.identity).toMatchObject({ status: 'QUAL', attributes: { homonyme: true } });
    expect(applyIdentityEvent(homonym, { type: 'attribute.set', attribute: 'douteuse', value: true }, ctx).record.identity.attributes).toEqual({
      homonyme: true,
      douteuse: true,
      fictive: false,
    });
    expect(codeOf(() => applyIdentityEvent(homonym, { type: 'attribute.set', attribute: 'fictive', value: true }, ctx))).toBe(
      'IDENTITY_ATTRIBUTES_INCOMPATIBLE',
    );
  });

  it('keeps its invariant under any sequence of events: status = f(INSi, document, attributes)', () => {
    const event: fc.Arbitrary<IdentityEvent> = fc.oneof(
      fc.constant(insiOk),
      fc.constantFrom(...IDENTITY_DEVICES.map((d) => d.code)).map((device) => ({ type: 'document.checked', device, parentDevice: 'passeport' }) as IdentityEvent),
      fc.constantFrom('ECETINSI', 'ECETINSY').map((birthName) => ({ type: 'traits.changed', traits: traits({ birthName }) }) as IdentityEvent),
      fc.record({ attribute: fc.constantFrom('homonyme', 'douteuse', 'fictive' as const), value: fc.boolean() }).map((a) => ({ type: 'attribute.set', ...a }) as IdentityEvent),
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 12 }), (events) => {
        let current = record();
        for (const e of events) {
          try {
            const t = applyIdentityEvent(current, e, ctx);
            expect(t.entry.from).toBe(current.identity.status);
            expect(t.entry.to).toBe(t.record.identity.status);
            current = t.record;
          } catch (error) {
            expect(error).toBeInstanceOf(AppError);
          }
          const id = current.identity;
          expect(id.status).toBe(deriveStatus(id));
          if (id.attributes.douteuse || id.attributes.fictive) expect([id.status, id.ins]).toEqual(['PROV', null]);
          if (id.attributes.fictive) expect(id.attributes.douteuse || id.attributes.homonyme).toBe(false);
          if (id.status === 'QUAL') expect(id.ins).not.toBeNull();
        }
      }),
    );
  });
});

describe('identity devices', () => {
  it('lists passport, CNI, titre de séjour, eIDAS identity and appli carte Vitale as high trust, with no default', () => {
    const high = IDENTITY_DEVICES.filter((d) => d.trust === 'high').map((d) => d.code);
    expect(high).toEqual(['passeport', 'carte-identite', 'titre-sejour', 'identite-numerique', 'appli-carte-vitale']);
    expect(IDENTITY_DEVICES.filter((d) => d.trust === 'minor-with-parent').map((d) => d.code)).toEqual(['livret-famille', 'extrait-acte-naissance']);
    expect(IDENTITY_DEVICES.find((d) => d.code === 'permis-conduire')?.trust).toBe('low');
    for (const device of IDENTITY_DEVICES) expect(Object.keys(device).sort()).toEqual(['code', 'label', 'note', 'trust']);
  });
});
