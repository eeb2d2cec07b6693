/**
 * The ordonnance's numéro AM in the composed démo host: billing knows whose card a number belongs
 * to (the first that opened a session under it); the e-prescription asks it before printing the
 * number of Paramètres on a prescriber's ordonnance (host/compose.ts wires the two).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DOLIPRANE_INPUT_LINE } from '../../fixtures/data/prescriptions';
import { createTestHost, type TestHost } from '../../fixtures/testing/host';

let host: TestHost | undefined;
afterEach(async () => {
  await host?.close();
  host = undefined;
});

describe("the numéro AM printed on an ordonnance, in the host", () => {
  it("refuses the number another practitioner's card billed under, and prints the card's own", async () => {
    host = await createTestHost();
    const h = host;
    h.cards.start();
    await h.dispatcher.invoke('demo.cards.insert', { profile: 'cps-praticien' });
    await h.dispatcher.invoke('cards.verifyPin', { pin: '1234' });
    await h.dispatcher.invoke('settings.set', { key: 'practitioner.amNumber', value: '751234567' });
    // This card bills under the number: it is its own.
    const session = await h.dispatcher.invoke('billing.openSession', { mode: 'offline', place: 'cabinet' });
    const prescribe = () => h.dispatcher.invoke('eprescription.prescribe', { patientId: 'no-such-record', lines: [DOLIPRANE_INPUT_LINE], consent: 'OUI' });
    // Past the numéro AM, the next check speaks (the record): the number was accepted.
    await expect(prescribe()).rejects.toMatchObject({ code: 'PATIENT_NOT_FOUND' });
    // A colleague's number, typed in Paramètres of the shared desk after he billed under it.
    h.db.prepare(`UPDATE billing_session SET practitioner = '759999999' WHERE id = ?`).run(session.id);
    h.db
      .prepare(
        `INSERT INTO billing_session (id, practitioner, id_nat, practitioner_name, specialty, convention_sector, mode, place, status, session_date, opened_at)
         SELECT 'colleague', '751234567', '899700999999', 'DR COLLEGUE', specialty, convention_sector, mode, place, 'closed', session_date, opened_at - 1 FROM billing_session WHERE id = ?`,
      )
      .run(session.id);
    await expect(prescribe()).rejects.toMatchObject({ code: 'ERX_AM_NUMBER_OTHER_PRACTITIONER' });
  });
});
