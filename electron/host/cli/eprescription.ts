/**
 * `pupitre eprescription read|validate|print` and `pupitre drugs import|search`:
 * - `read FICHIER.xml [--json]`: the lines of an eP-MED-DM or eDISP-MED document, from any software;
 *   with --json exactly `{ "kind", "medications": [...], "devices": [...] }`;
 * - `validate FICHIER.xml`: CDA_extended.xsd and the CI-SIS Schematrons of the reference folder (the
 *   document's profile, structuration minimale, IHE);
 * - `print NUMERO -o FICHIER.pdf [--format A4|A5]`: the paper ordonnance of a prescription written here;
 * - `drugs import DOSSIER`: the ANSM's BDPM files (the list is replaced as a whole);
 * - `drugs search TEXTE`: the drug list as the prescriber searches it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AppError } from '../../contract';
import { HEADER_SCHEMATRONS, runSchematron, validateCdaXsd, type SchematronResult } from '../../services/cda';
import { readEprescriptionDocument, type ReadDocument } from '../../services/eprescription';
import { flagString, UsageError } from './args';
import type { Command } from './command';
import { openHost, print, type CliContext } from './context';

function readFile(ctx: CliContext, usage: string): Buffer {
  const [file] = ctx.args.positionals;
  if (file === undefined) throw new UsageError(usage);
  const path = resolve(file);
  if (!existsSync(path)) throw new UsageError(`Fichier introuvable : ${file}`);
  return readFileSync(path);
}

const codesText = (codes: ReadDocument['medications'][number]['codes']): string => codes.map((c) => `${c.system ?? c.codeSystem} ${c.code}`).join(', ');

function readText(doc: ReadDocument): string {
  const lines: string[] = [
    `${doc.kind === 'eP-MED-DM' ? 'Prescription eP-MED-DM' : 'Dispensation eDISP-MED'}${doc.number === null ? '' : ` — e-prescription N° ${doc.number}`}`,
  ];
  if (doc.author?.name) lines.push(`Auteur : ${doc.author.name}${doc.author.idNat ? ` (${doc.author.idNat})` : ''}`);
  if (doc.validity !== null) lines.push(`Validité : du ${doc.validity.from ?? '?'} au ${doc.validity.until ?? '?'}`);
  lines.push('', doc.kind === 'eP-MED-DM' ? 'Médicaments :' : 'Médicaments délivrés :');
  if (doc.medications.length === 0) lines.push('  (aucun)');
  doc.medications.forEach((m, i) => {
    lines.push(`  ${i + 1}. ${m.name}${m.codes.length === 0 ? '' : ` [${codesText(m.codes)}]`}`);
    if (m.posology.text !== '') lines.push(`     Posologie : ${m.posology.text}`);
    const details = [
      m.quantity === null ? null : `quantité ${m.quantity.value}${m.quantity.unitLabel === null ? '' : ` ${m.quantity.unitLabel.toLowerCase()}(s)`}`,
      m.renewals === null ? null : m.renewals > 0 ? `à renouveler ${m.renewals} fois` : 'non renouvelable',
      m.substitution === null ? null : doc.kind === 'eDISP-MED' ? `substitution : ${m.substitution.reason ?? m.substitution.code}` : m.substitution.allowed ? 'substituable' : `non substituable${m.substitution.reason ? ` (${m.substitution.reason})` : ''}`,
      m.ald === true ? 'en rapport avec une ALD' : null,
    ].filter((d) => d !== null);
    if (details.length > 0) lines.push(`     ${details.join(' · ')}`);
  });
  if (doc.devices.length > 0) {
    lines.push('', 'Dispositifs médicaux :');
    doc.devices.forEach((d, i) => lines.push(`  ${i + 1}. ${d.name}${d.codes.length === 0 ? '' : ` [${codesText(d.codes)}]`}${d.quantity === null ? '' : ` — quantité ${d.quantity}`}`));
  }
  return lines.join('\n');
}

export const eprescriptionReadCommand: Command = {
  name: 'eprescription',
  subcommand: 'read',
  usage: 'pupitre eprescription read FICHIER.xml [--json]',
  summary: "Affiche les lignes d'une prescription eP-MED-DM ou d'une dispensation eDISP-MED (tout logiciel).",
  async run(ctx) {
    const doc = readEprescriptionDocument(readFile(ctx, this.usage));
    print(ctx, { kind: doc.kind, medications: doc.medications, devices: doc.devices }, () => readText(doc));
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

const PROFILE_SCHEMATRONS = { 'eP-MED-DM': 'CI-SIS_EP-MED-DM_2024.01.sch', 'eDISP-MED': 'CI-SIS_eDISP-MED_2024.01.sch' } as const;

export const eprescriptionValidateCommand: Command = {
  name: 'eprescription',
  subcommand: 'validate',
  usage: 'pupitre eprescription validate FICHIER.xml [--json] [--reference DOSSIER] [--xsd-only]',
  summary: 'Valide une prescription eP-MED-DM ou une dispensation eDISP-MED (XSD CDA et schématrons CI-SIS officiels).',
  valued: ['reference'],
  async run(ctx) {
    const bytes = readFile(ctx, this.usage);
    const kind = readEprescriptionDocument(bytes).kind;
    const reference = referenceDir(ctx);
    const xml = bytes.toString('utf8').replace(/^\uFEFF/, '');
    const xsd = await validateCdaXsd(xml, reference);
    const cacheDir = join(ctx.dataDir, 'cache', 'schematron');
    const schematrons: SchematronResult[] = ctx.args.flags.has('xsd-only')
      ? []
      : [PROFILE_SCHEMATRONS[kind], HEADER_SCHEMATRONS.structurationMinimale, HEADER_SCHEMATRONS.ihe].map((path) =>
          runSchematron(xml, reference, path, cacheDir, (schema) => ctx.io.err(`Compilation du schématron ${schema.split('/').pop() ?? schema} (une seule fois)…`)),
        );
    const valid = xsd.valid && schematrons.every((s) => s.valid);
    const report = { kind, valid, xsd, schematrons };
    print(ctx, report, () => {
      const lines = [`Document ${kind}`, `XSD (CDA_extended.xsd) : ${xsd.valid ? 'conforme' : 'NON conforme'}`, ...xsd.errors.map((e) => `  ${e}`)];
      for (const s of schematrons) {
        const errors = s.failures.filter((f) => !['warning', 'warn', 'info', 'information'].includes(f.role));
        lines.push(`Schématron ${s.schema.split('/').pop() ?? s.schema} : ${s.valid ? 'conforme' : 'NON conforme'} (${s.firedRules} règle(s) appliquée(s), ${errors.length} erreur(s))`);
        for (const f of s.failures) lines.push(`  [${f.role}] ${f.message}${f.location === '' ? '' : ` (${f.location})`}`);
      }
      lines.push('', valid ? 'Document conforme.' : 'Document non conforme.');
      return lines.join('\n');
    });
    return valid ? 0 : 1;
  },
};

export const eprescriptionPrintCommand: Command = {
  name: 'eprescription',
  subcommand: 'print',
  usage: 'pupitre eprescription print NUMERO -o FICHIER.pdf [--format A4|A5] [--json]',
  summary: "Écrit l'ordonnance papier (PDF, QR code) d'une prescription établie sur ce poste.",
  valued: ['o', 'output', 'format'],
  async run(ctx) {
    const [number] = ctx.args.positionals;
    const output = flagString(ctx.args, 'o') ?? flagString(ctx.args, 'output');
    if (number === undefined || output === undefined) throw new UsageError(`usage : ${this.usage}`);
    const format = flagString(ctx.args, 'format') ?? 'A4';
    if (format !== 'A4' && format !== 'A5') throw new UsageError('--format attend A4 ou A5');
    const host = await openHost(ctx, 'in-process');
    try {
      const result = await host.dispatcher.invoke('eprescription.pdf', { number, format });
      const bytes = Buffer.from(result.pdfBase64, 'base64');
      writeFileSync(resolve(output), bytes, { mode: 0o600 });
      print(ctx, { file: resolve(output), bytes: bytes.length, format }, () => `Ordonnance écrite dans ${resolve(output)} (${format}, ${bytes.length} octets).`);
      return 0;
    } finally {
      await host.close();
    }
  },
};

export const drugsCommand: Command = {
  name: 'drugs',
  usage: 'pupitre drugs import DOSSIER [--json] | pupitre drugs search TEXTE [--json]',
  summary: 'Importe la base publique des médicaments (fichiers BDPM de l’ANSM) ou y cherche un médicament.',
  async run(ctx) {
    const [action, ...rest] = ctx.args.positionals;
    if (action === 'import') return importDir(ctx, rest[0]);
    if (action === 'search') return search(ctx, rest.join(' '));
    throw new UsageError(`usage : ${this.usage}`);
  },
};

async function importDir(ctx: CliContext, dir: string | undefined): Promise<number> {
  if (dir === undefined) throw new UsageError('usage : pupitre drugs import DOSSIER (fichiers CIS_bdpm.txt, CIS_CIP_bdpm.txt, CIS_COMPO_bdpm.txt, CIS_GENER_bdpm.txt)');
  if (!existsSync(resolve(dir))) throw new UsageError(`Dossier introuvable : ${dir}`);
  const host = await openHost(ctx, 'in-process');
  try {
    const report = host.eprescription.importDrugs(resolve(dir), 'cli');
    print(ctx, report, () =>
      [
        `Liste des médicaments importée : ${report.specialties} spécialité(s), ${report.presentations} présentation(s), ${report.compositions} ligne(s) de composition, ${report.groups} groupe(s) génériques.`,
        `Encodages : ${Object.entries(report.encodings).map(([f, e]) => `${f} ${e}`).join(', ')}`,
        ...(report.rejectedCount === 0 ? [] : [`${report.rejectedCount} ligne(s) écartée(s) :`, ...report.rejected.map((r) => `  ${r.file}${r.line > 0 ? ` ligne ${r.line}` : ''} : ${r.reason}`)]),
      ].join('\n'),
    );
    return 0;
  } finally {
    await host.close();
  }
}

async function search(ctx: CliContext, text: string): Promise<number> {
  if (text.trim().length < 2) throw new UsageError('usage : pupitre drugs search TEXTE (au moins deux caractères, ou un code CIS/CIP13)');
  const host = await openHost(ctx, 'in-process');
  try {
    const result = await host.dispatcher.invoke('eprescription.drugs.search', { text, limit: 20 });
    print(ctx, result, () => {
      if (result.source === null) return 'La liste des médicaments est vide : importez-la avec « pupitre drugs import DOSSIER ».';
      if (result.drugs.length === 0) return 'Aucun médicament trouvé.';
      return [
        ...result.drugs.map(
          (d) =>
            `${d.cis}  ${d.name}${d.commercialised ? '' : ' (non commercialisé)'}${d.substances.length === 0 ? '' : `\n          ${d.substances.join(' ; ')}`}${d.presentations.map((p) => `\n          CIP13 ${p.cip13}  ${p.label}`).join('')}`,
        ),
        result.total > result.drugs.length ? `… ${result.total - result.drugs.length} autre(s) : précisez la recherche.` : '',
      ]
        .filter((l) => l !== '')
        .join('\n');
    });
    return 0;
  } finally {
    await host.close();
  }
}
