/**
 * The patient record: identity (RNIV status, attributes, INS), strict and used traits, identity
 * history; the INS qualification and the DMP panel hang off it. Every opening is audited by the host.
 */
import { useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useHostEvent, useHostMutation, useHostQuery } from '../../bridge/queries';
import { navigate } from '../../app/router';
import { Button, Dialog, ErrorNotice, Panel, StatusBadge, TextInput, useToast } from '../../ui';
import { useActorName } from '../audit/people';
import { EditIdentityDialog } from './EditIdentityDialog';
import { ATTRIBUTE_LABELS, SEX_LABELS, STATUS_LABELS, STATUS_TONES, formatBirthDate, formatMatricule } from './format';
import { eventLabel, historyChanges, historyNotes } from './history-format';

const OID_LABELS: Record<string, string> = {
  '1.2.250.1.213.1.4.8': 'NIR',
  '1.2.250.1.213.1.4.9': 'NIA',
  '1.2.250.1.213.1.4.10': 'INS de test',
  '1.2.250.1.213.1.4.11': 'INS de démonstration',
};

type Attribute = 'homonyme' | 'douteuse' | 'fictive';

export function PatientRecord({ id, extra, edit = false }: { id: string; extra?: ReactNode; edit?: boolean }) {
  const record = useHostQuery('patients.get', { id });
  const client = useQueryClient();
  useHostEvent('patients.changed', (event) => {
    if (event.id === id) void client.invalidateQueries({ queryKey: ['patients.get'] });
  });
  const [attributeDialog, setAttributeDialog] = useState<{ attribute: Attribute; value: boolean } | null>(null);
  const [editing, setEditing] = useState(edit);
  const devices = useHostQuery('identity.devices', {});
  const deviceLabel = (code: string) => devices.data?.devices.find((d) => d.code === code)?.label ?? code;
  const actorName = useActorName();

  if (record.error) return <ErrorNotice error={record.error} next="Revenez à la recherche (Alt+1) et rouvrez le patient." />;
  if (!record.data) return <p className="muted">Chargement de la fiche…</p>;
  const { patient, history } = record.data;
  const { strictTraits: s, usedTraits: u, identity } = patient;
  const blocked = identity.attributes.douteuse || identity.attributes.fictive;
  const merged = patient.mergedInto !== null;

  return (
    <div className="record" data-testid="patient-record">
      {merged ? (
        <div className="notice notice-warn" role="alert" data-testid="merged-banner">
          Cette fiche a été fusionnée dans une autre fiche : elle reste consultable avec son historique, mais ne se modifie plus.{' '}
          <Button onClick={() => navigate(`/patient/${patient.mergedInto}`)}>Ouvrir la fiche conservée</Button>
        </div>
      ) : null}
      <Panel
        title={`${s.birthName} ${s.firstGivenName}`}
        actions={
          <>
            <Button variant="primary" onClick={() => navigate(`/identites/${patient.id}`)} disabled={blocked || merged} title={blocked ? 'Identité douteuse ou fictive : INSi bloqué' : undefined}>
              Qualifier l’identité (INSi)
            </Button>
            <Button onClick={() => setEditing(true)} disabled={merged} data-testid="identity-edit-open">
              Modifier l’identité
            </Button>
            <Button onClick={() => navigate('/patient')}>Retour à la recherche</Button>
          </>
        }
      >
        <div className="identity-line" data-testid="identity-status">
          <StatusBadge tone={STATUS_TONES[identity.status]} title="Statut de l’identité (RNIV)">
            Identité {STATUS_LABELS[identity.status].toLowerCase()}
          </StatusBadge>
          {(Object.keys(ATTRIBUTE_LABELS) as Attribute[])
            .filter((a) => identity.attributes[a])
            .map((a) => (
              <StatusBadge key={a} tone={a === 'homonyme' ? 'info' : 'error'}>
                {ATTRIBUTE_LABELS[a]}
              </StatusBadge>
            ))}
          {identity.ins ? (
            <span className="ins">
              INS {formatMatricule(identity.ins.matricule.slice(0, 13), identity.ins.matricule.slice(13))} · {OID_LABELS[identity.ins.oid] ?? identity.ins.oid}
              {patient.insShareable ? '' : ' · non partageable tant que l’identité n’est pas qualifiée'}
            </span>
          ) : (
            <span className="muted">Pas d’INS récupéré</span>
          )}
        </div>
        <dl className="traits">
          <dt>Nom de naissance</dt>
          <dd>{s.birthName}</dd>
          <dt>Prénoms de naissance</dt>
          <dd>{s.birthGivenNames}</dd>
          <dt>Premier prénom</dt>
          <dd>{s.firstGivenName}</dd>
          <dt>Date de naissance</dt>
          <dd>
            {formatBirthDate(s.birthDate)}
            {s.birthDate.estimated ? <span className="muted"> (date incomplète)</span> : null}
          </dd>
          <dt>Sexe</dt>
          <dd>{SEX_LABELS[s.sex]}</dd>
          <dt>Lieu de naissance</dt>
          <dd data-testid="birth-place-label">{patient.birthPlaceLabel ?? <span className="muted">non renseigné</span>}</dd>
          <dt>Nom utilisé</dt>
          <dd>{u.usedName ?? <span className="muted">—</span>}</dd>
          <dt>Prénom utilisé</dt>
          <dd>{u.usedGivenName ?? <span className="muted">—</span>}</dd>
          {identity.documentCheck ? (
            <>
              <dt>Justificatif contrôlé</dt>
              <dd>
                {deviceLabel(identity.documentCheck.device)}
                {identity.documentCheck.parentDevice ? ` (avec ${deviceLabel(identity.documentCheck.parentDevice)} d’un parent)` : ''} — contrôlé par {actorName(identity.documentCheck.checkedBy)} le{' '}
                {new Date(identity.documentCheck.checkedAt).toLocaleString('fr-FR')}
              </dd>
            </>
          ) : null}
        </dl>
        <div className="attribute-actions">
          {(Object.keys(ATTRIBUTE_LABELS) as Attribute[]).map((attribute) => (
            <Button key={attribute} variant="ghost" onClick={() => setAttributeDialog({ attribute, value: !identity.attributes[attribute] })}>
              {identity.attributes[attribute] ? `Retirer « ${ATTRIBUTE_LABELS[attribute]} »` : `Marquer ${ATTRIBUTE_LABELS[attribute].toLowerCase()}`}
            </Button>
          ))}
        </div>
      </Panel>
      {extra}
      <Panel title="Historique de l’identité">
        {history.length === 0 ? (
          <p className="empty">Aucun événement.</p>
        ) : (
          <ol className="history">
            {[...history].reverse().map((entry, index) => (
              <li key={`${entry.at}-${index}`} data-testid="history-entry">
                <time>{new Date(entry.at).toLocaleString('fr-FR')}</time> · {actorName(entry.actor)} · <strong title={`Code pour le support : ${entry.event}`}>{eventLabel(entry)}</strong>
                {historyChanges(entry).map((c) => (
                  <div key={c.label} className="history-change">
                    {c.label} : {c.from} → {c.to}
                  </div>
                ))}
                {historyNotes(entry).map((note) => (
                  <div key={note} className="muted">
                    {note}
                  </div>
                ))}
                {typeof entry.details.otherPatientId === 'string' || typeof entry.details.keptOn === 'string' ? (
                  <Button variant="ghost" onClick={() => navigate(`/patient/doublons/${patient.id}/${String(entry.details.otherPatientId ?? entry.details.keptOn)}`)}>
                    Comparer les deux fiches
                  </Button>
                ) : null}
              </li>
            ))}
          </ol>
        )}
      </Panel>
      {attributeDialog ? <AttributeDialog patientId={patient.id} {...attributeDialog} onClose={() => setAttributeDialog(null)} /> : null}
      {editing ? <EditIdentityDialog patient={patient} onClose={() => setEditing(false)} /> : null}
    </div>
  );
}

