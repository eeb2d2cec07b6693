/**
 * « Interroger INSi » from traits typed at the desk (no patient record needed): the INSi form of
 * each trait is shown live (host normalisation, SEL-MP-043 lexical rules), then the look-up runs
 * with the CNDA first-name strategy and its answer is shown with the guidance.
 */
import { useState } from 'react';
import type { InsiLookup } from '../../../electron/contract/domains/insi';
import { navigate } from '../../app/router';
import { useHostMutation, useHostQuery } from '../../bridge/queries';
import { HostError } from '../../bridge/types';
import { Button, ErrorNotice, Field, Panel, StatusBadge, TextInput, useToast } from '../../ui';
import { BirthPlaceInput } from '../patient/BirthPlaceInput';
import { STATUS_LABELS, displayName, formatBirthDate, formatMatricule } from '../patient/format';
import { ComparisonTable, InsAlreadyAttached, SecondConfirmation } from './Qualification';

export function TraitsSearch() {
  const [birthName, setBirthName] = useState('');
  const [givenNames, setGivenNames] = useState('');
  const [birthDate, setBirthDate] = useState('');
  const [sex, setSex] = useState<'M' | 'F' | null>(null);
  const [place, setPlace] = useState<{ code: string; label: string } | null>(null);
  const search = useHostMutation('insi.searchTraits');
  const [lookup, setLookup] = useState<InsiLookup | null>(null);
  const values = [
    ...(birthName.trim() === '' ? [] : [{ field: 'birthName' as const, value: birthName }]),
    ...(givenNames.trim() === '' ? [] : [{ field: 'birthGivenNames' as const, value: givenNames }]),
  ];
  const preview = useHostQuery('ins.normalize', { values: values.length > 0 ? values : [{ field: 'birthName', value: '' }] }, { enabled: values.length > 0 });
  const previewOf = (field: 'birthName' | 'birthGivenNames') => {
    const result = preview.data?.results.find((r) => r.field === field);
    if (result === undefined) return undefined;
    return result.ok ? `Forme INSi : ${result.value}` : result.error.message;
  };
  const ready = birthName.trim() !== '' && givenNames.trim() !== '' && birthDate.trim() !== '' && sex !== null;
  return (
    <Panel title="Interroger INSi avec des traits">
      <form
        className="form-grid"
        data-testid="insi-traits-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (!ready || sex === null) return;
          search.mutate(
            { traits: { birthName, birthGivenNames: givenNames, birthDate, sex, birthPlaceCode: place?.code ?? null } },
            { onSuccess: setLookup },
          );
        }}
      >
        <Field label="Nom de naissance" {...(previewOf('birthName') === undefined ? {} : { hint: previewOf('birthName') as string })}>
          {(id) => <TextInput id={id} value={birthName} onChange={(e) => setBirthName(e.target.value)} />}
        </Field>
        <Field label="Prénoms de naissance (tous, dans l’ordre)" {...(previewOf('birthGivenNames') === undefined ? {} : { hint: previewOf('birthGivenNames') as string })}>
          {(id) => <TextInput id={id} value={givenNames} onChange={(e) => setGivenNames(e.target.value)} />}
        </Field>
        <Field label="Date de naissance" hint="JJ/MM/AAAA, 00 pour un jour ou un mois inconnu">
          {(id) => <TextInput id={id} value={birthDate} onChange={(e) => setBirthDate(e.target.value)} />}
        </Field>
        <fieldset className="choices">
          <legend>Sexe</legend>
          <label>
            <input type="radio" name="insi-sex" checked={sex === 'F'} onChange={() => setSex('F')} /> Féminin
          </label>
          <label>
            <input type="radio" name="insi-sex" checked={sex === 'M'} onChange={() => setSex('M')} /> Masculin
          </label>
        </fieldset>
        <div className="field">
          <span className="field-label">Lieu de naissance (facultatif)</span>
          <BirthPlaceInput label={place?.label ?? null} value={place?.code ?? null} onChange={setPlace} />
        </div>
        <div className="form-actions">
          <Button variant="primary" type="submit" disabled={!ready} busy={search.isPending}>
            Interroger INSi
          </Button>
        </div>
      </form>
      {search.error ? <ErrorNotice error={search.error} /> : null}
      {lookup ? (
        <div data-testid="insi-traits-result">
          <p>
            <StatusBadge tone={lookup.outcome === 'found' ? 'ok' : 'warn'}>
              {lookup.outcome === 'found' ? 'Identité trouvée (00)' : lookup.outcome === 'several' ? 'Plusieurs identités (02)' : 'Aucune identité (01)'}
            </StatusBadge>{' '}
            {lookup.result.identity
              ? `INS ${formatMatricule(lookup.result.identity.active.number, lookup.result.identity.active.key)} · ${lookup.result.identity.traits.birthName} ${lookup.result.identity.traits.birthGivenNames}`
              : null}
          </p>
          <p className="muted">{lookup.guidance}</p>
          {lookup.result.identity ? <AttachResult lookup={lookup} onDone={() => setLookup(null)} /> : null}
        </div>
      ) : null}
    </Panel>
  );
}

