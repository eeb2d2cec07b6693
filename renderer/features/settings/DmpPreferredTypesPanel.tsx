/**
 * Paramètres → « DMP : types de documents habituels »: the types a practitioner usually reads and
 * sends. The first opening of a patient's DMP lists these (the last two years; « Élargir » lists
 * everything), and the sending dialog offers them first. None chosen: every type.
 */
import { useState } from 'react';
import { DMP_PREFERRED_TYPES_MAX, type Settings, type SettingKey } from '../../../electron/contract';
import { useHostQuery } from '../../bridge/queries';
import { Button, ErrorNotice, Panel, TextInput } from '../../ui';

/** Lower case without accents: « compte rendu » finds « Compte rendu d'acte ». */
const folded = (text: string) => text.normalize('NFD').replace(/\p{Diacritic}/gu, '').toLowerCase();

export function DmpPreferredTypesPanel({ settings, onChange }: { settings: Settings; onChange(key: SettingKey, value: unknown): void }) {
  const types = useHostQuery('dmp.documentTypes', {});
  const saved = settings.dmp.preferredTypeCodes;
  const [chosen, setChosen] = useState<string[]>(saved);
  const [filter, setFilter] = useState('');
  const all = types.data?.types ?? [];
  const wanted = folded(filter.trim());
  // The chosen ones first, always shown; the others as the filter allows.
  const shown = [...all.filter((t) => chosen.includes(t.code)), ...all.filter((t) => !chosen.includes(t.code) && (wanted === '' || folded(`${t.displayName} ${t.code}`).includes(wanted)))];
  const full = chosen.length >= DMP_PREFERRED_TYPES_MAX;
  const changed = chosen.length !== saved.length || chosen.some((c) => !saved.includes(c));
  const toggle = (code: string) => setChosen((current) => (current.includes(code) ? current.filter((c) => c !== code) : [...current, code]));
  return (
    <Panel title="DMP : types de documents habituels">
      {types.error ? <ErrorNotice error={types.error} /> : null}
      <p className="muted" data-testid="dmp-types-help">
        {chosen.length === 0
          ? 'Aucun type choisi : la première ouverture d’un DMP liste tous les types de documents des deux dernières années.'
          : `${chosen.length} type${chosen.length > 1 ? 's' : ''} choisi${chosen.length > 1 ? 's' : ''} (${DMP_PREFERRED_TYPES_MAX} au plus) : la première ouverture d’un DMP liste ces types des deux dernières années ; « Élargir » montre tout. La fenêtre d’envoi les propose en premier.`}
      </p>
      <div className="inline">
        <TextInput aria-label="Filtrer les types de documents" placeholder="Filtrer (ex. compte rendu)" value={filter} onChange={(e) => setFilter(e.target.value)} />
        <Button onClick={() => onChange('dmp.preferredTypeCodes', chosen)} disabled={!changed} data-testid="dmp-types-save">
          Enregistrer
        </Button>
        {chosen.length > 0 ? <Button onClick={() => setChosen([])}>Tout décocher</Button> : null}
      </div>
      <fieldset className="checklist" data-testid="dmp-types-list">
        <legend>Types de documents du DMP</legend>
        {shown.map((t) => (
          <label key={t.code}>
            <input type="checkbox" checked={chosen.includes(t.code)} disabled={full && !chosen.includes(t.code)} onChange={() => toggle(t.code)} /> {t.displayName}{' '}
            <span className="muted">({t.code})</span>
          </label>
        ))}
        {shown.length === 0 && all.length > 0 ? <p className="muted">Aucun type ne correspond à ce filtre.</p> : null}
      </fieldset>
    </Panel>
  );
}
