import { useState } from 'react';
import type { SettingKey } from '../../../electron/contract';
import { useHostQuery } from '../../bridge/queries';
import { Button, ErrorNotice, Field, Panel, StatusBadge, TextInput } from '../../ui';
import { AuditJournal } from '../audit/AuditJournal';
import { BackupPanel } from './BackupPanel';
import { DmpPreferredTypesPanel } from './DmpPreferredTypesPanel';
import { InsiPacePanel } from './InsiPacePanel';
import { OutboxRetentionPanel } from './OutboxRetentionPanel';
import { StructureCertificates } from './StructureCertificates';
import { useSettingChange } from './useSettingChange';
import { BillingSettings } from '../billing/BillingSettings';

const ENV_LABELS = { demo: 'Démo (cartes virtuelles et simulateurs)', test: 'Test (plates-formes de qualification)', production: 'Production' } as const;

export function SettingsScreen() {
  const settings = useHostQuery('settings.get', {});
  const { change, dialog } = useSettingChange();
  const verify = useHostQuery('audit.verify', {});
  const submit = (key: SettingKey, value: unknown) => change(key, value);

  if (settings.error) return <ErrorNotice error={settings.error} />;
  const s = settings.data;
  if (!s) return <p className="muted">Chargement…</p>;
  return (
    <div className="stack">
      {dialog}
      <Panel title="Environnement">
        <fieldset className="radios">
          <legend>Environnement de travail</legend>
          {(['demo', 'test', 'production'] as const).map((env) => (
            <label key={env}>
              <input type="radio" name="environment" checked={(s.pendingEnvironment ?? s.environment) === env} onChange={() => submit('environment', env)} /> {ENV_LABELS[env]}
            </label>
          ))}
        </fieldset>
        {s.pendingEnvironment !== null ? (
          <p className="notice notice-warn" role="status" data-testid="environment-pending">
            Pupitre passera en « {ENV_LABELS[s.pendingEnvironment]} » au prochain démarrage : fermez puis rouvrez Pupitre. D’ici là, il reste en «{' '}
            {ENV_LABELS[s.environment]} » (mêmes cartes, mêmes téléservices), pour qu’aucun patient ne soit envoyé au mauvais service.
          </p>
        ) : null}
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
      <StructureCertificates settings={s} change={change} />
      <BackupPanel settings={s} onChange={submit} />
      <InsiPacePanel settings={s} onChange={submit} />
      <DmpPreferredTypesPanel settings={s} onChange={submit} />
      <OutboxRetentionPanel settings={s} onChange={submit} />
      <Panel title="Connecteur local (logiciel de cabinet en ligne)">
        <p className="muted">
          Les pages web de ces adresses peuvent lire les cartes, faire vérifier le code de la carte CPS et interroger INSi par Pupitre ; rien
          d’autre (ni paramètres, ni base patients, ni journal). Une adresse par logiciel, séparées par des virgules.
        </p>
        <EndpointField
          label="Logiciels web autorisés"
          value={s.allowedOrigins.join(', ')}
          onSave={(v) =>
            submit(
              'allowedOrigins',
              v
                .split(',')
                .map((origin) => origin.trim())
                .filter(Boolean),
            )
          }
        />
      </Panel>
      <BillingSettings />
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
