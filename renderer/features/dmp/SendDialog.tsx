/**
 * "Envoyer au DMP": drop or choose a PDF or a CDA file, pick the document type (PDF), the
 * visibility, optionally the document it replaces. The document goes to the outbox: it is sent now
 * if the DMP answers, later otherwise — the dialog closes at once.
 */
import { useState, type DragEvent } from 'react';
import { useHostMutation, useHostQuery } from '../../bridge/queries';
import { Button, Dialog, ErrorNotice, Field, TextInput, useToast } from '../../ui';
import type { DmpDocument } from './format';

const MAX_BYTES = 20 * 1024 * 1024;

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function SendDialog({ patientId, documents, replacing, onClose }: { patientId: string; documents: readonly DmpDocument[]; replacing?: DmpDocument | undefined; onClose(): void }) {
  const types = useHostQuery('dmp.documentTypes', {});
  const send = useHostMutation('dmp.send', ['dmp.sendings']);
  const toast = useToast();
  const [file, setFile] = useState<{ name: string; bytes: Uint8Array; kind: 'pdf' | 'cda' } | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [typeCode, setTypeCode] = useState(replacing?.typeCode?.code ?? '');
  const [title, setTitle] = useState(replacing?.title ?? '');
  const [replaces, setReplaces] = useState(replacing?.uniqueId ?? '');
  const [visibility, setVisibility] = useState({ hiddenFromPatient: false, maskedFromProfessionals: false, hiddenFromLegalRepresentatives: false });
  const [dragging, setDragging] = useState(false);

  const accept = async (picked: File | undefined): Promise<void> => {
    setFileError(null);
    if (picked === undefined) return;
    if (picked.size > MAX_BYTES) {
      setFileError('Le fichier dépasse 20 Mo.');
      return;
    }
    const bytes = new Uint8Array(await picked.arrayBuffer());
    const head = new TextDecoder('latin1').decode(bytes.subarray(0, 5));
    const kind = head === '%PDF-' ? 'pdf' : /ClinicalDocument/.test(new TextDecoder().decode(bytes.subarray(0, 4096))) ? 'cda' : null;
    if (kind === null) {
      setFileError('Seuls un PDF ou un document CDA (XML) peuvent être envoyés au DMP.');
      return;
    }
    setFile({ name: picked.name, bytes, kind });
    if (title === '') setTitle(picked.name.replace(/\.(pdf|xml)$/i, ''));
  };

  const onDrop = (event: DragEvent<HTMLDivElement>): void => {
    event.preventDefault();
    setDragging(false);
    void accept(event.dataTransfer.files[0]);
  };

  const submit = (): void => {
    if (file === null) return;
    send.mutate(
      {
        patientId,
        fileName: file.name,
        contentBase64: toBase64(file.bytes),
        ...(file.kind === 'pdf' ? { typeCode, title } : {}),
        visibility,
        ...(replaces === '' ? {} : { replaces }),
      },
      {
        onSuccess: (result) => {
          toast(result.sending.state === 'sent' ? 'ok' : 'info', result.sending.state === 'sent' ? 'Document envoyé au DMP.' : 'Document placé dans la file d’envoi : il partira dès que possible.');
          onClose();
        },
      },
    );
  };

  const preferred = new Set(types.data?.preferred ?? []);
  // The usual types (Paramètres) in a group of their own at the top; the whole list after.
  const usualTypes = (types.data?.types ?? []).filter((t) => preferred.has(t.code));
  const otherTypes = (types.data?.types ?? []).filter((t) => !preferred.has(t.code));
  const typeOption = (t: { code: string; displayName: string }) => (
    <option key={t.code} value={t.code}>
      {t.displayName} ({t.code})
    </option>
  );
  const ready = file !== null && (file.kind === 'cda' || (typeCode !== '' && title.trim() !== ''));

  return (
    <Dialog
      open
      title={replacing ? 'Remplacer un document du DMP' : 'Envoyer au DMP'}
      onClose={onClose}
      actions={
        <>
          <Button onClick={onClose}>Annuler</Button>
          <Button variant="primary" onClick={submit} disabled={!ready} busy={send.isPending} data-testid="dmp-send-submit">
            Envoyer
          </Button>
        </>
      }
    >
      <div
        className={`dmp-drop ${dragging ? 'dmp-drop-active' : ''}`}
        data-testid="dmp-drop"
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        {file === null ? 'Déposez ici un PDF ou un document CDA, ou choisissez un fichier :' : `${file.name} (${file.kind === 'pdf' ? 'PDF, encapsulé en CDA' : 'document CDA'}, ${Math.ceil(file.bytes.length / 1024)} Ko)`}
        <input type="file" accept="application/pdf,.pdf,text/xml,.xml" aria-label="Fichier à envoyer" data-testid="dmp-file" onChange={(event) => void accept(event.currentTarget.files?.[0])} />
      </div>
      {fileError !== null ? <p className="field-message">{fileError}</p> : null}
      {file?.kind !== 'cda' ? (
        <>
          <Field label="Type de document" hint="Types acceptés par le DMP (jeu de valeurs CI-SIS).">
            {(id) => (
              <select id={id} className="input" value={typeCode} onChange={(event) => setTypeCode(event.currentTarget.value)} data-testid="dmp-type">
                <option value="">— Choisir —</option>
                {usualTypes.length > 0 ? (
                  <>
                    <optgroup label="Vos types habituels">{usualTypes.map(typeOption)}</optgroup>
                    <optgroup label="Tous les types">{otherTypes.map(typeOption)}</optgroup>
                  </>
                ) : (
                  otherTypes.map(typeOption)
                )}
              </select>
            )}
          </Field>
          <Field label="Titre">{(id) => <TextInput id={id} value={title} onChange={(event) => setTitle(event.currentTarget.value)} maxLength={300} data-testid="dmp-title" />}</Field>
        </>
      ) : (
        <p className="muted">Les métadonnées (type, auteur, dates, confidentialité) sont lues dans l’en-tête du document CDA.</p>
      )}
      <fieldset className="dmp-visibility">
        <legend>Visibilité</legend>
        <label>
          <input type="checkbox" checked={visibility.hiddenFromPatient} onChange={(event) => setVisibility({ ...visibility, hiddenFromPatient: event.currentTarget.checked })} /> Non visible par le patient (en attente d’annonce)
        </label>
        <label>
          <input type="checkbox" checked={visibility.maskedFromProfessionals} onChange={(event) => setVisibility({ ...visibility, maskedFromProfessionals: event.currentTarget.checked })} /> Masqué aux autres professionnels
        </label>
        <label>
          <input
            type="checkbox"
            checked={visibility.hiddenFromLegalRepresentatives}
            onChange={(event) => setVisibility({ ...visibility, hiddenFromLegalRepresentatives: event.currentTarget.checked })}
          />{' '}
          Non visible par les représentants légaux
        </label>
      </fieldset>
      <Field label="Remplace le document" hint="Optionnel : la nouvelle version remplace un document déjà envoyé.">
        {(id) => (
          <select id={id} className="input" value={replaces} onChange={(event) => setReplaces(event.currentTarget.value)}>
            <option value="">— Aucun (nouveau document) —</option>
            {documents
              .filter((d) => d.own && d.status === 'Approved')
              .map((d) => (
                <option key={d.uniqueId} value={d.uniqueId}>
                  {d.title}
                </option>
              ))}
          </select>
        )}
      </Field>
      {send.error ? <ErrorNotice error={send.error} /> : null}
    </Dialog>
  );
}
