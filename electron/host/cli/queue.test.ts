import { beforeAll, describe, expect, it } from 'vitest';
import { dataDirLeftBy, TEST_LOT_QUEUE, testLotQueue } from '../../../fixtures/testing/outbox/left-jobs';
import { main } from './main';
import { syncExitCode } from './queue';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

describe('pupitre queue', () => {
  let dataDir = '';
  let deadId = '';

  beforeAll(async () => {
    // A previous session of the app left one sent job and one dead job.
    dataDir = await dataDirLeftBy('pupitre-queue', testLotQueue({ endpoint: 'sim', refused: (lot) => lot === 2 }), async (outbox) => {
      outbox.enqueue(TEST_LOT_QUEUE, { idempotencyKey: 'lot-1', payload: { lot: 1 }, subject: { label: 'Lot 1' } });
      deadId = outbox.enqueue(TEST_LOT_QUEUE, { idempotencyKey: 'lot-2', payload: { lot: 2 }, subject: { label: 'Lot 2', patientId: 'pat-9' } }).id;
      await outbox.whenIdle();
    });
  });

  it('status --json gives the counts per queue and the dead total', async () => {
    const c = capture();
    expect(await main(['queue', 'status', '--json', '--data-dir', dataDir], c.io)).toBe(0);
    const status = JSON.parse(c.out.join('')) as { deadTotal: number; queues: Array<{ queue: string; done: number; dead: number }> };
    expect(status.deadTotal).toBe(1);
    expect(status.queues).toEqual(expect.arrayContaining([expect.objectContaining({ queue: 'test.lot', done: 1, dead: 1 })]));
  });

  it('list --state dead --json lists the jobs to resolve with their French error, without payload', async () => {
    const c = capture();
    expect(await main(['queue', 'list', '--state', 'dead', '--json', '--data-dir', dataDir], c.io)).toBe(0);
    const { jobs } = JSON.parse(c.out.join('')) as { jobs: Array<Record<string, unknown>> };
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ id: deadId, status: 'dead', lastErrorCode: 'OUTBOX_PAYLOAD_INVALID', subject: { label: 'Lot 2', patientId: 'pat-9' } });
    expect(jobs[0]?.lastErrorMessage).toMatch(/invalides/);
    expect(jobs[0]).not.toHaveProperty('payload');
    const bad = capture();
    expect(await main(['queue', 'list', '--state', 'lost', '--data-dir', dataDir], bad.io)).toBe(2);
  });

  it('retry ID puts a dead job back in the queue; cancel needs --yes', async () => {
    const retry = capture();
    expect(await main(['queue', 'retry', deadId, '--json', '--data-dir', dataDir], retry.io)).toBe(0);
    expect(JSON.parse(retry.out.join(''))).toMatchObject({ job: { id: deadId, status: 'pending', attempts: 0 } });

    const unconfirmed = capture();
    expect(await main(['queue', 'cancel', deadId, '--data-dir', dataDir], unconfirmed.io)).toBe(2);
    const cancel = capture();
    expect(await main(['queue', 'cancel', deadId, '--yes', '--json', '--data-dir', dataDir], cancel.io)).toBe(0);
    expect(JSON.parse(cancel.out.join(''))).toMatchObject({ job: { status: 'cancelled' } });

    const missing = capture();
    expect(await main(['queue', 'retry', '424242', '--json', '--data-dir', dataDir], missing.io)).toBe(1);
    expect(JSON.parse(missing.out.join(''))).toMatchObject({ error: { code: 'OUTBOX_JOB_NOT_FOUND' } });
  });

  it('sync runs without error and reports the status', async () => {
    const c = capture();
    expect(await main(['queue', 'sync', '--data-dir', dataDir], c.io)).toBe(0);
    expect(c.out.join('\n')).toContain('Synchronisation terminée');
    expect(c.out.join('\n')).toContain('Aucun envoi à traiter');
  });
});

describe('pupitre queue sync reports what it could not send', () => {
  let dataDir = '';

  beforeAll(async () => {
    // A session that left: one job dead (needs a person), and one job of a queue this version does not know.
    dataDir = await dataDirLeftBy('pupitre-queue-sync', testLotQueue({ endpoint: 'sim', refused: () => true }), async (outbox) => {
      outbox.enqueue(TEST_LOT_QUEUE, { idempotencyKey: 'lot-1', payload: { lot: 1 }, subject: { label: 'Lot 1' } });
      await outbox.whenIdle();
      outbox.enqueue(TEST_LOT_QUEUE, { idempotencyKey: 'lot-2', payload: { lot: 2 }, subject: { label: 'Lot 2' } });
    });
  });

  it('lists each unsent job with its reason, and exits 1 when a person must act', async () => {
    const c = capture();
    expect(await main(['queue', 'sync', '--json', '--data-dir', dataDir], c.io)).toBe(1);
    const result = JSON.parse(c.out.join('')) as { sent: number; unsentTotal: number; unsent: Array<{ reason: string; needsPerson: boolean; job: { subject: { label: string } } }> };
    expect(result.sent).toBe(0);
    expect(result.unsentTotal).toBe(2);
    expect(result.unsent.map((u) => [u.job.subject.label, u.reason, u.needsPerson])).toEqual([
      ['Lot 1', 'dead', true],
      ['Lot 2', 'queue-unavailable', true],
    ]);
    const text = capture();
    expect(await main(['queue', 'sync', '--data-dir', dataDir], text.io)).toBe(1);
    expect(text.out.join('\n')).toMatch(/0 envoi\(s\) parti\(s\), 2 non envoyé\(s\)/);
    expect(text.out.join('\n')).toMatch(/Lot 1\n {4}À traiter : Les données de cet envoi sont invalides/);
  });

  it('exits 75 when what is left will be retried by Pupitre itself, 0 when everything left', () => {
    const base = { queues: [], endpoints: [], deadTotal: 0, sent: 3 };
    const unsentJob = (needsPerson: boolean) => ({
      job: {} as never,
      reason: needsPerson ? ('blocked' as const) : ('endpoint-offline' as const),
      detail: '',
      needsPerson,
    });
    expect(syncExitCode({ ...base, unsentTotal: 0, unsent: [] })).toBe(0);
    expect(syncExitCode({ ...base, unsentTotal: 1, unsent: [unsentJob(false)] })).toBe(75);
    expect(syncExitCode({ ...base, unsentTotal: 2, unsent: [unsentJob(false), unsentJob(true)] })).toBe(1);
  });
});
