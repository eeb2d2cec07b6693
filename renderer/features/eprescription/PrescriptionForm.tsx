/**
 * Writing an ordonnance: medications chosen in the drug list (or written as free text), each with a
 * structured posology (dose, frequency, duration, route, « si besoin », maximum per day) or a
 * free-text one, quantity, renewals, « non substituable » with its mention, ALD; medical devices;
 * the patient's weight and consent. Ctrl+Entrée validates. The host allocates the number, builds
 * the PDF and the eP-MED-DM, and queues the registration and the DMP copy.
 */
import { useState } from 'react';
import type { MethodParams, MethodResult } from '../../../electron/contract';
import { useHostMutation, useHostQuery } from '../../bridge/queries';
import { Button, ErrorNotice, Panel } from '../../ui';
import { DrugPicker, type Drug } from './DrugPicker';
import { DOSE_UNITS, NON_SUBSTITUTION } from './format';

type LineInput = MethodParams<'eprescription.prescribe'>['lines'][number];
type Prescription = MethodResult<'eprescription.prescribe'>['prescription'];
type DoseUnit = (typeof DOSE_UNITS)[number];

interface MedicationDraft {
  key: number;
  kind: 'medication';
  name: string;
  cis: string | null;
  presentations: Drug['presentations'];
  cip13: string;
  mode: 'structured' | 'text';
  doseLow: string;
  doseHigh: string;
  unit: DoseUnit;
  times: string;
  per: 'jour' | 'semaine' | 'heures';
  duration: string;
  durationUnit: 'jour' | 'semaine' | 'mois';
  route: string;
  asNeeded: boolean;
  condition: string;
  maxPerDay: string;
  text: string;
  boxes: string;
  renewals: string;
  nonSubstitutable: boolean;
  reason: keyof typeof NON_SUBSTITUTION;
  ald: boolean;
  instructions: string;
}

interface DeviceDraft {
  key: number;
  kind: 'device';
  name: string;
  lpp: string;
  quantity: string;
  renewals: string;
  rentalDays: string;
  ald: boolean;
}

type Draft = MedicationDraft | DeviceDraft;

let nextKey = 1;

function medication(name: string, drug: Drug | null): MedicationDraft {
  const unit = drug === null ? 'comprimé' : /gélule/i.test(drug.form) ? 'gélule' : /sachet|poudre/i.test(drug.form) ? 'sachet' : /inhal/i.test(drug.form) ? 'bouffée' : /crème|pommade|gel/i.test(drug.form) ? 'application' : 'comprimé';
  return {
    key: nextKey++,
    kind: 'medication',
    name,
    cis: drug?.cis ?? null,
    presentations: drug?.presentations ?? [],
    cip13: '',
    mode: 'structured',
    doseLow: '1',
    doseHigh: '',
    unit,
    times: '3',
    per: 'jour',
    duration: '5',
    durationUnit: 'jour',
    route: drug?.routes.includes('orale') === true ? '20053000' : '',
    asNeeded: false,
    condition: '',
    maxPerDay: '',
    text: '',
    boxes: '1',
    renewals: '0',
    nonSubstitutable: false,
    reason: 'MTE',
    ald: false,
    instructions: '',
  };
}

const num = (value: string): number => Number(value.replace(',', '.'));

