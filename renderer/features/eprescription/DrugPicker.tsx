/**
 * Drug search as the prescriber types (BDPM list in the host, FTS5): arrows move, Entrée chooses,
 * Échap clears; a name that is not in the list (magistral preparation, DCI) is kept as free text.
 */
import { useEffect, useId, useState } from 'react';
import type { MethodResult } from '../../../electron/contract';
import { useBridge } from '../../bridge/queries';

export type Drug = MethodResult<'eprescription.drugs.search'>['drugs'][number];

export function DrugPicker({ onPick, onFreeText, autoFocus, testId }: { onPick(drug: Drug): void; onFreeText(name: string): void; autoFocus?: boolean; testId?: string }) {
  const bridge = useBridge();
  const [text, setText] = useState('');
  const [results, setResults] = useState<Drug[]>([]);
  const [total, setTotal] = useState(0);
  const [empty, setEmpty] = useState(false);
  const [active, setActive] = useState(0);
  const listId = useId();

  useEffect(() => {
    const query = text.trim();
    if (query.length < 2) {
      setResults([]);
      return;
    }
    let cancelled = false;
    const timer = setTimeout(() => {
      bridge.invoke('eprescription.drugs.search', { text: query, limit: 12 }).then(
        (r) => {
          if (cancelled) return;
          setResults(r.drugs);
          setTotal(r.total);
          setEmpty(r.source === null);
          setActive(0);
        },
        () => !cancelled && setResults([]),
      );
    }, 90);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [text, bridge]);

  const choose = (drug: Drug | undefined): void => {
    if (drug === undefined) return;
    onPick(drug);
    setText('');
    setResults([]);
  };

  return (
    <div className="erx-picker">
      <input
        className="input"
        type="search"
        autoComplete="off"
        spellCheck={false}
        autoFocus={autoFocus}
        placeholder="Médicament : nom, substance, CIS ou CIP13"
        aria-label="Rechercher un médicament"
        role="combobox"
        aria-expanded={results.length > 0}
        aria-controls={listId}
        data-testid={testId ?? 'erx-drug-search'}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') setActive((i) => Math.min(results.length - 1, i + 1));
          else if (e.key === 'ArrowUp') setActive((i) => Math.max(0, i - 1));
          else if (e.key === 'Enter' && results.length > 0) choose(results[active]);
          else if (e.key === 'Enter' && text.trim().length >= 2) {
            onFreeText(text.trim());
            setText('');
          } else if (e.key === 'Escape') setText('');
          else return;
          e.preventDefault();
        }}
      />
      {results.length > 0 ? (
        <ul id={listId} className="erx-results" role="listbox" aria-label="Médicaments trouvés">
          {results.map((drug, index) => (
            <li
              key={drug.cis}
              role="option"
              aria-selected={index === active}
              className={index === active ? 'erx-result-active' : undefined}
              onMouseDown={(e) => {
                e.preventDefault();
                choose(drug);
              }}
            >
              <strong>{drug.name}</strong>
              {drug.commercialised ? null : <span className="muted"> — non commercialisé</span>}
              {drug.substances.length > 0 ? <div className="muted">{drug.substances.join(' ; ')}</div> : null}
            </li>
          ))}
          {total > results.length ? <li className="muted">… {total - results.length} autre(s) : précisez la recherche.</li> : null}
        </ul>
      ) : text.trim().length >= 2 ? (
        <p className="muted erx-hint">
          {empty ? 'La liste des médicaments est vide (pupitre drugs import). ' : 'Aucun médicament trouvé. '}Entrée : garder « {text.trim()} » en texte libre (préparation, DCI).
        </p>
      ) : null}
    </div>
  );
}
