/**
 * Invoice entry, keyboard first, completed in seconds: read the carte Vitale (or take the appli
 * carte Vitale session, or type the patient for a mode dégradé), pick the beneficiary (1-9,
 * arrows, Entrée), type act codes (completion from the tariff table, Entrée adds), choose the
 * cover and tiers payant, see totals and shares live, Ctrl+Entrée validates, Échap starts over.
 */
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { Coverage, InvoiceSource, LineInput } from '../../../electron/contract/domains/billing';
import type { Beneficiary } from '../../../electron/contract/domains/cards';
import { useBridge, useHostMutation, useHostQuery } from '../../bridge/queries';
import { Button, ErrorNotice, Panel, StatusBadge, TextInput, useToast } from '../../ui';
import { useCurrentApcvContext } from '../apcv/current';
import { isVitale, useCardsState } from '../cards/hooks';
import { onlyMatch } from '../cards/record-match';
import { COVERAGE_LABELS, euros, shortDate } from './format';

type Step = { kind: 'source' } | { kind: 'pick'; source: 'vitale' | 'apcv' } | { kind: 'lines' };

interface Patient {
  source: InvoiceSource;
  label: string;
  birthDate: string;
  patientId: string | null;
}

interface Line {
  code: string;
  quantity: number;
}

