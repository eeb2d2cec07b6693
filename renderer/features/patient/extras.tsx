/** Panels other features add under a patient's identity (the DMP panel). */
import type { ReactNode } from 'react';
import { DmpPanel } from '../dmp/DmpPanel';

export function patientExtras(patientId: string): ReactNode {
  return <DmpPanel patientId={patientId} />;
}
