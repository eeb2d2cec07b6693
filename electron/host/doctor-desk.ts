/**
 * Doctor checks of the desk as a whole (issue 13): the teleservice addresses, said honestly —
 * « non configuré » while they are placeholders, never « joignable » — and who else uses the data
 * directory. None of them touches the network or a device: the doctor answers at once.
 */
import type { Environment } from '../contract';
import type { Settings } from '../contract';
import { isEndpointConfigured, recheckStructureCertificate, type StoredDmpCertificates, type StoredInsiCertificate } from '../services/settings';
import type { DoctorCheck } from './doctor';
import { currentLockOwner, frenchSince } from './instance-lock';

const SERVICE = {
  insi: { label: 'Téléservice INSi', who: 'l’URL INSi fournie par le GIE SESAM-Vitale avec votre accréditation' },
  dmp: { label: 'Téléservice DMP', who: 'l’URL DMPi fournie par l’ANS (formation ou production)' },
} as const;

export function endpointChecks(deps: {
  settings: () => Settings;
  /** Last known state of an endpoint in the File d'envoi (null before any exchange). */
  health: (endpoint: 'insi' | 'dmp') => { online: boolean; lastSuccessAt: string | null; lastFailureAt: string | null } | null;
}): DoctorCheck[] {
  return (['insi', 'dmp'] as const).map((endpoint) => ({
    id: `${endpoint}-endpoint`,
    label: SERVICE[endpoint].label,
    run: () => {
      const settings = deps.settings();
      const environment: Environment = settings.environment;
      if (environment === 'demo') return { status: 'ok', detail: 'simulateur local (démo)' };
      const url = settings.endpoints[endpoint];
      if (!isEndpointConfigured(url)) {
        return {
          status: 'error',
          detail: `non configuré pour l’environnement « ${environment} »`,
          next: `Saisissez ${SERVICE[endpoint].who} dans Paramètres → Téléservices, ou « pupitre settings set endpoints.${endpoint} https://… ».`,
        };
      }
      const health = deps.health(endpoint);
      if (health === null || (health.lastSuccessAt === null && health.lastFailureAt === null)) {
        return { status: 'ok', detail: `configuré : ${url} (aucun échange encore)` };
      }
      return health.online
        ? { status: 'ok', detail: `configuré : ${url} — dernier échange réussi le ${frenchSince(health.lastSuccessAt ?? '')}` }
        : {
            status: 'warn',
            detail: `configuré : ${url} — injoignable depuis ${frenchSince(health.lastFailureAt ?? '')}`,
            next: 'Vérifiez la connexion Internet et l’adresse ; les envois en attente partiront au retour du service.',
          };
    },
  }));
}

/** Which desk (app or serve) holds the data directory: CLI commands share it with it safely. */
export function deskCheck(dataDir: string, self: 'desk' | 'cli'): DoctorCheck {
  return {
    id: 'desk',
    label: 'Pupitre ouvert sur ce dossier',
    run: () => {
      const owner = currentLockOwner(dataDir);
      if (owner === null) return { status: 'ok', detail: self === 'desk' ? 'ce poste' : 'aucun (ni application ni « pupitre serve »)' };
      if (self === 'desk' && owner.pid === process.pid) return { status: 'ok', detail: `${owner.program} (processus ${owner.pid}, depuis ${frenchSince(owner.startedAt)})` };
      return {
        status: 'ok',
        detail: `${owner.program} (processus ${owner.pid}, depuis ${frenchSince(owner.startedAt)}) : base partagée avec cette commande, sans risque (file d’envoi sous bail, SQLite WAL)`,
      };
    },
  };
}

const EXPIRY_WARNING_DAYS = 30;
const DAY_MS = 86_400_000;

const SET_AGAIN = {
  insi: '« pupitre settings set certificates.insi FICHIER.p12 »',
  dmp: '« pupitre settings set certificates.dmp AUTH_CLI.p12 SIGN.p12 »',
} as const;

/**
 * Structure certificates of Paramètres (INSi INSI-MANU/INSI-AUTO, DMP indirect mode): which, for
 * which structure, until when, and whether the files still hold them (moved, replaced, passphrase no
 * longer opening them, expired since) — read from this computer, never from the network.
 */
export function structureCertificatesCheck(deps: {
  settings: () => Settings;
  stored: (use: 'insi' | 'dmp') => StoredInsiCertificate | StoredDmpCertificates | null;
  now: () => number;
}): DoctorCheck {
  return {
    id: 'structure-certificates',
    label: 'Certificats de structure',
    run: () => {
      const current = deps.settings();
      if (current.environment === 'demo') return { status: 'ok', detail: 'certificats de démonstration (IGC de démo)' };
      const now = deps.now();
      const { insi, dmp } = current.certificates;
      const until = (iso: string) => new Date(iso).toLocaleDateString('fr-FR');
      const problems = (['insi', 'dmp'] as const).flatMap((use) => {
        const stored = deps.stored(use);
        const problem = stored === null ? null : recheckStructureCertificate(use, stored, now);
        return problem === null ? [] : [{ use, problem }];
      });
      const problemOf = (use: 'insi' | 'dmp') => problems.find((p) => p.use === use)?.problem;
      const insiText = insi === null ? 'non configuré' : `${insi.kind} (structure ${insi.structureId}), expire le ${until(insi.expiresAt)}`;
      const dmpExpiry = dmp === null ? '' : dmp.authentication.expiresAt < dmp.signature.expiresAt ? dmp.authentication.expiresAt : dmp.signature.expiresAt;
      const dmpText = dmp === null ? 'non configuré' : `structure ${dmp.structureId}, expire le ${until(dmpExpiry)}`;
      const detail = [
        `INSi : ${insiText}${problemOf('insi') === undefined ? '' : ` — ${problemOf('insi') ?? ''}`}`,
        `DMP (mode indirect) : ${dmpText}${problemOf('dmp') === undefined ? '' : ` — ${problemOf('dmp') ?? ''}`}`,
      ].join(' ; ');
      if (problems.length > 0) {
        return {
          status: 'error',
          detail,
          next: `Indiquez à nouveau le fichier PKCS#12 dans Paramètres → Certificats de structure, ou ${problems.map((p) => SET_AGAIN[p.use]).join(' et ')} ; en attendant, l’INSi et le DMP demandent la carte CPS/CPE.`,
        };
      }
      const soon = [insi?.expiresAt, dmp?.authentication.expiresAt, dmp?.signature.expiresAt].some((at) => at !== undefined && Date.parse(at) - now < EXPIRY_WARNING_DAYS * DAY_MS);
      if (soon) return { status: 'warn', detail, next: 'Un certificat expire dans moins d’un mois : commandez son renouvellement auprès de l’ANS, puis indiquez le nouveau fichier dans Paramètres.' };
      if (insi === null && dmp === null) {
        return {
          status: 'warn',
          detail,
          next: `Sans certificat de structure, l’INSi et le DMP demandent la carte CPS/CPE : Paramètres → Certificats de structure, ou ${SET_AGAIN.insi}.`,
        };
      }
      return { status: 'ok', detail };
    },
  };
}