export function InvoiceEntry({ sessionId, offline }: { sessionId: string; offline: boolean }) {
  const toast = useToast();
  const bridge = useBridge();
  const apcvContext = useCurrentApcvContext();
  const { readers } = useCardsState();
  const vitaleReader = (readers.data?.readers ?? []).find((r) => r.state === 'present' && isVitale(r.cardKind)) ?? null;
  const [step, setStep] = useState<Step>({ kind: 'source' });
  const [beneficiaries, setBeneficiaries] = useState<{ list: Beneficiary[]; serial: string | null; reader: string | null; contextId: string | null }>({ list: [], serial: null, reader: null, contextId: null });
  const [patient, setPatient] = useState<Patient | null>(null);
  const [degraded, setDegraded] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [reading, setReading] = useState(false);
  const sourceRow = useRef<HTMLDivElement>(null);
  // Loaded before the first act is typed: completion and checks need the table at once.
  useHostQuery('billing.tariffs', {});

  const reset = () => {
    setStep({ kind: 'source' });
    setPatient(null);
    setDegraded(false);
    setError(null);
  };

  useEffect(() => {
    if (step.kind === 'source') sourceRow.current?.querySelector('button')?.focus();
  }, [step.kind, vitaleReader?.name]);

  const readVitale = async () => {
    setReading(true);
    setError(null);
    try {
      const card = await bridge.invoke('cards.readVitale', vitaleReader ? { reader: vitaleReader.name } : {});
      setBeneficiaries({ list: card.beneficiaries, serial: card.serial, reader: vitaleReader?.name ?? null, contextId: null });
      setStep({ kind: 'pick', source: 'vitale' });
    } catch (e) {
      setError(e);
    } finally {
      setReading(false);
    }
  };

  const readApcv = async () => {
    if (apcvContext === null) return;
    setReading(true);
    setError(null);
    try {
      const context = await bridge.invoke('apcv.context', { contextId: apcvContext });
      setBeneficiaries({ list: context.beneficiaries, serial: null, reader: null, contextId: context.id });
      setStep({ kind: 'pick', source: 'apcv' });
    } catch (e) {
      setError(e);
    } finally {
      setReading(false);
    }
  };

  const choose = async (b: Beneficiary, source: 'vitale' | 'apcv') => {
    // The patient's record, when the base knows this NIR exactly with the card's birth date (rights
    // are kept per patient; the host checks the record against the beneficiary again).
    let patientId: string | null = null;
    if (b.nir !== null) {
      const found = await bridge.invoke('patients.search', { nir: b.nir, limit: 2 }).catch(() => null);
      patientId = found === null || found.results.length > 1 ? null : (onlyMatch(found.results, b.birthDate.raw)?.id ?? null);
    }
    setPatient({
      source:
        source === 'vitale'
          ? {
              kind: 'vitale',
              ...(beneficiaries.reader === null ? {} : { reader: beneficiaries.reader }),
              cardSerial: beneficiaries.serial,
              beneficiaryIndex: b.index,
              // The beneficiary as shown: the host bills it only if the card in the reader still carries it.
              beneficiary: { insuredNir: b.insuredNir, nir: b.nir, birthDate: b.birthDate.raw, birthRank: b.birthRank },
            }
          : { kind: 'apcv', contextId: beneficiaries.contextId ?? '', beneficiaryIndex: b.index },
      label: `${b.usedName ?? b.surname} ${b.givenName}`,
      birthDate: b.birthDate.raw,
      patientId,
    });
    setStep({ kind: 'lines' });
  };

  return (
    <Panel title="Nouvelle facture" actions={step.kind !== 'source' ? <Button onClick={reset}>Recommencer (Échap)</Button> : null}>
      <div
        data-testid="invoice-entry"
        onKeyDown={(event) => {
          if (event.key === 'Escape' && step.kind !== 'source') {
            event.preventDefault();
            reset();
          }
        }}
      >
        {step.kind === 'source' && !degraded ? (
          <div className="inline" ref={sourceRow} data-testid="invoice-source">
            <Button variant="primary" busy={reading} onClick={() => void readVitale()} data-testid="invoice-read-vitale">
              {vitaleReader ? 'Lire la carte Vitale insérée' : 'Lire la carte Vitale'}
            </Button>
            <Button onClick={() => void readApcv()} disabled={apcvContext === null || offline} title={offline ? 'L’appli carte Vitale ne fonctionne qu’en ligne' : undefined} data-testid="invoice-read-apcv">
              Appli carte Vitale{apcvContext === null ? ' (aucune session)' : ''}
            </Button>
            <Button variant="ghost" onClick={() => setDegraded(true)} data-testid="invoice-degraded">
              Sans carte (mode dégradé)…
            </Button>
            {vitaleReader === null ? <span className="muted">Insérez la carte Vitale du patient.</span> : <StatusBadge tone="info">Carte Vitale dans {vitaleReader.name}</StatusBadge>}
          </div>
        ) : null}
        {step.kind === 'source' && degraded ? (
          <DegradedPatient
            onCancel={() => setDegraded(false)}
            onDone={(p) => {
              setPatient(p);
              setDegraded(false);
              setStep({ kind: 'lines' });
            }}
          />
        ) : null}
        {step.kind === 'pick' ? <BeneficiaryList beneficiaries={beneficiaries.list} onChoose={(b) => void choose(b, step.source)} /> : null}
        {step.kind === 'lines' && patient !== null ? (
          <InvoiceLines
            sessionId={sessionId}
            patient={patient}
            onDone={(number, total) => {
              toast('ok', `Facture n° ${number} enregistrée — ${euros(total)}.`);
              reset();
            }}
          />
        ) : null}
        {error ? <ErrorNotice error={error} /> : null}
      </div>
    </Panel>
  );
}

