/**
 * The desk's rights (rights.ts) against PDT-INF-526 v1.8 itself, read from the PDF (pdftotext):
 * for every operation Pupitre performs and every column it can tell apart, the decision equals the
 * printed cell ("oui", with or without a footnote, allows; footnotes about documents are checked
 * with a document context below). The DMP simulator's own transcription is checked against the same
 * PDF (fixtures/sim/dmp/rights.conformance.test.ts): two independent readings of one table.
 */
import { expect, it } from 'vitest';
import { hasPdftotext, rightsMatrixFromPdf } from '../../../fixtures/testing/pdt-inf-526';
import { describeWithPrerequisites, hasReference, referenceDir, type PrerequisiteCheck } from '../../../fixtures/testing/tier';
import { isAllowed, type DmpActor, type DmpOperation } from './rights';

const both: PrerequisiteCheck = () => hasReference() ?? hasPdftotext();

/** The PDF's rows, in order (27), named as Pupitre's operations where it performs them. */
const ROWS = [
  'TD0.0', 'TD0.1', 'TD0.2', 'TD0.3 déclarer', 'TD0.3 supprimer', 'TD0.3 supprimer MT', 'TD0.4', 'TD0.5', 'TD0.9', 'TD1.3a', 'TD1.6', 'TD2.1', 'TD2.2',
  'TD3.1 métadonnées', 'TD3.1 référence', 'TD3.2 non masqués', 'TD3.2 masqués', 'TD3.2 non visibles', 'TD3.2 archivés', 'TD3.2 obsolètes', 'TD3.2 supprimés',
  'TD3.3a masquer', 'TD3.3a démasquer', 'TD3.3b visible', 'TD3.3d archiver', 'TD3.3d désarchiver', 'TD3.3c supprimer',
] as const;

/** The PDF's columns Pupitre can tell apart (the médecin du travail, column 7, is not). */
const COLUMNS: ReadonlyArray<[number, string, DmpActor]> = [
  [0, 'PS non médecin, normal', { credential: 'CPS', profession: '60', treatingDoctor: false, purposeOfUse: 'normal' }],
  [1, 'PS non médecin, régulation', { credential: 'CPS', profession: '60', treatingDoctor: false, purposeOfUse: 'centre_15' }],
  [2, 'PS non médecin, bris de glace', { credential: 'CPS', profession: '60', treatingDoctor: false, purposeOfUse: 'bris_de_glace' }],
  [3, 'médecin non MT, normal', { credential: 'CPS', profession: '10', treatingDoctor: false, purposeOfUse: 'normal' }],
  [4, 'médecin non MT, régulation', { credential: 'CPS', profession: '10', treatingDoctor: false, purposeOfUse: 'centre_15' }],
  [5, 'médecin non MT, bris de glace', { credential: 'CPS', profession: '10', treatingDoctor: false, purposeOfUse: 'bris_de_glace' }],
  [7, 'médecin traitant, normal', { credential: 'CPS', profession: '10', treatingDoctor: true, purposeOfUse: 'normal' }],
  [8, 'médecin traitant, bris de glace', { credential: 'CPS', profession: '10', treatingDoctor: true, purposeOfUse: 'bris_de_glace' }],
  [9, 'CPE, normal', { credential: 'CPE', profession: null, treatingDoctor: false, purposeOfUse: 'normal' }],
  [10, 'structure, normal', { credential: 'STRUCTURE', profession: null, treatingDoctor: false, purposeOfUse: 'normal' }],
  [11, 'structure, régulation', { credential: 'STRUCTURE', profession: null, treatingDoctor: false, purposeOfUse: 'centre_15' }],
];

describeWithPrerequisites('conformance', both, 'the desk’s DMP rights against PDT-INF-526 v1.8', () => {
  let rows: string[][] | null = null;
  const cell = (row: (typeof ROWS)[number], column: number): string => {
    rows ??= rightsMatrixFromPdf(referenceDir() as string);
    expect(rows).toHaveLength(ROWS.length);
    return rows[ROWS.indexOf(row)]?.[column] as string;
  };
  const allows = (value: string): boolean => value !== 'non';

  it('decides as the PDF for every operation it performs, in every column it tells apart', () => {
    const operations: Array<[DmpOperation, (c: number) => boolean]> = [
      ['TD0.2', (c) => allows(cell('TD0.2', c))],
      // One operation for adding and removing one's authorisation: allowed where both are.
      ['TD0.3', (c) => allows(cell('TD0.3 déclarer', c)) && allows(cell('TD0.3 supprimer', c))],
      // A CPE feeds through TD2.2.
      ['TD2.1', (c) => allows(cell(c === 9 ? 'TD2.2' : 'TD2.1', c))],
      ['TD3.1', (c) => allows(cell('TD3.1 métadonnées', c))],
      ['TD3.1-reference', (c) => allows(cell('TD3.1 référence', c))],
      ['TD3.2', (c) => allows(cell('TD3.2 non masqués', c))],
      ['TD3.3a', (c) => allows(cell('TD3.3a masquer', c))],
      ['TD3.3b', (c) => allows(cell('TD3.3b visible', c))],
      ['TD3.3c', (c) => allows(cell('TD3.3c supprimer', c))],
      ['TD3.3d', (c) => allows(cell('TD3.3d archiver', c))],
    ];
    const differences: string[] = [];
    for (const [operation, official] of operations) {
      for (const [index, label, actor] of COLUMNS) {
        const ours = isAllowed(operation, actor).allowed;
        if (ours !== official(index)) differences.push(`${operation}, ${label}: PDF ${official(index)}, Pupitre ${ours}`);
      }
    }
    expect(differences).toEqual([]);
  });

  it('applies the footnotes on documents: (8) own documents, (9) the structure’s, * a patient’s document only by the médecin traitant', () => {
    const own = { own: true, patientDocument: false };
    const other = { own: false, patientDocument: false };
    const patients = { own: false, patientDocument: true };
    for (const [index, label, actor] of COLUMNS) {
      const printed = cell('TD3.3c supprimer', index);
      expect(printed, label).toMatch(/^oui \((8|9)\)$/);
      expect(isAllowed('TD3.3c', actor, own).allowed, label).toBe(true);
      expect(isAllowed('TD3.3c', actor, other).allowed, label).toBe(false);
      expect(isAllowed('TD3.3c', actor, patients).allowed, label).toBe(index === 7 || index === 8);
      const archive = cell('TD3.3d archiver', index);
      if (archive === 'non') continue;
      expect(isAllowed('TD3.3d', actor, other).allowed, `${label} (${archive})`).toBe(archive === 'oui');
      expect(isAllowed('TD3.3d', actor, patients).allowed, label).toBe(index === 7 || index === 8);
    }
  });
});
