/**
 * `pupitre doctor` and the Diagnostic screen: what is there, what is missing, and the next thing
 * to do for each problem. Checks are a list so each capability adds its own.
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import type { AppError, DiagnosticCheck } from '../contract';
import type { KeyProtection } from '../contract/domains/vault';
import { checkIntegrity, isUnreadableWithoutKey, type Db } from '../platform/db';

export interface DoctorCheck {
  id: string;
  label: string;
  run(): Promise<Omit<DiagnosticCheck, 'id' | 'label'>> | Omit<DiagnosticCheck, 'id' | 'label'>;
}

/** Longest wait for one check: the doctor is what a user runs when something is wrong (issue 13). */
export const CHECK_BUDGET_MS = 2_500;

/**
 * Runs every check at once, each within `budgetMs`: a check that does not answer (a device, a
 * service) is reported as such and never holds the others nor the report back.
 */
export async function runChecks(checks: readonly DoctorCheck[], options: { budgetMs?: number } = {}): Promise<DiagnosticCheck[]> {
  const budgetMs = options.budgetMs ?? CHECK_BUDGET_MS;
  return Promise.all(
    checks.map(async (check): Promise<DiagnosticCheck> => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<Omit<DiagnosticCheck, 'id' | 'label'>>((resolve) => {
        timer = setTimeout(
          () =>
            resolve({
              status: 'warn',
              detail: `pas de réponse en ${Math.round(budgetMs / 100) / 10} s`,
              next: 'Le diagnostic n’attend pas : vérifiez ce point (appareil branché, service démarré), puis relancez le diagnostic.',
            }),
          budgetMs,
        );
      });
      try {
        return { id: check.id, label: check.label, ...(await Promise.race([Promise.resolve().then(() => check.run()), late])) };
      } catch (error) {
        return {
          id: check.id,
          label: check.label,
          status: 'error',
          detail: error instanceof Error ? error.message : String(error),
          next: 'Relancez le diagnostic ; si le problème persiste, joignez ce rapport à votre demande de support.',
        };
      } finally {
        clearTimeout(timer);
      }
    }),
  );
}

/** pcscd's socket, where Debian's and most distributions' pcsc-lite put it. */
const PCSCD_SOCKETS = ['/run/pcscd/pcscd.comm', '/var/run/pcscd/pcscd.comm'];

export function baseChecks(deps: {
  dataDir: string;
  environment: () => string;
  /** An environment chosen since the start, applied at the next one (null: none). */
  pendingEnvironment?: () => string | null;
  pkcs11Module: () => string;
  rendererDir?: string;
  db: Db;
  dbPath: string;
  keyProtection?: KeyProtection;
}): DoctorCheck[] {
  const checks: DoctorCheck[] = [
    {
      id: 'data-dir',
      label: 'Dossier de données',
      run: () => {
        try {
          accessSync(deps.dataDir, constants.W_OK);
          return { status: 'ok', detail: deps.dataDir };
        } catch {
          return { status: 'error', detail: deps.dataDir, next: 'Vérifiez que le dossier existe et que votre compte peut y écrire.' };
        }
      },
    },
    databaseCheck(deps.db, deps.dbPath),
    keyProtectionCheck(deps.keyProtection ?? 'key-file', deps.environment),
    {
      id: 'environment',
      label: 'Environnement',
      run: () => {
        const env = deps.environment();
        const pending = deps.pendingEnvironment?.() ?? null;
        if (pending !== null) {
          return { status: 'warn', detail: `${env === 'demo' ? 'démo' : env} jusqu’à la fermeture de Pupitre ; « ${pending} » choisi, appliqué au prochain démarrage`, next: 'Fermez puis rouvrez Pupitre pour changer d’environnement.' };
        }
        return env === 'demo'
          ? { status: 'warn', detail: 'démo (cartes virtuelles et simulateurs)', next: 'Pour travailler réellement, choisissez « test » ou « production » dans Paramètres, puis fermez et rouvrez Pupitre (le changement s’applique au démarrage).' }
          : { status: 'ok', detail: env };
      },
    },
    {
      id: 'pcscd',
      label: 'Service PC/SC (pcscd)',
      run: () => {
        if (process.platform !== 'linux') return { status: 'ok', detail: 'service de cartes à puce du système' };
        const socket = PCSCD_SOCKETS.find((path) => existsSync(path));
        return socket !== undefined
          ? { status: 'ok', detail: `joignable (${socket})` }
          : {
              status: 'error',
              detail: 'pcscd ne répond pas',
              next: 'Installez et démarrez pcscd : « sudo apt install pcscd && sudo systemctl enable --now pcscd.socket ».',
            };
      },
    },
    {
      id: 'pkcs11',
      label: 'Module PKCS#11 (Cryptolib CPS / OpenSC)',
      run: () => {
        const path = deps.pkcs11Module();
        return existsSync(path)
          ? { status: 'ok', detail: path }
          : {
              status: deps.environment() === 'demo' ? 'warn' : 'error',
              detail: `introuvable : ${path}`,
              next: "Installez la Cryptolib CPS de l'ANS ou OpenSC, puis indiquez le chemin du module dans Paramètres.",
            };
      },
    },
  ];
  if (deps.rendererDir !== undefined) {
    const dir = deps.rendererDir;
    checks.push({
      id: 'renderer',
      label: 'Interface construite',
      run: () =>
        existsSync(`${dir}/index.html`)
          ? { status: 'ok', detail: dir }
          : { status: 'warn', detail: 'absente', next: 'Lancez « npm run build:renderer ».' },
    });
  }
  return checks;
}

