/**
 * An INS datamatrix whose INS is in no record of this desk: the identity it carries, and the
 * choice to create the record from it. The INS itself is not written from a scan: it is attached
 * by an INSi qualification from the record (Guide INS: only the teleservice confers an INS).
 */
import { useState } from 'react';
import type { InsDatamatrixIdentity } from '../../../electron/contract/domains/scan';
import { navigate } from '../../app/router';
import { useBridge } from '../../bridge/queries';
import { Button, Dialog, ErrorNotice } from '../../ui';

const SEX = { F: 'Féminin', M: 'Masculin' } as const;
const frenchDate = (iso: string): string => iso.split('-').reverse().join('/');

export function InsDatamatrixDialog({ identity, onClose }: { identity: InsDatamatrixIdentity | null; onClose(): void }) {
  const bridge = useBridge();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const create = async () => {
    if (identity === null) return;
    setBusy(true);
    setError(null);
    try {
      const created = await bridge.invoke('patients.create', {
        strictTraits: {
          birthName: identity.birthName,
          birthGivenNames: identity.birthGivenNames,
          birthDate: frenchDate(identity.birthDate),
          sex: identity.sex,
          ...(identity.birthPlaceCode === null ? {} : { birthPlaceCode: identity.birthPlaceCode }),
        },
        acknowledgeDuplicates: false,
      });
      onClose();
      navigate(`/patient/${created.patient.id}`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open={identity !== null}
      title="Datamatrix INS : patient inconnu sur ce poste"
      onClose={onClose}
      actions={
        <>
          <Button onClick={onClose}>Fermer</Button>
          <Button variant="primary" onClick={() => void create()} busy={busy} data-testid="ins-datamatrix-create">
            Créer la fiche avec ces traits
          </Button>
        </>
      }
    >
      {identity ? (
        <div data-testid="ins-datamatrix-identity">
          <p>Aucune fiche de ce poste ne porte l’INS de ce datamatrix. Traits lus :</p>
          <dl className="facts">
            <dt>Nom de naissance</dt>
            <dd>{identity.birthName}</dd>
            <dt>Prénoms de naissance</dt>
            <dd>{identity.birthGivenNames}</dd>
            <dt>Sexe</dt>
            <dd>{SEX[identity.sex]}</dd>
            <dt>Date de naissance</dt>
            <dd>{frenchDate(identity.birthDate)}</dd>
            <dt>Lieu de naissance (code INSEE)</dt>
            <dd>{identity.birthPlaceCode ?? 'non indiqué'}</dd>
          </dl>
          <p className="muted">La fiche sera créée en identité provisoire : qualifiez-la ensuite avec le téléservice INSi depuis la fiche pour y attacher l’INS.</p>
          {error ? <ErrorNotice error={error} /> : null}
        </div>
      ) : null}
    </Dialog>
  );
}
