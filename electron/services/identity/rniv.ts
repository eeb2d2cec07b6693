/**
 * RNIV identity statuses and attributes as an explicit state machine (insi.md §2.3–2.4).
 *
 * Statuses [EXI SI 07], FR Core `fr-core-cs-identity-status`:
 *   PROV  provisoire   no INSi, no high-trust document
 *   RECUP récupérée    INSi,    no high-trust document
 *   VALI  validée      no INSi, high-trust document checked
 *   QUAL  qualifiée    INSi and high-trust document
 * The status is a function of two facts (INSi confirmation, document check) and of the
 * attributes: douteuse and fictive force PROV, invalidate the INS and block INSi calls
 * (IdentityAttribute.php / PatientIdentity.php). Only douteuse + homonyme may be combined
 * [EXI ID 24/26]. A change of a strict trait drops both facts: they were established for the old
 * traits (the research notes flag this reading of the RNIV as to be confirmed in the Guide INS).
 * A qualified identity is locked: its strict traits change only by re-querying INSi
 * (help.surgica.fr/faq-ins), or after it has been marked douteuse.
 *
 * Every transition is a pure function: (state, event, context) → new state + history entry.
 */
import { AppError } from '../../contract';
import type {
  DocumentCheck,
  IdentityAttribute,
  IdentityAttributes,
  IdentityDevice,
  IdentityDeviceCode,
  IdentityHistoryEntry,
  IdentityState,
  IdentityStatus,
  StrictTraits,
} from '../../contract/domains/identity';
import type { Ins } from './matricule';
import { ageAt, changedStrictTraits, type StrictTraitName } from './traits';

export type { IdentityState, IdentityStatus, IdentityHistoryEntry, IdentityAttributes, DocumentCheck, IdentityDevice, IdentityDeviceCode };

export const IDENTITY_STATUS_LABEL: Record<IdentityStatus, { label: string; meaning: string }> = {
  PROV: { label: 'Identité provisoire', meaning: "Ni récupérée auprès de l'INSi, ni vérifiée sur un justificatif à haut niveau de confiance." },
  RECUP: { label: 'Identité récupérée', meaning: "INS récupéré ou vérifié auprès de l'INSi ; justificatif d'identité à contrôler." },
  VALI: { label: 'Identité validée', meaning: "Justificatif à haut niveau de confiance contrôlé ; INS à récupérer auprès de l'INSi." },
  QUAL: {
    label: 'Identité qualifiée',
    meaning: "INS vérifié par l'INSi et justificatif contrôlé : l'INS peut référencer et échanger des données de santé.",
  },
};

/**
 * Identity devices (identito-na.fr/dispositif-identification, esante-hdf FAQ, RNIV 2024
 * exceptions via sante-ara.fr). The list has no default entry: the user always picks one
 * (RNIV EXI SI 10/23, IdentificationEvidence.php).
 */
export const IDENTITY_DEVICES: readonly IdentityDevice[] = [
  { code: 'passeport', label: 'Passeport', trust: 'high', note: 'Tout pays.' },
  {
    code: 'carte-identite',
    label: "Carte nationale d'identité",
    trust: 'high',
    note: 'Française, ou d’un pays de l’Union européenne, de l’EEE ou de la Suisse.',
  },
  { code: 'titre-sejour', label: 'Titre de séjour', trust: 'high', note: 'Titre de séjour en cours de validité.' },
  {
    code: 'identite-numerique',
    label: 'Identité numérique eIDAS (substantiel ou élevé)',
    trust: 'high',
    note: 'France Identité (e-CNI), Identité Numérique La Poste.',
  },
  {
    code: 'appli-carte-vitale',
    label: 'Appli carte Vitale',
    trust: 'high',
    note: 'Identité électronique de niveau eIDAS substantiel.',
  },
  {
    code: 'livret-famille',
    label: 'Livret de famille',
    trust: 'minor-with-parent',
    note: "Pour un mineur, avec le justificatif à haut niveau de confiance d'un parent (RNIV 2024).",
  },
  {
    code: 'extrait-acte-naissance',
    label: "Extrait d'acte de naissance",
    trust: 'minor-with-parent',
    note: "Pour un mineur, avec le justificatif à haut niveau de confiance d'un parent (RNIV 2024).",
  },
  { code: 'permis-conduire', label: 'Permis de conduire', trust: 'low', note: "N'est pas un dispositif à haut niveau de confiance." },
  { code: 'carte-vitale', label: 'Carte Vitale', trust: 'low', note: 'Ne permet pas, seule, de valider une identité.' },
];

export function identityDevice(code: string): IdentityDevice | null {
  return IDENTITY_DEVICES.find((device) => device.code === code) ?? null;
}

export const NO_ATTRIBUTES: IdentityAttributes = { homonyme: false, douteuse: false, fictive: false };

export function initialIdentityState(): IdentityState {
  return { status: 'PROV', attributes: { ...NO_ATTRIBUTES }, ins: null, insiConfirmedAt: null, documentCheck: null };
}

/** The status implied by the facts and attributes (the invariant every transition keeps). */
export function deriveStatus(state: Pick<IdentityState, 'attributes' | 'insiConfirmedAt' | 'documentCheck'>): IdentityStatus {
  if (state.attributes.douteuse || state.attributes.fictive) return 'PROV';
  const insi = state.insiConfirmedAt !== null;
  const document = state.documentCheck?.highTrust === true;
  if (insi && document) return 'QUAL';
  if (insi) return 'RECUP';
  if (document) return 'VALI';
  return 'PROV';
}

export type InsiBlock = { blocked: false } | { blocked: true; reason: 'douteuse' | 'fictive' };

