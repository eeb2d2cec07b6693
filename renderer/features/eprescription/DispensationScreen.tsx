/**
 * « Dispensation » (pharmacists): the number is scanned — any scanner (HID-POS, keyboard wedge,
 * webcam): the screen claims ordonnance numérique scans while shown, and a scan read on another
 * screen is routed here (features/scan) — or typed; the prescription comes from the base e-prescription with
 * its lines in plain French; per line the pharmacist records delivered / substituted (generic of
 * the same group, or a CIP13) / quantity adapted / not delivered with a reason; the execution goes
 * to the base through the outbox, and an eDISP-MED copy to the DMP when chosen. A second scan of a
 * fully delivered prescription says so. Prescribers see the document reader and a pointer to the
 * patient record instead (which screen follows the profession on the card).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { MethodParams, MethodResult } from '../../../electron/contract';
import { useBridge, useHostEvent, useHostMutation, useHostQuery } from '../../bridge/queries';
import { navigate } from '../../app/router';
import { useCardsState } from '../cards/hooks';
import { useScanClaim } from '../scan/ScanProvider';
import { Button, ErrorNotice, Panel, StatusBadge, TextInput, useToast } from '../../ui';
import { DocumentReader } from './DocumentReader';
import { ErxDemoSimulator } from './ErxDemoSimulator';
import { COMPLETENESS_LABELS, DMP_LABELS, EXECUTION_LABELS, frDate, frDateTime, STATUS_TONES } from './format';
import { onPendingDispensationScan, takePendingDispensationScan } from './scanned';
import './eprescription.css';

type Dispensation = MethodResult<'eprescription.dispensation.open'>['dispensation'];
type Line = Dispensation['lines'][number];
type Outcome = MethodParams<'eprescription.dispensation.record'>['lines'][number]['outcome'];
type Drug = MethodResult<'eprescription.drugs.generics'>['drugs'][number];

/** TRE_G15 profession 21: pharmacien. */
const PHARMACIST = '21';

export function DispensationScreen() {
  const { session } = useCardsState();
  const profession = session.data?.profession?.code ?? null;
  // A scanned ordonnance routed here under a prescriber's card is not for dispensation: dropped (its
  // number stays in the host until it expires). Without a card it waits for the pharmacist's.
  const prescriber = session.data !== undefined && session.data !== null && profession !== PHARMACIST;
  useEffect(() => {
    if (!prescriber) return undefined;
    takePendingDispensationScan();
    return onPendingDispensationScan(() => void takePendingDispensationScan());
  }, [prescriber]);
  if (session.data === undefined) return <p className="muted">Lecture de la carte…</p>;
  if (profession !== PHARMACIST) {
    return (
      <div className="stack">
        <Panel title="Ordonnances numériques">
          <p>
            {session.data === null
              ? 'Insérez votre carte CPS : la dispensation est réservée aux pharmaciens, l’établissement d’une ordonnance aux prescripteurs.'
              : 'Votre carte est celle d’un prescripteur : établissez les ordonnances depuis la fiche du patient.'}
          </p>
          <Button variant="primary" onClick={() => navigate('/patient')}>
            Rechercher un patient (Alt+1)
          </Button>
        </Panel>
        <DocumentReader />
        <ErxDemoSimulator />
      </div>
    );
  }
  return <Dispensing />;
}

