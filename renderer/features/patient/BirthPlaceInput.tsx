/**
 * Birth place typed as a name with completion (communes — with those merged since, through their
 * commune déléguée or former code — municipal arrondissements, countries abroad): ↓/↑ then Entrée
 * picks; the INSEE code is what is stored, the name is what is shown.
 */
import { useEffect, useId, useState } from 'react';
import type { BirthPlaceView } from '../../../electron/contract/domains/identity';
import { useHostQuery } from '../../bridge/queries';
import { Button, TextInput } from '../../ui';

export function BirthPlaceInput({
  label,
  value,
  onChange,
  disabled = false,
}: {
  /** The name of the chosen place (null: none chosen). */
  label: string | null;
  value: string | null;
  onChange(place: { code: string; label: string } | null): void;
  disabled?: boolean;
}) {
  const id = useId();
  const [text, setText] = useState('');
  const [active, setActive] = useState(0);
  const [open, setOpen] = useState(false);
  const query = text.trim();
  const results = useHostQuery('identity.places.search', { query, limit: 12 }, { enabled: open && query.length >= 2 });
  const places: BirthPlaceView[] = results.data?.places ?? [];
  useEffect(() => setActive(0), [query]);
  const choose = (place: BirthPlaceView) => {
    onChange({ code: place.code, label: place.label });
    setText('');
    setOpen(false);
  };
  return (
    <div className="birth-place" data-testid="birth-place">
      {value !== null ? (
        <div className="inline-form">
          <span data-testid="birth-place-chosen">{label}</span>
          {disabled ? null : (
            <Button type="button" variant="ghost" onClick={() => onChange(null)}>
              Changer
            </Button>
          )}
        </div>
      ) : (
        <>
          <TextInput
            id={id}
            role="combobox"
            aria-expanded={open && places.length > 0}
            aria-controls={`${id}-list`}
            aria-activedescendant={places.length > 0 ? `${id}-${active}` : undefined}
            aria-label="Lieu de naissance"
            placeholder="Commune ou pays de naissance (ex. Clermont-Ferrand, Espagne)"
            value={text}
            disabled={disabled}
            data-testid="birth-place-input"
            onChange={(e) => {
              setText(e.target.value);
              setOpen(true);
            }}
            onKeyDown={(e) => {
              if (e.key === 'ArrowDown') setActive((i) => Math.min(i + 1, places.length - 1));
              else if (e.key === 'ArrowUp') setActive((i) => Math.max(i - 1, 0));
              else if (e.key === 'Enter' && places[active]) choose(places[active]);
              else if (e.key === 'Escape') setOpen(false);
              else return;
              e.preventDefault();
            }}
          />
          {open && places.length > 0 ? (
            <ul role="listbox" id={`${id}-list`} className="completion" data-testid="birth-place-options">
              {places.map((place, i) => (
                <li
                  key={`${place.code}-${place.kind}`}
                  id={`${id}-${i}`}
                  role="option"
                  aria-selected={i === active}
                  className={i === active ? 'badge badge-info' : ''}
                  onMouseDown={(e) => {
                    e.preventDefault();
                    choose(place);
                  }}
                >
                  {place.label}
                </li>
              ))}
            </ul>
          ) : null}
          {open && query.length >= 2 && results.data && places.length === 0 ? <p className="muted">Aucun lieu ne commence ainsi.</p> : null}
        </>
      )}
    </div>
  );
}
