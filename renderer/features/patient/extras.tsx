/** Panels other features add under a patient's identity (rights, DMP panel). */
import type { ReactNode } from 'react';
import { RightsPanel } from '../adri/RightsPanel';
import { DmpPanel } from '../dmp/DmpPanel';

export function patientExtras(patientId: string): ReactNode {
  return (
    <>
      <RightsPanel patientId={patientId} />
      <DmpPanel patientId={patientId} />
    </>
  );
}
