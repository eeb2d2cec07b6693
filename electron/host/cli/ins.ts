/**
 * INS and INSi from the terminal:
 *   pupitre ins check MATRICULE [--oid OID] [--json]
 *   pupitre ins normalize --nom … --prenoms … [--prenom …] [--nom-utilise …] [--prenom-utilise …] [--json]
 *   pupitre insi search --nom … --prenoms … --sexe M|F --naissance JJ/MM/AAAA [--lieu COG] [--json]
 *   pupitre insi parse FICHIER.xml [--json]
 * Output stays on the terminal of the person who asked (traits are health data: never logged).
 */
import type { InsiLookup, InsiResult } from '../../contract/domains/insi';
import type { MatriculeCheck } from '../../contract/domains/identity';
import { birthPlaceLabel, checkIns, isFirstGivenNameConsistent, normalizeTrait, type NormalizationResult, type TraitField } from '../../services/identity';
import { parseInsiResponse } from '../../services/insi';
import { flagString, UsageError } from './args';
import type { Command } from './command';
import { openHost, print } from './context';
import { BIRTH_PLACE_KIND_LABEL, frenchDate, SEX_LABEL, TRAIT_LABEL } from './format';
import { readInputFile } from './files';
import { DEFAULT_MAX_XML_BYTES } from '../../platform/xml';

function checkText(result: MatriculeCheck): string {
  if (!result.valid) return `Matricule invalide : ${result.message}${result.expectedKey === null ? '' : ` Clé attendue : ${result.expectedKey}.`}`;
  const f = result.fields;
  const born = f.sex === 'F' ? 'née' : f.sex === 'M' ? 'né' : 'né(e)';
  // NIR: month then the two last digits of the year (the century is not in the number).
  const when = `${f.monthOfBirth === null ? '' : `${String(f.monthOfBirth).padStart(2, '0')}/`}${String(f.yearOfBirth).padStart(2, '0')}`;
  const lines = [
    `Matricule valide : ${result.matricule} (clé ${result.key})`,
    `  ${SEX_LABEL[f.sex] ?? f.sex}${f.provisional ? ' (numéro provisoire)' : ''}, ${born} en ${when}, lieu de naissance ${birthPlaceLabel(f.birthPlaceCode) ?? f.birthPlaceCode}, code ${f.birthPlaceCode} (${BIRTH_PLACE_KIND_LABEL[f.birthPlaceKind] ?? f.birthPlaceKind}), n° d’ordre ${f.order}`,
  ];
  if (result.oid !== null) lines.push(`  OID ${result.oid.oid} : ${result.oid.label}${result.oid.allowedHere ? '' : ` — ${result.oid.message ?? 'non accepté dans cet environnement'}`}`);
  return lines.join('\n');
}

export const insCheckCommand: Command = {
  name: 'ins',
  subcommand: 'check',
  usage: 'pupitre ins check MATRICULE [--oid OID] [--json]',
  summary: 'Vérifie un matricule INS (NIR/NIA : format, clé, champs) et son OID pour l’environnement en cours.',
  valued: ['oid'],
  async run(ctx) {
    const matricule = ctx.args.positionals.join('');
    if (matricule === '') throw new UsageError(`usage : ${this.usage}`);
    const oid = flagString(ctx.args, 'oid');
    let result: MatriculeCheck;
    if (oid === undefined) result = checkIns(matricule, undefined, 'production');
    else {
      const host = await openHost(ctx, 'in-process');
      try {
        result = await host.dispatcher.invoke('ins.check', { matricule, oid });
      } finally {
        await host.close();
      }
    }
    print(ctx, result, () => checkText(result));
    return result.valid ? 0 : 1;
  },
};

const NORMALIZE_FLAGS: ReadonlyArray<[string, TraitField]> = [
  ['nom', 'birthName'],
  ['prenoms', 'birthGivenNames'],
  ['prenom', 'firstGivenName'],
  ['nom-utilise', 'usedName'],
  ['prenom-utilise', 'usedGivenName'],
];

function normalizationText(results: NormalizationResult[]): string {
  return results
    .map((r) =>
      r.ok
        ? `${TRAIT_LABEL[r.field]} : ${r.value}${r.changed ? `  (${r.steps.map((s) => s.label).join(' ; ')})` : ''}`
        : `${TRAIT_LABEL[r.field]} : refusé — ${r.error.message}`,
    )
    .join('\n');
}

