/**
 * Paramètres → Facturation: the rest of the billing identity the CPS does not carry (code
 * spécialité AMO, secteur conventionnel; the numéro AM is in the Praticien panel) and the holiday
 * calendar of the legal deadlines (Alsace-Moselle adds Good Friday and 26 December).
 */
import { useState } from 'react';
import type { SettingKey } from '../../../electron/contract';
import { useHostMutation, useHostQuery } from '../../bridge/queries';
import { Button, ErrorNotice, Panel, TextInput, useToast } from '../../ui';

const SECTORS = { 'secteur-1': 'Secteur 1 (tarifs opposables)', 'secteur-2': 'Secteur 2 (honoraires libres)', 'secteur-2-optam': 'Secteur 2 avec OPTAM' } as const;

export function BillingSettings() {
  const settings = useHostQuery('settings.get', {});
  const save = useHostMutation('settings.set', ['settings.get', 'billing.status']);
  const toast = useToast();
  const p = settings.data?.practitioner;
  const [specialty, setSpecialty] = useState<string | null>(null);
  if (settings.data === undefined || p === undefined) return null;
  const submit = (key: SettingKey, value: unknown) => save.mutate({ key, value }, { onSuccess: () => toast('ok', 'Paramètre enregistré.'), onError: (e) => toast('error', e.message) });
  return (
    <Panel title="Facturation">
      <form
        className="inline"
        onSubmit={(event) => {
          event.preventDefault();
          if (specialty !== null && specialty !== p.specialty) submit('practitioner.specialty', specialty);
        }}
      >
        <span className="muted">Facturation sous le n° AM {p.amNumber === '' ? '(à renseigner dans « Praticien »)' : p.amNumber}.</span>
        <label>
          Code spécialité AMO{' '}
          <TextInput value={specialty ?? p.specialty} onChange={(e) => setSpecialty(e.target.value)} placeholder="01" style={{ minWidth: 0, width: '4em' }} />
        </label>
        <Button type="submit">Enregistrer</Button>
      </form>
      <div className="inline">
        <label>
          Secteur conventionnel{' '}
          <select value={p.conventionSector} onChange={(e) => submit('practitioner.conventionSector', e.target.value)}>
            <option value="" disabled>
              à choisir
            </option>
            {(Object.keys(SECTORS) as Array<keyof typeof SECTORS>).map((s) => (
              <option key={s} value={s}>
                {SECTORS[s]}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input
            type="checkbox"
            checked={settings.data.billing.holidays === 'alsace-moselle'}
            onChange={(e) => submit('billing.holidays', e.target.checked ? 'alsace-moselle' : 'national')}
          />{' '}
          Cabinet en Alsace-Moselle (Vendredi saint et 26 décembre chômés pour les délais de transmission)
        </label>
      </div>
      {save.error ? <ErrorNotice error={save.error} /> : null}
    </Panel>
  );
}
