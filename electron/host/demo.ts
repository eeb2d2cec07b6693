/**
 * Demo wiring (ARCHITECTURE.md §7): in the `démo` environment the host loads the synthetic patient
 * base so a new user sees every flow at once. The simulators and virtual cards are attached by
 * their own `demo-*.ts` files. This is one of the few product files allowed to import `fixtures/`.
 */
import { seedDemoPatients } from '../../fixtures/data/demo-patients';
import type { Db } from '../platform/db';
import type { PatientsService } from '../services/patients';

/**
 * Loads the demo patients into an empty demo base; an existing base is left as the user made it.
 * One transaction for the whole seed: each step of each patient committed on its own cost one
 * fsync apiece (`synchronous=FULL`), about half a second of a fresh demo start (issue 15).
 */
export function seedDemoData(patients: PatientsService, db: Db): number {
  if (patients.environment() !== 'demo' || patients.count() > 0) return 0;
  return db.transaction(() => seedDemoPatients(patients).size).immediate();
}