/** douteuse and fictive block any INSi call (IdentityAttribute.php; insi.md §2.3). */
export function insiCallBlock(state: Pick<IdentityState, 'attributes'>): InsiBlock {
  if (state.attributes.fictive) return { blocked: true, reason: 'fictive' };
  if (state.attributes.douteuse) return { blocked: true, reason: 'douteuse' };
  return { blocked: false };
}

export function assertInsiCallAllowed(state: Pick<IdentityState, 'attributes'>): void {
  const block = insiCallBlock(state);
  if (block.blocked) throw new AppError('IDENTITY_INSI_BLOCKED', { attribute: block.reason });
}

/** A record the machine works on: the identity state with the strict traits it was established for. */
export interface IdentityRecord {
  traits: StrictTraits;
  identity: IdentityState;
}

export type IdentityEvent =
  /** INSi returned one identity (CodeCR 00) for these traits; its traits replace the local ones. */
  | { type: 'insi.succeeded'; ins: Ins; traits: StrictTraits }
  /** A person checked an identity device. `parentDevice`: for a minor's livret/extrait. */
  | { type: 'document.checked'; device: IdentityDeviceCode; parentDevice?: IdentityDeviceCode | null }
  /** The strict traits were edited locally. */
  | { type: 'traits.changed'; traits: StrictTraits }
  | { type: 'attribute.set'; attribute: IdentityAttribute; value: boolean; reason?: string };

export interface TransitionContext {
  /** ISO timestamp of the event. */
  at: string;
  /** Who did it (CPS/CPE holder, or the desk). */
  actor: string;
}

export interface Transition {
  record: IdentityRecord;
  entry: IdentityHistoryEntry;
}

/** Applies one event. Throws an AppError when the event is not allowed in this state. */
export function applyIdentityEvent(record: IdentityRecord, event: IdentityEvent, context: TransitionContext): Transition {
  const from = record.identity.status;
  const next = (identity: Omit<IdentityState, 'status'>, traits: StrictTraits, details: Record<string, unknown>): Transition => {
    const status = deriveStatus(identity);
    return {
      record: { traits, identity: { ...identity, status } },
      entry: { at: context.at, actor: context.actor, event: event.type, from, to: status, details },
    };
  };
  const current = record.identity;

  switch (event.type) {
    case 'insi.succeeded': {
      assertInsiCallAllowed(current);
      const changed = changedStrictTraits(record.traits, event.traits);
      // A document checked against other traits no longer vouches for these ones.
      const documentCheck = changed.length === 0 ? current.documentCheck : null;
      const details: Record<string, unknown> = { oid: event.ins.oid, changedTraits: changed };
      if (current.ins !== null && current.ins.matricule !== event.ins.matricule) details.insChanged = true;
      if (documentCheck === null && current.documentCheck !== null) details.documentCheckDropped = true;
      return next({ ...current, ins: { ...event.ins }, insiConfirmedAt: context.at, documentCheck }, event.traits, details);
    }
    case 'document.checked': {
      const device = identityDevice(event.device);
      if (device === null) throw new AppError('IDENTITY_DEVICE_REQUIRED');
      let highTrust = device.trust === 'high';
      let parentDevice: IdentityDeviceCode | null = null;
      const details: Record<string, unknown> = { device: device.code, trust: device.trust };
      if (device.trust === 'minor-with-parent') {
        const parent = event.parentDevice ? identityDevice(event.parentDevice) : null;
        const minor = ageAt(record.traits.birthDate, context.at) < 18;
        details.minor = minor;
        if (minor) {
          if (parent === null || parent.trust !== 'high') throw new AppError('IDENTITY_PARENT_DEVICE_REQUIRED');
          parentDevice = parent.code;
          details.parentDevice = parent.code;
          highTrust = true;
        }
      }
      details.highTrust = highTrust;
      const check: DocumentCheck = { device: device.code, parentDevice, highTrust, checkedBy: context.actor, checkedAt: context.at };
      // A low-trust check is recorded in the history but never replaces a high-trust one.
      const documentCheck = highTrust || current.documentCheck === null || !current.documentCheck.highTrust ? check : current.documentCheck;
      return next({ ...current, documentCheck }, record.traits, details);
    }
    case 'traits.changed': {
      const changed = changedStrictTraits(record.traits, event.traits);
      if (changed.length === 0) return next(current, record.traits, { changedTraits: [] });
      if (from === 'QUAL') throw new AppError('IDENTITY_QUALIFIED_LOCKED', { changedTraits: changed });
      return next({ ...current, insiConfirmedAt: null, documentCheck: null }, event.traits, {
        changedTraits: changed satisfies StrictTraitName[],
      });
    }
    case 'attribute.set': {
      const attributes = { ...current.attributes, [event.attribute]: event.value };
      // [EXI ID 24/26]: fictive stands alone; douteuse + homonyme is the only combination.
      if (attributes.fictive && (attributes.douteuse || attributes.homonyme)) {
        throw new AppError('IDENTITY_ATTRIBUTES_INCOMPATIBLE', { attribute: event.attribute });
      }
      const details: Record<string, unknown> = { attribute: event.attribute, value: event.value };
      if (event.reason !== undefined) details.reason = event.reason;
      const doubt = (event.attribute === 'douteuse' || event.attribute === 'fictive') && event.value;
      if (doubt) {
        // douteuse/fictive invalidate the stored matricule and OID (IdentityAttribute.php).
        if (current.ins !== null) details.insInvalidated = true;
        return next({ attributes, ins: null, insiConfirmedAt: null, documentCheck: null }, record.traits, details);
      }
      return next({ ...current, attributes }, record.traits, details);
    }
  }
}

/** Whether the INS may reference and exchange health data: only a QUAL identity [EXI SI 08; EXI ID 29]. */
export function canShareIns(state: IdentityState): boolean {
  return state.status === 'QUAL' && state.ins !== null;
}
