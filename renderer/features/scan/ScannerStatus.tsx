/**
 * Top-bar scanner status: the HID-POS scanners the host sees (ready, or refused by Linux), the
 * camera when it runs, and the button (F8) to scan with the webcam. A keyboard-mode scanner needs
 * nothing: it is heard wherever the focus is.
 */
import { useHostQuery } from '../../bridge/queries';
import { Button, StatusBadge } from '../../ui';
import { useScan } from './ScanProvider';

const time = (iso: string | null): string => (iso === null ? '' : new Date(iso).toLocaleTimeString('fr-FR', { hour: '2-digit', minute: '2-digit' }));

export function ScannerStatus() {
  const { openWebcam, cameraActive } = useScan();
  const status = useHostQuery('scan.scanners', {});
  const scanners = (status.data?.scanners ?? []).filter((s) => s.source === 'hid');
  const denied = scanners.filter((s) => s.state === 'permission-denied');
  const ready = scanners.filter((s) => s.state === 'ready');
  const last = [...(status.data?.sources ?? [])].sort((a, b) => (b.lastScanAt ?? '').localeCompare(a.lastScanAt ?? ''))[0];
  const lastText = last?.lastScanAt ? ` — dernier scan à ${time(last.lastScanAt)}` : '';

  let badge;
  if (denied.length > 0) {
    badge = (
      <StatusBadge tone="error" title={denied[0]?.next}>
        Douchette : accès refusé (voir Diagnostic)
      </StatusBadge>
    );
  } else if (ready.length > 0) {
    badge = (
      <StatusBadge tone="ok" title={`${ready.map((s) => `${s.label} (${s.mode})`).join(', ')}${lastText}`}>
        {ready.length === 1 ? 'Douchette prête' : `${ready.length} douchettes prêtes`}
      </StatusBadge>
    );
  } else {
    badge = (
      <StatusBadge tone="neutral" title={`Aucune douchette HID-POS : une douchette en mode clavier fonctionne sans réglage${lastText}`}>
        Douchette clavier ou caméra
      </StatusBadge>
    );
  }
  return (
    <span className="indicator" data-testid="scanner-status">
      {badge}
      {cameraActive ? (
        <StatusBadge tone="warn" title="La caméra filme : elle s’arrête dès qu’un code est lu ou la fenêtre fermée">
          <span data-testid="camera-active">● Caméra active</span>
        </StatusBadge>
      ) : null}
      <Button onClick={openWebcam} title="Scanner un QR code ou un datamatrix avec la webcam (F8)" aria-keyshortcuts="F8" data-testid="webcam-open">
        Caméra (F8)
      </Button>
    </span>
  );
}
