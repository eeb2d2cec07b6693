/**
 * Code porteur of the CPS/CPE: masked, digits only, tries left after a wrong code, a clear message
 * when the card is blocked. The PIN lives in the input only while typed: it is sent once and the
 * field is emptied at once, whatever the answer.
 */
import { useRef, useState, type FormEvent } from 'react';
import { useHostMutation } from '../../bridge/queries';
import { Button, Dialog, Field, TextInput } from '../../ui';

export function PinDialog({
  open,
  reader,
  cardType = null,
  onClose,
  onSuccess,
}: {
  open: boolean;
  reader: string | null;
  /** CPS, CPE… once the card's public data was read: the dialog names the card the user holds. */
  cardType?: string | null;
  onClose(): void;
  onSuccess?(): void;
}) {
  const verify = useHostMutation('cards.verifyPin', ['cards.session', 'cards.readers']);
  const input = useRef<HTMLInputElement>(null);
  const [triesLeft, setTriesLeft] = useState<number | null>(null);
  const [error, setError] = useState<{ code: string; message: string } | null>(null);
  const blocked = error?.code === 'CARD_PIN_BLOCKED' || triesLeft === 0;

  const close = () => {
    if (input.current) input.current.value = '';
    setTriesLeft(null);
    setError(null);
    onClose();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const field = input.current;
    if (field === null || blocked) return;
    const pin = field.value;
    field.value = '';
    setError(null);
    verify.mutate(
      { pin, ...(reader ? { reader } : {}) },
      {
        onSuccess: (result) => {
          if (result.ok) {
            setTriesLeft(null);
            onSuccess?.();
            onClose();
          } else {
            setTriesLeft(result.triesLeft);
            field.focus();
          }
        },
        onError: (e) => {
          setError({ code: (e as { code?: string }).code ?? 'INTERNAL', message: e.message });
          field.focus();
        },
      },
    );
  };

  const message = blocked
    ? 'Carte bloquée : le code porteur a été saisi trop de fois de manière erronée. Débloquez-la avec votre code de déblocage (outil de gestion CPS de l’ANS).'
    : error
      ? error.message
      : triesLeft !== null
        ? `Code erroné. ${triesLeft === 1 ? 'Dernier essai avant blocage de la carte.' : `Il reste ${triesLeft} essais.`}`
        : null;

  return (
    <Dialog
      open={open}
      title={cardType === null ? 'Code porteur de la carte' : `Code porteur de la carte ${cardType}`}
      onClose={close}
      actions={
        <>
          <Button onClick={close}>Annuler</Button>
          <Button variant="primary" type="submit" form="pin-form" busy={verify.isPending} disabled={blocked} data-testid="pin-submit">
            Valider
          </Button>
        </>
      }
    >
      <form id="pin-form" onSubmit={submit} data-testid="pin-dialog">
        <Field label={`Code porteur${cardType === null ? '' : ` de votre carte ${cardType}`} (4 à 8 chiffres)`} error={message} hint="Le code n’est jamais conservé par Pupitre.">
          {(id) => (
            <TextInput
              id={id}
              ref={input}
              type="password"
              inputMode="numeric"
              autoComplete="off"
              pattern="[0-9]{4,8}"
              maxLength={8}
              autoFocus
              disabled={blocked}
              data-testid="pin-input"
            />
          )}
        </Field>
      </form>
    </Dialog>
  );
}
