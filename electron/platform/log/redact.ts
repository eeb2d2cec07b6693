/**
 * Health-data redaction for log lines (ARCHITECTURE.md §6: logs never contain NIR/INS, names,
 * birth dates or document content).
 *
 * Three layers, because no single one is enough:
 * 1. field names: values under keys that name identity traits are replaced whole;
 * 2. patterns: NIR/NIA/INS (13 characters + 2-digit key, with or without spaces, Corsica 2A/2B)
 *    and dates in the usual French and ISO forms are masked in every string;
 * 3. remembered values: services register the names of the patient or professional they handle
 *    (`remember`), and those are masked wherever they appear, whatever the key.
 */

const SENSITIVE_KEY =
  /^(nom|noms?naissance|prenoms?|prenom|firstnames?|first_?name|lastnames?|last_?name|birth_?name|used_?name|usedfirstname|given(name)?|family(name)?|name|fullname|displayname|holder(name)?|birth(date|_date|day)?|datenaissance|date_naissance|dob|naissance|nir|nia|ins|matricule|ssn|insnumber|beneficiaries|traits|address|adresse|telephone|phone|email|content|document|body|pdf|cda|xml|payload|pin|password|passphrase|secret|key|token|assertion)$/i;

// NIR/NIA: sex digit, year, month, department (2 digits, 2A, 2B), commune, order, optional key.
const NIR_PATTERN = /\b[1-478]\s?\d{2}\s?(?:0[1-9]|1[0-2]|[2-9]\d)\s?(?:\d{2}|2A|2B)\s?\d{3}\s?\d{3}(?:\s?\d{2})?\b/gi;
const LONG_DIGITS = /\b\d{13,15}\b/g;
const DATE_FR = /\b(?:0[0-9]|[12]\d|3[01])[/.-](?:0[0-9]|1[0-2])[/.-](?:19|20)\d{2}\b/g;
const DATE_ISO = /\b(?:19|20)\d{2}-(?:0[0-9]|1[0-2])-(?:0[0-9]|[12]\d|3[01])(?!T\d)\b/g;
const DATE_COMPACT = /\b(?:19|20)\d{2}(?:0[0-9]|1[0-2])(?:0[0-9]|[12]\d|3[01])\b/g;

export const REDACTED = '[masqué]';

export class Redactor {
  private readonly remembered = new Set<string>();

  /** Registers a value (a name, a first name) to mask wherever it appears from now on. */
  remember(...values: Array<string | undefined | null>): void {
    for (const value of values) {
      const trimmed = value?.trim();
      if (trimmed && trimmed.length >= 2) this.remembered.add(trimmed);
    }
  }

  forget(): void {
    this.remembered.clear();
  }

  redactString(text: string): string {
    let out = text
      .replace(NIR_PATTERN, REDACTED)
      .replace(LONG_DIGITS, REDACTED)
      .replace(DATE_FR, REDACTED)
      .replace(DATE_ISO, REDACTED)
      .replace(DATE_COMPACT, REDACTED);
    for (const value of this.remembered) {
      out = out.replace(new RegExp(escapeRegExp(value), 'gi'), REDACTED);
    }
    return out;
  }

  redactValue(value: unknown, depth = 0): unknown {
    if (depth > 8) return REDACTED;
    if (typeof value === 'string') return this.redactString(value);
    if (Array.isArray(value)) return value.map((item) => this.redactValue(item, depth + 1));
    if (value instanceof Error) return { name: value.name, message: this.redactString(value.message) };
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, inner] of Object.entries(value)) {
        out[key] = SENSITIVE_KEY.test(key) ? REDACTED : this.redactValue(inner, depth + 1);
      }
      return out;
    }
    return value;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
