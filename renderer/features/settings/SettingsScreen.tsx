import { useState } from 'react';
import type { SettingKey } from '../../../electron/contract';
import { useHostMutation, useHostQuery } from '../../bridge/queries';
import { Button, ErrorNotice, Field, Panel, StatusBadge, TextInput, useToast } from '../../ui';
import { AuditJournal } from '../audit/AuditJournal';
import { StructureCertificates } from './StructureCertificates';

const ENV_LABELS = { demo: 'Démo (cartes virtuelles et simulateurs)', test: 'Test (plates-formes de qualification)', production: 'Production' } as const;

export function SettingsScreen() {
  const settings = useHostQuery('settings.get', {});
  const save = useHostMutation('settings.set', ['settings.get', 'app.info', 'diagnostic.run']);
  const verify = useHostQuery('audit.verify', {});
  const toast = useToast();

  const submit = (key: SettingKey, value: unknown) =>
    save.mutate(
      { key, value },
      { onSuccess: () => toast('ok', 'Paramètre enregistré.'), onError: (error) => toast('error', error.message) },
    );

  if (settings.error) return <ErrorNotice error={settings.error} />;
  const s = settings.data;
  if (!s) return <p className="muted">Chargement…</p>;
  return (
    <div className="stack">
      <Panel title="Environnement">
        <fieldset className="radios">
          <legend>Environnement de travail</legend>
          {(['demo', 'test', 'production'] as const).map((env) => (
            <label key={env}>
              <input type="radio" name="environment" checked={s.environment === env} onChange={() => submit('environment', env)} /> {ENV_LABELS[env]}
            </label>
          ))}
        </fieldset>
      </Panel>
      <Panel title="Téléservices">
        <EndpointField label="Adresse INSi" value={s.endpoints.insi} onSave={(v) => submit('endpoints.insi', v)} />
        <EndpointField label="Adresse DMPi" value={s.endpoints.dmp} onSave={(v) => submit('endpoints.dmp', v)} />
        <EndpointField label="Adresse de la base ordonnance numérique (modèle Pupitre)" value={s.endpoints.eprescription} onSave={(v) => submit('endpoints.eprescription', v)} />
      </Panel>
      <Panel title="Praticien (mentions de l’ordonnance)">
        <EndpointField label="Numéro AM (identifiant Assurance Maladie, 9 caractères)" value={s.practitioner.amNumber} onSave={(v) => submit('practitioner.amNumber', v)} />
        <EndpointField label="Adresse du cabinet (séparez les lignes par « / »)" value={s.practitioner.address.replace(/\n/g, ' / ')} onSave={(v) => submit('practitioner.address', v.split(/\s*\/\s*/).join('\n'))} />
        <EndpointField label="Téléphone du cabinet" value={s.practitioner.phone} onSave={(v) => submit('practitioner.phone', v)} />
      </Panel>
      <Panel title="Logiciel (LPS) et cartes">
        <dl className="facts">
          <dt>Logiciel</dt>
          <dd>
            {s.lps.name} {s.lps.version}
          </dd>
          <dt>Identifiant d'installation</dt>
          <dd>
            <code>{s.lps.installationId}</code>
          </dd>
          <dt>N° d'autorisation CNDA</dt>
          <dd>{s.lps.cndaAuthorisation || <StatusBadge tone="warn">non homologué</StatusBadge>}</dd>
        </dl>
        <EndpointField label="Module PKCS#11 (Cryptolib CPS ou OpenSC)" value={s.pkcs11Module} onSave={(v) => submit('pkcs11Module', v)} />
      </Panel>
      <StructureCertificates settings={s} />
      <Panel title="Journal d'audit">
        {verify.data ? (
          <p>
            {verify.data.ok ? (
              <StatusBadge tone="ok">Chaîne intègre ({verify.data.checked} entrées)</StatusBadge>
            ) : (
              <StatusBadge tone="error">Chaîne rompue à l'entrée {verify.data.brokenAt}</StatusBadge>
            )}
          </p>
        ) : null}
        <AuditJournal />
      </Panel>
    </div>
  );
}

function EndpointField({ label, value, onSave }: { label: string; value: string; onSave(value: string): void }) {
  const [draft, setDraft] = useState(value);
  return (
    <Field label={label}>
      {(id) => (
        <div className="inline">
          <TextInput id={id} value={draft} onChange={(e) => setDraft(e.target.value)} onKeyDown={(e) => e.key === 'Enter' && onSave(draft)} />
          <Button onClick={() => onSave(draft)} disabled={draft === value}>
            Enregistrer
          </Button>
        </div>
      )}
    </Field>
  );
}
