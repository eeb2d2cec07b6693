/**
 * Patient search at the desk: one field understands names, JJ/MM/AAAA and NIR; results update as
 * the user types; ↑/↓ then Entrée opens a record; Alt+N creates a patient.
 */
import { useEffect, useRef, useState } from 'react';
import { useHostQuery } from '../../bridge/queries';
import { Button, ErrorNotice, Panel, StatusBadge, Table, TextInput } from '../../ui';
import { navigate } from '../../app/router';
import { ATTRIBUTE_LABELS, STATUS_LABELS, STATUS_TONES, displayName, formatBirthDate, SEX_LABELS } from './format';

function useDebounced<T>(value: T, delayMs: number): T {
  const [current, setCurrent] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setCurrent(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return current;
}

export function PatientSearch() {
  const [text, setText] = useState('');
  const query = useDebounced(text.trim(), 150);
  const input = useRef<HTMLInputElement>(null);
  const enabled = query.length >= 2;
  const search = useHostQuery('patients.search', { query, limit: 50 }, { enabled });

  useEffect(() => {
    input.current?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.altKey && (event.key === 'n' || event.key === 'N')) {
        event.preventDefault();
        navigate('/patient/nouveau');
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const rows = search.data?.results ?? [];
  return (
    <Panel
      title="Rechercher un patient"
      actions={
        <>
          <Button variant="primary" onClick={() => navigate('/patient/nouveau')} title="Alt+N">
            Nouveau patient
          </Button>
          <Button onClick={() => navigate('/patient/import')}>Importer une base (CSV)</Button>
          <Button onClick={() => navigate('/patient/doublons')} data-testid="duplicates-open">
            Doublons potentiels
          </Button>
        </>
      }
    >
      <TextInput
        ref={input}
        aria-label="Recherche patient"
        data-testid="patient-search"
        placeholder="Nom, prénom, date de naissance (JJ/MM/AAAA) ou NIR — ↓ puis Entrée pour ouvrir"
        value={text}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'ArrowDown') {
            event.preventDefault();
            (event.currentTarget.closest('.panel')?.querySelector('table.table') as HTMLElement | null)?.focus();
          }
        }}
      />
      {!enabled ? (
        <p className="muted">Saisissez au moins deux caractères. Astuce : « DUP JE 12/03/1984 » combine nom, prénom et date.</p>
      ) : search.error ? (
        <ErrorNotice error={search.error} />
      ) : (
        <>
          {search.data?.approximate ? <p className="muted">Aucun résultat exact : résultats approchants (une faute de frappe près).</p> : null}
          <Table
            columns={[
              { key: 'name', header: 'Nom (utilisé) et prénom', render: (p) => <strong>{displayName(p)}</strong> },
              { key: 'birth', header: 'Naissance', width: '8rem', render: (p) => formatBirthDate(p.birthDate) },
              { key: 'sex', header: 'Sexe', width: '6rem', render: (p) => SEX_LABELS[p.sex] },
              {
                key: 'status',
                header: 'Identité',
                width: '14rem',
                render: (p) => (
                  <>
                    <StatusBadge tone={STATUS_TONES[p.status]}>{STATUS_LABELS[p.status]}</StatusBadge>
                    {(['douteuse', 'fictive', 'homonyme'] as const)
                      .filter((a) => p.attributes[a])
                      .map((a) => (
                        <StatusBadge key={a} tone={a === 'homonyme' ? 'info' : 'error'}>
                          {ATTRIBUTE_LABELS[a]}
                        </StatusBadge>
                      ))}
                    {p.match === 'approx' ? <StatusBadge tone="neutral">approchant</StatusBadge> : null}
                  </>
                ),
              },
            ]}
            rows={rows}
            rowKey={(p) => p.id}
            empty={search.isFetching ? 'Recherche…' : 'Aucun patient trouvé. Vérifiez l’orthographe ou créez le patient (Alt+N).'}
            onActivate={(p) => navigate(`/patient/${p.id}`)}
          />
        </>
      )}
    </Panel>
  );
}
