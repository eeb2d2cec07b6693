/** The « Ordonnance » panel of a patient record, for the prescriber's card (a pharmacist dispenses from its own screen). */
import { useCardsState } from '../cards/hooks';
import { PrescriptionPanel } from './PrescriptionPanel';

/** TRE_G15 profession 21: pharmacien. */
const PHARMACIST = '21';

export function PatientOrdonnances({ patientId }: { patientId: string }) {
  const { session } = useCardsState();
  if (session.data?.profession?.code === PHARMACIST) return null;
  return <PrescriptionPanel patientId={patientId} />;
}
