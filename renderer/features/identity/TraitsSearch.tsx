/**
 * « Interroger INSi » from traits typed at the desk (no patient record needed): the INSi form of
 * each trait is shown live (host normalisation, SEL-MP-043 lexical rules), then the look-up runs
 * with the CNDA first-name strategy and its answer is shown with the guidance.
 */
import { useState } from 'react';
import type { InsiLookup } from '../../../electron/contract/domains/insi';
import { useHostMutation, useHostQuery } from '../../bridge/queries';
import { Button, ErrorNotice, Field, Panel, StatusBadge, TextInput } from '../../ui';
import { formatMatricule } from '../patient/format';

export function TraitsSearch() {
  const [birthName, setBirthName] = useState('');
  const [givenNames, setGivenNames] = useState('');
  const [birthDate, setBirthDate] = useState('');
  const [sex, setSex] = useState<'M' | 'F' | null>(null);
  const [place, setPlace] = useState('');
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
            { traits: { birthName, birthGivenNames: givenNames, birthDate, sex, birthPlaceCode: place.trim() === '' ? null : place } },
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
        <Field label="Lieu de naissance (code INSEE, facultatif)">
          {(id) => <TextInput id={id} value={place} onChange={(e) => setPlace(e.target.value)} maxLength={5} />}
        </Field>
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
        </div>
      ) : null}
    </Panel>
  );
}
