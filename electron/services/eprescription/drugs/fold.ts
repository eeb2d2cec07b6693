/**
 * Search words of drug names: accents removed, upper case, split on anything that is not a letter
 * or a digit (« PARACÉTAMOL 1 000 mg/ml » → PARACETAMOL, 1, 000, MG, ML). Digits are kept: strengths
 * are half of a drug's name.
 */
export function drugWords(...values: Array<string | null | undefined>): string[] {
  const words = new Set<string>();
  for (const value of values) {
    if (value === null || value === undefined) continue;
    const folded = value
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[Œœ]/g, 'OE')
      .replace(/[Ææ]/g, 'AE')
      .replace(/µ/g, 'U')
      .toUpperCase();
    for (const word of folded.split(/[^A-Z0-9]+/)) if (word !== '') words.add(word);
  }
  return [...words];
}

/** Sort key of a name (folded, single spaces). */
export function sortKey(name: string): string {
  return drugWords(name).join(' ');
}
