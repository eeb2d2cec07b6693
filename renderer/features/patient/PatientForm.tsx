/**
 * Creating a patient with the strict traits (INSi lexical form shown live, SEL-MP-043) kept apart
 * from the used traits. Sex has no default; a suspected duplicate is shown before anything is
 * created, and creating anyway needs an explicit confirmation.
 */
import { useState, type FormEvent } from 'react';
import { HostError } from '../../bridge/types';
import { useBridge, useHostMutation, useHostQuery } from '../../bridge/queries';
import type { PatientSummary } from '../../../electron/contract/domains/patients';
import { BirthPlaceInput } from './BirthPlaceInput';
import { displayName, formatBirthDate } from './format';
import { navigate } from '../../app/router';
import { Button, ErrorNotice, Field, Panel, TextInput, useToast } from '../../ui';

type NameField = 'birthName' | 'birthGivenNames' | 'firstGivenName' | 'usedName' | 'usedGivenName';

interface FormState {
  birthName: string;
  birthGivenNames: string;
  firstGivenName: string;
  birthDate: string;
  sex: '' | 'M' | 'F';
  birthPlaceCode: string;
  usedName: string;
  usedGivenName: string;
  declaredNir: string;
}

const EMPTY: FormState = { birthName: '', birthGivenNames: '', firstGivenName: '', birthDate: '', sex: '', birthPlaceCode: '', usedName: '', usedGivenName: '', declaredNir: '' };

/** Normalisation preview of the name fields, computed by the host (the one implementation of the rules). */
function useNormalized(form: FormState) {
  const values = (['birthName', 'birthGivenNames', 'firstGivenName', 'usedName', 'usedGivenName'] as const)
    .filter((field) => form[field].trim() !== '')
    .map((field) => ({ field, value: form[field] }));
  const query = useHostQuery('ins.normalize', { values: values.length > 0 ? values : [{ field: 'birthName', value: '' }] }, { enabled: values.length > 0 });
  const byField = new Map<NameField, { ok: boolean; text: string }>();
  for (const result of query.data?.results ?? []) {
    if (result.ok) {
      if (result.changed) byField.set(result.field, { ok: true, text: `Forme INSi : ${result.value}` });
    } else byField.set(result.field, { ok: false, text: result.error.message });
  }
  return { byField, firstConsistent: query.data?.firstGivenNameConsistent ?? null };
}