function BeneficiaryList({ beneficiaries, onChoose }: { beneficiaries: Beneficiary[]; onChoose(b: Beneficiary): void }) {
  const [active, setActive] = useState(0);
  const list = useRef<HTMLUListElement>(null);
  useEffect(() => list.current?.focus(), []);
  if (beneficiaries.length === 0) return <p className="muted">Aucun bénéficiaire à facturer.</p>;
  const onKey = (event: KeyboardEvent) => {
    if (event.key === 'ArrowDown') setActive((i) => Math.min(i + 1, beneficiaries.length - 1));
    else if (event.key === 'ArrowUp') setActive((i) => Math.max(i - 1, 0));
    else if (/^[1-9]$/.test(event.key) && Number(event.key) <= beneficiaries.length) {
      const b = beneficiaries[Number(event.key) - 1];
      if (b) onChoose(b);
    } else if (event.key === 'Enter') {
      const b = beneficiaries[active];
      if (b) onChoose(b);
    } else return;
    event.preventDefault();
  };
  return (
    <>
      <p className="muted">1 à {beneficiaries.length} ou flèches puis Entrée pour choisir le bénéficiaire.</p>
      <ul ref={list} role="listbox" tabIndex={0} aria-label="Bénéficiaire à facturer" aria-activedescendant={`billing-beneficiary-${active}`} onKeyDown={onKey} className="audit-list" data-testid="billing-beneficiaries">
        {beneficiaries.map((b, i) => (
          <li
            key={b.index}
            id={`billing-beneficiary-${i}`}
            role="option"
            aria-selected={i === active}
            className={`identity-line ${i === active ? 'badge badge-info' : ''}`}
            onClick={() => onChoose(b)}
            data-testid="billing-beneficiary"
          >
            <strong>
              {i + 1}. {b.usedName ?? b.surname} {b.givenName}
            </strong>{' '}
            — né(e) le {b.birthDate.display} — {b.quality.label}
          </li>
        ))}
      </ul>
    </>
  );
}

function DegradedPatient({ onDone, onCancel }: { onDone(p: Patient): void; onCancel(): void }) {
  const [f, setF] = useState({ surname: '', givenName: '', birthDate: '', insuredNir: '', regime: '01', caisse: '', centre: '' });
  const [problem, setProblem] = useState<string | null>(null);
  const set = (key: keyof typeof f) => (event: { target: { value: string } }) => setF((v) => ({ ...v, [key]: event.target.value }));
  const submit = () => {
    const birth = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(f.birthDate.trim());
    const nir = f.insuredNir.replace(/\s+/g, '').toUpperCase();
    if (f.surname.trim() === '' || f.givenName.trim() === '' || birth === null) return setProblem('Nom, prénom et date de naissance (JJ/MM/AAAA) sont nécessaires.');
    if (!/^\d{5}(?:\d{2}|2[AB])\d{8}$/.test(nir)) return setProblem('Le numéro d’assuré (NIR) comporte 15 caractères, clé comprise.');
    if (!/^\d{2}$/.test(f.regime) || !/^\d{3}$/.test(f.caisse) || !/^\d{4}$/.test(f.centre)) return setProblem('L’organisme s’écrit régime (2 chiffres), caisse (3 chiffres) et centre (4 chiffres), comme sur l’attestation de droits.');
    onDone({
      source: {
        kind: 'degradee',
        beneficiary: { surname: f.surname.trim().toUpperCase(), givenName: f.givenName.trim().toUpperCase(), birthDate: `${birth[3]}${birth[2]}${birth[1]}`, birthRank: 1, insuredNir: nir, nir: null },
        organism: { regime: f.regime, caisse: f.caisse, centre: f.centre },
      },
      label: `${f.surname.trim().toUpperCase()} ${f.givenName.trim()}`,
      birthDate: `${birth[3]}${birth[2]}${birth[1]}`,
      patientId: null,
    });
  };
  return (
    <form
      className="form-grid"
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
      data-testid="invoice-degraded-form"
    >
      <fieldset>
        <legend>Patient (sans carte Vitale)</legend>
        <p className="muted">La feuille de soins papier signée devient un justificatif à numériser (SCOR).</p>
        {(
          [
            ['surname', 'Nom'],
            ['givenName', 'Prénom'],
            ['birthDate', 'Date de naissance (JJ/MM/AAAA)'],
            ['insuredNir', 'N° d’assuré (NIR, 15 caractères)'],
          ] as const
        ).map(([key, label]) => (
          <label key={key} className="field">
            <span className="field-label">{label}</span>
            <TextInput value={f[key]} onChange={set(key)} autoFocus={key === 'surname'} />
          </label>
        ))}
        <div className="inline">
          <label>
            Régime <TextInput value={f.regime} onChange={set('regime')} style={{ minWidth: 0, width: '4em' }} />
          </label>
          <label>
            Caisse <TextInput value={f.caisse} onChange={set('caisse')} style={{ minWidth: 0, width: '5em' }} />
          </label>
          <label>
            Centre <TextInput value={f.centre} onChange={set('centre')} style={{ minWidth: 0, width: '6em' }} />
          </label>
        </div>
      </fieldset>
      {problem ? (
        <div className="notice notice-error" role="alert">
          {problem}
        </div>
      ) : null}
      <div className="form-actions">
        <Button type="submit" variant="primary">
          Continuer
        </Button>
        <Button onClick={onCancel}>Annuler</Button>
      </div>
    </form>
  );
}

