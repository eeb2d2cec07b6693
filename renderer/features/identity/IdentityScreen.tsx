/** Identités (INS): the worklist at `#/identites`, the qualification of one patient at `#/identites/<id>`. */
import { useRoute } from '../../app/router';
import { Qualification } from './Qualification';
import { Worklist } from './Worklist';

export function IdentityScreen() {
  const path = useRoute();
  const rest = path.replace(/^\/identites\/?/, '');
  if (rest === '') return <Worklist />;
  return <Qualification patientId={decodeURIComponent(rest.split('/')[0] ?? '')} />;
}
