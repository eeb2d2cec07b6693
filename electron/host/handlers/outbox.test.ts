import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../../contract';
import { createManualClock } from '../../platform/clock';
import { migrate, openDatabase } from '../../platform/db';
import { createMemoryLogger } from '../../platform/log';
import type { AuditInput } from '../../services/audit';
import { Outbox, outboxSchema } from '../../services/outbox';
import { RpcDispatcher } from '../rpc';
import { createOutboxHandlers, outboxDoctorCheck } from './outbox';

function setup() {
  const db = openDatabase({ path: ':memory:' });
  migrate(db, outboxSchema.map((m, i) => ({ ...m, version: i + 1 })));
  const clock = createManualClock();
  const logger = createMemoryLogger(clock);
  const audit: AuditInput[] = [];
  const outbox = new Outbox({ db, clock, logger, audit: (entry) => audit.push(entry) });
  outbox.register({
    name: 'dmp.send',
    label: 'Envoi au DMP',
    endpoint: 'dmp',
    payload: z.object({ secretContent: z.string() }),
    concurrency: 1,
    attemptTimeoutMs: 1_000,
    timeBudgetMs: 60_000,
    maxAttempts: 3,
    run: async () => {
      throw new AppError('OUTBOX_PAYLOAD_INVALID');
    },
  });
  const dispatcher = new RpcDispatcher(logger);
  dispatcher.register(createOutboxHandlers(outbox, { actor: () => '899700123450' }));
  return { outbox, dispatcher, audit };
}

describe('outbox handlers', () => {
  it('never send the payload to the renderer, only the subject', async () => {
    const { outbox, dispatcher } = setup();
    const job = outbox.enqueue('dmp.send', {
      idempotencyKey: 'doc-1',
      payload: { secretContent: 'compte rendu confidentiel' },
      subject: { label: 'Document DMP (PDF, 12 ko)', patientId: 'pat-1', ref: '1.2.3' },
    });
    await outbox.whenIdle();
    const { jobs } = await dispatcher.invoke('outbox.list', { status: 'dead' });
    const got = await dispatcher.invoke('outbox.get', { id: job.id });
    expect(jobs).toEqual([expect.objectContaining({ id: job.id, queueLabel: 'Envoi au DMP', subject: { label: 'Document DMP (PDF, 12 ko)', patientId: 'pat-1', ref: '1.2.3' } })]);
    expect(got.attempts).toEqual([expect.objectContaining({ attempt: 1, outcome: 'final', errorCode: 'OUTBOX_PAYLOAD_INVALID' })]);
    expect(JSON.stringify({ jobs, got })).not.toContain('confidentiel');
    await expect(dispatcher.invoke('outbox.get', { id: '77' })).rejects.toMatchObject({ code: 'OUTBOX_JOB_NOT_FOUND' });
  });

  it('audits retry and cancel with the acting professional, and reports the status after a sync', async () => {
    const { outbox, dispatcher, audit } = setup();
    const job = outbox.enqueue('dmp.send', { idempotencyKey: 'doc-2', payload: { secretContent: 'x' }, subject: { label: 'Document', patientId: 'pat-2' } });
    await outbox.whenIdle();
    expect((await dispatcher.invoke('outbox.status', {})).deadTotal).toBe(1);
    expect(await outboxDoctorCheck(outbox).run()).toMatchObject({ status: 'warn', detail: '0 envoi(s) en attente ; 1 à traiter' });
    await dispatcher.invoke('outbox.retry', { id: job.id });
    const status = await dispatcher.invoke('outbox.sync', {});
    expect(status.deadTotal).toBe(1);
    expect((await dispatcher.invoke('outbox.cancel', { id: job.id })).job.status).toBe('cancelled');
    expect(await outboxDoctorCheck(outbox).run()).toEqual({ status: 'ok', detail: '0 envoi(s) en attente ; 0 à traiter' });
    expect(audit.map((a) => [a.actor, a.action, a.patientRef])).toEqual([
      ['899700123450', 'outbox.retry', 'pat-2'],
      ['899700123450', 'outbox.cancel', 'pat-2'],
    ]);
  });
});
