/**
 * The INSi acceptance rule: may the identity INSi returned become this patient's identity?
 *
 * INSi traits replace the local strict traits when the INS is attached (insi.md §2.2), so
 * attaching the result of a look-up that found someone else gives the patient another person's
 * identity and sends their health data to the wrong DMP (issue 13). The Guide d'implémentation de
 * l'INS and the RNIV require the returned traits to be checked against the local identity before
 * the INS is integrated, and the INS not to be integrated when they are not coherent (the desk is
 * told it is probably another person; it searches again or corrects the local traits). The field
 * FAQ of the regional identity-vigilance cells lists the differences that are not another person:
 * compound first names and hyphens, the order of first names, the used first name typed as first
 * name, a birth place typed as today's commune (esante-bfc.fr/faq-rniv-ins, questions 1, 3, 5 and
 * 13; insi.md §5). The thresholds below are Pupitre's reading of those sources, kept in this one
 * module so that it can be checked against the Guide INS as a whole.
 *
 * Each trait is compared and classified:
 *   none   identical;
 *   info   INSi only completes the local record (first names after the local ones, a birth place
 *          or date parts the record did not have): accepted;
 *   minor  one acceptable difference — hyphen/space/apostrophe, one typo or the same sound
 *          (FONEM), a compound birth name of which the record has one part, first names in
 *          another order, the used first name typed first, one local first name INSi does not
 *          list, a merged commune: accepted only with a reason and a second confirmation;
 *   major  clearly different: another birth name, other first names, another birth date (a
 *          day/month inversion included, or a date INSi knows less precisely), another sex,
 *          another birth place.
 * Decision: any major difference, or two minor ones (several traits differ) → block; exactly
 * one minor difference → confirm; otherwise → accept. Sex and birth date are never « minor ».
 */
import type { AcceptanceFinding, InsiAcceptance } from '../../contract/domains/identity';
import { sameBirthPlaceLineage } from './birth-place';
import { nameLikeness, nameWords } from './likeness';
import type { StrictTraits } from './traits';
import { isFirstGivenNameConsistent } from './traits';

export type { AcceptanceFinding, InsiAcceptance };

/** Traits as INSi returns them (TIQ): birth date `AAAA-MM-JJ`, 00 for an unknown part (DateLunaire). */
export interface InsTraits {
  birthName: string;
  birthGivenNames: string;
  firstGivenName: string;
  sex: 'M' | 'F';
  birthDate: string;
  birthPlaceCode: string | null;
}

type Field = AcceptanceFinding['field'];
type Kind = AcceptanceFinding['kind'];

const FIELD_LABEL: Record<Field, string> = {
  birthName: 'Nom de naissance',
  givenNames: 'Prénoms de naissance',
  birthDate: 'Date de naissance',
  sex: 'Sexe',
  birthPlace: 'Lieu de naissance',
};

const SEVERITY: Record<Kind, AcceptanceFinding['severity']> = {
  identical: 'none',
  completed: 'info',
  'absent-at-insi': 'info',
  punctuation: 'minor',
  spelling: 'minor',
  compound: 'minor',
  order: 'minor',
  'used-first-name': 'minor',
  'name-missing-in-insi': 'minor',
  'place-history': 'minor',
  different: 'major',
  'less-precise': 'major',
};

const MESSAGES: Record<Field, Partial<Record<Kind, string>>> = {
  birthName: {
    punctuation: 'Même nom à un tiret, une espace ou une apostrophe près.',
    spelling: 'Orthographe voisine (une lettre ou la même prononciation).',
    compound: 'Nom composé : la fiche locale n’en porte qu’une partie.',
    different: 'Nom de naissance différent.',
  },
  givenNames: {
    completed: 'L’INSi complète la liste avec les prénoms suivants.',
    punctuation: 'Mêmes prénoms à un tiret ou une espace près (prénom composé).',
    spelling: 'Un prénom d’orthographe voisine.',
    order: 'Mêmes prénoms dans un autre ordre, ou liste incomplète.',
    'used-first-name': 'Le prénom saisi en premier est un prénom suivant de l’état civil (probablement le prénom d’usage).',
    'name-missing-in-insi': 'Un prénom saisi localement ne figure pas dans la liste INSi.',
    different: 'Prénoms différents.',
  },
  birthDate: {
    completed: 'L’INSi précise le jour ou le mois inconnus localement.',
    'less-precise': 'L’INSi ne connaît pas le jour ou le mois saisis localement.',
    different: 'Date de naissance différente.',
  },
  sex: { different: 'Sexe différent.' },
  birthPlace: {
    completed: 'L’INSi fournit le lieu de naissance, absent de la fiche locale.',
    'absent-at-insi': 'L’INSi ne fournit pas de lieu de naissance.',
    'place-history': 'Même commune, sous son code à une autre date (fusion de communes).',
    different: 'Lieu de naissance différent.',
  },
};

function finding(field: Field, kind: Kind): AcceptanceFinding {
  return { field, kind, severity: SEVERITY[kind], label: FIELD_LABEL[field], message: MESSAGES[field][kind] ?? (kind === 'identical' ? 'Identique.' : '') };
}

function compareBirthName(local: string, insi: string): Kind {
  const likeness = nameLikeness(local, insi);
  if (likeness === 'same') return 'identical';
  if (likeness !== 'different') return likeness;
  // A compound name of which one side has only some parts (MARTIN / MARTIN DUPONT).
  const a = nameWords(local);
  const b = nameWords(insi);
  const [small, big] = a.length <= b.length ? [a, b] : [b, a];
  if (small.length < big.length && small.some((w) => w.length >= 3) && small.every((w) => big.includes(w))) return 'compound';
  return 'different';
}

