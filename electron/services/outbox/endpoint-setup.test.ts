/**
 * « configuré » in the File d'envoi: an endpoint whose queues say why it cannot be reached (billing
 * without the SESAM-Vitale library has no address to type) is « non configuré » with that next
 * step, whatever the host's address check says; without such a queue, the address check decides.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createManualClock } from '../../platform/clock';
import { migrate, openDatabase } from '../../platform/db';
import { createMemoryLogger } from '../../platform/log';
import { Outbox, outboxSchema, type QueueDefinition } from '.';

const outboxes: Outbox[] = [];
afterEach(async () => {
  await Promise.all(outboxes.splice(0).map((o) => o.stop(0)));
});

function outboxWith(endpointConfigured: (endpoint: string) => boolean): Outbox {
  const db = openDatabase({ path: ':memory:' });
  migrate(db, outboxSchema.map((m, i) => ({ ...m, version: i + 1 })));
  const clock = createManualClock();
  const outbox = new Outbox({ db, clock, logger: createMemoryLogger(clock), audit: () => undefined, notify: () => undefined, endpointConfigured });
  outboxes.push(outbox);
  return outbox;
}

function queue(name: string, endpoint: string, endpointSetup?: () => string | null): QueueDefinition<{ n: number }> {
  return {
    name,
    label: name,
    endpoint,
    payload: z.object({ n: z.number() }),
    concurrency: 1,
    attemptTimeoutMs: 1_000,
    timeBudgetMs: 60_000,
    maxAttempts: 3,
    run: async () => undefined,
    ...(endpointSetup === undefined ? {} : { endpointSetup }),
  };
}

describe('endpoint configured or not', () => {
  it('says « non configuré » with the queue’s next step when the queue cannot reach its endpoint, even if the address check would say yes', () => {
    const outbox = outboxWith(() => true);
    let hint: string | null = 'Faites installer la bibliothèque du GIE SESAM-Vitale.';
    outbox.register(queue('billing.lot', 'facturation', () => hint));
    expect(outbox.endpoints()).toEqual([expect.objectContaining({ endpoint: 'facturation', configured: false, setupHint: 'Faites installer la bibliothèque du GIE SESAM-Vitale.' })]);
    // The library installed (démo: the modelled transport): configured, with no hint.
    hint = null;
    const [state] = outbox.endpoints();
    expect(state).toMatchObject({ endpoint: 'facturation', configured: true });
    expect(state).not.toHaveProperty('setupHint');
  });

  it('leaves endpoints without such a queue to the address check', () => {
    const outbox = outboxWith((endpoint) => endpoint === 'dmp');
    outbox.register(queue('dmp.send', 'dmp'));
    outbox.register(queue('insi.lookup', 'insi'));
    expect(outbox.endpoints().map((e) => [e.endpoint, e.configured, e.setupHint])).toEqual([
      ['dmp', true, undefined],
      ['insi', false, undefined],
    ]);
  });
});