export function PatientForm() {
  const [form, setForm] = useState<FormState>(EMPTY);
  const [duplicates, setDuplicates] = useState<PatientSummary[] | null>(null);
  const [place, setPlace] = useState<{ code: string; label: string } | null>(null);
  const bridge = useBridge();
  const create = useHostMutation('patients.create', ['patients.search']);
  const toast = useToast();
  const { byField, firstConsistent } = useNormalized(form);
  const set = (key: keyof FormState) => (event: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: event.target.value }));

  const submit = (acknowledgeDuplicates: boolean) => {
    if (form.sex === '') return;
    create.mutate(
      {
        strictTraits: {
          birthName: form.birthName,
          birthGivenNames: form.birthGivenNames,
          ...(form.firstGivenName.trim() === '' ? {} : { firstGivenName: form.firstGivenName }),
          birthDate: form.birthDate,
          sex: form.sex,
          birthPlaceCode: place?.code ?? null,
        },
        usedTraits: { usedName: form.usedName.trim() || null, usedGivenName: form.usedGivenName.trim() || null },
        declaredNir: form.declaredNir.trim() || null,
        acknowledgeDuplicates,
      },
      {
        onSuccess: (result) => {
          toast('ok', 'Patient créé avec une identité provisoire.');
          navigate(`/patient/${result.patient.id}`);
        },
        onError: (error) => {
          if (error instanceof HostError && error.code === 'PATIENT_DUPLICATE_SUSPECTED' && form.sex !== '') {
            // The look-alikes by name (the error carries ids only, never traits).
            void bridge
              .invoke('patients.duplicates.find', {
                strictTraits: { birthName: form.birthName, birthGivenNames: form.birthGivenNames, birthDate: form.birthDate, sex: form.sex, birthPlaceCode: place?.code ?? null },
              })
              .then((r) => setDuplicates(r.candidates));
          }
        },
      },
    );
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setDuplicates(null);
    submit(false);
  };
  const hint = (field: NameField) => byField.get(field);

  return (
    <Panel title="Nouveau patient" actions={<Button onClick={() => navigate('/patient')}>Annuler (Échap)</Button>}>
      <form
        className="form-grid"
        onSubmit={onSubmit}
        onKeyDown={(event) => {
          if (event.key === 'Escape') navigate('/patient');
        }}
        data-testid="patient-form"
      >
        <fieldset>
          <legend>Traits stricts (pièce d’identité)</legend>
          <Field label="Nom de naissance" error={hint('birthName')?.ok === false ? hint('birthName')?.text : null} hint={hint('birthName')?.text}>
            {(id) => <TextInput id={id} required autoFocus value={form.birthName} onChange={set('birthName')} />}
          </Field>
          <Field
            label="Prénoms de naissance (tous, dans l’ordre de l’état civil)"
            error={hint('birthGivenNames')?.ok === false ? hint('birthGivenNames')?.text : null}
            hint={hint('birthGivenNames')?.text ?? 'Séparés par des espaces, comme sur la pièce d’identité.'}
          >
            {(id) => <TextInput id={id} required value={form.birthGivenNames} onChange={set('birthGivenNames')} />}
          </Field>
          <Field
            label="Premier prénom de naissance"
            error={firstConsistent === false ? 'Le premier prénom doit être le début de la liste des prénoms de naissance.' : hint('firstGivenName')?.ok === false ? hint('firstGivenName')?.text : null}
            hint="Vide : le premier de la liste. À saisir pour un prénom composé (ex. JEAN-PIERRE)."
          >
            {(id) => <TextInput id={id} value={form.firstGivenName} onChange={set('firstGivenName')} />}
          </Field>
          <Field label="Date de naissance" hint="JJ/MM/AAAA ; 00 pour un jour ou un mois inconnu.">
            {(id) => <TextInput id={id} required inputMode="numeric" placeholder="JJ/MM/AAAA" value={form.birthDate} onChange={set('birthDate')} />}
          </Field>
          <div className="field" role="radiogroup" aria-label="Sexe">
            <span className="field-label">Sexe</span>
            {(['F', 'M'] as const).map((sex) => (
              <label key={sex} className="radio">
                <input type="radio" name="sex" value={sex} checked={form.sex === sex} onChange={() => setForm((f) => ({ ...f, sex }))} required />
                {sex === 'F' ? 'Féminin' : 'Masculin'}
              </label>
            ))}
          </div>
          <div className="field">
            <span className="field-label">Lieu de naissance (facultatif)</span>
            <BirthPlaceInput label={place?.label ?? null} value={place?.code ?? null} onChange={setPlace} />
          </div>
        </fieldset>
        <fieldset>
          <legend>Traits utilisés (affichage, jamais transmis à l’INSi)</legend>
          <Field label="Nom utilisé">{(id) => <TextInput id={id} value={form.usedName} onChange={set('usedName')} />}</Field>
          <Field label="Prénom utilisé">{(id) => <TextInput id={id} value={form.usedGivenName} onChange={set('usedGivenName')} />}</Field>
          <Field label="NIR déclaré (non vérifié)" hint="Ex. lu sur une ancienne fiche ; seul l’INSi fournit l’INS.">
            {(id) => <TextInput id={id} value={form.declaredNir} onChange={set('declaredNir')} />}
          </Field>
        </fieldset>
        {create.error && !(create.error instanceof HostError && create.error.code === 'PATIENT_DUPLICATE_SUSPECTED') ? <ErrorNotice error={create.error} /> : null}
        {duplicates !== null ? (
          <div className="notice notice-warn" role="alert" data-testid="duplicate-warning">
            <strong>Un patient semblable existe déjà (doublon potentiel).</strong>
            <div>
              {duplicates.map((p) => (
                <Button key={p.id} type="button" onClick={() => navigate(`/patient/${p.id}`)}>
                  Ouvrir {displayName(p)} ({formatBirthDate(p.birthDate)}){p.match === 'approx' ? ' — orthographe proche' : ''}
                </Button>
              ))}
              <Button type="button" variant="danger" onClick={() => submit(true)}>
                C’est une autre personne : créer quand même
              </Button>
            </div>
          </div>
        ) : null}
        <div className="form-actions">
          <Button type="submit" variant="primary" busy={create.isPending} disabled={form.sex === ''}>
            Créer le patient
          </Button>
          {form.sex === '' ? <span className="muted">Choisissez le sexe (aucune valeur par défaut).</span> : null}
        </div>
      </form>
    </Panel>
  );
}
