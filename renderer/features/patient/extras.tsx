/** Panels other features add under a patient's identity (rights, ordonnances, DMP panel). */
import type { ReactNode } from 'react';
import { RightsPanel } from '../adri/RightsPanel';
import { DmpPanel } from '../dmp/DmpPanel';
import { PatientOrdonnances } from '../eprescription/PatientOrdonnances';

export function patientExtras(patientId: string): ReactNode {
  return (
    <>
      <RightsPanel patientId={patientId} />
      <PatientOrdonnances patientId={patientId} />
      <DmpPanel patientId={patientId} />
    </>
  );
}
