/**
 * Posology in plain French (what the ordonnance prints and the pharmacist reads), validation of a
 * structured posology, and its durations. The wording follows the official eP-MED-DM examples'
 * narrative (« 3 fois/j à partir du 01/12/2023 pendant 2 jours », « 1 cp à 2 cp ») written out in
 * full words, as on a paper ordonnance.
 */
import { AppError } from '../../contract';
import { DOSE_UNITS, type DoseUnit, type Posology, type StructuredPosology } from './model';
import { routeLabel } from './cda/codes';

const number = (value: number): string => value.toLocaleString('fr-FR', { maximumFractionDigits: 3 });

function unitWord(unit: DoseUnit, value: number): string {
  const spec = DOSE_UNITS[unit];
  return value > 1 ? spec.many : spec.one;
}

export function doseText(dose: StructuredPosology['dose']): string {
  if (dose.high !== undefined && dose.high !== dose.low) return `${number(dose.low)} à ${number(dose.high)} ${unitWord(dose.unit, dose.high)}`;
  return `${number(dose.low)} ${unitWord(dose.unit, dose.low)}`;
}

export function frequencyText(frequency: StructuredPosology['frequency']): string {
  if ('everyHours' in frequency) return `toutes les ${number(frequency.everyHours)} heures`;
  return `${number(frequency.times)} fois par ${frequency.per}`;
}

export function durationText(duration: StructuredPosology['duration']): string {
  const plural = duration.value > 1;
  const unit = duration.unit === 'mois' ? 'mois' : `${duration.unit}${plural ? 's' : ''}`;
  return `pendant ${number(duration.value)} ${unit}`;
}

/** « 1 à 2 comprimés 3 fois par jour, si douleur, pendant 5 jours, voie orale, sans dépasser 6 comprimés par jour ». */
export function posologyText(posology: Posology): string {
  if (posology.kind === 'text') return posology.text.trim();
  const parts = [`${doseText(posology.dose)} ${frequencyText(posology.frequency)}`];
  if (posology.asNeeded !== undefined) parts.push(posology.asNeeded.condition.trim() === '' ? 'si besoin' : posology.asNeeded.condition.trim());
  parts.push(durationText(posology.duration));
  if (posology.route !== undefined) parts.push(routeLabel(posology.route)?.toLowerCase() ?? posology.route);
  if (posology.maxPerDay !== undefined) parts.push(`sans dépasser ${number(posology.maxPerDay.value)} ${unitWord(posology.maxPerDay.unit, posology.maxPerDay.value)} par jour`);
  return parts.join(', ');
}

/** Duration in days (a month counts 30 days, as prescription durations are read). */
export function durationDays(duration: StructuredPosology['duration']): number {
  const factor = duration.unit === 'jour' ? 1 : duration.unit === 'semaine' ? 7 : 30;
  return Math.round(duration.value * factor);
}

function invalid(field: string): AppError {
  return new AppError('ERX_PRESCRIPTION_INVALID', { field });
}

const positive = (value: number, max: number): boolean => Number.isFinite(value) && value > 0 && value <= max;

/** Refuses a structured posology a pharmacist could not read unambiguously. */
export function checkPosology(posology: Posology, field: string): void {
  if (posology.kind === 'text') {
    const text = posology.text.trim();
    if (text.length < 3 || text.length > 1000) throw invalid(`${field}.text`);
    return;
  }
  const { dose, frequency, duration } = posology;
  if (!(dose.unit in DOSE_UNITS)) throw invalid(`${field}.dose.unit`);
  if (!positive(dose.low, 10_000)) throw invalid(`${field}.dose.low`);
  if (dose.high !== undefined && (!positive(dose.high, 10_000) || dose.high < dose.low)) throw invalid(`${field}.dose.high`);
  if ('everyHours' in frequency) {
    if (!positive(frequency.everyHours, 24 * 7)) throw invalid(`${field}.frequency`);
  } else if (!Number.isInteger(frequency.times) || !positive(frequency.times, 24)) throw invalid(`${field}.frequency`);
  if (!positive(duration.value, 366) || durationDays(duration) > 366) throw invalid(`${field}.duration`);
  if (posology.route !== undefined && routeLabel(posology.route) === undefined) throw invalid(`${field}.route`);
  if (posology.asNeeded !== undefined && posology.asNeeded.condition.length > 200) throw invalid(`${field}.asNeeded`);
  if (posology.maxPerDay !== undefined && (!positive(posology.maxPerDay.value, 100_000) || !(posology.maxPerDay.unit in DOSE_UNITS))) throw invalid(`${field}.maxPerDay`);
}
