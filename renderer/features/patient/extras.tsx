/** Panels other features add under a patient's identity (ordonnances, the DMP panel). */
import type { ReactNode } from 'react';
import { DmpPanel } from '../dmp/DmpPanel';
import { PatientOrdonnances } from '../eprescription/PatientOrdonnances';

export function patientExtras(patientId: string): ReactNode {
  return (
    <>
      <PatientOrdonnances patientId={patientId} />
      <DmpPanel patientId={patientId} />
    </>
  );
}