function toInput(d: Draft): LineInput {
  if (d.kind === 'device') {
    return {
      kind: 'device',
      name: d.name,
      codes: /^\d{7}$/.test(d.lpp) ? [{ code: d.lpp, codeSystem: '1.2.250.1.215.200.2.1', system: 'LPP' }] : [],
      quantity: Math.max(1, Math.round(num(d.quantity) || 1)),
      renewals: Math.round(num(d.renewals) || 0),
      ald: d.ald,
      ...(d.rentalDays.trim() === '' ? {} : { rentalDays: Math.round(num(d.rentalDays)) }),
    };
  }
  const codes = [
    ...(d.cis === null ? [] : [{ code: d.cis, codeSystem: '1.2.250.1.213.2.3.1', system: 'CIS', displayName: d.name }]),
    ...(d.cip13 === '' ? [] : [{ code: d.cip13, codeSystem: '1.2.250.1.213.2.3.2', system: 'CIP', displayName: d.presentations.find((p) => p.cip13 === d.cip13)?.label ?? d.name }]),
  ];
  const posology: Extract<LineInput, { kind: 'medication' }>['posology'] =
    d.mode === 'text'
      ? { kind: 'text', text: d.text }
      : {
          kind: 'structured',
          dose: { low: num(d.doseLow), ...(d.doseHigh.trim() === '' ? {} : { high: num(d.doseHigh) }), unit: d.unit },
          frequency: d.per === 'heures' ? { everyHours: num(d.times) } : { times: Math.round(num(d.times)), per: d.per },
          duration: { value: num(d.duration), unit: d.durationUnit },
          ...(d.route === '' ? {} : { route: d.route }),
          ...(d.asNeeded ? { asNeeded: { condition: d.condition } } : {}),
          ...(d.maxPerDay.trim() === '' ? {} : { maxPerDay: { value: num(d.maxPerDay), unit: d.unit } }),
        };
  return {
    kind: 'medication',
    name: d.name,
    codes,
    posology,
    ...(d.boxes.trim() === '' ? {} : { boxes: Math.round(num(d.boxes)) }),
    renewals: Math.round(num(d.renewals) || 0),
    substitution: d.nonSubstitutable ? { allowed: false, reason: d.reason } : { allowed: true },
    ald: d.ald,
    ...(d.instructions.trim() === '' ? {} : { patientInstructions: d.instructions.trim() }),
  };
}

export function PrescriptionForm({ patientId, onDone, onCancel }: { patientId: string; onDone(prescription: Prescription): void; onCancel(): void }) {
  const [lines, setLines] = useState<Draft[]>([]);
  const [weight, setWeight] = useState('');
  const [consent, setConsent] = useState<'OUI' | 'NON' | null>(null);
  const routes = useHostQuery('eprescription.routes', {});
  const prescribe = useHostMutation('eprescription.prescribe', ['eprescription.list']);

  const update = (key: number, change: Partial<MedicationDraft> | Partial<DeviceDraft>): void =>
    setLines((all) => all.map((l) => (l.key === key ? ({ ...l, ...change } as Draft) : l)));
  const remove = (key: number): void => setLines((all) => all.filter((l) => l.key !== key));

  const submit = (): void => {
    if (consent === null || lines.length === 0) return;
    prescribe.mutate({ patientId, consent, lines: lines.map(toInput), ...(weight.trim() === '' ? {} : { weightKg: num(weight) }) }, { onSuccess: (r) => onDone(r.prescription) });
  };

  return (
    <Panel title="Nouvelle ordonnance numérique">
      <div
        className="erx-form"
        data-testid="erx-form"
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            submit();
          }
        }}
      >
        <div className="inline erx-add">
          <DrugPicker autoFocus onPick={(drug) => setLines((all) => [...all, medication(drug.name, drug)])} onFreeText={(name) => setLines((all) => [...all, medication(name, null)])} />
          <Button
            variant="ghost"
            data-testid="erx-add-device"
            onClick={() => setLines((all) => [...all, { key: nextKey++, kind: 'device', name: '', lpp: '', quantity: '1', renewals: '0', rentalDays: '', ald: false }])}
          >
            + Dispositif médical
          </Button>
        </div>
        {lines.length === 0 ? <p className="muted">Cherchez un médicament (Entrée pour l’ajouter), ou ajoutez un dispositif médical.</p> : null}
        <ol className="erx-lines">
          {lines.map((line, index) => (
            <li key={line.key} className="erx-line" data-testid="erx-line">
              {line.kind === 'medication' ? (
                <MedicationEditor line={line} index={index} routes={routes.data?.routes ?? []} onChange={(c) => update(line.key, c)} onRemove={() => remove(line.key)} />
              ) : (
                <DeviceEditor line={line} index={index} onChange={(c) => update(line.key, c)} onRemove={() => remove(line.key)} />
              )}
            </li>
          ))}
        </ol>
        <div className="inline erx-footer">
          <label>
            Poids (kg, facultatif){' '}
            <input className="input input-short" inputMode="decimal" value={weight} onChange={(e) => setWeight(e.target.value)} data-testid="erx-weight" />
          </label>
          <fieldset className="erx-consent" data-testid="erx-consent">
            <legend>Le patient accepte que vous consultiez ce qui lui sera délivré :</legend>
            <label className="radio">
              <input type="radio" name="consent" checked={consent === 'OUI'} onChange={() => setConsent('OUI')} /> Oui
            </label>
            <label className="radio">
              <input type="radio" name="consent" checked={consent === 'NON'} onChange={() => setConsent('NON')} /> Non
            </label>
          </fieldset>
        </div>
        {prescribe.error ? <ErrorNotice error={prescribe.error} /> : null}
        <div className="form-actions">
          <Button variant="primary" busy={prescribe.isPending} disabled={lines.length === 0 || consent === null} onClick={submit} data-testid="erx-submit" title="Ctrl+Entrée">
            Valider l’ordonnance
          </Button>
          <Button onClick={onCancel}>Annuler</Button>
          {consent === null && lines.length > 0 ? <span className="muted">Demandez au patient sa réponse (consultation de la délivrance) avant de valider.</span> : null}
        </div>
      </div>
    </Panel>
  );
}

