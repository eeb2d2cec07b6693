/**
 * Pupitre locked by a passphrase (issue 14, point 8): where no real OS key store protects the
 * database key (Linux without a Secret Service: safeStorage's `basic_text`), or when asked
 * (`pupitre serve --passphrase`), the desk first asks for the passphrase — or, on a first start,
 * to choose one. Nothing else of the desk is shown (or reachable: the host answers nothing else)
 * until it is typed. The passphrase lives in the input only while typed.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { VaultStatus } from '../../../electron/contract/domains/vault';
import { useHostEvent, useHostMutation, useHostQuery } from '../../bridge/queries';
import { Button, Field, Panel, TextInput } from '../../ui';

export function VaultGate({ children }: { children: ReactNode }) {
  const status = useHostQuery('vault.status', {});
  const client = useQueryClient();
  useHostEvent(
    'vault.unlocked',
    useCallback(() => {
      void client.invalidateQueries();
    }, [client]),
  );
  useHostEvent(
    'vault.halted',
    useCallback(() => {
      void client.invalidateQueries({ queryKey: ['vault.status'] });
    }, [client]),
  );
  if (status.data?.halted) return <HaltedScreen message={status.data.halted.message} />;
  if (status.data?.state === 'locked') return <UnlockScreen status={status.data} />;
  // Before the first answer nothing of the desk is drawn (it would only show « verrouillé » errors);
  // if the host cannot answer, the desk shows its own connection state.
  if (status.isPending) return <p className="muted" style={{ margin: '2rem' }}>Connexion au service local…</p>;
  return <>{children}</>;
}

/** The base was found damaged while Pupitre ran: nothing else is shown, only what to do. */
function HaltedScreen({ message }: { message: string }) {
  return (
    <main className="content" id="contenu" data-testid="store-halted">
      <div className="notice notice-error" role="alert" style={{ margin: '2rem' }}>
        <strong>Pupitre a arrêté d’utiliser sa base de données.</strong>
        <div>{message}</div>
      </div>
    </main>
  );
}

const REASONS: Record<NonNullable<VaultStatus['reason']>, string> = {
  basic_text:
    'Ce poste n’a pas de trousseau système actif (GNOME Keyring ou KWallet) : sans lui, la clé de la base ne serait protégée par rien. Une phrase secrète la protège à la place.',
  unavailable: 'Le trousseau du système n’est pas disponible : une phrase secrète protège la clé de la base à la place.',
  requested: 'Cette installation protège la clé de sa base par une phrase secrète.',
};

function UnlockScreen({ status }: { status: VaultStatus }) {
  const create = status.mode === 'create';
  const first = useRef<HTMLInputElement>(null);
  const second = useRef<HTMLInputElement>(null);
  const [error, setError] = useState<string | null>(null);
  const unlock = useHostMutation(create ? 'vault.create' : 'vault.unlock', ['vault.status']);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const passphrase = first.current?.value ?? '';
    const confirmation = second.current?.value ?? '';
    if (create && passphrase !== confirmation) {
      setError('Les deux saisies diffèrent : recommencez.');
      if (second.current) second.current.value = '';
      second.current?.focus();
      return;
    }
    for (const input of [first.current, second.current]) if (input) input.value = '';
    setError(null);
    unlock.mutate(
      { passphrase },
      {
        onError: (e) => {
          setError(e.message);
          first.current?.focus();
        },
      },
    );
  };

  return (
    <main className="content unlock" id="contenu" data-testid="vault-locked">
      <Panel title={create ? 'Choisir la phrase secrète de Pupitre' : 'Déverrouiller Pupitre'}>
        <p>{REASONS[status.reason ?? 'requested']}</p>
        {create ? (
          <p>
            <strong>Notez-la et gardez-la en lieu sûr :</strong> sans elle, ni la base ni ses sauvegardes ne peuvent être ouvertes, et personne ne peut la
            retrouver. Au moins 12 caractères, par exemple quatre mots sans rapport entre eux.
          </p>
        ) : null}
        <form onSubmit={submit} className="stack" data-testid="vault-form">
          <Field label="Phrase secrète" error={create ? null : error}>
            {(id) => <TextInput id={id} ref={first} type="password" autoComplete={create ? 'new-password' : 'current-password'} autoFocus data-testid="vault-passphrase" />}
          </Field>
          {create ? (
            <Field label="Saisissez-la une seconde fois" error={error}>
              {(id) => <TextInput id={id} ref={second} type="password" autoComplete="new-password" data-testid="vault-confirmation" />}
            </Field>
          ) : null}
          <div>
            <Button variant="primary" type="submit" busy={unlock.isPending} data-testid="vault-submit">
              {create ? 'Protéger la base avec cette phrase' : 'Déverrouiller'}
            </Button>
          </div>
        </form>
      </Panel>
    </main>
  );
}
