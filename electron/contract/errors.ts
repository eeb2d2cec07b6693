/**
 * Stable error codes that cross the renderer/host boundary (ARCHITECTURE.md §3).
 *
 * Each domain declares its codes and French messages in `domains/<domain>.ts`; this module
 * merges them. A message tells the user what happened and what to do next. Messages and details
 * never carry health data (no NIR, names, birth dates, document content).
 */
import { z } from 'zod';
import { coreErrors } from './domains/core';
import { domainErrors } from './domains';

export const errorCatalog = { ...coreErrors, ...domainErrors } as const;

export type ErrorCode = keyof typeof errorCatalog;

export const wireErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type WireError = z.infer<typeof wireErrorSchema>;

/** An error a service throws on purpose: the code is stable, the message is the catalogue's. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(fillMessage(errorCatalog[code], details), options);
    this.name = 'AppError';
    this.code = code;
    if (details !== undefined) this.details = details;
  }

  toWire(): WireError {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/** French message for a code; unknown codes fall back to the generic internal error. */
export function messageFor(code: string, details?: Record<string, unknown>): string {
  return fillMessage((errorCatalog as Record<string, string>)[code] ?? errorCatalog.INTERNAL, details);
}

/**
 * A catalogue message may name a non-identifying detail between braces (« Carte {card} reconnue
 * mais illisible », « processus {pid} »): it is filled from the error's details. Never put health
 * data in such a detail.
 */
export function fillMessage(template: string, details: Record<string, unknown> | undefined): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => {
    const value = details?.[key];
    return typeof value === 'string' || typeof value === 'number' ? String(value) : '?';
  });
}
