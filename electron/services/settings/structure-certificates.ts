/**
 * Structure certificates in the settings (issue 13): a PKCS#12 file is opened and checked when it is
 * set — passphrase, key matching the certificate, kind of certificate, validity — so that a mistake
 * shows in Paramètres, not at the first exchange. Kinds (research insi.md §1.1, dmp.md §1.2):
 * - INSi mutual TLS: CN « INSI-MANU » (a person at the desk) or « INSI-AUTO » (batch, worklist);
 *   the structure id (OU) is the `Emetteur` of the request;
 * - DMP indirect mode: ORG AUTH_CLI (TLS client authentication) and ORG SIGN (non-repudiation: the
 *   VIHF signature), both of the same structure.
 * Decision: the passphrase is kept in the encrypted database (whose key the OS key store seals, or
 * the 0600 key file headless) and never leaves the host again: settings.get shows the certificate,
 * not the secret.
 */
import { readFileSync } from 'node:fs';
import { AppError } from '../../contract';
import { describeCertificate, readPkcs12, type Pkcs12Contents } from '../../platform/crypto';

export interface StoredInsiCertificate {
  file: string;
  passphrase: string;
  kind: 'INSI-MANU' | 'INSI-AUTO';
  structureId: string;
  subject: string;
  expiresAt: string;
}

export interface StoredDmpCertificates {
  passphrase: string;
  structureId: string;
  structureName: string;
  activitySector: string;
  authentication: { file: string; subject: string; expiresAt: string };
  signature: { file: string; subject: string; expiresAt: string };
}

/** Secteur d'activité when none is given (TRE_R02 SA07, as the official VIHF examples). */
export const DEFAULT_ACTIVITY_SECTOR = 'SA07';

function openPkcs12(file: unknown, passphrase: unknown): { contents: Pkcs12Contents; file: string } {
  if (typeof file !== 'string' || file.trim() === '' || typeof passphrase !== 'string') throw new AppError('SETTINGS_INVALID', { expected: 'pkcs12-file-and-passphrase' });
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch (cause) {
    throw new AppError('CRYPTO_CERTIFICATE_NOT_FOUND', { reason: 'file-unreadable' }, { cause });
  }
  return { contents: readPkcs12(data, passphrase), file };
}

function describe(contents: Pkcs12Contents, now: number) {
  const description = describeCertificate(contents.certificate);
  if (Date.parse(description.notAfter) < now) {
    throw new AppError('SETTINGS_CERTIFICATE_EXPIRED', { expiredOn: new Date(description.notAfter).toLocaleDateString('fr-FR') });
  }
  const subject = ['CN', 'OU', 'O'].map((type) => description.subjectValue(type)).filter((v) => v !== undefined).join(', ');
  return { description, subject, expiresAt: description.notAfter };
}

/** Opens and checks the INSi structure certificate: { file, passphrase }. */
export function inspectInsiCertificate(value: unknown, now: number): StoredInsiCertificate {
  const input = (value ?? {}) as { file?: unknown; passphrase?: unknown };
  const { contents, file } = openPkcs12(input.file, input.passphrase);
  const { description, subject, expiresAt } = describe(contents, now);
  const cn = description.subjectValue('CN');
  const structureId = description.subjectValue('OU');
  if ((cn !== 'INSI-MANU' && cn !== 'INSI-AUTO') || structureId === undefined) {
    throw new AppError('SETTINGS_CERTIFICATE_WRONG_KIND', { expected: 'un certificat de structure INSi (INSI-MANU ou INSI-AUTO)' });
  }
  return { file, passphrase: input.passphrase as string, kind: cn, structureId, subject, expiresAt };
}

/** Opens and checks the DMP indirect-mode pair: { authenticationFile, signatureFile, passphrase, activitySector? }. */
export function inspectDmpCertificates(value: unknown, now: number): StoredDmpCertificates {
  const input = asDmpInput(value);
  const auth = openPkcs12(input.authenticationFile, input.passphrase);
  const sign = openPkcs12(input.signatureFile, input.passphrase);
  const a = describe(auth.contents, now);
  const s = describe(sign.contents, now);
  const structureId = a.description.subjectValue('OU');
  // ORG AUTH_CLI authenticates TLS clients; ORG SIGN signs (non-repudiation). Same structure for both.
  if (structureId === undefined || !a.description.extendedKeyUsage.includes('clientAuth') || a.description.keyUsage.includes('nonRepudiation')) {
    throw new AppError('SETTINGS_CERTIFICATE_WRONG_KIND', { expected: 'le premier fichier doit être le certificat d’authentification de la structure (ORG AUTH_CLI)' });
  }
  if (!s.description.keyUsage.includes('nonRepudiation') || s.description.subjectValue('OU') !== structureId) {
    throw new AppError('SETTINGS_CERTIFICATE_WRONG_KIND', { expected: 'le second fichier doit être le certificat de signature de la même structure (ORG SIGN)' });
  }
  const activitySector = typeof input.activitySector === 'string' && /^SA\d{2}$/.test(input.activitySector) ? input.activitySector : DEFAULT_ACTIVITY_SECTOR;
  return {
    passphrase: input.passphrase as string,
    structureId,
    structureName: a.description.subjectValue('O') ?? structureId,
    activitySector,
    authentication: { file: auth.file, subject: a.subject, expiresAt: a.expiresAt },
    signature: { file: sign.file, subject: s.subject, expiresAt: s.expiresAt },
  };
}

