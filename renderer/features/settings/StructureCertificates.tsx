/**
 * Paramètres → Certificats de structure (issue 13): the INSi certificate (INSI-MANU / INSI-AUTO) and
 * the DMP indirect-mode pair (ORG AUTH_CLI, ORG SIGN), as PKCS#12 files on this computer. The host
 * opens and checks each file when it is saved; the passphrase is typed here once and never shown
 * again. These settings authenticate the structure: a change is security-sensitive, confirmed in the
 * dialog of useSettingChange (issue 14, point 6) after the host checked the file.
 */
import { useState, type FormEvent } from 'react';
import type { Settings } from '../../../electron/contract';
import { Button, ErrorNotice, Field, Panel, StatusBadge, TextInput } from '../../ui';
import type { ChangeCallbacks } from './useSettingChange';

type Change = (key: 'certificates.insi' | 'certificates.dmp', value: unknown, callbacks?: ChangeCallbacks) => void;

const day = (iso: string) => new Date(iso).toLocaleDateString('fr-FR');

export function StructureCertificates({ settings, change }: { settings: Settings; change: Change }) {
  const { insi, dmp } = settings.certificates;
  return (
    <Panel title="Certificats de structure">
      <p className="muted">
        Fichiers PKCS#12 (.p12) des certificats « personne morale » délivrés par l’ANS à votre structure. Sans eux, l’INSi et le DMP demandent la carte CPS ou CPE.
        {settings.environment === 'demo' ? ' En démo, les certificats de démonstration sont utilisés quoi qu’il soit indiqué ici.' : ''}
      </p>
      <div data-testid="certificate-insi-state">
        <strong>INSi</strong> :{' '}
        {insi === null ? (
          <StatusBadge tone="warn">non configuré</StatusBadge>
        ) : (
          <>
            <StatusBadge tone="ok">{insi.kind}</StatusBadge> structure {insi.structureId}, expire le {day(insi.expiresAt)} <span className="muted">({insi.file})</span>
          </>
        )}
      </div>
      <InsiForm change={change} />
      <div data-testid="certificate-dmp-state">
        <strong>DMP, mode indirect</strong> :{' '}
        {dmp === null ? (
          <StatusBadge tone="warn">non configuré</StatusBadge>
        ) : (
          <>
            <StatusBadge tone="ok">configuré</StatusBadge> structure {dmp.structureId} ({dmp.structureName}), expire le {day(dmp.authentication.expiresAt < dmp.signature.expiresAt ? dmp.authentication.expiresAt : dmp.signature.expiresAt)}
          </>
        )}
      </div>
      <DmpForm change={change} />
    </Panel>
  );
}

/** Sends a certificate change; a refusal (wrong passphrase, wrong kind…) is shown under its form. */
function useCertificateChange(key: 'certificates.insi' | 'certificates.dmp', change: Change) {
  const [error, setError] = useState<Error | null>(null);
  return {
    error,
    submit: (value: unknown) => {
      setError(null);
      change(key, value, { onRefused: setError });
    },
  };
}

function InsiForm({ change }: { change: Change }) {
  const [file, setFile] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const { error, submit } = useCertificateChange('certificates.insi', change);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    // The passphrase leaves the form as soon as it is sent: retyped after a refusal, never kept.
    submit({ file: file.trim(), passphrase });
    setPassphrase('');
  };
  return (
    <form className="form-grid" onSubmit={onSubmit} data-testid="certificate-insi-form">
      <Field label="Fichier du certificat INSI-MANU ou INSI-AUTO (.p12)">
        {(id) => <TextInput id={id} value={file} onChange={(e) => setFile(e.currentTarget.value)} placeholder="/chemin/vers/INSI-MANU.p12" data-testid="certificate-insi-file" />}
      </Field>
      <Field label="Mot de passe du fichier">
        {(id) => <TextInput id={id} type="password" value={passphrase} onChange={(e) => setPassphrase(e.currentTarget.value)} data-testid="certificate-insi-passphrase" />}
      </Field>
      <CertificateActions canSave={file.trim() !== ''} onRemove={() => submit(null)} error={error} saveTestId="certificate-insi-save" />
    </form>
  );
}

function DmpForm({ change }: { change: Change }) {
  const [authentication, setAuthentication] = useState('');
  const [signature, setSignature] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [sector, setSector] = useState('SA07');
  const { error, submit } = useCertificateChange('certificates.dmp', change);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    submit({ authenticationFile: authentication.trim(), signatureFile: signature.trim(), passphrase, activitySector: sector.trim() });
    setPassphrase('');
  };
  return (
    <form className="form-grid" onSubmit={onSubmit} data-testid="certificate-dmp-form">
      <Field label="Certificat d’authentification ORG AUTH_CLI (.p12)">
        {(id) => <TextInput id={id} value={authentication} onChange={(e) => setAuthentication(e.currentTarget.value)} />}
      </Field>
      <Field label="Certificat de signature ORG SIGN (.p12)">{(id) => <TextInput id={id} value={signature} onChange={(e) => setSignature(e.currentTarget.value)} />}</Field>
      <Field label="Mot de passe des fichiers">{(id) => <TextInput id={id} type="password" value={passphrase} onChange={(e) => setPassphrase(e.currentTarget.value)} />}</Field>
      <Field label="Secteur d’activité (TRE_R02)" hint="SA07 : cabinet individuel">
        {(id) => <TextInput id={id} value={sector} onChange={(e) => setSector(e.currentTarget.value)} size={6} />}
      </Field>
      <CertificateActions canSave={authentication.trim() !== '' && signature.trim() !== ''} onRemove={() => submit(null)} error={error} saveTestId="certificate-dmp-save" />
    </form>
  );
}

/** Save (the form's submit: the host checks the files before keeping them), remove, and what went wrong. */
function CertificateActions({ canSave, onRemove, error, saveTestId }: { canSave: boolean; onRemove(): void; error: Error | null; saveTestId: string }) {
  return (
    <>
      <div className="inline">
        <Button type="submit" variant="primary" disabled={!canSave} data-testid={saveTestId}>
          Vérifier et enregistrer
        </Button>
        <Button onClick={onRemove}>Retirer</Button>
      </div>
      {error ? <ErrorNotice error={error} /> : null}
    </>
  );
}
