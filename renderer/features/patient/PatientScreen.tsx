/** Patient section: search (default), new patient, import, and a record at `#/patient/<id>`. */
import { useRoute } from '../../app/router';
import { PatientForm } from './PatientForm';
import { PatientImport } from './PatientImport';
import { PatientRecord } from './PatientRecord';
import { PatientSearch } from './PatientSearch';
import { patientExtras } from './extras';

export function PatientScreen() {
  const path = useRoute();
  const rest = path.replace(/^\/patient\/?/, '');
  if (rest === '') return <PatientSearch />;
  if (rest === 'nouveau') return <PatientForm />;
  if (rest === 'import') return <PatientImport />;
  const id = decodeURIComponent(rest.split('/')[0] ?? '');
  return <PatientRecord id={id} extra={patientExtras(id)} />;
}