function InvoiceLines({ sessionId, patient, onDone }: { sessionId: string; patient: Patient; onDone(number: number, totalCents: number): void }) {
  const tariffs = useHostQuery('billing.tariffs', {});
  const create = useHostMutation('billing.createInvoice', ['billing.status', 'billing.invoices', 'billing.deadlines', 'billing.sessions']);
  const [lines, setLines] = useState<Line[]>([]);
  const [code, setCode] = useState('');
  const [coverage, setCoverage] = useState<Coverage>('maladie');
  const [tiersPayant, setTiersPayant] = useState(false);
  const [codeError, setCodeError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);

  const acts = useMemo(() => tariffs.data?.acts ?? [], [tariffs.data]);
  const lineInputs: LineInput[] = lines.map((l) => ({ code: l.code, quantity: l.quantity }));
  const quote = useHostQuery(
    'billing.quote',
    { lines: lineInputs, coverage, mode: tiersPayant ? 'tiers-payant' : 'direct', birthDate: patient.birthDate },
    { enabled: lines.length > 0 },
  );

  const addLine = () => {
    const typed = code.trim().toUpperCase();
    if (typed === '') return;
    // Table not loaded yet: the code goes as typed and the host prices it (or refuses it, with its message).
    const act = tariffs.data === undefined ? { code: typed } : (acts.find((a) => a.code === typed) ?? acts.filter((a) => a.code.startsWith(typed)).at(0));
    if (act === undefined) {
      setCodeError(`« ${typed} » n’est pas dans la table des tarifs : vérifiez le code, ou facturez cet acte sur feuille papier.`);
      return;
    }
    setCodeError(null);
    setLines((current) => {
      const existing = current.find((l) => l.code === act.code);
      return existing ? current.map((l) => (l === existing ? { ...l, quantity: l.quantity + 1 } : l)) : [...current, { code: act.code, quantity: 1 }];
    });
    setCode('');
  };

  const validate = () => {
    if (lines.length === 0 || create.isPending) return;
    create.mutate(
      { sessionId, source: patient.source, patientId: patient.patientId, lines: lineInputs, coverage, mode: tiersPayant ? 'tiers-payant' : 'direct' },
      { onSuccess: (invoice) => onDone(invoice.number, invoice.totals.totalCents) },
    );
  };

  const totals = quote.data?.totals;
  return (
    <div
      className="stack"
      onKeyDown={(event) => {
        if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          validate();
        }
      }}
      data-testid="invoice-lines"
    >
      <div className="identity-line">
        <strong data-testid="invoice-patient">{patient.label}</strong>
        <StatusBadge tone={patient.source.kind === 'degradee' ? 'warn' : 'info'}>
          {patient.source.kind === 'vitale' ? 'Carte Vitale' : patient.source.kind === 'apcv' ? 'Appli carte Vitale' : 'Mode dégradé'}
        </StatusBadge>
      </div>
      <div className="inline">
        <label className="field">
          <span className="field-label">Acte (code puis Entrée)</span>
          <TextInput
            ref={input}
            list="billing-acts"
            value={code}
            onChange={(event) => setCode(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Enter' && !event.ctrlKey && !event.metaKey) {
                event.preventDefault();
                addLine();
              }
            }}
            aria-describedby="billing-act-help"
            data-testid="invoice-act"
          />
          <datalist id="billing-acts">
            {acts.map((a) => (
              <option key={a.code} value={a.code}>
                {a.label} — {euros(a.priceCents)}
              </option>
            ))}
          </datalist>
        </label>
        <label className="radio">
          <input type="checkbox" checked={tiersPayant} onChange={(event) => setTiersPayant(event.target.checked)} data-testid="invoice-tiers-payant" />
          Tiers payant (part obligatoire)
        </label>
        <label>
          Nature{' '}
          <select value={coverage} onChange={(event) => setCoverage(event.target.value as Coverage)} data-testid="invoice-coverage">
            {(Object.keys(COVERAGE_LABELS) as Coverage[]).map((c) => (
              <option key={c} value={c}>
                {COVERAGE_LABELS[c]}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p id="billing-act-help" className="muted">
        Entrée : ajouter l’acte • Ctrl+Entrée : valider la facture • Échap : recommencer
      </p>
      {codeError ? (
        <div className="notice notice-error" role="alert">
          {codeError}
        </div>
      ) : null}
      {lines.length > 0 ? (
        <table className="table" data-testid="invoice-lines-table">
          <thead>
            <tr>
              <th>Acte</th>
              <th>Libellé</th>
              <th>Qté</th>
              <th>Prix</th>
              <th>Montant</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {lines.map((line, i) => {
              const priced = quote.data?.lines[i];
              const act = acts.find((a) => a.code === line.code);
              return (
                <tr key={line.code}>
                  <td>
                    <strong>{line.code}</strong>
                  </td>
                  <td>{act?.label}</td>
                  <td>
                    <input
                      type="number"
                      min={1}
                      max={99}
                      value={line.quantity}
                      aria-label={`Quantité ${line.code}`}
                      onChange={(event) => setLines((current) => current.map((l, j) => (j === i ? { ...l, quantity: Math.max(1, Number(event.target.value) || 1) } : l)))}
                      style={{ width: '4em' }}
                    />
                  </td>
                  <td>{act ? euros(act.priceCents) : ''}</td>
                  <td>{priced ? euros(priced.amountCents) : ''}</td>
                  <td>
                    <Button variant="ghost" onClick={() => setLines((current) => current.filter((_, j) => j !== i))} aria-label={`Retirer ${line.code}`}>
                      ×
                    </Button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      {totals ? (
        <dl className="facts" data-testid="invoice-totals">
          <dt>Total</dt>
          <dd>
            <strong data-testid="invoice-total">{euros(totals.totalCents)}</strong>
          </dd>
          <dt>Part AMO ({totals.ratePercent} %)</dt>
          <dd data-testid="invoice-amo">{euros(totals.amoCents)}</dd>
          <dt>{tiersPayant ? 'À payer par le patient' : 'Payé par le patient'}</dt>
          <dd data-testid="invoice-patient-share">{euros(totals.patientCents)}</dd>
          {totals.participationCents > 0 ? (
            <>
              <dt>Participation forfaitaire</dt>
              <dd>{euros(totals.participationCents)} (non remboursée au patient)</dd>
            </>
          ) : null}
          <dt>Transmission au plus tard</dt>
          <dd>{quote.data ? shortDate(quote.data.deadline) : ''}</dd>
        </dl>
      ) : null}
      {quote.error ? <ErrorNotice error={quote.error} /> : null}
      {create.error ? <ErrorNotice error={create.error} /> : null}
      <div className="form-actions">
        <Button variant="primary" onClick={validate} busy={create.isPending} disabled={lines.length === 0} data-testid="invoice-validate">
          Valider la facture (Ctrl+Entrée)
        </Button>
      </div>
    </div>
  );
}