function Dispensing() {
  const [typed, setTyped] = useState('');
  const [dispensation, setDispensation] = useState<Dispensation | null>(null);
  const open = useHostMutation('eprescription.dispensation.open');
  const input = useRef<HTMLInputElement>(null);
  const bridge = useBridge();

  const submit = (number: string): void => {
    if (number.trim() === '') return;
    open.mutate({ number }, { onSuccess: (r) => setDispensation(r.dispensation) });
  };
  // A scanned QR code: the number goes from the scan pipeline to the base without passing through
  // the page (by scan id). A payload the keyboard wedge could not carry faithfully is left to the
  // scan routing, which says so.
  const openScan = useRef<(scanId: string) => void>(() => undefined);
  openScan.current = (scanId) => {
    setTyped('');
    open.mutate({ scanId }, { onSuccess: (r) => setDispensation(r.dispensation) });
  };
  useScanClaim(['eprescription'], (scan) => {
    if (!scan.trusted) return false;
    openScan.current(scan.id);
    return true;
  });
  // Scanned on another screen and routed here.
  useEffect(() => {
    const take = () => {
      const scanId = takePendingDispensationScan();
      if (scanId !== null) openScan.current(scanId);
    };
    take();
    return onPendingDispensationScan(take);
  }, []);
  // Execution and DMP states change in the background: reload the open prescription.
  const reload = useCallback(() => {
    if (dispensation === null) return;
    bridge.invoke('eprescription.dispensation.open', { number: dispensation.number }).then(
      (r) => setDispensation(r.dispensation),
      () => undefined,
    );
  }, [bridge, dispensation]);
  useHostEvent('eprescription.changed', reload);

  return (
    <div className="stack">
      <Panel title="Dispensation d’une ordonnance numérique">
        <form
          className="inline"
          onSubmit={(e) => {
            e.preventDefault();
            submit(typed);
          }}
        >
          <label htmlFor="erx-number" className="field-label">
            Scannez le QR code ou saisissez le numéro
          </label>
          <TextInput
            id="erx-number"
            ref={input}
            autoFocus
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            placeholder="18 caractères sous le QR code"
            data-testid="erx-scan-input"
            aria-describedby="erx-number-hint"
          />
          <Button variant="primary" type="submit" busy={open.isPending} data-testid="erx-scan-open">
            Ouvrir
          </Button>
        </form>
        <p id="erx-number-hint" className="muted">
          Une douchette configurée en émulation clavier saisit le numéro et valide d’elle-même. Si le QR code est illisible, tapez les caractères imprimés sous le code (les espaces ne comptent pas).
        </p>
        {open.error ? <ErrorNotice error={open.error} next="Vérifiez le numéro ; si la base est injoignable, délivrez sur la base de l’ordonnance papier." /> : null}
      </Panel>
      {dispensation !== null ? (
        <DispensationView
          key={`${dispensation.number}-${dispensation.dispensations.length}`}
          dispensation={dispensation}
          onRecorded={(d) => {
            setDispensation(d);
            setTyped('');
            input.current?.focus();
          }}
        />
      ) : null}
      <DocumentReader />
      <ErxDemoSimulator />
    </div>
  );
}

interface Choice {
  kind: Outcome['kind'] | 'skip';
  cip13: string;
  name: string;
  quantity: string;
  reason: string;
}

function initialChoice(line: Line): Choice {
  return { kind: line.remaining > 0 ? 'delivered' : 'skip', cip13: '', name: '', quantity: '1', reason: '' };
}

