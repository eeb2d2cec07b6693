/**
 * Doctor checks of the desk as a whole (issue 13): the teleservice addresses, said honestly —
 * « non configuré » while they are placeholders, never « joignable » — and who else uses the data
 * directory. None of them touches the network or a device: the doctor answers at once.
 */
import type { Environment } from '../contract';
import type { Settings } from '../contract';
import { isEndpointConfigured } from '../services/settings';
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
