/**
 * `pupitre doctor` and the Diagnostic screen: what is there, what is missing, and the next thing
 * to do for each problem. Checks are a list so each capability adds its own.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import type { DiagnosticCheck } from '../contract';

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
  pkcs11Module: () => string;
  rendererDir?: string;
  dbVersion: () => number;
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
    {
      id: 'database',
      label: 'Base de données chiffrée',
      run: () => ({ status: 'ok', detail: `schéma version ${deps.dbVersion()}` }),
    },
    {
      id: 'environment',
      label: 'Environnement',
      run: () => {
        const env = deps.environment();
        return env === 'demo'
          ? { status: 'warn', detail: 'démo (cartes virtuelles et simulateurs)', next: 'Pour travailler réellement, choisissez « test » ou « production » dans Paramètres.' }
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
