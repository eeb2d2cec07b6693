/**
 * Settings: environment (démo / test / production), teleservice endpoints, LPS identity, PKCS#11
 * module, allowed WebSocket origins. Persisted in the encrypted store; the installation UUID is
 * generated once and kept (it identifies this installation in INSi's ContexteLPS and the VIHF).
 */
import { randomUUID } from 'node:crypto';
import { isAbsolute, normalize } from 'node:path';
import { AppError, DMP_PREFERRED_TYPES_MAX, INSI_WORKLIST_RATE, OUTBOX_RETENTION_DAYS, settingsSchema, type Environment, type SettingKey, type Settings } from '../../contract';
import type { Clock } from '../../platform/clock';
import type { Db } from '../../platform/db';
import type { AuditWriter } from '../audit';
import { documentType } from '../cda';
import { describeStructureCertificate, inspectDmpCertificates, inspectInsiCertificate, publicCertificates, type StoredDmpCertificates, type StoredInsiCertificate } from './structure-certificates';

export { settingsMigrations } from './schema';
export { recheckStructureCertificate, type StoredDmpCertificates, type StoredInsiCertificate } from './structure-certificates';
export { SensitiveChanges, type SensitiveChangesDeps, type RequestedChange } from './changes';

export interface LpsDescription {
  name: string;
  version: string;
}

/**
 * Endpoints per environment. Demo points at the local simulators (their port is decided when they
 * start, so demo values are placeholders the host rewrites). Test and production endpoints are
 * those published to accredited editors; they are placeholders until configured.
 */
export const DEFAULT_ENDPOINTS: Record<Environment, Settings['endpoints']> = {
  demo: {
    insi: 'https://127.0.0.1/insi (simulateur local)',
    dmp: 'https://127.0.0.1/dmp (simulateur local)',
    eprescription: 'https://127.0.0.1/ordonnance-numerique (simulateur local)',
  },
  test: {
    insi: 'à configurer (URL INSi de qualification fournie par le GIE SESAM-Vitale)',
    dmp: 'à configurer (URL DMPi de formation)',
    eprescription: 'à configurer (téléservice ordonnance numérique : spécifications sous convention)',
  },
  production: {
    insi: 'à configurer (URL INSi de production)',
    dmp: 'à configurer (URL DMPi de production)',
    eprescription: 'à configurer (téléservice ordonnance numérique : spécifications sous convention)',
  },
};

const DEFAULT_PKCS11 = '/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so';
/** A backup a day, two weeks kept: what a practice loses at worst is one day of work. */
export const DEFAULT_BACKUP_INTERVAL_HOURS = 24;
export const DEFAULT_BACKUP_KEEP = 14;

/** Whether a stored endpoint is a real address (HTTPS URL) rather than a placeholder « à configurer ». */
export function isEndpointConfigured(value: string): boolean {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}

export class SettingsService {
  private readonly readAll;
  private readonly upsert;
  private readonly remove;
  /** The environment the host runs in (pinEnvironment); null in a process that wires nothing (the CLI). */
  private running: Environment | null = null;