function MedicationEditor({
  line,
  index,
  routes,
  onChange,
  onRemove,
}: {
  line: MedicationDraft;
  index: number;
  routes: Array<{ code: string; displayName: string }>;
  onChange(change: Partial<MedicationDraft>): void;
  onRemove(): void;
}) {
  return (
    <div className="erx-editor">
      <div className="inline erx-line-head">
        <strong>
          {index + 1}. {line.name}
        </strong>
        {line.cis === null ? <span className="muted">(texte libre)</span> : <span className="muted">CIS {line.cis}</span>}
        {line.presentations.length > 0 ? (
          <select className="select" aria-label="Présentation (CIP13)" value={line.cip13} onChange={(e) => onChange({ cip13: e.target.value })}>
            <option value="">Présentation au choix du pharmacien</option>
            {line.presentations.map((p) => (
              <option key={p.cip13} value={p.cip13}>
                {p.label} — {p.cip13}
              </option>
            ))}
          </select>
        ) : null}
        <Button variant="ghost" onClick={onRemove} aria-label={`Retirer la ligne ${index + 1}`}>
          Retirer
        </Button>
      </div>
      <div className="inline erx-mode">
        <label className="radio">
          <input type="radio" checked={line.mode === 'structured'} onChange={() => onChange({ mode: 'structured' })} /> Posologie structurée
        </label>
        <label className="radio">
          <input type="radio" checked={line.mode === 'text'} onChange={() => onChange({ mode: 'text' })} data-testid="erx-mode-text" /> Posologie en texte libre
        </label>
      </div>
      {line.mode === 'text' ? (
        <textarea className="input erx-text" aria-label="Posologie" value={line.text} onChange={(e) => onChange({ text: e.target.value })} data-testid="erx-posology-text" placeholder="Ex. : 1 comprimé matin et soir pendant 6 jours" />
      ) : (
        <div className="inline erx-structured">
          <input className="input input-short" aria-label="Dose" inputMode="decimal" value={line.doseLow} onChange={(e) => onChange({ doseLow: e.target.value })} data-testid="erx-dose" />
          <span>à</span>
          <input className="input input-short" aria-label="Dose maximale par prise (facultatif)" inputMode="decimal" value={line.doseHigh} onChange={(e) => onChange({ doseHigh: e.target.value })} />
          <select className="select" aria-label="Unité" value={line.unit} onChange={(e) => onChange({ unit: e.target.value as DoseUnit })}>
            {DOSE_UNITS.map((u) => (
              <option key={u}>{u}</option>
            ))}
          </select>
          <input className="input input-short" aria-label={line.per === 'heures' ? 'Toutes les … heures' : 'Nombre de prises'} inputMode="decimal" value={line.times} onChange={(e) => onChange({ times: e.target.value })} data-testid="erx-times" />
          <select className="select" aria-label="Fréquence" value={line.per} onChange={(e) => onChange({ per: e.target.value as MedicationDraft['per'] })}>
            <option value="jour">fois par jour</option>
            <option value="semaine">fois par semaine</option>
            <option value="heures">heures d’intervalle</option>
          </select>
          <span>pendant</span>
          <input className="input input-short" aria-label="Durée" inputMode="decimal" value={line.duration} onChange={(e) => onChange({ duration: e.target.value })} data-testid="erx-duration" />
          <select className="select" aria-label="Unité de durée" value={line.durationUnit} onChange={(e) => onChange({ durationUnit: e.target.value as MedicationDraft['durationUnit'] })}>
            <option value="jour">jour(s)</option>
            <option value="semaine">semaine(s)</option>
            <option value="mois">mois</option>
          </select>
          <select className="select" aria-label="Voie d’administration" value={line.route} onChange={(e) => onChange({ route: e.target.value })}>
            <option value="">Voie : non précisée</option>
            {routes.map((r) => (
              <option key={r.code} value={r.code}>
                {r.displayName}
              </option>
            ))}
          </select>
          <label className="radio">
            <input type="checkbox" checked={line.asNeeded} onChange={(e) => onChange({ asNeeded: e.target.checked })} /> si besoin
          </label>
          {line.asNeeded ? <input className="input" aria-label="Condition (si besoin)" placeholder="si douleur, si fièvre…" value={line.condition} onChange={(e) => onChange({ condition: e.target.value })} /> : null}
          <label>
            max/jour <input className="input input-short" aria-label="Maximum par jour" inputMode="decimal" value={line.maxPerDay} onChange={(e) => onChange({ maxPerDay: e.target.value })} />
          </label>
        </div>
      )}
      <div className="inline erx-line-extra">
        <label>
          Boîtes <input className="input input-short" inputMode="numeric" value={line.boxes} onChange={(e) => onChange({ boxes: e.target.value })} aria-label="Nombre de boîtes" />
        </label>
        <label>
          Renouvellements <input className="input input-short" inputMode="numeric" value={line.renewals} onChange={(e) => onChange({ renewals: e.target.value })} aria-label="Renouvellements" data-testid="erx-renewals" />
        </label>
        <label className="radio">
          <input type="checkbox" checked={line.nonSubstitutable} onChange={(e) => onChange({ nonSubstitutable: e.target.checked })} /> Non substituable
        </label>
        {line.nonSubstitutable ? (
          <select className="select" aria-label="Mention de non-substitution" value={line.reason} onChange={(e) => onChange({ reason: e.target.value as MedicationDraft['reason'] })}>
            {Object.entries(NON_SUBSTITUTION).map(([code, label]) => (
              <option key={code} value={code}>
                {label}
              </option>
            ))}
          </select>
        ) : null}
        <label className="radio">
          <input type="checkbox" checked={line.ald} onChange={(e) => onChange({ ald: e.target.checked })} /> ALD
        </label>
        <input className="input" aria-label="Conseil au patient (facultatif)" placeholder="Conseil au patient (facultatif)" value={line.instructions} onChange={(e) => onChange({ instructions: e.target.value })} />
      </div>
    </div>
  );
}

