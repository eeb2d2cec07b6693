/**
 * What the desk's host runs with (electron/host/main.ts, compose.ts), for the benches that measure
 * what ships: log lines at level 'info' written out one by one (here to /dev/null instead of
 * stderr), and every access in the encrypted audit trail of the same base.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { systemClock, type Clock } from '../electron/platform/clock';
import type { Db } from '../electron/platform/db';
import { createLogger, type Logger } from '../electron/platform/log';
import { AuditTrail, type AuditWriter } from '../electron/services/audit';

/** The desk's logger; `close` when the bench is done with it. */
export function openDeskLogger(clock: Clock = systemClock): { logger: Logger; close(): void } {
  const devNull = openSync('/dev/null', 'w');
  return {
    logger: createLogger({ clock, level: 'info', sink: (line) => writeSync(devNull, `${line}\n`) }),
    close: () => closeSync(devNull),
  };
}

/** The desk's audit trail in `db`, as compose.ts wires it. */
export function deskAudit(db: Db, clock: Clock = systemClock): AuditWriter {
  return new AuditTrail(db, clock).write;
}