/**
 * What to do with a found identity (issue 13): attach it to an existing patient — compared and
 * checked by the same acceptance rule as at the patient's record — or create the patient from it.
 */
function AttachResult({ lookup, onDone }: { lookup: InsiLookup; onDone(): void }) {
  const [text, setText] = useState(() => {
    const t = lookup.result.identity?.traits;
    return t === undefined ? '' : `${t.birthName} ${t.firstGivenName}`;
  });
  const [chosen, setChosen] = useState<string | null>(null);
  const search = useHostQuery('patients.search', { query: text.trim(), limit: 8 }, { enabled: text.trim().length >= 2 && chosen === null });
  const preview = useHostQuery('insi.preview', { patientId: chosen ?? '', lookupId: lookup.lookupId }, { enabled: chosen !== null });
  const accept = useHostMutation('insi.accept', ['patients.get', 'patients.search']);
  const create = useHostMutation('insi.createPatient', ['patients.search']);
  const [confirming, setConfirming] = useState(false);
  const toast = useToast();
  const acceptance = preview.data?.acceptance;
  const done = (patientId: string, status: keyof typeof STATUS_LABELS) => {
    toast('ok', `INS rattaché : identité ${STATUS_LABELS[status].toLowerCase()}.`);
    onDone();
    navigate(`/patient/${patientId}`);
  };
  const doAccept = (confirmation?: { reason: string; samePerson: true }) =>
    chosen !== null &&
    accept.mutate(
      { patientId: chosen, lookupId: lookup.lookupId, ...(confirmation === undefined ? {} : { confirmation }) },
      { onSuccess: (r) => done(chosen, r.status) },
    );
  const duplicate = create.error instanceof HostError && create.error.code === 'PATIENT_DUPLICATE_SUSPECTED';
  return (
    <div className="attach" data-testid="insi-attach">
      <h3>Rattacher cette identité</h3>
      {chosen === null ? (
        <>
          <Field label="Patient existant">
            {(id) => <TextInput id={id} value={text} onChange={(e) => setText(e.target.value)} data-testid="insi-attach-search" />}
          </Field>
          <ul className="audit-list">
            {(search.data?.results ?? []).map((p) => (
              <li key={p.id}>
                <Button variant="ghost" onClick={() => setChosen(p.id)}>
                  {displayName(p)} · {formatBirthDate(p.birthDate)} · {STATUS_LABELS[p.status]}
                </Button>
              </li>
            ))}
          </ul>
          <Button variant="primary" busy={create.isPending} onClick={() => create.mutate({ lookupId: lookup.lookupId, acknowledgeDuplicates: false }, { onSuccess: (r) => done(r.patientId, r.status) })} data-testid="insi-create-patient">
            Créer le patient avec cette identité
          </Button>
          {duplicate ? (
            <div className="notice notice-warn" role="alert">
              Un patient semblable existe déjà : recherchez-le ci-dessus et rattachez-lui l’identité, ou confirmez qu’il s’agit d’une autre personne.
              <div>
                <Button variant="danger" onClick={() => create.mutate({ lookupId: lookup.lookupId, acknowledgeDuplicates: true }, { onSuccess: (r) => done(r.patientId, r.status) })}>
                  C’est une autre personne : créer quand même
                </Button>
              </div>
            </div>
          ) : create.error ? (
            <ErrorNotice error={create.error} />
          ) : null}
        </>
      ) : (
        <>
          {preview.error ? <ErrorNotice error={preview.error} /> : null}
          {preview.data ? <ComparisonTable comparison={preview.data.comparison} acceptance={preview.data.acceptance} /> : null}
          {acceptance?.decision === 'block' ? (
            <div className="notice notice-error" role="alert" data-testid="insi-blocked">
              <strong>Identité non rattachée : il s’agit probablement d’une autre personne.</strong> {acceptance.message}
            </div>
          ) : acceptance ? (
            <>
              {acceptance.decision === 'confirm' ? <div className="notice notice-warn">{acceptance.message}</div> : null}
              <Button variant="primary" busy={accept.isPending} onClick={() => (acceptance.decision === 'confirm' ? setConfirming(true) : doAccept())} data-testid="insi-attach-accept">
                Rattacher l’INS à ce patient
              </Button>
            </>
          ) : null}
          <Button onClick={() => setChosen(null)}>Choisir un autre patient</Button>
          {accept.error && !confirming ? <InsAlreadyAttached patientId={chosen} error={accept.error} /> : null}
          {confirming && acceptance ? (
            <SecondConfirmation message={acceptance.message} busy={accept.isPending} error={accept.error} patientId={chosen} onCancel={() => setConfirming(false)} onConfirm={(reason) => doAccept({ reason, samePerson: true })} />
          ) : null}
        </>
      )}
    </div>
  );
}