type DmpInput = { authenticationFile?: unknown; signatureFile?: unknown; passphrase?: unknown; activitySector?: unknown };

/**
 * The input of the DMP pair, also from a value already inspected (a confirmed change applies the
 * value its request checked: the files are opened again, as they may have changed in between).
 */
function asDmpInput(value: unknown): DmpInput {
  const stored = value as Partial<StoredDmpCertificates> | null;
  if (stored !== null && typeof stored === 'object' && typeof stored.authentication === 'object' && typeof stored.signature === 'object') {
    return { authenticationFile: stored.authentication.file, signatureFile: stored.signature.file, passphrase: stored.passphrase, activitySector: stored.activitySector };
  }
  return (value ?? {}) as DmpInput;
}

/** What settings.get shows: the certificates without their passphrase. */
export function publicCertificates(stored: ReadonlyMap<string, unknown>) {
  const insi = stored.get('certificates.insi') as StoredInsiCertificate | undefined;
  const dmp = stored.get('certificates.dmp') as StoredDmpCertificates | undefined;
  return {
    insi: insi === undefined ? null : { file: insi.file, kind: insi.kind, structureId: insi.structureId, subject: insi.subject, expiresAt: insi.expiresAt },
    dmp:
      dmp === undefined
        ? null
        : { structureId: dmp.structureId, structureName: dmp.structureName, activitySector: dmp.activitySector, authentication: dmp.authentication, signature: dmp.signature },
  };
}

/**
 * Re-opens the stored files as when they were set (doctor): null while they still hold the same
 * certificates, otherwise what changed, in French — a moved file, a passphrase that no longer opens
 * it, a certificate replaced (renewed) in place, or one that expired since.
 */
export function recheckStructureCertificate(
  use: 'insi' | 'dmp',
  stored: StoredInsiCertificate | StoredDmpCertificates,
  now: number,
): string | null {
  let fresh: Array<{ subject: string; expiresAt: string }>;
  let before: Array<{ subject: string; expiresAt: string }>;
  try {
    if (use === 'insi') {
      const insi = stored as StoredInsiCertificate;
      fresh = [inspectInsiCertificate({ file: insi.file, passphrase: insi.passphrase }, now)];
      before = [insi];
    } else {
      const dmp = stored as StoredDmpCertificates;
      const again = inspectDmpCertificates({ authenticationFile: dmp.authentication.file, signatureFile: dmp.signature.file, passphrase: dmp.passphrase, activitySector: dmp.activitySector }, now);
      fresh = [again.authentication, again.signature];
      before = [dmp.authentication, dmp.signature];
    }
  } catch (error) {
    const code = error instanceof AppError ? error.code : null;
    if (code === 'CRYPTO_CERTIFICATE_NOT_FOUND') return 'fichier introuvable ou illisible (déplacé ou supprimé ?)';
    if (code === 'CRYPTO_PASSPHRASE_INCORRECT') return 'le mot de passe enregistré n’ouvre plus le fichier (remplacé ?)';
    if (code === 'SETTINGS_CERTIFICATE_EXPIRED') return `expiré le ${String((error as AppError).details?.expiredOn ?? '')}`;
    if (code === 'SETTINGS_CERTIFICATE_WRONG_KIND') return 'le fichier contient maintenant un autre type de certificat';
    return 'fichier illisible';
  }
  const changed = fresh.some((f, i) => f.subject !== before[i]?.subject || f.expiresAt !== before[i]?.expiresAt);
  return changed ? 'le fichier contient un autre certificat que celui enregistré (renouvelé ?)' : null;
}


/** What a confirmation shows of a certificate to set (never its passphrase), in French. */
export function describeStructureCertificate(value: StoredInsiCertificate | StoredDmpCertificates | null): string {
  const day = (iso: string) => new Date(iso).toLocaleDateString('fr-FR');
  if (value === null) return 'aucun (certificat retiré)';
  if ('kind' in value) return `${value.kind}, structure ${value.structureId}, expire le ${day(value.expiresAt)} — ${value.file}`;
  const expiry = value.authentication.expiresAt < value.signature.expiresAt ? value.authentication.expiresAt : value.signature.expiresAt;
  return `ORG AUTH_CLI et ORG SIGN de la structure ${value.structureId} (${value.structureName}), expirent le ${day(expiry)} — ${value.authentication.file}, ${value.signature.file}`;
}
