/**
 * « Appli carte Vitale »: the patient shows the QR code of the app; a scanner (wedge or HID-POS),
 * the webcam, or the Démo panel gives its payload; the SI ApCV authenticates it and the session's
 * beneficiaries go to the same picker as a carte Vitale. The screen shows the time left, asks for
 * a new scan when the session ends, and ends it when the patient is done. Offline, the scan is
 * refused at once with the next thing to do.
 */
import { useEffect, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useBridge, useHostQuery } from '../../bridge/queries';
import { Button, ErrorNotice, Panel, TextInput, useToast } from '../../ui';
import { BeneficiaryPicker } from '../cards/BeneficiaryPicker';
import { useScanClaim } from '../scan/ScanProvider';
import { Countdown, useTimeLeft } from './Countdown';
import { setCurrentApcvContext, takePendingPick, useCurrentApcvContext } from './current';

function toBase64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

const NEXT_STEP: Record<string, string> = {
  APCV_OFFLINE: 'Lisez la carte Vitale physique (insérez-la dans le lecteur), ou reprenez l’appli plus tard.',
  APCV_UNAVAILABLE: 'Lisez la carte Vitale physique, ou rescannez dans quelques minutes.',
  CARD_SESSION_REQUIRED: 'Insérez votre carte CPS et saisissez votre code porteur, puis rescannez.',
};

export function ApcvIntake() {
  const bridge = useBridge();
  const client = useQueryClient();
  const toast = useToast();
  const contextId = useCurrentApcvContext();
  const context = useHostQuery('apcv.context', { contextId: contextId ?? '' }, { enabled: contextId !== null });
  const [payload, setPayload] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [picking, setPicking] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const view = context.data ?? null;
  const left = useTimeLeft(view?.expiresAt ?? null, view?.state ?? null);
  const open = view !== null && view.state === 'open' && left > 0;

  useEffect(() => {
    if (!open) input.current?.focus();
  }, [open]);

  // A new session (scanned here, from the Démo panel or routed by the scan pipeline) opens the picker.
  useEffect(() => {
    if (contextId !== null && takePendingPick()) setPicking(true);
  }, [contextId]);

  const submit = async () => {
    const text = payload.trim();
    if (text === '') return;
    setBusy(true);
    setError(null);
    try {
      const opened = await bridge.invoke('apcv.open', { payloadBase64: toBase64(text), source: 'wedge' });
      setCurrentApcvContext(opened.id);
      await client.invalidateQueries({ queryKey: ['apcv.context'] });
      setPicking(true);
    } catch (e) {
      setError(e);
    } finally {
      setPayload('');
      setBusy(false);
    }
  };

  // This screen expects the app: a scan from any scanner (HID-POS, wedge, webcam, NFC) opens here,
  // with a refusal shown on the screen and its next step rather than in a toast.
  useScanClaim(['apcv'], (scan) => {
    if (!scan.trusted) return false;
    setBusy(true);
    setError(null);
    void bridge
      .invoke('apcv.openFromScan', { scanId: scan.id })
      .then(async (opened) => {
        setCurrentApcvContext(opened.id);
        await client.invalidateQueries({ queryKey: ['apcv.context'] });
        setPicking(true);
      })
      .catch((e: unknown) => setError(e))
      .finally(() => setBusy(false));
    return true;
  });

  const done = async () => {
    if (contextId !== null) await bridge.invoke('apcv.close', { contextId }).catch(() => undefined);
    setCurrentApcvContext(null);
    setPicking(false);
    toast('ok', 'Session de l’appli carte Vitale terminée.');
  };

  const code = (error as { code?: string } | null)?.code ?? '';
  return (
    <div className="stack" data-testid="apcv-intake">
      <Panel
        title="Appli carte Vitale"
        actions={
          view !== null && view.state === 'open' ? (
            <Button onClick={() => void done()} data-testid="apcv-done">
              Patient terminé
            </Button>
          ) : null
        }
      >
        <p>
          Demandez au patient d’ouvrir l’appli carte Vitale et d’afficher son QR code, puis scannez-le (douchette ou webcam). L’appli ne fonctionne
          qu’en ligne ; une session dure 20 minutes et sert à une seule facture.
        </p>
        {open && view ? (
          <div className="stack" data-testid="apcv-session">
            <Countdown expiresAt={view.expiresAt} state={view.state} />
            <p>
              {view.beneficiaries.length} bénéficiaire(s) dans la session.{' '}
              <Button variant="primary" onClick={() => setPicking(true)} data-testid="apcv-pick">
                Choisir le bénéficiaire
              </Button>
            </p>
          </div>
        ) : (
          <form
            className="inline"
            onSubmit={(event) => {
              event.preventDefault();
              void submit();
            }}
          >
            {view !== null && view.state !== 'closed' ? (
              <p className="notice notice-warn" role="status" data-testid="apcv-expired">
                La session précédente a expiré : demandez au patient de rescanner son appli carte Vitale.
              </p>
            ) : null}
            <label>
              QR code scanné
              <TextInput
                ref={input}
                value={payload}
                onChange={(event) => setPayload(event.target.value)}
                placeholder="Scannez le QR code (ou collez son contenu) puis Entrée"
                aria-label="Contenu du QR code de l’appli carte Vitale"
                data-testid="apcv-payload"
                autoComplete="off"
              />
            </label>
            <Button type="submit" variant="primary" busy={busy} data-testid="apcv-submit">
              Valider
            </Button>
            {busy ? <span className="muted">Authentification auprès du service de l’appli carte Vitale…</span> : null}
          </form>
        )}
        {error ? <ErrorNotice error={error} {...(NEXT_STEP[code] ? { next: NEXT_STEP[code] } : {})} /> : null}
      </Panel>
      {contextId !== null && open ? (
        <BeneficiaryPicker open={picking} source={{ kind: 'apcv', contextId }} onClose={() => setPicking(false)} />
      ) : null}
    </div>
  );
}
