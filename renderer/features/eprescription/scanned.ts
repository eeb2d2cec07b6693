/**
 * An ordonnance numérique scanned while another screen was in view (scan routing, issue 10): the
 * scan's id waits here for the dispensation screen, which opens it once. Only the id is kept: the
 * number itself stays in the host until the dispensation takes it (`eprescription.dispensation.open`
 * with `{ scanId }`).
 */
let pending: string | null = null;
const listeners = new Set<() => void>();

/** Leaves the scan for the dispensation screen (mounted now or next). */
export function setPendingDispensationScan(scanId: string): void {
  pending = scanId;
  for (const listener of [...listeners]) listener();
}

/** The waiting scan id, once. */
export function takePendingDispensationScan(): string | null {
  const id = pending;
  pending = null;
  return id;
}

/** Calls `listener` whenever a scan is left; returns the unsubscribe function. */
export function onPendingDispensationScan(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
