/**
 * `pupitre dmp metadata FICHIER.xml` (XDS metadata a CDA header implies) and
 * `pupitre dmp validate FICHIER.xml` (CDA_extended.xsd + CI-SIS Schematrons of the official
 * reference folder). The other `dmp` commands live with the DMP client; grouped commands are told
 * apart by `Command.subcommand`.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AppError } from '../../contract';
import { admitCdaForValidation, MAX_VALIDATED_BYTES, extractXdsMetadata, HEADER_SCHEMATRONS, unwrapAutoPresentable, validateCda, type CdaValidationReport, type SchematronName, type XdsDocumentMetadata } from '../../services/cda';
import { flagString, UsageError } from './args';
import type { Command } from './command';
import { print, type CliContext } from './context';
import { readInputFile } from './files';

function readDocument(ctx: CliContext, usage: string): { path: string; bytes: Buffer } {
  const [file] = ctx.args.positionals;
  if (file === undefined) throw new UsageError(usage);
  return { path: resolve(file), bytes: readInputFile(file, { maxBytes: MAX_VALIDATED_BYTES, tooLarge: 'XML_TOO_LARGE' }) };
}

const code = (c: { code: string; displayName: string }): string => (c.code === '' ? '(absent)' : `${c.code} — ${c.displayName}`);

function metadataText(m: XdsDocumentMetadata): string {
  const lines = [
    `uniqueId               ${m.uniqueId}`,
    `setId / version        ${m.setId ?? '(absent)'} / ${m.versionNumber ?? '(absent)'}`,
    `titre                  ${m.title}`,
    `typeCode               ${code(m.typeCode)}`,
    `classCode              ${code(m.classCode)}`,
    `formatCode             ${code(m.formatCode)}`,
    `healthcareFacilityType ${code(m.healthcareFacilityTypeCode)}`,
    `practiceSetting        ${code(m.practiceSettingCode)}`,
    `confidentialité        ${m.confidentialityCodes.map((c) => c.code).join(', ') || '(absent)'}`,
    `eventCodes             ${m.eventCodes.map((c) => c.code).join(', ') || '(aucun)'}`,
    `langue                 ${m.languageCode}`,
    `creationTime           ${m.creationTime}`,
    `serviceStart/Stop      ${m.serviceStartTime ?? '-'} / ${m.serviceStopTime ?? '-'}`,
    `patientId              ${m.sourcePatientId}`,
    `auteurs                ${m.authors.map((a) => a.idNat).join(', ') || '(aucun)'}`,
    `legalAuthenticator     ${m.legalAuthenticator?.idNat ?? '(absent)'}`,
    `remplace               ${m.replaces ?? '-'}`,
    `taille / sha1          ${m.size ?? '-'} / ${m.hash ?? '-'}`,
  ];
  if (m.missing !== undefined) lines.push('', `À compléter avant envoi au DMP : ${m.missing.join(', ')}`);
  return lines.join('\n');
}

export const dmpMetadataCommand: Command = {
  name: 'dmp',
  subcommand: 'metadata',
  usage: 'pupitre dmp metadata FICHIER.xml [--json]',
  summary: "Affiche les métadonnées XDS que l'en-tête d'un document CDA implique (envoi au DMP).",
  async run(ctx) {
    const { bytes } = readDocument(ctx, this.usage);
    // An auto-présentable file: the metadata of the CDA inside, the document the DMP would receive.
    const metadata = extractXdsMetadata(unwrapAutoPresentable(bytes) ?? bytes);
    print(ctx, metadata, () => metadataText(metadata));
    return 0;
  },
};

/** $PUPITRE_REFERENCE_DIR, --reference, or ../shared/reference beside the working directory. */
function referenceDir(ctx: CliContext): string {
  const explicit = flagString(ctx.args, 'reference');
  const candidates = explicit !== undefined ? [explicit] : [process.env.PUPITRE_REFERENCE_DIR, resolve('..', 'shared', 'reference')];
  const found = candidates.find((c): c is string => c !== undefined && c !== '' && existsSync(join(c, 'cda')));
  if (found === undefined) throw new AppError('CDA_VALIDATION_UNAVAILABLE', { missing: 'dossier de référence (--reference ou PUPITRE_REFERENCE_DIR)' });
  return found;
}

function reportText(report: CdaValidationReport): string {
  const lines = [`XSD (CDA_extended.xsd) : ${report.xsd.valid ? 'conforme' : 'NON conforme'}`, ...report.xsd.errors.map((e) => `  ${e}`)];
  if (report.schematrons.length === 0) lines.push('Schématrons : non exécutés (--xsd-only).');
  for (const s of report.schematrons) {
    const errors = s.failures.filter((f) => !['warning', 'warn', 'info', 'information'].includes(f.role));
    lines.push(
      `Schématron ${s.schema.split('/').pop() ?? s.schema} : ${s.valid ? 'conforme' : 'NON conforme'} (${s.firedRules} règle(s) appliquée(s), ${errors.length} erreur(s), ${s.failures.length - errors.length} avertissement(s))`,
    );
    for (const f of s.failures) lines.push(`  [${f.role}] ${f.message}${f.location === '' ? '' : ` (${f.location})`}`);
  }
  lines.push('', report.valid ? 'Document conforme.' : 'Document non conforme.');
  return lines.join('\n');
}

export const dmpValidateCommand: Command = {
  name: 'dmp',
  subcommand: 'validate',
  usage: 'pupitre dmp validate FICHIER.xml [--json] [--reference DOSSIER] [--xsd-only] [--schematron structurationMinimale,ihe]',
  summary: 'Valide un document CDA (schéma CDA_extended.xsd et schématrons CI-SIS du dossier de référence).',
  valued: ['reference', 'schematron'],
  waitingFor: 'validation par le schéma et les schématrons (jusqu’à une minute au premier usage)',
  async run(ctx) {
    const { bytes } = readDocument(ctx, this.usage);
    // First the gate (strict decoding, safe parser, CDA root): a hostile or foreign document is
    // refused for what it is, before any tool or reference file is involved. An auto-présentable
    // file is validated as the CDA it carries (read by the same safe parser, never run).
    const document = admitCdaForValidation(unwrapAutoPresentable(bytes) ?? bytes);
    const reference = referenceDir(ctx);
    const requested = flagString(ctx.args, 'schematron')?.split(',').filter(Boolean);
    for (const name of requested ?? []) {
      if (!(name in HEADER_SCHEMATRONS)) throw new UsageError(`Schématron inconnu : ${name} (${Object.keys(HEADER_SCHEMATRONS).join(', ')})`);
    }
    const schematrons = ctx.args.flags.has('xsd-only') ? [] : ((requested ?? Object.keys(HEADER_SCHEMATRONS)) as SchematronName[]);
    const report = await validateCda(document, {
      referenceDir: reference,
      cacheDir: join(ctx.dataDir, 'cache', 'schematron'),
      schematrons,
      onCompile: (schema) => ctx.io.err(`Compilation du schématron ${schema.split('/').pop() ?? schema} (une seule fois, plusieurs minutes)…`),
    });
    print(ctx, report, () => reportText(report));
    return report.valid ? 0 : 1;
  },
};
