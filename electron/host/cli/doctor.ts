import { accessSync, constants } from 'node:fs';
import { AppError, type DiagnosticCheck } from '../../contract';
import { STORAGE_ERROR_CODES } from '../../platform/db';
import type { Command } from './command';
import { openHost, print, type CliContext } from './context';
import { runChecks, storageFailureCheck } from '../doctor';
import type { Host } from '../compose';
import { RENDERER_DIST } from './serve';

const ICON = { ok: 'OK ', warn: '!  ', error: 'KO ' } as const;

export const doctorCommand: Command = {
  name: 'doctor',
  usage: 'pupitre doctor [--json]',
  summary: 'Vérifie le poste : pcscd, lecteurs, module PKCS#11, dossier de données, environnement.',
  async run(ctx) {
    const host = await openHostOrReport(ctx);
    if (!('dispatcher' in host)) {
      print(ctx, { checks: host }, () => format(host));
      return 1;
    }
    try {
      const checks = await runChecks(host.doctorChecks);
      const rendererBuilt = (await import('node:fs')).existsSync(`${RENDERER_DIST}/index.html`);
      const all = [
        ...checks,
        rendererBuilt
          ? { id: 'renderer', label: 'Interface construite', status: 'ok' as const, detail: RENDERER_DIST }
          : { id: 'renderer', label: 'Interface construite', status: 'warn' as const, detail: 'absente', next: 'Lancez « npm run build:renderer ».' },
      ];
      print(ctx, { checks: all }, () => format(all));
      return all.some((c) => c.status === 'error') ? 1 : 0;
    } finally {
      await host.close();
    }
  },
};

function format(checks: readonly DiagnosticCheck[]): string {
  return checks.map((c) => `${ICON[c.status]} ${c.label} : ${c.detail}${c.next ? `\n    → ${c.next}` : ''}`).join('\n');
}

/**
 * The host, or — when the database cannot be opened (gone, damaged, wrong key, full disk…) — the
 * checks that say so: the doctor is what the user runs precisely then.
 */
async function openHostOrReport(ctx: CliContext): Promise<Host | DiagnosticCheck[]> {
  try {
    // The doctor reads the system's readers (the demo's virtual ones included), never waiting on them.
    return await openHost(ctx, 'in-process', undefined, { demoReaders: 'system' });
  } catch (error) {
    if (!(error instanceof AppError) || !STORAGE_ERROR_CODES.has(error.code)) throw error;
    let writable = true;
    try {
      accessSync(ctx.dataDir, constants.W_OK);
    } catch {
      writable = false;
    }
    return [
      writable
        ? { id: 'data-dir', label: 'Dossier de données', status: 'ok', detail: ctx.dataDir }
        : { id: 'data-dir', label: 'Dossier de données', status: 'error', detail: ctx.dataDir, next: 'Vérifiez que le dossier existe et que votre compte peut y écrire.' },
      storageFailureCheck(error),
    ];
  }
}
