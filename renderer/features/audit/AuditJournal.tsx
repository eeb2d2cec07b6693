/**
 * The audit trail for people (issue 13): who — by the name on their card —, did what — in words —,
 * on which patient — by name —, when; filtered by patient, person, action and dates. The technical
 * codes are one click away (« codes pour le support »), never in the sentences.
 */
import { useEffect, useState } from 'react';
import { navigate } from '../../app/router';
import { useHostQuery } from '../../bridge/queries';
import { Button, ErrorNotice, TextInput } from '../../ui';
import { AUDIT_FAMILIES, auditActionLabel } from './labels';

function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

export function AuditJournal() {
  const [patient, setPatient] = useState('');
  const [actor, setActor] = useState('');
  const [action, setAction] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [codes, setCodes] = useState(false);
  const patientFilter = useDebounced(patient.trim(), 300);
  const people = useHostQuery('audit.people', {});
  const journal = useHostQuery('audit.list', {
    limit: 200,
    ...(patientFilter.length >= 2 ? { patient: patientFilter } : {}),
    ...(actor === '' ? {} : { actor }),
    ...(action === '' ? {} : { action }),
    ...(from === '' ? {} : { from }),
    ...(to === '' ? {} : { to }),
  });
  const entries = journal.data?.entries ?? [];
  const known = new Set(Object.keys(AUDIT_FAMILIES));
  const actions = (people.data?.actions ?? []).filter((a) => !known.has(a));

  return (
    <div className="stack" data-testid="audit-journal">
      <div className="inline filters" role="search" aria-label="Filtrer le journal">
        <TextInput aria-label="Patient" placeholder="Patient (nom)…" value={patient} onChange={(e) => setPatient(e.currentTarget.value)} data-testid="audit-filter-patient" />
        <select className="input" aria-label="Personne" value={actor} onChange={(e) => setActor(e.currentTarget.value)} data-testid="audit-filter-person">
          <option value="">Toutes les personnes</option>
          {(people.data?.people ?? []).map((p) => (
            <option key={p.actor} value={p.actor}>
              {p.name}
              {p.cardType ? ` (${p.cardType})` : ''}
            </option>
          ))}
          <option value="poste">Le poste (sans carte)</option>
        </select>
        <select className="input" aria-label="Action" value={action} onChange={(e) => setAction(e.currentTarget.value)} data-testid="audit-filter-action">
          <option value="">Toutes les actions</option>
          <optgroup label="Par domaine">
            {Object.entries(AUDIT_FAMILIES).map(([family, label]) => (
              <option key={family} value={family}>
                {label}
              </option>
            ))}
          </optgroup>
          <optgroup label="Une action">
            {actions.map((a) => (
              <option key={a} value={a}>
                {auditActionLabel(a)}
              </option>
            ))}
          </optgroup>
        </select>
        <label className="inline">
          Du <input className="input" type="date" value={from} onChange={(e) => setFrom(e.currentTarget.value)} data-testid="audit-filter-from" />
        </label>
        <label className="inline">
          au <input className="input" type="date" value={to} onChange={(e) => setTo(e.currentTarget.value)} data-testid="audit-filter-to" />
        </label>
        <label className="inline">
          <input type="checkbox" checked={codes} onChange={(e) => setCodes(e.currentTarget.checked)} /> Codes pour le support
        </label>
      </div>
      {journal.error ? <ErrorNotice error={journal.error} /> : null}
      {entries.length === 0 ? (
        <p className="empty">Aucune entrée ne correspond.</p>
      ) : (
        <table className="table" aria-label="Journal d'audit">
          <thead>
            <tr>
              <th>Date</th>
              <th>Personne</th>
              <th>Action</th>
              <th>Patient</th>
              {codes ? <th>Code</th> : null}
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.id} data-testid="audit-entry" data-action={entry.action}>
                <td>
                  <time dateTime={entry.at}>{new Date(entry.at).toLocaleString('fr-FR')}</time>
                </td>
                <td>{entry.actorName}</td>
                <td>{auditActionLabel(entry.action)}</td>
                <td>
                  {entry.patientRef !== null && entry.patientName !== null ? (
                    <Button variant="ghost" onClick={() => navigate(`/patient/${encodeURIComponent(entry.patientRef ?? '')}`)}>
                      {entry.patientName}
                    </Button>
                  ) : (
                    '—'
                  )}
                </td>
                {codes ? (
                  <td className="muted">
                    <code>{entry.action}</code> · <code>{entry.actor}</code>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
