/**
 * The one ordered list of schema migrations (STYLE.md, Signal Desktop's model). Each service owns
 * the SQL of its tables; this list only fixes the order. Append new steps at the end, never
 * reorder or edit a step that has shipped: `PRAGMA user_version` counts them.
 */
import type { Migration } from '../platform/db';
import type { Db } from '../platform/db';
import { adriMigrations } from '../services/adri';
import { auditMigrations, auditMigrations2 } from '../services/audit';
import { backupMigrations } from '../services/backup';
import { billingMigrations } from '../services/billing';
import { dmpMigrations, dmpMigrations2, dmpMigrations3 } from '../services/dmp';
import { eprescriptionMigrations } from '../services/eprescription';
import { insiMigrations, insiMigrations2 } from '../services/insi';
import { outboxMigrations, outboxMigrations2, outboxMigrations3 } from '../services/outbox';
import { patientsMigrations, patientsMigrations2 } from '../services/patients';
import { settingsMigrations } from '../services/settings';

interface Step {
  name: string;
  up(db: Db): void;
}

// The arrays of release 0.1.0 are frozen: a service never appends to them (that would shift every
// later version number). A new step goes into a new named array of its service, appended below.
const steps: readonly Step[] = [
  ...settingsMigrations,
  ...auditMigrations,
  ...patientsMigrations,
  ...outboxMigrations,
  ...dmpMigrations,
  ...insiMigrations,
  // — after 0.1.0: append here, in the order the steps were written —
  ...adriMigrations,
  ...patientsMigrations2,
  ...eprescriptionMigrations,
  ...backupMigrations,
  ...insiMigrations2,
  ...auditMigrations2,
  ...billingMigrations,
  ...dmpMigrations2,
  ...outboxMigrations2,
  ...outboxMigrations3,
  ...dmpMigrations3,
];

export const migrations: readonly Migration[] = steps.map((step, index) => ({
  version: index + 1,
  name: step.name,
  up: step.up,
}));