export const insNormalizeCommand: Command = {
  name: 'ins',
  subcommand: 'normalize',
  usage: 'pupitre ins normalize --nom … --prenoms … [--prenom …] [--nom-utilise …] [--prenom-utilise …] [--json]',
  summary: 'Montre la normalisation INSi des traits (majuscules, translittération) ou pourquoi un trait est refusé.',
  valued: NORMALIZE_FLAGS.map(([flag]) => flag),
  async run(ctx) {
    const results = NORMALIZE_FLAGS.flatMap(([flag, field]) => {
      const value = flagString(ctx.args, flag);
      return value === undefined ? [] : [normalizeTrait(value, field)];
    });
    if (results.length === 0) throw new UsageError(`usage : ${this.usage}`);
    const first = results.find((r) => r.field === 'firstGivenName');
    const list = results.find((r) => r.field === 'birthGivenNames');
    const firstGivenNameConsistent = first?.ok && list?.ok ? isFirstGivenNameConsistent(first.value, list.value) : null;
    print(ctx, { results, firstGivenNameConsistent }, () =>
      [normalizationText(results), firstGivenNameConsistent === false ? 'Le premier prénom ne correspond pas au début de la liste des prénoms.' : null].filter((l) => l !== null).join('\n'),
    );
    return results.every((r) => r.ok) ? 0 : 1;
  },
};

function resultText(result: InsiResult): string {
  if (result.identity === null) return `CodeCR ${result.code} : ${result.label}`;
  const { active, history, traits } = result.identity;
  return [
    `CodeCR 00 : ${result.label}`,
    `INS actif : ${active.matricule} (OID ${active.oid}, ${active.kind})${active.keyValid ? '' : ' — clé non conforme au calcul'}`,
    ...history.map((h) => `INS historique : ${h.matricule} (OID ${h.oid})${h.startDate === null ? '' : ` du ${frenchDate(h.startDate)}`}${h.endDate === null ? '' : ` au ${frenchDate(h.endDate)}`}`),
    `Traits : ${traits.birthName}, ${traits.birthGivenNames} (premier prénom ${traits.firstGivenName}), ${SEX_LABEL[traits.sex] ?? traits.sex}, ${traits.sex === 'F' ? 'née' : 'né'} le ${frenchDate(traits.birthDate)}${traits.birthPlaceCode === null ? '' : `, lieu de naissance ${birthPlaceLabel(traits.birthPlaceCode) ?? traits.birthPlaceCode}, code ${traits.birthPlaceCode}`}`,
  ].join('\n');
}

function lookupText(lookup: InsiLookup): string {
  return [
    resultText(lookup.result),
    `Tentatives : ${lookup.attempts.map((a) => `${a.givenNames.join(' ')}${a.withBirthPlace ? ' + lieu' : ''} → ${a.code}`).join(', ')}`,
    lookup.guidance,
  ].join('\n');
}

export const insiSearchCommand: Command = {
  name: 'insi',
  subcommand: 'search',
  usage: 'pupitre insi search --nom … --prenoms … --sexe M|F --naissance JJ/MM/AAAA [--lieu COG] [--json]',
  summary: 'Interroge le téléservice INSi avec des traits (stratégie de relance prénom par prénom).',
  valued: ['nom', 'prenoms', 'sexe', 'naissance', 'lieu'],
  waitingFor: 'réponse du téléservice INSi',
  async run(ctx) {
    const birthName = flagString(ctx.args, 'nom');
    const birthGivenNames = flagString(ctx.args, 'prenoms');
    const sex = flagString(ctx.args, 'sexe')?.toUpperCase();
    const birthDate = flagString(ctx.args, 'naissance');
    if (birthName === undefined || birthGivenNames === undefined || birthDate === undefined || (sex !== 'M' && sex !== 'F')) throw new UsageError(`usage : ${this.usage}`);
    const host = await openHost(ctx, 'in-process');
    try {
      const lookup = await host.dispatcher.invoke('insi.searchTraits', {
        traits: { birthName, birthGivenNames, sex, birthDate, birthPlaceCode: flagString(ctx.args, 'lieu') ?? null },
      });
      print(ctx, lookup, () => lookupText(lookup));
      return lookup.outcome === 'found' ? 0 : 1;
    } finally {
      await host.close();
    }
  },
};

export const insiParseCommand: Command = {
  name: 'insi',
  subcommand: 'parse',
  usage: 'pupitre insi parse FICHIER.xml [--json]',
  summary: 'Lit une réponse INSi enregistrée (RESULTAT ou erreur SOAP) et affiche l’INS et les traits.',
  async run(ctx) {
    const file = ctx.args.positionals[0];
    if (file === undefined) throw new UsageError(`usage : ${this.usage}`);
    const result = parseInsiResponse(readInputFile(file, { maxBytes: DEFAULT_MAX_XML_BYTES, tooLarge: 'XML_TOO_LARGE' }));
    print(ctx, result, () => resultText(result));
    return 0;
  },
};