const DATABASE_LABEL = 'Base de données chiffrée';
const RESTORE_NEXT =
  'Fermez Pupitre et restaurez la dernière sauvegarde (« pupitre restore FICHIER ») ; faites vérifier le disque. Gardez une copie du fichier endommagé pour le support.';

/**
 * The database as stored (issue 16: this check used to say « ok » whatever the file): it must not
 * open without the key, every page must pass `quick_check`, and only its owner may read it.
 */
export function databaseCheck(db: Db, dbPath: string): DoctorCheck {
  return {
    id: 'database',
    label: DATABASE_LABEL,
    run: () => {
      if (!isUnreadableWithoutKey(dbPath)) {
        return {
          status: 'error',
          detail: 'le fichier de la base se lit sans la clé : il n’est pas chiffré',
          next: 'Ne travaillez pas avec ce fichier : restaurez une sauvegarde chiffrée de Pupitre, puis signalez-le au support.',
        };
      }
      const integrity = checkIntegrity(db);
      if (!integrity.ok) {
        return { status: 'error', detail: `contrôle d’intégrité en échec (${integrity.problems.length} anomalie(s))`, next: RESTORE_NEXT };
      }
      const version = db.pragma('user_version', { simple: true }) as number;
      const detail = `illisible sans la clé, intégrité vérifiée (quick_check), schéma version ${version}`;
      if (process.platform !== 'win32' && (statSync(dbPath).mode & 0o077) !== 0) {
        return { status: 'warn', detail: `${detail} ; fichier lisible par d’autres comptes`, next: `Rendez le fichier privé : « chmod 600 ${dbPath} ».` };
      }
      return { status: 'ok', detail };
    },
  };
}

/** What `pupitre doctor` says when the database cannot even be opened (missing, damaged, wrong key…). */
export function storageFailureCheck(error: AppError): DiagnosticCheck {
  return {
    id: 'database',
    label: DATABASE_LABEL,
    status: 'error',
    detail: 'la base de données ne peut pas être ouverte',
    next: error.message,
  };
}

/** How the database key is protected, and what the user must keep (issue 14, point 8). */
export function keyProtectionCheck(protection: KeyProtection, environment: () => string): DoctorCheck {
  return {
    id: 'key-protection',
    label: 'Protection de la clé de chiffrement',
    run: () => {
      switch (protection) {
        case 'os-keystore':
          return { status: 'ok', detail: 'scellée par le trousseau du système' };
        case 'passphrase':
          return { status: 'ok', detail: 'protégée par une phrase secrète (gardez-la en lieu sûr : elle ne peut pas être retrouvée)' };
        case 'environment':
          return { status: 'ok', detail: 'donnée par la variable PUPITRE_DB_KEY' };
        case 'key-file':
          return environment() === 'demo'
            ? { status: 'ok', detail: 'fichier db.key du dossier de données (lisible par votre compte seulement)' }
            : {
                status: 'warn',
                detail: 'fichier db.key du dossier de données, protégé par les seuls droits de votre compte',
                next: 'Gardez une copie de db.key à part des sauvegardes ; pour ne pas laisser la clé en clair sur le disque, protégez-la par une phrase secrète (« pupitre serve --passphrase ») ou utilisez Pupitre de bureau avec un trousseau.',
              };
      }
    },
  };
}
