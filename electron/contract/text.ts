/**
 * Text fields of the contract (issue 14 point 5: a 5 MB used name and a NUL byte were accepted).
 * A field is bounded in length, carries no control character (C0 and C1 controls, NUL included,
 * U+FFFE/U+FFFF, lone surrogates: nothing a person types), and a free-text field that can end up
 * in a spreadsheet does not start with a formula sign. A refusal carries its own error code (the
 * zod issue's message), which the dispatcher turns into that code's French message instead of the
 * generic INVALID_PARAMS.
 */
import { z } from 'zod';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Line breaks and tabs, allowed only where a field says so. */
const LINE_BREAK = /[\t\n\r\u2028\u2029]/;
/**
 * Formula signs a spreadsheet interprets at the start of a cell (OWASP « CSV injection »): =, +,
 * -, @, and tab or carriage return before them.
 */
export const FORMULA_START = /^[=+\-@\t\r]/;

export function hasControlCharacter(value: string, options: { multiline?: boolean } = {}): boolean {
  return CONTROL.test(value) || (options.multiline !== true && LINE_BREAK.test(value));
}

export function startsLikeFormula(value: string): boolean {
  return FORMULA_START.test(value.trimStart()) || FORMULA_START.test(value);
}

export interface TextOptions {
  /** Tabs and line breaks allowed (a reason, a note). */
  multiline?: boolean;
  /** Refuses a value starting with a formula sign (free text that may be exported). */
  noFormula?: boolean;
}

/** A bounded, printable string field (see the module comment). */
export function boundedText(max: number, options: TextOptions = {}) {
  let schema = z
    .string()
    .max(max, { error: 'TEXT_TOO_LONG' })
    .refine((value) => !hasControlCharacter(value, options), { error: 'TEXT_CONTROL_CHARACTER' });
  if (options.noFormula === true) schema = schema.refine((value) => !startsLikeFormula(value), { error: 'TEXT_FORMULA' });
  return schema;
}
