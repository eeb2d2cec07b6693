/**
 * A merge in the composed host: the merged record's unfinished outbox jobs follow the record kept
 * (participant registered by compose.ts), finished ones stay as history.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createTestHost, type TestHost } from '../../fixtures/testing/host';
import { INSI_LOOKUP_QUEUE } from '../services/insi';

let host: TestHost | undefined;
afterEach(async () => {
  await host?.close();
  host = undefined;
});

describe('merging two patient records in the host', () => {
  it('moves the merged record’s pending outbox jobs to the record kept, with a trace of what moved', async () => {
    host = await createTestHost();
    const patients = host.patients;
    const kept = patients.create({ strictTraits: { birthName: 'Dupont', birthGivenNames: 'Jean', birthDate: '12/03/1984', sex: 'M' } }, 'poste').patient;
    const merged = patients.create({ strictTraits: { birthName: 'Dupond', birthGivenNames: 'Jean', birthDate: '12/03/1984', sex: 'M' }, acknowledgeDuplicates: true }, 'poste').patient;
    const job = host.outbox.enqueue(INSI_LOOKUP_QUEUE, {
      idempotencyKey: `test:${merged.id}`,
      serialKey: `patient:${merged.id}`,
      payload: { worklistId: 'none', patientId: merged.id },
      subject: { patientId: merged.id, label: 'Recherche INSi', ref: 'test' },
    });
    const result = patients.merge({ keptId: kept.id, mergedId: merged.id, reason: 'même personne' }, 'poste');
    expect(result.moved).toContainEqual({ label: 'envois en attente', count: 1 });
    expect(result.moved).toContainEqual({ label: 'documents DMP à envoyer', count: 0 });
    expect(host.outbox.get(job.id)?.subject.patientId).toBe(kept.id);
    expect(host.outbox.list({ patientId: kept.id }).map((j) => j.id)).toContain(job.id);
    const entries = host.audit.list({ limit: 50, patientRef: kept.id }).filter((e) => e.action === 'patient.merge');
    expect(entries).toHaveLength(1);
  });
});
