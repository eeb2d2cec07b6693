/** The outbox queue that carries lots (one job per emission of a lot). */
export const LOT_QUEUE = 'billing.lot';

/** Idempotency key of an emission: the lot number of the practitioner (ARCHITECTURE.md §5). */
export function lotJobKey(practitioner: string, lotNumber: number, emission: 1 | 2): string {
  return emission === 1 ? `lot:${practitioner}:${lotNumber}` : `lot:${practitioner}:${lotNumber}:reemission`;
}
