/**
 * Changing a setting from the desk: ordinary settings are saved at once; security-sensitive ones
 * (contract SETTING_POLICIES: endpoints, PKCS#11 module, allowed origins…) go through a
 * confirmation that says what the change allows, with the CPS code when the setting protects a
 * certificate (issue 14, point 6). The code lives in the input only while typed.
 */
import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { MethodResult, SettingKey } from '../../../electron/contract';
import { SETTING_POLICIES } from '../../../electron/contract/settings-policy';
import { useHostMutation } from '../../bridge/queries';
import { Button, Dialog, Field, TextInput, useToast } from '../../ui';

export const SETTING_LABELS: Record<SettingKey, string> = {
  environment: 'Environnement de travail',
  'endpoints.insi': 'Adresse INSi',
  'endpoints.dmp': 'Adresse DMPi',
  'endpoints.eprescription': 'Adresse e-prescription',
  'practitioner.amNumber': 'N° AM du prescripteur',
  'practitioner.address': 'Adresse du cabinet',
  'practitioner.phone': 'Téléphone du cabinet',
  'practitioner.specialty': 'Code spécialité AMO',
  'practitioner.conventionSector': 'Secteur conventionnel',
  'billing.holidays': 'Calendrier des jours fériés (délais de télétransmission)',
  'lps.cndaAuthorisation': 'N° d’autorisation CNDA',
  pkcs11Module: 'Module PKCS#11',
  allowedOrigins: 'Logiciels web autorisés',
  'backup.folder': 'Dossier des sauvegardes',
  'backup.intervalHours': 'Fréquence des sauvegardes (heures)',
  'backup.keep': 'Nombre de sauvegardes gardées',
  'certificates.insi': 'Certificat de structure INSi',
  'certificates.dmp': 'Certificats du DMP en mode indirect',
  'outbox.retentionDays': 'Conservation de l’historique des envois (jours)',
  'insi.worklistRequestsPerSecond': 'Rythme de la liste de travail INSi (appels par seconde)',
  'dmp.preferredTypeCodes': 'Types de documents DMP habituels',
};

/** What a form may want to know of its change: refused at once (shown in place), or saved. */
export interface ChangeCallbacks {
  onRefused?(error: Error): void;
  onSaved?(): void;
}

const INVALIDATES = ['settings.get', 'app.info', 'diagnostic.run', 'backup.status', 'dmp.documentTypes'] as const;

type Requested = MethodResult<'settings.requestChange'>;

export function useSettingChange(): { change(key: SettingKey, value: unknown, callbacks?: ChangeCallbacks): void; dialog: ReactNode } {
  const toast = useToast();
  const save = useHostMutation('settings.set', [...INVALIDATES]);
  const request = useHostMutation('settings.requestChange');
  const confirm = useHostMutation('settings.confirmChange', [...INVALIDATES]);
  const [pending, setPending] = useState<Requested | null>(null);
  const saved = useRef<(() => void) | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const pin = useRef<HTMLInputElement>(null);

  const change = (key: SettingKey, value: unknown, callbacks: ChangeCallbacks = {}) => {
    const refused = (e: Error) => (callbacks.onRefused ? callbacks.onRefused(e) : toast('error', e.message));
    if (!SETTING_POLICIES[key].sensitive) {
      save.mutate(
        { key, value },
        {
          onSuccess: () => {
            toast('ok', 'Paramètre enregistré.');
            callbacks.onSaved?.();
          },
          onError: refused,
        },
      );
      return;
    }
    request.mutate(
      { key, value },
      {
        onSuccess: (requested) => {
          setError(null);
          saved.current = callbacks.onSaved;
          setPending(requested);
        },
        onError: refused,
      },
    );
  };

  const close = () => {
    if (pin.current) pin.current.value = '';
    setPending(null);
    setError(null);
    saved.current = undefined;
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (pending === null) return;
    const code = pin.current?.value ?? '';
    if (pin.current) pin.current.value = '';
    confirm.mutate(
      { changeId: pending.changeId, ...(pending.cpsPin ? { pin: code } : {}) },
      {
        onSuccess: () => {
          toast('ok', `${SETTING_LABELS[pending.key]} : modification enregistrée.`);
          saved.current?.();
          close();
        },
        onError: (e) => {
          setError(e.message);
          pin.current?.focus();
        },
      },
    );
  };

  const dialog = (
    <Dialog
      open={pending !== null}
      title="Confirmer un paramètre de sécurité"
      onClose={close}
      actions={
        <>
          <Button onClick={close}>Annuler</Button>
          <Button variant="danger" type="submit" form="setting-confirm-form" busy={confirm.isPending} data-testid="setting-confirm">
            Confirmer la modification
          </Button>
        </>
      }
    >
      {pending ? (
        <form id="setting-confirm-form" onSubmit={submit} data-testid="setting-confirm-dialog">
          <p>
            <strong>{SETTING_LABELS[pending.key]}</strong> deviendra : <code>{formatValue(pending.value)}</code>
          </p>
          <p>{pending.consequence}</p>
          {pending.cpsPin ? (
            <Field label="Code de la carte CPS" error={error} hint="Le code n’est jamais conservé par Pupitre.">
              {(id) => <TextInput id={id} ref={pin} type="password" inputMode="numeric" autoComplete="off" maxLength={8} autoFocus />}
            </Field>
          ) : error ? (
            <p className="error" role="alert">
              {error}
            </p>
          ) : null}
        </form>
      ) : null}
    </Dialog>
  );

  return { change, dialog };
}

function formatValue(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? '(aucun)' : value.join(', ');
  return String(value);
}
