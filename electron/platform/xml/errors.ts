/** Typed errors of the XML layer; codes and French messages live in contract/domains/transport. */
import { AppError, type ErrorCode } from '../../contract/errors';

export type XmlErrorCode = Extract<ErrorCode, `XML_${string}`>;

/**
 * Raised by parsing, building, reading and signature checks. Details carry positions, element names
 * and reasons only — never document content (it may be health data).
 */
export class XmlError extends AppError {
  declare readonly code: XmlErrorCode;

  constructor(code: XmlErrorCode, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(code, details, options);
    this.name = 'XmlError';
  }
}

export function isXmlError(value: unknown): value is XmlError {
  return value instanceof XmlError;
}