function compareGivenNames(local: StrictTraits, insi: InsTraits): Kind {
  if (local.birthGivenNames === insi.birthGivenNames) {
    if (local.firstGivenName === insi.firstGivenName || insi.firstGivenName === '') return 'identical';
    return isFirstGivenNameConsistent(local.firstGivenName, insi.birthGivenNames) ? 'punctuation' : 'used-first-name';
  }
  const mine = nameWords(local.birthGivenNames);
  const theirs = nameWords(insi.birthGivenNames);
  const used = new Set<number>();
  const matches: Array<{ index: number; exact: boolean } | null> = mine.map((word) => {
    const index = theirs.findIndex((w, i) => !used.has(i) && w === word);
    if (index >= 0) {
      used.add(index);
      return { index, exact: true };
    }
    return null;
  });
  mine.forEach((word, i) => {
    if (matches[i] !== null) return;
    const index = theirs.findIndex((w, j) => !used.has(j) && nameLikeness(word, w) === 'spelling');
    if (index >= 0) {
      used.add(index);
      matches[i] = { index, exact: false };
    }
  });
  const matched = matches.filter((m): m is { index: number; exact: boolean } => m !== null);
  const unmatched = mine.length - matched.length;
  if (matched.length === 0 || unmatched > 1) return 'different';
  const kinds = new Set<Kind>();
  if (unmatched === 1) kinds.add('name-missing-in-insi');
  if (matched.some((m) => !m.exact)) kinds.add('spelling');
  const order = matched.map((m) => m.index);
  const prefix = order.every((index, i) => index === i);
  const complete = matched.length === theirs.length;
  const first = matches[0];
  if (!prefix) {
    if (first !== null && first !== undefined && first.index > 0 && !complete) kinds.add('used-first-name');
    else kinds.add('order');
  }
  if (kinds.size > 1) return 'different';
  if (kinds.size === 1) return [...kinds][0] as Kind;
  // Same words in the same order: INSi adds names after them, or writes a compound name otherwise.
  const rawMine = local.birthGivenNames.split(' ');
  const rawTheirs = insi.birthGivenNames.split(' ');
  const samePunctuation = rawMine.every((w, i) => rawTheirs[i] === w);
  if (!samePunctuation) return 'punctuation';
  return complete ? 'identical' : 'completed';
}

function compareBirthDate(local: StrictTraits['birthDate'], insi: string): Kind {
  const [y = '', m = '', d = ''] = insi.split('-');
  const theirs = { year: Number(y), month: Number(m) === 0 ? null : Number(m), day: Number(d) === 0 ? null : Number(d) };
  if (theirs.year !== local.year) return 'different';
  let completed = false;
  let lessPrecise = false;
  for (const part of ['month', 'day'] as const) {
    const a = local[part];
    const b = theirs[part];
    if (a !== null && b !== null && a !== b) return 'different';
    if (a === null && b !== null) completed = true;
    if (a !== null && b === null) lessPrecise = true;
  }
  if (lessPrecise) return 'less-precise';
  return completed ? 'completed' : 'identical';
}

function compareBirthPlace(local: string | null, insi: string | null): Kind {
  if (local === insi) return 'identical';
  if (local === null) return 'completed';
  if (insi === null) return 'absent-at-insi';
  return sameBirthPlaceLineage(local, insi) ? 'place-history' : 'different';
}

/** Applies the rule to the local strict traits and the traits INSi returned. */
export function evaluateInsiAcceptance(local: StrictTraits, insi: InsTraits): InsiAcceptance {
  const findings: AcceptanceFinding[] = [
    finding('birthName', compareBirthName(local.birthName, insi.birthName)),
    finding('givenNames', compareGivenNames(local, insi)),
    finding('birthDate', compareBirthDate(local.birthDate, insi.birthDate)),
    finding('sex', local.sex === insi.sex ? 'identical' : 'different'),
    finding('birthPlace', compareBirthPlace(local.birthPlaceCode, insi.birthPlaceCode)),
  ];
  const major = findings.filter((f) => f.severity === 'major');
  const minor = findings.filter((f) => f.severity === 'minor');
  if (major.length > 0 || minor.length > 1) {
    const fields = [...major, ...minor].map((f) => f.label.toLowerCase()).join(', ');
    const usedName = major.some((f) => f.field === 'birthName') && major.length === 1
      ? ' Si le nom saisi localement est un nom d’usage (nom d’époux ou d’épouse), corrigez le nom de naissance puis relancez la recherche.'
      : '';
    return {
      decision: 'block',
      findings,
      message:
        `Les traits renvoyés par l’INSi ne correspondent pas à l’identité locale (${fields}) : il s’agit probablement d’une autre personne. ` +
        `L’INS n’a pas été rattaché. Relancez la recherche (bon bénéficiaire, traits vérifiés sur un justificatif d’identité) ou corrigez les traits locaux s’ils sont erronés.${usedName}`,
    };
  }
  if (minor.length === 1) {
    const [only] = minor as [AcceptanceFinding];
    return {
      decision: 'confirm',
      findings,
      message: `Une différence acceptable : ${only.label.toLowerCase()} — ${only.message} Vérifiez-la sur le justificatif d’identité ; l’acceptation demande un motif et une seconde confirmation.`,
    };
  }
  return { decision: 'accept', findings, message: 'Les traits renvoyés par l’INSi correspondent à l’identité locale.' };
}
