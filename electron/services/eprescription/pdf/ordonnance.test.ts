import { describe, expect, it } from 'vitest';
import { decodeQrOnPage, pdfInfo } from '../../../../fixtures/testing/pdf';
import { samplePrescription, sampleMedications } from '../../../../fixtures/data/prescriptions';
import { CONSENT_QUESTION, renderOrdonnancePdf } from './ordonnance';

const words = (text: string): string => text.replace(/\s+/g, ' ');

describe('the paper ordonnance (PDF)', () => {
  it('carries every mention of the facsimile, and its QR code decodes back to the number (A4 and A5)', async () => {
    const prescription = samplePrescription();
    for (const [format, width, height] of [
      ['A4', 595, 842],
      ['A5', 420, 595],
    ] as const) {
      const pdf = await renderOrdonnancePdf(prescription, format);
      const info = await pdfInfo(pdf);
      expect([Math.round(info.width), Math.round(info.height)]).toEqual([width, height]);
      const text = words(info.text);
      for (const mention of [
        'Dr CAMILLE PUPITRE',
        'Qualifié en médecine générale',
        'CABINET MEDICAL PUPITRE DEMO',
        '12 rue des Lilas',
        'N° RPPS : 99700123450',
        'N° AM : 751234567',
        'Mme PAT-TROIS DOMINIQUE',
        'Né(e) le 28/03/1979',
        'Poids : 62 kg',
        'Fait à Paris, le 30/11/2026',
        'DOLIPRANE 1000 mg, comprimé (CIS 60234100',
        'voie orale',
        'sans dépasser 3 comprimés par jour',
        'NON SUBSTITUABLE (MTE)',
        'Location : 60 jours',
        'affection de longue durée',
        '[X] OUI [ ] NON',
        'Assurance Maladie',
        'ameli.fr',
        'e-prescription N° 01S2TB PZ2JCN ZZYGHZ',
      ]) {
        expect(text, `${format}: ${mention}`).toContain(mention);
      }
      expect(text).toContain(words(CONSENT_QUESTION).slice(0, 40));
      expect(await decodeQrOnPage(pdf)).toBe('01S2TBPZ2JCNZZYGHZ');
    }
  });

  it('is the same file for the same prescription, and answers NON when the patient refuses', async () => {
    const a = await renderOrdonnancePdf(samplePrescription({ consent: 'NON' }), 'A4');
    const b = await renderOrdonnancePdf(samplePrescription({ consent: 'NON' }), 'A4');
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(words((await pdfInfo(a)).text)).toContain('[ ] OUI [X] NON');
  });

  it('continues on more pages with the QR code and the number on each, and never fails on a character the font lacks', async () => {
    const many = Array.from({ length: 18 }, (_, i) => ({ ...sampleMedications()[0]!, id: `L${i}`, name: `MÉDICAMENT ${i + 1} ✓ 🙂 Ω` }));
    const pdf = await renderOrdonnancePdf(samplePrescription({ lines: many }), 'A5');
    const info = await pdfInfo(pdf);
    expect(info.pages).toBeGreaterThan(1);
    expect(info.text).toContain('MÉDICAMENT 18');
    expect(info.text).toContain(`Page 2/${info.pages}`);
    expect(await decodeQrOnPage(pdf, 2)).toBe('01S2TBPZ2JCNZZYGHZ');
  });
});
