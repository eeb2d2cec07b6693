/**
 * Qualifying the open patient's identity at the desk (Guide INS: INSi, then an identity document):
 * 1. « Interroger INSi » (traits, with the first-name strategy) or « avec la carte Vitale »;
 * 2. local vs INSi traits side by side, marked by the acceptance rule: identical/completed → « Accepter »
 *    (the INSi traits replace the local ones, RECUP); one acceptable difference → a reason and a second
 *    confirmation; otherwise it is probably another person: nothing is attached, the desk searches
 *    again or corrects the local traits, and the refusal is in the identity history;
 * 3. the identity device actually checked — picked from a list with NO default (RNIV EXI SI 10/23) —
 *    → VALI, or QUAL with the INSi retrieval;
 * 4. the INS datamatrix of a qualified identity, for printing.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { InsiLookup } from '../../../electron/contract/domains/insi';
import { navigate } from '../../app/router';
import { useHostEvent, useHostMutation, useHostQuery } from '../../bridge/queries';
import { HostError } from '../../bridge/types';
import { Button, Dialog, ErrorNotice, Field, Panel, StatusBadge, TextInput, useToast } from '../../ui';
import { STATUS_LABELS, STATUS_TONES, formatBirthDate, formatMatricule } from '../patient/format';
import { STATUS_MEANING } from './labels';

export function Qualification({ patientId }: { patientId: string }) {
  const record = useHostQuery('patients.get', { id: patientId });
  const client = useQueryClient();
  useHostEvent('patients.changed', (event) => {
    if (event.id === patientId) void client.invalidateQueries({ queryKey: ['patients.get'] });
  });
  const lookupPatient = useHostMutation('insi.lookupPatient');
  const [lookup, setLookup] = useState<InsiLookup | null>(null);

  if (record.error) return <ErrorNotice error={record.error} next="Revenez à la recherche patient (Alt+1)." />;
  if (!record.data) return <p className="muted">Chargement de l’identité…</p>;
  const { patient } = record.data;
  const { identity, strictTraits: s } = patient;
  const blocked = identity.attributes.douteuse || identity.attributes.fictive;

  return (
    <div className="qualification" data-testid="qualification">
      <Panel
        title={`Qualification — ${s.birthName} ${s.firstGivenName}`}
        actions={<Button onClick={() => navigate(`/patient/${patientId}`)}>Fiche patient</Button>}
      >
        <div className="identity-line">
          <StatusBadge tone={STATUS_TONES[identity.status]} title={STATUS_MEANING[identity.status]}>
            <span data-testid="qualification-status">Identité {STATUS_LABELS[identity.status].toLowerCase()}</span>
          </StatusBadge>
          <span className="muted">{STATUS_MEANING[identity.status]}</span>
        </div>
        <p>
          {s.birthName} · {s.birthGivenNames} · {formatBirthDate(s.birthDate)} · {s.sex === 'F' ? 'féminin' : 'masculin'} · {patient.birthPlaceLabel ?? 'lieu de naissance non renseigné'}
        </p>
        {blocked ? (
          <p className="field-message" role="alert">
            Identité {identity.attributes.fictive ? 'fictive' : 'douteuse'} : l’appel au téléservice INSi est bloqué. Levez le doute avec un justificatif d’identité.
          </p>
        ) : (
          <div className="actions">
            <Button
              variant="primary"
              busy={lookupPatient.isPending}
              onClick={() => lookupPatient.mutate({ patientId }, { onSuccess: (result) => setLookup(result) })}
              data-testid="insi-query"
            >
              Interroger INSi
            </Button>
            <VitaleLookup patientId={patientId} onResult={setLookup} />
          </div>
        )}
        {lookupPatient.error ? <ErrorNotice error={lookupPatient.error} /> : null}
      </Panel>
      {lookup ? (
        <LookupResult
          patientId={patientId}
          lookup={lookup}
          onAccepted={() => setLookup(null)}
          onSearchAgain={() => {
            setLookup(null);
            lookupPatient.mutate({ patientId }, { onSuccess: (result) => setLookup(result) });
          }}
        />
      ) : null}
      <DocumentCheck patientId={patientId} documentChecked={identity.documentCheck} />
      {identity.status === 'QUAL' ? <Datamatrix patientId={patientId} /> : null}
    </div>
  );
}

function VitaleLookup({ patientId, onResult }: { patientId: string; onResult(lookup: InsiLookup): void }) {
  const session = useHostQuery('cards.readers', {}, { refetchInterval: 5000 });
  const vitaleReader = session.data?.readers.find((r) => r.cardKind === 'VITALE_2' || r.cardKind === 'VITALE_1')?.name ?? null;
  const vitale = useHostQuery('cards.readVitale', vitaleReader === null ? {} : { reader: vitaleReader }, { enabled: vitaleReader !== null });
  const mutation = useHostMutation('insi.lookupVitale');
  const [index, setIndex] = useState('');
  const beneficiaries = vitale.data?.beneficiaries ?? [];
  if (vitaleReader === null) return <span className="muted">Insérez la carte Vitale pour interroger INSi avec la carte.</span>;
  const chosen = beneficiaries.find((b) => String(b.index) === index);
  return (
    <span className="inline-form">
      <select aria-label="Bénéficiaire de la carte Vitale" value={index} onChange={(e) => setIndex(e.target.value)} data-testid="vitale-beneficiary">
        <option value="">— bénéficiaire —</option>
        {beneficiaries.map((b) => (
          <option key={b.index} value={String(b.index)}>
            {b.surname} {b.givenName} ({b.birthDate.display})
          </option>
        ))}
      </select>
      <Button
        disabled={chosen === undefined}
        busy={mutation.isPending}
        onClick={() =>
          chosen &&
          mutation.mutate(
            { patientId, beneficiary: { beneficiaryNir: chosen.nir, insuredNir: chosen.insuredNir, birthName: chosen.surname, birthDate: chosen.birthDate.raw, birthRank: chosen.birthRank } },
            { onSuccess: onResult },
          )
        }
      >
        Interroger INSi avec la carte Vitale
      </Button>
      {mutation.error ? <ErrorNotice error={mutation.error} /> : null}
    </span>
  );
}

const ROW_FIELD: Record<string, string> = {
  birthName: 'birthName',
  birthGivenNames: 'givenNames',
  firstGivenName: 'givenNames',
  sex: 'sex',
  birthDate: 'birthDate',
  birthPlaceCode: 'birthPlace',
};

const SEVERITY_BADGE = {
  none: { tone: 'ok', text: 'identique' },
  info: { tone: 'info', text: 'complété par l’INSi' },
  minor: { tone: 'warn', text: 'différence acceptable' },
  major: { tone: 'error', text: 'différent' },
} as const;

/** Local vs INSi traits, each row marked by the acceptance rule (identity/acceptance.ts). */
export function ComparisonTable({ comparison, acceptance }: { comparison: NonNullable<InsiLookup['comparison']>; acceptance: InsiLookup['acceptance'] }) {
  return (
    <table className="table comparison" data-testid="insi-comparison">
      <thead>
        <tr>
          <th>Trait</th>
          <th>Base locale</th>
          <th>INSi</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {comparison.map((row) => {
          const finding = acceptance?.findings.find((f) => f.field === ROW_FIELD[row.field]);
          const badge = row.same ? SEVERITY_BADGE.none : SEVERITY_BADGE[finding?.severity ?? 'major'];
          return (
            <tr key={row.field} className={row.same ? '' : finding?.severity === 'major' ? 'row-block' : 'row-diff'}>
              <td>{row.label}</td>
              <td>{row.local ?? '—'}</td>
              <td>{row.insi ?? '—'}</td>
              <td title={row.same ? undefined : finding?.message}>
                <StatusBadge tone={badge.tone}>{badge.text}</StatusBadge>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** An INS already on another record: the attempt became a « doublon potentiel » to review. */
export function InsAlreadyAttached({ patientId, error }: { patientId: string; error: unknown }) {
  if (!(error instanceof HostError) || error.code !== 'PATIENT_INS_ALREADY_ATTACHED') return <ErrorNotice error={error} />;
  const other = String(error.details?.otherPatientId ?? '');
  return (
    <div className="notice notice-error" role="alert" data-testid="ins-already-attached">
      <strong>Cet INS est déjà rattaché à une autre fiche.</strong> Un INS ne désigne qu’un patient : les deux fiches sont proposées comme doublon potentiel.
      <div>
        <Button onClick={() => navigate(`/patient/doublons/${patientId}/${other}`)}>Comparer les deux fiches</Button>
      </div>
    </div>
  );
}

function LookupResult({ patientId, lookup, onAccepted, onSearchAgain }: { patientId: string; lookup: InsiLookup; onAccepted(): void; onSearchAgain(): void }) {
  const accept = useHostMutation('insi.accept', ['patients.get', 'patients.search']);
  const reject = useHostMutation('insi.reject', ['patients.get']);
  const toast = useToast();
  const [confirming, setConfirming] = useState(false);
  const [refusing, setRefusing] = useState(false);
  const identity = lookup.result.identity;
  const acceptance = lookup.acceptance;
  const doAccept = (confirmation?: { reason: string; samePerson: true }) =>
    accept.mutate(
      { patientId, lookupId: lookup.lookupId, ...(confirmation === undefined ? {} : { confirmation }) },
      {
        onSuccess: (result) => {
          toast('ok', `Identité ${STATUS_LABELS[result.status].toLowerCase()} : les traits INSi remplacent les traits locaux.`);
          setConfirming(false);
          onAccepted();
        },
      },
    );
  return (
    <Panel title="Réponse INSi">
      <p data-testid="insi-outcome">
        <StatusBadge tone={lookup.outcome === 'found' ? 'ok' : 'warn'}>
          {lookup.outcome === 'found' ? 'Identité trouvée (00)' : lookup.outcome === 'several' ? 'Plusieurs identités (02)' : 'Aucune identité (01)'}
        </StatusBadge>{' '}
        <span className="muted">
          {lookup.attempts.length} interrogation(s) : {lookup.attempts.map((a) => `${a.givenNames.join(' ') || 'carte Vitale'}${a.withBirthPlace ? ' + lieu' : ''} → ${a.code}`).join(', ')} ·{' '}
          {lookup.authentication === 'cps' ? 'authentification par la carte CPS/CPE' : 'authentification par le certificat de structure'}
        </span>
      </p>
      {acceptance?.decision === 'block' ? null : <p>{lookup.guidance}</p>}
      {identity ? (
        <>
          <p>
            INS {formatMatricule(identity.active.number, identity.active.key)} · OID {identity.active.oid}
            {identity.history.length > 0 ? ` · ${identity.history.length} INS historique(s)` : ''}
          </p>
          {lookup.comparison ? <ComparisonTable comparison={lookup.comparison} acceptance={acceptance} /> : null}
          {acceptance?.decision === 'block' ? (
            <div className="notice notice-error" role="alert" data-testid="insi-blocked">
              <strong>Identité INSi non rattachée : il s’agit probablement d’une autre personne.</strong>
              <p>{acceptance.message}</p>
              <p className="muted">Le refus est inscrit dans l’historique de l’identité.</p>
              <div>
                <Button variant="primary" onClick={onSearchAgain} data-testid="insi-search-again">
                  Relancer la recherche
                </Button>
                <Button onClick={() => navigate(`/patient/${patientId}/modifier`)} data-testid="insi-correct-traits">
                  Corriger les traits locaux
                </Button>
              </div>
            </div>
          ) : (
            <>
              {acceptance?.decision === 'confirm' ? (
                <div className="notice notice-warn" role="alert" data-testid="insi-confirm-needed">
                  {acceptance.message}
                </div>
              ) : null}
              <div className="actions">
                <Button
                  variant="primary"
                  busy={accept.isPending}
                  data-testid="insi-accept"
                  onClick={() => (acceptance?.decision === 'confirm' ? setConfirming(true) : doAccept())}
                >
                  Accepter l’identité INSi
                </Button>
                <Button onClick={() => setRefusing(true)} data-testid="insi-reject">
                  Ce n’est pas ce patient
                </Button>
              </div>
              {accept.error && !confirming ? <InsAlreadyAttached patientId={patientId} error={accept.error} /> : null}
            </>
          )}
        </>
      ) : null}
      {confirming && acceptance ? (
        <SecondConfirmation
          message={acceptance.message}
          busy={accept.isPending}
          error={accept.error}
          patientId={patientId}
          onCancel={() => setConfirming(false)}
          onConfirm={(reason) => doAccept({ reason, samePerson: true })}
        />
      ) : null}
      {refusing ? (
        <ReasonDialog
          title="Refuser l’identité INSi"
          text="L’identité trouvée n’est pas celle de ce patient : le refus et son motif sont inscrits dans l’historique de l’identité."
          confirmLabel="Refuser"
          busy={reject.isPending}
          error={reject.error}
          onCancel={() => setRefusing(false)}
          onConfirm={(reason) =>
            reject.mutate(
              { patientId, lookupId: lookup.lookupId, reason },
              {
                onSuccess: () => {
                  toast('ok', 'Identité INSi refusée : le refus est dans l’historique.');
                  setRefusing(false);
                  onAccepted();
                },
              },
            )
          }
        />
      ) : null}
    </Panel>
  );
}

/** One acceptable difference: a reason, then a second, explicit confirmation that it is the same person. */
export function SecondConfirmation({ message, busy, error, patientId, onCancel, onConfirm }: { message: string; busy: boolean; error: unknown; patientId: string; onCancel(): void; onConfirm(reason: string): void }) {
  const [reason, setReason] = useState('');
  const [checked, setChecked] = useState(false);
  return (
    <Dialog
      open
      title="Accepter l’identité INSi malgré une différence"
      onClose={onCancel}
      actions={
        <>
          <Button onClick={onCancel}>Annuler</Button>
          <Button variant="danger" busy={busy} disabled={reason.trim().length < 3 || !checked} onClick={() => onConfirm(reason.trim())} data-testid="insi-confirm">
            Confirmer l’acceptation
          </Button>
        </>
      }
    >
      <p>{message}</p>
      <label>
        Motif (obligatoire, conservé dans l’historique)
        <TextInput autoFocus value={reason} onChange={(e) => setReason(e.target.value)} data-testid="insi-confirm-reason" />
      </label>
      <label className="radio">
        <input type="checkbox" checked={checked} onChange={(e) => setChecked(e.target.checked)} data-testid="insi-confirm-same" /> J’ai vérifié sur le justificatif d’identité : il s’agit bien de la même personne.
      </label>
      {error ? <InsAlreadyAttached patientId={patientId} error={error} /> : null}
    </Dialog>
  );
}

function ReasonDialog({ title, text, confirmLabel, busy, error, onCancel, onConfirm }: { title: string; text: string; confirmLabel: string; busy: boolean; error: unknown; onCancel(): void; onConfirm(reason: string): void }) {
  const [reason, setReason] = useState('');
  return (
    <Dialog
      open
      title={title}
      onClose={onCancel}
      actions={
        <>
          <Button onClick={onCancel}>Annuler</Button>
          <Button variant="primary" busy={busy} disabled={reason.trim().length < 3} onClick={() => onConfirm(reason.trim())}>
            {confirmLabel}
          </Button>
        </>
      }
    >
      <p>{text}</p>
      <label>
        Motif (obligatoire)
        <TextInput autoFocus value={reason} onChange={(e) => setReason(e.target.value)} />
      </label>
      {error ? <ErrorNotice error={error} /> : null}
    </Dialog>
  );
}

function DocumentCheck({ patientId, documentChecked }: { patientId: string; documentChecked: { device: string; checkedBy: string; checkedAt: string; highTrust: boolean } | null }) {
  const devices = useHostQuery('identity.devices', {});
  const record = useHostMutation('patients.recordIdentityCheck', ['patients.get', 'patients.search']);
  const toast = useToast();
  // No default selection (RNIV EXI SI 10/23): the person must choose what they actually checked.
  const [device, setDevice] = useState('');
  const [parent, setParent] = useState('');
  const list = devices.data?.devices ?? [];
  const chosen = list.find((d) => d.code === device);
  return (
    <Panel title="Contrôle d’un justificatif d’identité">
      {documentChecked ? (
        <p className="muted">
          Dernier contrôle : {list.find((d) => d.code === documentChecked.device)?.label ?? documentChecked.device} par {documentChecked.checkedBy} le{' '}
          {new Date(documentChecked.checkedAt).toLocaleString('fr-FR')}
          {documentChecked.highTrust ? '' : ' (faible niveau de confiance : ne valide pas l’identité)'}
        </p>
      ) : null}
      <Field label="Dispositif d’identité contrôlé" hint={chosen?.note ?? 'Aucun dispositif n’est présélectionné : choisissez celui que vous avez eu en main.'}>
        {(id) => (
          <select id={id} value={device} onChange={(e) => setDevice(e.target.value)} data-testid="identity-device">
            <option value="">— choisir le justificatif —</option>
            {list.map((d) => (
              <option key={d.code} value={d.code}>
                {d.label}
                {d.trust === 'low' ? ' (faible confiance)' : ''}
              </option>
            ))}
          </select>
        )}
      </Field>
      {chosen?.trust === 'minor-with-parent' ? (
        <Field label="Justificatif du parent (pour un mineur)">
          {(id) => (
            <select id={id} value={parent} onChange={(e) => setParent(e.target.value)}>
              <option value="">— choisir —</option>
              {list
                .filter((d) => d.trust === 'high')
                .map((d) => (
                  <option key={d.code} value={d.code}>
                    {d.label}
                  </option>
                ))}
            </select>
          )}
        </Field>
      ) : null}
      <Button
        variant="primary"
        disabled={chosen === undefined}
        busy={record.isPending}
        data-testid="identity-check-save"
        onClick={() =>
          chosen &&
          record.mutate(
            { id: patientId, device: chosen.code, ...(parent === '' ? {} : { parentDevice: parent as typeof chosen.code }) },
            {
              onSuccess: (result) => {
                toast('ok', `Contrôle enregistré : identité ${STATUS_LABELS[result.patient.identity.status].toLowerCase()}.`);
                setDevice('');
                setParent('');
              },
            },
          )
        }
      >
        Enregistrer le contrôle
      </Button>
      {record.error ? <ErrorNotice error={record.error} /> : null}
    </Panel>
  );
}

function Datamatrix({ patientId }: { patientId: string }) {
  const datamatrix = useHostQuery('patients.datamatrix', { id: patientId });
  if (datamatrix.error) return <ErrorNotice error={datamatrix.error} />;
  if (!datamatrix.data) return null;
  return (
    <Panel title="Datamatrix INS (à imprimer sur les documents de santé)" actions={<Button onClick={() => window.print()}>Imprimer</Button>}>
      {/* The SVG is generated by the host (bwip-js) from the qualified identity: no user markup in it. */}
      <div className="datamatrix" data-testid="ins-datamatrix" dangerouslySetInnerHTML={{ __html: datamatrix.data.svg }} />
    </Panel>
  );
}