function AttributeDialog({ patientId, attribute, value, onClose }: { patientId: string; attribute: Attribute; value: boolean; onClose(): void }) {
  const [reason, setReason] = useState('');
  const mutation = useHostMutation('patients.setIdentityAttribute', ['patients.get', 'patients.search']);
  const toast = useToast();
  const label = ATTRIBUTE_LABELS[attribute].toLowerCase();
  const invalidatesIns = value && attribute !== 'homonyme';
  // Documents waiting for the DMP were written for this identity's INS: they will be refused at
  // sending (services/dmp send-job, requireSameIdentity). Said before the user confirms.
  const sendings = useHostQuery('dmp.sendings', { patientId }, { enabled: invalidatesIns });
  const waiting = (sendings.data?.sendings ?? []).filter((s) => s.state === 'queued' || s.state === 'waiting-card' || s.state === 'sending').length;
  return (
    <Dialog
      open
      title={value ? `Marquer l’identité ${label}` : `Retirer l’attribut ${label}`}
      onClose={onClose}
      actions={
        <>
          <Button onClick={onClose}>Annuler</Button>
          <Button
            variant={value && attribute !== 'homonyme' ? 'danger' : 'primary'}
            busy={mutation.isPending}
            disabled={reason.trim().length < 3}
            onClick={() =>
              mutation.mutate(
                { id: patientId, attribute, value, reason: reason.trim() },
                {
                  onSuccess: () => {
                    toast('ok', 'Attribut enregistré dans l’historique.');
                    onClose();
                  },
                },
              )
            }
          >
            Confirmer
          </Button>
        </>
      }
    >
      {invalidatesIns ? <p>Une identité {label} redevient provisoire et ne peut plus être interrogée auprès de l’INSi tant que le doute n’est pas levé.</p> : null}
      {invalidatesIns && waiting > 0 ? (
        <div className="notice notice-warn" data-testid="attribute-dmp-waiting">
          {waiting === 1
            ? '1 document en attente d’envoi au DMP ne partira pas : il a été écrit pour l’INS de cette identité. La file d’envoi le montrera refusé. Si le doute est levé et le même INS qualifié à nouveau, relancez-le ; sinon annulez-le.'
            : `${waiting} documents en attente d’envoi au DMP ne partiront pas : ils ont été écrits pour l’INS de cette identité. La file d’envoi les montrera refusés. Si le doute est levé et le même INS qualifié à nouveau, relancez-les ; sinon annulez-les.`}
        </div>
      ) : null}
      <label>
        Motif (obligatoire, conservé dans l’historique)
        <TextInput autoFocus value={reason} onChange={(event) => setReason(event.target.value)} />
      </label>
      {mutation.error ? <ErrorNotice error={mutation.error} /> : null}
    </Dialog>
  );
}
