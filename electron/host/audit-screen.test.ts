/**
 * Issue 13, « French for people »: the audit screen names the person who acted (not an IdNat) and
 * the patient (not a reference), and can be filtered by patient, person, action and date.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHost, type TestHost } from '../../fixtures/testing/host';

let host: TestHost;
let dupont: string;

beforeAll(async () => {
  host = await createTestHost();
  // Yesterday: the desk (no card) looks a patient up.
  const { results } = await host.dispatcher.invoke('patients.search', { query: 'dupont' });
  dupont = results[0]?.id as string;
  await host.dispatcher.invoke('patients.get', { id: dupont });
  host.clock.advance(86_400_000);
  // Today: the practitioner's card opens a session, then reads two patients.
  await host.dispatcher.invoke('demo.cards.insert', { profile: 'cps-praticien' });
  await host.cards.start();
  await host.dispatcher.invoke('cards.verifyPin', { pin: '1234' });
  await host.dispatcher.invoke('patients.get', { id: dupont });
  const garcia = (await host.dispatcher.invoke('patients.search', { query: 'garcia' })).results[0]?.id as string;
  await host.dispatcher.invoke('patients.get', { id: garcia });
}, 120_000);

afterAll(async () => {
  await host.close();
});

describe('audit screen', () => {
  it('knows the people who acted on this desk by their name and card', async () => {
    const { people } = await host.dispatcher.invoke('audit.people', {});
    expect(people).toEqual(expect.arrayContaining([expect.objectContaining({ actor: '899700123450', name: 'Camille PUPITRE', cardType: 'CPS' })]));
  });

  it('names the actor and the patient of every entry', async () => {
    const { entries } = await host.dispatcher.invoke('audit.list', { limit: 100 });
    const read = entries.find((e) => e.action === 'patient.read' && e.actor === '899700123450' && e.patientRef === dupont);
    expect(read).toMatchObject({ actorName: 'Camille PUPITRE', patientName: 'DUPONT MARIE-HELENE' });
    const desk = entries.find((e) => e.actor === 'poste');
    expect(desk?.actorName).toBe('Le poste (sans carte)');
    for (const entry of entries) expect(entry.actorName).not.toMatch(/^\d{10,}$/);
  });

  it('filters by person, action, patient and date', async () => {
    const byPerson = await host.dispatcher.invoke('audit.list', { limit: 100, actor: '899700123450' });
    expect(byPerson.entries.length).toBeGreaterThan(0);
    expect(byPerson.entries.every((e) => e.actor === '899700123450')).toBe(true);

    const byAction = await host.dispatcher.invoke('audit.list', { limit: 100, action: 'patient.read' });
    expect(byAction.entries.length).toBeGreaterThanOrEqual(3);
    expect(byAction.entries.every((e) => e.action === 'patient.read')).toBe(true);

    const byPatient = await host.dispatcher.invoke('audit.list', { limit: 100, patient: 'dupont' });
    expect(byPatient.entries.length).toBeGreaterThanOrEqual(2);
    expect(byPatient.entries.every((e) => e.patientRef === dupont)).toBe(true);

    // Dates are the desk's local days.
    const pad = (n: number) => String(n).padStart(2, '0');
    const localDay = (ms: number) => {
      const d = new Date(ms);
      return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
    };
    const today = localDay(host.clock.now());
    const yesterday = localDay(host.clock.now() - 86_400_000);
    const onlyYesterday = await host.dispatcher.invoke('audit.list', { limit: 100, action: 'patient.read', from: yesterday, to: yesterday });
    expect(onlyYesterday.entries.map((e) => e.actor)).toEqual(['poste']);
    const sinceToday = await host.dispatcher.invoke('audit.list', { limit: 100, action: 'patient.read', from: today });
    expect(sinceToday.entries.every((e) => e.actor === '899700123450')).toBe(true);
  });
});
