/** Patient section: search (default), new patient, import, doublons potentiels, and a record at `#/patient/<id>`. */
import { useRoute } from '../../app/router';
import { DuplicateCompare, DuplicatesList } from './Duplicates';
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
  if (rest === 'doublons') return <DuplicatesList />;
  if (rest.startsWith('doublons/')) {
    const [, a = '', b = ''] = rest.split('/');
    return <DuplicateCompare a={decodeURIComponent(a)} b={decodeURIComponent(b)} />;
  }
  const [first = '', action] = rest.split('/');
  const id = decodeURIComponent(first);
  // `#/patient/<id>/modifier` opens the record with « Modifier l'identité » (from a refused INSi result).
  return <PatientRecord key={`${id}-${action ?? ''}`} id={id} extra={patientExtras(id)} edit={action === 'modifier'} />;
}