  constructor(
    db: Db,
    private readonly clock: Clock,
    private readonly lps: LpsDescription,
    private readonly audit: AuditWriter,
    /** Defaults that depend on the installation (the backup folder sits in the data directory). */
    private readonly defaults: { backupFolder?: string } = {},
  ) {
    this.readAll = db.prepare('SELECT key, value FROM settings');
    this.upsert = db.prepare(
      `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    );
    this.remove = db.prepare('DELETE FROM settings WHERE key = ?');
    if (this.stored().get('lps.installationId') === undefined) {
      this.write('lps.installationId', randomUUID());
    }
  }

  /**
   * Fixes the environment this process runs in (the host, when it has wired its services for it).
   * From then on `get().environment` is this one whatever is stored: a change of the setting is
   * reported as `pendingEnvironment` and applies at the next start. Switching live would leave the
   * démo's simulators and virtual cards wired under « Production »: real patients would be sent to
   * a simulated INSi and get a synthetic INS.
   */
  pinEnvironment(environment: Environment): void {
    this.running = environment;
  }

  get(): Settings {
    const stored = this.stored();
    const chosen = (stored.get('environment') as Environment | undefined) ?? 'demo';
    const environment = this.running ?? chosen;
    const defaults = DEFAULT_ENDPOINTS[environment];
    return settingsSchema.parse({
      environment,
      pendingEnvironment: chosen === environment ? null : chosen,
      endpoints: {
        insi: (stored.get(`endpoints.${environment}.insi`) as string | undefined) ?? defaults.insi,
        dmp: (stored.get(`endpoints.${environment}.dmp`) as string | undefined) ?? defaults.dmp,
        eprescription: (stored.get(`endpoints.${environment}.eprescription`) as string | undefined) ?? defaults.eprescription,
      },
      lps: {
        name: this.lps.name,
        version: this.lps.version,
        cndaAuthorisation: (stored.get('lps.cndaAuthorisation') as string | undefined) ?? '',
        installationId: stored.get('lps.installationId'),
      },
      pkcs11Module: (stored.get('pkcs11Module') as string | undefined) ?? DEFAULT_PKCS11,
      allowedOrigins: (stored.get('allowedOrigins') as string[] | undefined) ?? [],
      certificates: publicCertificates(stored),
      practitioner: {
        amNumber: (stored.get('practitioner.amNumber') as string | undefined) ?? '',
        address: (stored.get('practitioner.address') as string | undefined) ?? '',
        phone: (stored.get('practitioner.phone') as string | undefined) ?? '',
        specialty: (stored.get('practitioner.specialty') as string | undefined) ?? '',
        conventionSector: (stored.get('practitioner.conventionSector') as string | undefined) ?? '',
      },
      backup: {
        folder: (stored.get('backup.folder') as string | undefined) ?? this.defaults.backupFolder ?? '',
        intervalHours: (stored.get('backup.intervalHours') as number | undefined) ?? DEFAULT_BACKUP_INTERVAL_HOURS,
        keep: (stored.get('backup.keep') as number | undefined) ?? DEFAULT_BACKUP_KEEP,
      },
      billing: { holidays: (stored.get('billing.holidays') as string | undefined) ?? 'national' },
      outbox: { retentionDays: (stored.get('outbox.retentionDays') as number | undefined) ?? OUTBOX_RETENTION_DAYS.default },
      insi: { worklistRequestsPerSecond: (stored.get('insi.worklistRequestsPerSecond') as number | undefined) ?? INSI_WORKLIST_RATE.default },
      dmp: { preferredTypeCodes: (stored.get('dmp.preferredTypeCodes') as string[] | undefined) ?? [] },
    });
  }

  /**
   * Validates and normalises a value (a URL to its canonical form) without writing it, and says
   * where it is stored (endpoints are kept per environment).
   */
  normalize(key: SettingKey, value: unknown): { storageKey: string; value: unknown } {
    switch (key) {
      case 'environment':
        return { storageKey: key, value: parseOrThrow(settingsSchema.shape.environment, value) };
      case 'endpoints.insi':
      case 'endpoints.dmp':
      case 'endpoints.eprescription':
        return { storageKey: `endpoints.${this.get().environment}.${key.slice('endpoints.'.length)}`, value: parseUrl(value) };
      case 'lps.cndaAuthorisation':
        return { storageKey: key, value: parseOrThrow(settingsSchema.shape.lps.shape.cndaAuthorisation, value) };
      case 'pkcs11Module':
        return { storageKey: key, value: parseOrThrow(settingsSchema.shape.pkcs11Module, value) };
      case 'practitioner.amNumber':
        return { storageKey: key, value: parseAmNumber(value) };
      case 'practitioner.specialty':
        return { storageKey: key, value: parseSpecialty(value) };
      case 'practitioner.conventionSector':
        return { storageKey: key, value: parseOrThrow(settingsSchema.shape.practitioner.shape.conventionSector, value) };
      case 'outbox.retentionDays':
        return { storageKey: key, value: parseRetentionDays(value) };
      case 'insi.worklistRequestsPerSecond':
        return { storageKey: key, value: parseInsiRate(value) };
      case 'dmp.preferredTypeCodes':
        return { storageKey: key, value: parseDmpTypes(value) };
      case 'billing.holidays':
        return { storageKey: key, value: parseOrThrow(settingsSchema.shape.billing.shape.holidays, value) };
      case 'practitioner.address':
      case 'practitioner.phone':
        return { storageKey: key, value: parseText(value, key === 'practitioner.address' ? 300 : 40) };
      case 'allowedOrigins': {
        const origins = parseOrThrow(settingsSchema.shape.allowedOrigins, value);
        for (const origin of origins) parseOrigin(origin);
        return { storageKey: key, value: origins };
      }
      case 'backup.folder':
        return { storageKey: key, value: parseFolder(value) };
      case 'backup.intervalHours':
        return { storageKey: key, value: parseOrThrow(settingsSchema.shape.backup.shape.intervalHours, toNumber(value)) };
      case 'backup.keep':
        return { storageKey: key, value: parseOrThrow(settingsSchema.shape.backup.shape.keep, toNumber(value)) };
      // The PKCS#12 file is opened and checked now (passphrase, kind, validity); null removes it.
      case 'certificates.insi':
        return { storageKey: key, value: value === null ? null : inspectInsiCertificate(value, this.clock.now()) };
      case 'certificates.dmp':
        return { storageKey: key, value: value === null ? null : inspectDmpCertificates(value, this.clock.now()) };
    }
  }

  set(key: SettingKey, value: unknown, actor: string, auditDetails: Record<string, unknown> = {}): Settings {
    const normalized = this.normalize(key, value);
    if (normalized.value === null) this.remove.run(normalized.storageKey);
    else this.write(normalized.storageKey, normalized.value);
    this.audit({ actor, patientRef: null, action: 'settings.set', details: { key, ...auditDetails } });
    return this.get();
  }

  /**
   * A normalised value as a confirmation shows it to a person (settings.requestChange): a structure
   * certificate by what it is, never its passphrase; other values as they are.
   */
  shown(key: SettingKey, normalized: unknown): unknown {
    if (key === 'certificates.insi' || key === 'certificates.dmp') return describeStructureCertificate(normalized as StoredInsiCertificate | StoredDmpCertificates | null);
    return normalized;
  }

  /** The structure certificate with its passphrase, for the host's wiring only (never sent to a screen). */
  structureCertificate(use: 'insi'): StoredInsiCertificate | null;
  structureCertificate(use: 'dmp'): StoredDmpCertificates | null;
  structureCertificate(use: 'insi' | 'dmp'): StoredInsiCertificate | StoredDmpCertificates | null {
    return (this.stored().get(`certificates.${use}`) as StoredInsiCertificate | StoredDmpCertificates | undefined) ?? null;
  }

  private stored(): Map<string, unknown> {
    const rows = this.readAll.all() as Array<{ key: string; value: string }>;
    return new Map(rows.map((row) => [row.key, JSON.parse(row.value) as unknown]));
  }

  private write(key: string, value: unknown): void {
    this.upsert.run(key, JSON.stringify(value), new Date(this.clock.now()).toISOString());
  }
}

function parseOrThrow<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new AppError('SETTINGS_INVALID');
  return parsed.data;
}

/**
 * Numéro AM (identifiant Assurance Maladie of a professional): 9 characters, the first two being
 * the département (2A/2B in Corsica). Its key is not checked: the rule is not in public material.
 */
export function parseAmNumber(value: unknown): string {
  const compact = typeof value === 'string' ? value.replace(/\s+/g, '').toUpperCase() : '';
  if (!/^(?:\d{2}|2[AB])\d{7}$/.test(compact)) throw new AppError('SETTINGS_INVALID', { expected: 'amNumber' });
  return compact;
}

/** Code spécialité AMO: two digits (« 01 » médecine générale). */
function parseSpecialty(value: unknown): string {
  const compact = typeof value === 'string' ? value.trim() : '';
  if (!/^\d{2}$/.test(compact)) throw new AppError('SETTINGS_INVALID', { expected: 'specialty' });
  return compact;
}

function parseText(value: unknown, max: number): string {
  if (typeof value !== 'string' || value.length > max) throw new AppError('SETTINGS_INVALID', { expected: 'text' });
  return value.trim();
}

function parseUrl(value: unknown): string {
  if (typeof value !== 'string') throw new AppError('SETTINGS_INVALID', { expected: 'url' });
  try {
    const url = new URL(value);
    // Teleservices are reached over TLS only (INSi, DMPi: HTTPS with server, often client, certificates).
    if (url.protocol !== 'https:') throw new AppError('SETTINGS_HTTPS_REQUIRED', { protocol: url.protocol.replace(/:$/, '') });
    return url.toString();
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('SETTINGS_INVALID', { expected: 'url' });
  }
}

function parseOrigin(origin: string): void {
  try {
    const url = new URL(origin);
    if (url.origin !== origin) throw new Error('not an origin');
  } catch {
    throw new AppError('SETTINGS_INVALID', { expected: 'origin' });
  }
}

/** Days the File d'envoi keeps done jobs: bounds said in the message (issue 15). */
function parseRetentionDays(value: unknown): number {
  const parsed = settingsSchema.shape.outbox.shape.retentionDays.safeParse(toNumber(value));
  if (!parsed.success) throw new AppError('SETTINGS_RETENTION_RANGE', { min: OUTBOX_RETENTION_DAYS.min, max: OUTBOX_RETENTION_DAYS.max });
  return parsed.data;
}

/** Calls a second of the INSi worklist: bounds said in the message. */
function parseInsiRate(value: unknown): number {
  const parsed = settingsSchema.shape.insi.shape.worklistRequestsPerSecond.safeParse(toNumber(value));
  if (!parsed.success) throw new AppError('SETTINGS_INSI_RATE_RANGE', { min: INSI_WORKLIST_RATE.min, max: INSI_WORKLIST_RATE.max });
  return parsed.data;
}

/**
 * Preferred DMP document types: codes of the list the sending dialog offers (JDV_J07 without the
 * types a practitioner does not send), each once, at most DMP_PREFERRED_TYPES_MAX. The CLI passes
 * them as one comma-separated text.
 */
function parseDmpTypes(value: unknown): string[] {
  const codes = typeof value === 'string' ? value.split(',').map((c) => c.trim()).filter((c) => c !== '') : value;
  if (!Array.isArray(codes) || codes.length > DMP_PREFERRED_TYPES_MAX || codes.some((c) => typeof c !== 'string' || documentType(c) === undefined)) {
    throw new AppError('SETTINGS_DMP_TYPES_INVALID', { max: DMP_PREFERRED_TYPES_MAX });
  }
  return [...new Set(codes as string[])];
}

/** The CLI passes numbers as text. */
function toNumber(value: unknown): unknown {
  return typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value.trim()) : value;
}

/** An absolute folder path (the backup folder): no relative path, no control character. */
function parseFolder(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 1024 || [...value].some((c) => c.charCodeAt(0) < 0x20)) {
    throw new AppError('SETTINGS_INVALID', { expected: 'folder' });
  }
  if (!isAbsolute(value)) throw new AppError('SETTINGS_INVALID', { expected: 'absolute-folder' });
  return normalize(value);
}
