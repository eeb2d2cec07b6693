import { MAX_IMPORT_BYTES } from '../../services/patients';
import { UsageError } from './args';
import type { Command } from './command';
import { openHost, print } from './context';
import { readInputFile } from './files';

/**
 * `pupitre patients import FICHIER.csv [--dry-run] [--json]`: the same all-or-nothing import as the
 * screen, with the mapping the host suggests from the headers; `patients search TEXTE` finds
 * patients as the desk search does (output stays on the terminal of the person who asked).
 */
export const patientsCommand: Command = {
  name: 'patients',
  usage: 'pupitre patients import FICHIER.csv [--dry-run] [--json] | pupitre patients search TEXTE [--json]',
  summary: 'Importe une base patients (CSV, tout ou rien) ou recherche un patient.',
  async run(ctx) {
    const [action, ...rest] = ctx.args.positionals;
    if (action === 'import') return importFile(ctx, rest[0]);
    if (action === 'search') return search(ctx, rest.join(' '));
    throw new UsageError(`usage : ${this.usage}`);
  },
};

async function importFile(ctx: Parameters<Command['run']>[0], file: string | undefined): Promise<number> {
  if (file === undefined) throw new UsageError('usage : pupitre patients import FICHIER.csv [--dry-run]');
  // Size first: a million-line export gets the size message, never a 60 MB read (issue 14).
  const contentBase64 = readInputFile(file, { maxBytes: MAX_IMPORT_BYTES, tooLarge: 'PATIENTS_IMPORT_TOO_LARGE' }).toString('base64');
  const host = await openHost(ctx, 'in-process');
  try {
    const first = await host.dispatcher.invoke('patients.import.preview', { contentBase64 });
    const preview = await host.dispatcher.invoke('patients.import.preview', { contentBase64, mapping: first.suggestedMapping });
    const validation = preview.validation;
    if (validation === null) throw new UsageError('Aucune ligne à valider dans ce fichier.');
    if (validation.invalid > 0 || ctx.args.flags.has('dry-run')) {
      print(ctx, { mapping: first.suggestedMapping, validation, imported: false }, () =>
        [
          `Correspondance : ${Object.entries(first.suggestedMapping).map(([column, field]) => `${column} → ${field}`).join(', ')}`,
          `${validation.lines} ligne(s), ${validation.valid} valide(s), ${validation.invalid} invalide(s), ${validation.toCreate} à créer.`,
          ...validation.issues.map((issue) => `  ligne ${issue.line} : ${issue.reasons.join(' ; ')}`),
          validation.invalid > 0 ? "Rien n'a été importé : corrigez les lignes signalées." : 'Vérification seule (--dry-run) : rien n’a été importé.',
        ].join('\n'),
      );
      return validation.invalid > 0 ? 1 : 0;
    }
    const result = await host.dispatcher.invoke('patients.import.commit', { contentBase64, mapping: first.suggestedMapping });
    print(ctx, { mapping: first.suggestedMapping, validation, imported: true, result }, () =>
      result.alreadyImported
        ? `Ce fichier a déjà été importé (import n° ${result.importId}) : aucun patient créé.`
        : `Import n° ${result.importId} : ${result.created} patient(s) créé(s), ${result.existing} déjà présent(s), ${result.duplicatesInFile} doublon(s) dans le fichier.`,
    );
    return 0;
  } finally {
    await host.close();
  }
}

async function search(ctx: Parameters<Command['run']>[0], query: string): Promise<number> {
  if (query.trim().length < 2) throw new UsageError('usage : pupitre patients search TEXTE (au moins deux caractères)');
  const host = await openHost(ctx, 'in-process');
  try {
    const result = await host.dispatcher.invoke('patients.search', { query, limit: 50 });
    print(ctx, result, () =>
      result.results.length === 0
        ? 'Aucun patient trouvé.'
        : result.results
            .map((p) => `${p.id}  ${p.birthName} ${p.firstGivenName}  ${String(p.birthDate.day ?? 0).padStart(2, '0')}/${String(p.birthDate.month ?? 0).padStart(2, '0')}/${p.birthDate.year}  ${p.status}`)
            .join('\n'),
    );
    return 0;
  } finally {
    await host.close();
  }
}
