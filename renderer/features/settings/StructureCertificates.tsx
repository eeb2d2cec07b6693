/**
 * Paramètres → Certificats de structure (issue 13): the INSi certificate (INSI-MANU / INSI-AUTO) and
 * the DMP indirect-mode pair (ORG AUTH_CLI, ORG SIGN), as PKCS#12 files on this computer. The host
 * opens and checks each file when it is saved; the passphrase is typed here once and never shown
 * again. These settings authenticate the structure: a change is security-sensitive.
 */
import { useState, type FormEvent } from 'react';
import type { Settings } from '../../../electron/contract';
import { useHostMutation } from '../../bridge/queries';
import { Button, ErrorNotice, Field, Panel, StatusBadge, TextInput, useToast } from '../../ui';

const day = (iso: string) => new Date(iso).toLocaleDateString('fr-FR');

export function StructureCertificates({ settings }: { settings: Settings }) {
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
      <InsiForm />
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
      <DmpForm />
    </Panel>
  );
}

function useCertificateSave(key: 'certificates.insi' | 'certificates.dmp') {
  const save = useHostMutation('settings.set', ['settings.get', 'diagnostic.run']);
  const toast = useToast();
  return {
    save,
    submit: (value: unknown, done: () => void) =>
      save.mutate(
        { key, value },
        {
          onSuccess: () => {
            done();
            toast('ok', value === null ? 'Certificat retiré.' : 'Certificat vérifié et enregistré.');
          },
        },
      ),
  };
}

function InsiForm() {
  const [file, setFile] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const { save, submit } = useCertificateSave('certificates.insi');
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    submit({ file: file.trim(), passphrase }, () => setPassphrase(''));
  };
  return (
    <form className="form-grid" onSubmit={onSubmit} data-testid="certificate-insi-form">
      <Field label="Fichier du certificat INSI-MANU ou INSI-AUTO (.p12)">
        {(id) => <TextInput id={id} value={file} onChange={(e) => setFile(e.currentTarget.value)} placeholder="/chemin/vers/INSI-MANU.p12" data-testid="certificate-insi-file" />}
      </Field>
      <Field label="Mot de passe du fichier">
        {(id) => <TextInput id={id} type="password" value={passphrase} onChange={(e) => setPassphrase(e.currentTarget.value)} data-testid="certificate-insi-passphrase" />}
      </Field>
      <div className="inline">
        <Button type="submit" variant="primary" busy={save.isPending} disabled={file.trim() === ''} data-testid="certificate-insi-save">
          Vérifier et enregistrer
        </Button>
        <Button onClick={() => submit(null, () => undefined)}>Retirer</Button>
      </div>
      {save.error ? <ErrorNotice error={save.error} /> : null}
    </form>
  );
}

function DmpForm() {
  const [authentication, setAuthentication] = useState('');
  const [signature, setSignature] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [sector, setSector] = useState('SA07');
  const { save, submit } = useCertificateSave('certificates.dmp');
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    submit({ authenticationFile: authentication.trim(), signatureFile: signature.trim(), passphrase, activitySector: sector.trim() }, () => setPassphrase(''));
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
      <div className="inline">
        <Button type="submit" variant="primary" busy={save.isPending} disabled={authentication.trim() === '' || signature.trim() === ''}>
          Vérifier et enregistrer
        </Button>
        <Button onClick={() => submit(null, () => undefined)}>Retirer</Button>
      </div>
      {save.error ? <ErrorNotice error={save.error} /> : null}
    </form>
  );
}
