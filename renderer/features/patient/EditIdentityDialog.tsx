/**
 * « Modifier l'identité »: the local traits the RNIV lets the desk change, with a reason kept in the
 * identity history (old and new values). A qualified identity's strict traits — the INS traits,
 * from INSi — are not editable here: re-query INSi, or mark the identity douteuse if they are wrong.
 * Editing a strict trait of a récupérée/validée identity takes it back to provisoire (the INSi
 * answer and the document check were for the old traits): the dialog says so before saving.
 */
import { useState } from 'react';
import type { Patient } from '../../../electron/contract/domains/patients';
import { useHostMutation } from '../../bridge/queries';
import { Button, Dialog, ErrorNotice, Field, TextInput, useToast } from '../../ui';
import { BirthPlaceInput } from './BirthPlaceInput';
import { formatBirthDate } from './format';

export function EditIdentityDialog({ patient, onClose }: { patient: Patient; onClose(): void }) {
  const s = patient.strictTraits;
  const locked = patient.identity.status === 'QUAL';
  const [birthName, setBirthName] = useState(s.birthName);
  const [givenNames, setGivenNames] = useState(s.birthGivenNames);
  const [firstGivenName, setFirstGivenName] = useState(s.firstGivenName);
  const [birthDate, setBirthDate] = useState(formatBirthDate(s.birthDate));
  const [sex, setSex] = useState<'M' | 'F'>(s.sex);
  const [place, setPlace] = useState<{ code: string; label: string } | null>(
    s.birthPlaceCode === null ? null : { code: s.birthPlaceCode, label: patient.birthPlaceLabel ?? '' },
  );
  const [usedName, setUsedName] = useState(patient.usedTraits.usedName ?? '');
  const [usedGivenName, setUsedGivenName] = useState(patient.usedTraits.usedGivenName ?? '');
  const [reason, setReason] = useState('');
  const update = useHostMutation('patients.update', ['patients.get', 'patients.search']);
  const toast = useToast();
  const strictChanged =
    !locked &&
    (birthName !== s.birthName ||
      givenNames !== s.birthGivenNames ||
      firstGivenName !== s.firstGivenName ||
      birthDate !== formatBirthDate(s.birthDate) ||
      sex !== s.sex ||
      (place?.code ?? null) !== s.birthPlaceCode);
  const usedChanged = usedName !== (patient.usedTraits.usedName ?? '') || usedGivenName !== (patient.usedTraits.usedGivenName ?? '');
  const save = () =>
    update.mutate(
      {
        id: patient.id,
        expectedVersion: patient.version,
        ...(strictChanged
          ? {
              strictTraits: {
                birthName,
                birthGivenNames: givenNames,
                ...(firstGivenName.trim() === '' ? {} : { firstGivenName }),
                birthDate,
                sex,
                birthPlaceCode: place?.code ?? null,
              },
            }
          : {}),
        ...(usedChanged ? { usedTraits: { usedName: usedName.trim() || null, usedGivenName: usedGivenName.trim() || null } } : {}),
        reason: reason.trim(),
      },
      {
        onSuccess: () => {
          toast('ok', 'Identité modifiée : la modification et son motif sont dans l’historique.');
          onClose();
        },
      },
    );
  return (
    <Dialog
      open
      title="Modifier l’identité"
      onClose={onClose}
      actions={
        <>
          <Button onClick={onClose}>Annuler</Button>
          <Button variant="primary" busy={update.isPending} disabled={(!strictChanged && !usedChanged) || reason.trim().length < 3} onClick={save} data-testid="identity-edit-save">
            Enregistrer la modification
          </Button>
        </>
      }
    >
      <form
        className="form-grid"
        data-testid="identity-edit"
        onSubmit={(e) => {
          e.preventDefault();
          if ((strictChanged || usedChanged) && reason.trim().length >= 3) save();
        }}
      >
        <fieldset disabled={locked}>
          <legend>Traits stricts (pièce d’identité)</legend>
          {locked ? (
            <p className="muted" role="note">
              Identité qualifiée : ses traits viennent de l’INSi et ne se modifient pas ici. En cas d’erreur, marquez l’identité douteuse puis interrogez à nouveau l’INSi.
            </p>
          ) : patient.identity.status !== 'PROV' ? (
            <p className="muted" role="note">
              Modifier un trait strict ramène l’identité au statut provisoire : la réponse INSi et le contrôle du justificatif portaient sur les anciens traits.
            </p>
          ) : null}
          <Field label="Nom de naissance">{(id) => <TextInput id={id} value={birthName} onChange={(e) => setBirthName(e.target.value)} />}</Field>
          <Field label="Prénoms de naissance (tous, dans l’ordre)">{(id) => <TextInput id={id} value={givenNames} onChange={(e) => setGivenNames(e.target.value)} />}</Field>
          <Field label="Premier prénom de naissance">{(id) => <TextInput id={id} value={firstGivenName} onChange={(e) => setFirstGivenName(e.target.value)} />}</Field>
          <Field label="Date de naissance" hint="JJ/MM/AAAA ; 00 pour un jour ou un mois inconnu.">
            {(id) => <TextInput id={id} value={birthDate} onChange={(e) => setBirthDate(e.target.value)} />}
          </Field>
          <div className="field" role="radiogroup" aria-label="Sexe">
            <span className="field-label">Sexe</span>
            {(['F', 'M'] as const).map((v) => (
              <label key={v} className="radio">
                <input type="radio" name="edit-sex" checked={sex === v} onChange={() => setSex(v)} /> {v === 'F' ? 'Féminin' : 'Masculin'}
              </label>
            ))}
          </div>
          <div className="field">
            <span className="field-label">Lieu de naissance</span>
            <BirthPlaceInput label={place?.label ?? null} value={place?.code ?? null} onChange={setPlace} disabled={locked} />
          </div>
        </fieldset>
        <fieldset>
          <legend>Traits utilisés</legend>
          <Field label="Nom utilisé">{(id) => <TextInput id={id} value={usedName} onChange={(e) => setUsedName(e.target.value)} />}</Field>
          <Field label="Prénom utilisé">{(id) => <TextInput id={id} value={usedGivenName} onChange={(e) => setUsedGivenName(e.target.value)} />}</Field>
        </fieldset>
        <Field label="Motif de la modification (obligatoire, conservé dans l’historique)">
          {(id) => <TextInput id={id} value={reason} onChange={(e) => setReason(e.target.value)} data-testid="identity-edit-reason" />}
        </Field>
        {update.error ? <ErrorNotice error={update.error} /> : null}
      </form>
    </Dialog>
  );
}
