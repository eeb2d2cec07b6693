import type { Command } from './command';
import { openHost, print } from './context';
import { runChecks } from '../doctor';
import { RENDERER_DIST } from './serve';

const ICON = { ok: 'OK ', warn: '!  ', error: 'KO ' } as const;

export const doctorCommand: Command = {
  name: 'doctor',
  usage: 'pupitre doctor [--json]',
  summary: 'Vérifie le poste : pcscd, lecteurs, module PKCS#11, dossier de données, environnement.',
  async run(ctx) {
    const host = await openHost(ctx, 'in-process', undefined, { demoReaders: 'system' });
    try {
      const checks = await runChecks(host.doctorChecks);
      const rendererBuilt = (await import('node:fs')).existsSync(`${RENDERER_DIST}/index.html`);
      const all = [
        ...checks,
        rendererBuilt
          ? { id: 'renderer', label: 'Interface construite', status: 'ok' as const, detail: RENDERER_DIST }
          : { id: 'renderer', label: 'Interface construite', status: 'warn' as const, detail: 'absente', next: 'Lancez « npm run build:renderer ».' },
      ];
      print(ctx, { checks: all }, () =>
        all.map((c) => `${ICON[c.status]} ${c.label} : ${c.detail}${c.next ? `\n    → ${c.next}` : ''}`).join('\n'),
      );
      return all.some((c) => c.status === 'error') ? 1 : 0;
    } finally {
      await host.close();
    }
  },
};
