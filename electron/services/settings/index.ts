/**
 * Settings: environment (démo / test / production), teleservice endpoints, LPS identity, PKCS#11
 * module, allowed WebSocket origins. Persisted in the encrypted store; the installation UUID is
 * generated once and kept (it identifies this installation in INSi's ContexteLPS and the VIHF).
 */
import { randomUUID } from 'node:crypto';
import { AppError, settingsSchema, type Environment, type SettingKey, type Settings } from '../../contract';
import type { Clock } from '../../platform/clock';
import type { Db } from '../../platform/db';
import type { AuditWriter } from '../audit';
import { inspectDmpCertificates, inspectInsiCertificate, publicCertificates, type StoredDmpCertificates, type StoredInsiCertificate } from './structure-certificates';

export { settingsMigrations } from './schema';
export { recheckStructureCertificate, STRUCTURE_CERTIFICATE_CONSEQUENCES, type StoredDmpCertificates, type StoredInsiCertificate } from './structure-certificates';

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

  constructor(
    db: Db,
    private readonly clock: Clock,
    private readonly lps: LpsDescription,
    private readonly audit: AuditWriter,
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

  get(): Settings {
    const stored = this.stored();
    const environment = (stored.get('environment') as Environment | undefined) ?? 'demo';
    const defaults = DEFAULT_ENDPOINTS[environment];
    return settingsSchema.parse({
      environment,
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
      },
    });
  }

  set(key: SettingKey, value: unknown, actor: string): Settings {
    const environment = this.get().environment;
    switch (key) {
      case 'environment':
        this.write(key, parseOrThrow(settingsSchema.shape.environment, value));
        break;
      case 'endpoints.insi':
      case 'endpoints.dmp':
      case 'endpoints.eprescription': {
        const url = parseUrl(value);
        this.write(`endpoints.${environment}.${key.slice('endpoints.'.length)}`, url);
        break;
      }
      case 'lps.cndaAuthorisation':
        this.write(key, parseOrThrow(settingsSchema.shape.lps.shape.cndaAuthorisation, value));
        break;
      case 'pkcs11Module':
        this.write(key, parseOrThrow(settingsSchema.shape.pkcs11Module, value));
        break;
      case 'practitioner.amNumber':
        this.write(key, parseAmNumber(value));
        break;
      case 'practitioner.address':
      case 'practitioner.phone':
        this.write(key, parseText(value, key === 'practitioner.address' ? 300 : 40));
        break;
      case 'allowedOrigins': {
        const origins = parseOrThrow(settingsSchema.shape.allowedOrigins, value);
        for (const origin of origins) parseOrigin(origin);
        this.write(key, origins);
        break;
      }
      case 'certificates.insi':
        if (value === null) this.remove.run(key);
        else this.write(key, inspectInsiCertificate(value, this.clock.now()));
        break;
      case 'certificates.dmp':
        if (value === null) this.remove.run(key);
        else this.write(key, inspectDmpCertificates(value, this.clock.now()));
        break;
    }
    this.audit({ actor, patientRef: null, action: 'settings.set', details: { key } });
    return this.get();
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