function DispensationView({ dispensation, onRecorded }: { dispensation: Dispensation; onRecorded(d: Dispensation): void }) {
  const d = dispensation;
  const [choices, setChoices] = useState<Record<string, Choice>>(() => Object.fromEntries(d.lines.map((l) => [l.id, initialChoice(l)])));
  const [sendToDmp, setSendToDmp] = useState(true);
  const record = useHostMutation('eprescription.dispensation.record');
  const toast = useToast();
  const set = (id: string, change: Partial<Choice>): void => setChoices((all) => ({ ...all, [id]: { ...(all[id] as Choice), ...change } }));

  const submit = (): void => {
    const lines = d.lines
      .filter((l) => choices[l.id]?.kind !== 'skip')
      .map((l) => {
        const c = choices[l.id] as Choice;
        const outcome: Outcome =
          c.kind === 'substituted'
            ? { kind: 'substituted', cip13: c.cip13.trim(), name: c.name.trim() }
            : c.kind === 'adapted'
              ? { kind: 'adapted', quantity: Number(c.quantity), reason: c.reason }
              : c.kind === 'not-delivered'
                ? { kind: 'not-delivered', reason: c.reason }
                : { kind: 'delivered' };
        return { lineId: l.id, outcome };
      });
    record.mutate(
      { number: d.number, lines, sendToDmp },
      {
        onSuccess: (r) => {
          toast('ok', 'Délivrance enregistrée : elle part vers la base ordonnance numérique.');
          onRecorded(r.dispensation);
        },
      },
    );
  };

  return (
    <Panel title={`Ordonnance N° ${d.numberText}`}>
      <div data-testid="erx-dispensation" data-status={d.status}>
        <div className="inline erx-head">
          <StatusBadge tone={STATUS_TONES[d.status] ?? 'neutral'}>{d.status === 'dispensée' ? 'Déjà entièrement délivrée' : d.status}</StatusBadge>
          {d.source === 'copie locale' ? <StatusBadge tone="warn">Base injoignable : copie de ce poste du {frDateTime(d.fetchedAt)}</StatusBadge> : null}
          <span>
            Prescripteur : <strong>{d.prescriber.name}</strong>
            {d.prescriber.specialty ? ` (${d.prescriber.specialty})` : ''}
          </span>
          <span>
            Patient : <strong>{d.patient.name}</strong>
            {d.patient.birthDate ? `, né(e) le ${frDate(d.patient.birthDate)}` : ''}
          </span>
          {d.validUntil ? <span className="muted">valable jusqu’au {frDate(d.validUntil)}</span> : null}
        </div>
        {d.status === 'dispensée' ? (
          <div className="notice notice-info" data-testid="erx-already-dispensed">
            <strong>Cette ordonnance a déjà été entièrement délivrée.</strong> Une nouvelle délivrance n’est pas possible ; le QR code n’est plus valable.
          </div>
        ) : null}
        {d.status === 'annulée' ? (
          <div className="notice notice-error">
            <strong>Le prescripteur a annulé cette ordonnance.</strong> Ne la délivrez pas et contactez le prescripteur.
          </div>
        ) : null}
        <table className="table erx-table">
          <thead>
            <tr>
              <th>Prescrit</th>
              <th>Posologie</th>
              <th>Reste à délivrer</th>
              <th>Délivrance</th>
            </tr>
          </thead>
          <tbody>
            {d.lines.map((line, index) => (
              <tr key={line.id} data-testid="erx-dispense-line">
                <td>
                  <strong>{line.name}</strong>
                  <div className="muted">{line.codes.map((c) => `${c.system} ${c.code}`).join(' · ')}</div>
                  {line.quantity ? <div>Quantité : {line.quantity}</div> : null}
                  {line.nonSubstitution ? <StatusBadge tone="warn">Non substituable : {line.nonSubstitution}</StatusBadge> : null}
                  {line.ald ? <StatusBadge tone="info">ALD</StatusBadge> : null}
                </td>
                <td>{line.posology || <span className="muted">—</span>}</td>
                <td>
                  {line.remaining} / {1 + line.renewals}
                  {line.renewals > 0 ? <div className="muted">{line.renewals} renouvellement(s)</div> : null}
                </td>
                <td>{d.canDispense && line.remaining > 0 ? <OutcomeEditor line={line} index={index} choice={choices[line.id] as Choice} onChange={(c) => set(line.id, c)} /> : <span className="muted">—</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {d.canDispense ? (
          <div className="form-actions">
            <label className="radio">
              <input type="checkbox" checked={sendToDmp} onChange={(e) => setSendToDmp(e.target.checked)} data-testid="erx-send-dmp" /> Envoyer la dispensation au DMP du patient (eDISP-MED)
            </label>
            <Button variant="primary" busy={record.isPending} onClick={submit} data-testid="erx-record">
              Enregistrer la délivrance
            </Button>
          </div>
        ) : null}
        {record.error ? <ErrorNotice error={record.error} /> : null}
        {d.dispensations.length > 0 ? (
          <div className="erx-history">
            <h3>Délivrances</h3>
            <ul>
              {d.dispensations.map((x) => (
                <li key={x.id} data-testid="erx-dispensation-record" data-execution={x.execution.state}>
                  <span>{frDateTime(x.recordedAt)}</span> · <span>{COMPLETENESS_LABELS[x.completeness] ?? x.completeness}</span> · <span>{x.pharmacist}</span>{' '}
                  <StatusBadge tone={EXECUTION_LABELS[x.execution.state].tone}>{EXECUTION_LABELS[x.execution.state].label}</StatusBadge>{' '}
                  {x.local ? <StatusBadge tone={DMP_LABELS[x.dmp.state].tone}>{DMP_LABELS[x.dmp.state].label}</StatusBadge> : null}
                  {x.execution.message ? <div className="muted">{x.execution.message}</div> : null}
                  {x.local && x.dmp.state === 'not-sent' && x.dmp.message ? <div className="muted">{x.dmp.message}</div> : null}
                </li>
              ))}
            </ul>
          </div>
        ) : null}
      </div>
    </Panel>
  );
}

function OutcomeEditor({ line, index, choice, onChange }: { line: Line; index: number; choice: Choice; onChange(change: Partial<Choice>): void }) {
  const cis = line.codes.find((c) => c.system === 'CIS')?.code ?? null;
  const generics = useHostQuery('eprescription.drugs.generics', { cis: cis ?? '' }, { enabled: choice.kind === 'substituted' && cis !== null });
  const options: Drug[] = (generics.data?.drugs ?? []).filter((g) => g.cis !== cis);
  return (
    <div className="erx-outcome" data-testid={`erx-outcome-${index + 1}`}>
      <select className="select" aria-label={`Délivrance de la ligne ${index + 1}`} value={choice.kind} onChange={(e) => onChange({ kind: e.target.value as Choice['kind'] })} data-testid="erx-outcome">
        <option value="delivered">Délivré tel que prescrit</option>
        {line.substitutable && line.kind === 'medication' ? <option value="substituted">Substitué (générique)</option> : null}
        <option value="adapted">Quantité adaptée</option>
        <option value="not-delivered">Non délivré</option>
        <option value="skip">Pas cette fois-ci</option>
      </select>
      {choice.kind === 'substituted' ? (
        <div className="inline">
          {options.length > 0 ? (
            <select
              className="select"
              aria-label="Générique délivré"
              value={choice.cip13}
              data-testid="erx-generic"
              onChange={(e) => {
                const drug = options.find((g) => g.presentations.some((p) => p.cip13 === e.target.value));
                onChange({ cip13: e.target.value, name: drug?.name ?? '' });
              }}
            >
              <option value="">Générique du même groupe…</option>
              {options.flatMap((g) =>
                g.presentations.map((p) => (
                  <option key={p.cip13} value={p.cip13}>
                    {g.name} — {p.label} ({p.cip13})
                  </option>
                )),
              )}
            </select>
          ) : null}
          <input className="input input-code" aria-label="CIP13 délivré" placeholder="CIP13 (13 chiffres)" inputMode="numeric" value={choice.cip13} onChange={(e) => onChange({ cip13: e.target.value.replace(/\D/g, '').slice(0, 13) })} data-testid="erx-cip13" />
          <input className="input" aria-label="Nom du médicament délivré" placeholder="Nom du médicament délivré" value={choice.name} onChange={(e) => onChange({ name: e.target.value })} data-testid="erx-substitute-name" />
        </div>
      ) : null}
      {choice.kind === 'adapted' ? (
        <div className="inline">
          <input className="input input-short" aria-label="Quantité délivrée" inputMode="numeric" value={choice.quantity} onChange={(e) => onChange({ quantity: e.target.value })} />
          <input className="input" aria-label="Motif de l’adaptation" placeholder="Motif (conditionnement…)" value={choice.reason} onChange={(e) => onChange({ reason: e.target.value })} />
        </div>
      ) : null}
      {choice.kind === 'not-delivered' ? (
        <input className="input" aria-label="Motif de non-délivrance" placeholder="Motif (rupture, refus du patient…)" value={choice.reason} onChange={(e) => onChange({ reason: e.target.value })} />
      ) : null}
    </div>
  );
}
