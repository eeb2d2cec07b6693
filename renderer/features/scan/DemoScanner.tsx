/**
 * Démo panel: the virtual HID-POS scanner « scans » codes through the real path (HID-POS reports,
 * reassembly, pipeline, routing) — the demo patient's INS datamatrix, any QR code, or a text typed
 * here (an ordonnance numérique's number read under its QR code, an appli carte Vitale code) — and
 * the INS datamatrix of a demo patient is shown on screen to scan with the webcam or a real scanner.
 */
import { useState } from 'react';
import { useBridge, useHostQuery } from '../../bridge/queries';
import { Button, ErrorNotice, TextInput } from '../../ui';
import './scan.css';

const UNKNOWN_QR = 'https://www.example.org/pupitre/demo?code=ABCDEF0123456789';

const base64 = (text: string): string => btoa(String.fromCharCode(...[...text].map((c) => c.charCodeAt(0) & 0xff)));

export function DemoScanner() {
  const bridge = useBridge();
  const found = useHostQuery('patients.search', { query: 'DUPONT', limit: 20 });
  const qualified = found.data?.results.find((p) => p.status === 'QUAL');
  const datamatrix = useHostQuery('patients.datamatrix', { id: qualified?.id ?? '' }, { enabled: qualified !== undefined });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [text, setText] = useState('');
  const scan = async (payload: string, symbology: 'qr' | 'datamatrix', fault: 'none' | 'unplug' = 'none') => {
    setBusy(true);
    setError(null);
    try {
      await bridge.invoke('demo.scan.hid', { payloadBase64: base64(payload), symbology, fault });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const content = datamatrix.data?.content;
  const who = qualified ? `${qualified.firstGivenName} ${qualified.birthName}` : '';
  return (
    <section className="demo-scanner" data-testid="demo-scanner" aria-label="Douchette virtuelle">
      <h3>Douchette HID-POS virtuelle</h3>
      <p className="muted">Elle envoie le code comme une vraie douchette HID-POS (rapports de 56 octets, identifiant AIM), jusqu’à l’écran qui l’attend.</p>
      <div className="button-row">
        <Button disabled={content === undefined} busy={busy} onClick={() => content && void scan(content, 'datamatrix')} data-testid="demo-scan-ins">
          Scanner le datamatrix INS de {who || 'la patiente qualifiée'}
        </Button>
        <Button disabled={content === undefined} busy={busy} onClick={() => content && void scan(content, 'datamatrix', 'unplug')} data-testid="demo-scan-unplug">
          … douchette débranchée pendant la lecture
        </Button>
        <Button busy={busy} onClick={() => void scan(UNKNOWN_QR, 'qr')} data-testid="demo-scan-unknown">
          Scanner un QR code quelconque
        </Button>
      </div>
      <form
        className="inline"
        onSubmit={(event) => {
          event.preventDefault();
          if (text.trim() !== '') void scan(text.trim(), 'qr');
        }}
      >
        <label htmlFor="demo-scan-text" className="field-label">
          Contenu d’un QR code à scanner
        </label>
        <TextInput
          id="demo-scan-text"
          value={text}
          onChange={(event) => setText(event.target.value)}
          placeholder="n° d’ordonnance numérique, code d’appli carte Vitale…"
          maxLength={1000}
          data-no-wedge
          data-testid="demo-scan-text"
        />
        <Button type="submit" busy={busy} disabled={text.trim() === ''} data-testid="demo-scan-text-send">
          Scanner avec la douchette virtuelle
        </Button>
      </form>
      {datamatrix.data ? (
        <figure className="demo-datamatrix">
          <img src={`data:image/svg+xml;base64,${btoa(datamatrix.data.svg)}`} alt={`Datamatrix INS de ${who}`} width={160} height={160} />
          <figcaption>Datamatrix INS de {who} : scannez-le à l’écran avec la caméra (F8) ou une douchette.</figcaption>
        </figure>
      ) : null}
      {error ? <ErrorNotice error={error} /> : null}
    </section>
  );
}