function DeviceEditor({ line, index, onChange, onRemove }: { line: DeviceDraft; index: number; onChange(change: Partial<DeviceDraft>): void; onRemove(): void }) {
  return (
    <div className="erx-editor">
      <div className="inline erx-line-head">
        <strong>{index + 1}. Dispositif médical</strong>
        <Button variant="ghost" onClick={onRemove} aria-label={`Retirer la ligne ${index + 1}`}>
          Retirer
        </Button>
      </div>
      <div className="inline erx-line-extra">
        <input className="input" autoFocus aria-label="Dispositif médical" placeholder="Désignation" value={line.name} onChange={(e) => onChange({ name: e.target.value })} data-testid="erx-device-name" />
        <input className="input input-short" aria-label="Code LPP (7 chiffres, facultatif)" placeholder="LPP" value={line.lpp} onChange={(e) => onChange({ lpp: e.target.value.trim() })} />
        <label>
          Quantité <input className="input input-short" inputMode="numeric" value={line.quantity} onChange={(e) => onChange({ quantity: e.target.value })} aria-label="Quantité" />
        </label>
        <label>
          Location (jours) <input className="input input-short" inputMode="numeric" value={line.rentalDays} onChange={(e) => onChange({ rentalDays: e.target.value })} aria-label="Durée de location en jours" />
        </label>
        <label>
          Renouvellements <input className="input input-short" inputMode="numeric" value={line.renewals} onChange={(e) => onChange({ renewals: e.target.value })} aria-label="Renouvellements du dispositif" />
        </label>
        <label className="radio">
          <input type="checkbox" checked={line.ald} onChange={(e) => onChange({ ald: e.target.checked })} /> ALD
        </label>
      </div>
    </div>
  );
}
