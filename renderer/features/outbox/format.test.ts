import { describe, expect, it } from 'vitest';
import type { OutboxStatus } from '../../../electron/contract/domains/outbox';
import { canCancel, canRetry, endpointBadge, indicatorView, openCount } from './format';

const base: OutboxStatus = {
  queues: [{ queue: 'dmp.send', label: 'Envoi au DMP', endpoint: 'dmp', pending: 2, running: 1, retry_wait: 1, blocked: 1, dead: 0, done: 9 }],
  endpoints: [{ endpoint: 'dmp', configured: true, online: true, lastSuccessAt: null, lastFailureAt: null, lastErrorCode: null }],
  deadTotal: 0,
};

describe('outbox indicator', () => {
  it('counts the jobs still to send', () => {
    expect(openCount(base)).toBe(5);
    expect(indicatorView(base)).toMatchObject({ tone: 'info', text: '5 envois en attente' });
  });

  it('puts dead jobs first, whatever else is going on', () => {
    const view = indicatorView({ ...base, deadTotal: 1, endpoints: [{ ...base.endpoints[0]!, online: false }] });
    expect(view).toMatchObject({ tone: 'error', text: '1 envoi à traiter' });
  });

  it('says when an endpoint is offline, then when everything is sent', () => {
    expect(indicatorView({ ...base, endpoints: [{ ...base.endpoints[0]!, online: false }] })).toMatchObject({ tone: 'warn', text: 'Hors ligne · 5 en attente' });
    const idle = { ...base, queues: [{ ...base.queues[0]!, pending: 0, running: 0, retry_wait: 0, blocked: 0 }] };
    expect(indicatorView(idle)).toMatchObject({ tone: 'ok', text: "File d'envoi à jour" });
    expect(indicatorView(undefined).tone).toBe('neutral');
  });

  it('says « non configuré » for a service whose address is still to be set, never « joignable » nor « hors ligne »', () => {
    const unconfigured = { ...base, endpoints: [{ ...base.endpoints[0]!, configured: false, online: true }] };
    const view = indicatorView(unconfigured);
    expect(view.text).toBe('DMP non configuré · 5 en attente');
    expect(view.tone).toBe('warn');
    expect(view.title).toContain('Paramètres');
    expect(endpointBadge(unconfigured.endpoints[0]!)).toMatchObject({ tone: 'warn', text: 'DMP non configuré' });
    expect(endpointBadge(base.endpoints[0]!)).toMatchObject({ tone: 'ok', text: 'DMP joignable' });
    expect(endpointBadge({ ...base.endpoints[0]!, online: false })).toMatchObject({ tone: 'warn', text: 'DMP injoignable' });
  });

  it('gives the next step of a service that has no address to type (billing without its library)', () => {
    const setupHint = 'Télétransmission non configurée sur ce poste : faites installer la bibliothèque du GIE SESAM-Vitale.';
    const billing = { endpoint: 'facturation', configured: false, setupHint, online: false, lastSuccessAt: null, lastFailureAt: null, lastErrorCode: null };
    expect(endpointBadge(billing)).toEqual({ tone: 'warn', text: 'FACTURATION non configuré', title: setupHint });
    const status = { ...base, queues: [{ ...base.queues[0]!, queue: 'billing.lot', endpoint: 'facturation' }], endpoints: [billing] };
    expect(indicatorView(status)).toMatchObject({ tone: 'warn', text: 'FACTURATION non configuré · 5 en attente', title: setupHint });
  });

  it('offers retry and cancel only where the host accepts them', () => {
    const job = { status: 'running' } as Parameters<typeof canRetry>[0];
    expect(canRetry(job)).toBe(false);
    expect(canCancel(job)).toBe(false);
    expect(canRetry({ ...job, status: 'dead' })).toBe(true);
    expect(canCancel({ ...job, status: 'dead' })).toBe(true);
    expect(canCancel({ ...job, status: 'done' })).toBe(false);
  });
});
