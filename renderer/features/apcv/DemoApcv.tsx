/**
 * The appli carte Vitale part of the Démo panel: each demo patient's app QR code drawn on screen
 * (bwip-js, to scan with a webcam or a phone, or to copy), « présenter comme scanné » which goes
 * through the same path as a scanner, and the simulator's « service en panne » / slowness switches.
 */
import { useEffect, useRef, useState } from 'react';
import { toCanvas } from 'bwip-js/browser';
import { useHostMutation, useHostQuery } from '../../bridge/queries';
import { useScan } from '../scan/ScanProvider';
import { Button, ErrorNotice } from '../../ui';

function QrCode({ text, label }: { text: string; label: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (canvas.current) toCanvas(canvas.current, { bcid: 'qrcode', text, scale: 3, paddingwidth: 4, paddingheight: 4, backgroundcolor: 'FFFFFF' });
  }, [text]);
  return <canvas ref={canvas} role="img" aria-label={`QR code : ${label}`} />;
}

export function DemoApcv() {
  const list = useHostQuery('demo.apcv.list', {});
  const configure = useHostMutation('demo.apcv.configure', ['demo.apcv.list', 'apcv.status']);
  const scan = useScan();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  if (list.error) return <ErrorNotice error={list.error} />;
  const data = list.data;

  // « As if scanned »: through the scan pipeline (source démo), which routes it to the intake screen.
  const inject = async (id: string, payload: string) => {
    setBusy(id);
    setError(null);
    try {
      await scan.submit({ source: 'demo', symbology: 'qr', aim: null, bytes: new TextEncoder().encode(payload), trusted: true, trustNote: null, device: 'Démo' });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className="stack" data-testid="demo-apcv">
      <h3>Appli carte Vitale</h3>
      <p className="muted">
        QR codes de démonstration (forme modélisée : le format réel de l’appli n’est pas public). Scannez-les à la webcam ou présentez-les comme
        scannés.
      </p>
      <div className="inline">
        <label>
          <input
            type="checkbox"
            checked={data?.serviceDown ?? false}
            onChange={(event) => configure.mutate({ serviceDown: event.target.checked })}
            data-testid="demo-apcv-down"
          />{' '}
          Service appli carte Vitale et ADRi en panne
        </label>{' '}
        <label>
          <input
            type="checkbox"
            checked={(data?.latencyMs ?? 0) > 0}
            onChange={(event) => configure.mutate({ latencyMs: event.target.checked ? 3_000 : 0 })}
            data-testid="demo-apcv-slow"
          />{' '}
          Réponses lentes (3 s)
        </label>
      </div>
      <div className="inline">
        {(data?.apps ?? []).map((app) => (
          <figure key={app.id} className="stack" data-testid={`demo-apcv-${app.id}`}>
            <QrCode text={app.payload} label={app.label} />
            <figcaption>{app.label}</figcaption>
            <code className="muted" data-testid="demo-apcv-payload">
              {app.payload}
            </code>
            <Button onClick={() => void inject(app.id, app.payload)} busy={busy === app.id} data-testid={`demo-apcv-inject-${app.id}`}>
              Présenter comme scanné
            </Button>
          </figure>
        ))}
      </div>
      {error ? <ErrorNotice error={error} /> : null}
      {configure.error ? <ErrorNotice error={configure.error} /> : null}
    </div>
  );
}
