/**
 * Diagnostic of the scanners: each one, its mode, its last scan and what to do when nothing
 * arrives — HID-POS scanners and contactless readers as the host sees them, the keyboard wedge
 * and the webcam as the page does.
 */
import { useEffect, useState } from 'react';
import type { ScanKind, ScanSourceStats } from '../../../electron/contract/domains/scan';
import { useHostQuery } from '../../bridge/queries';
import { Panel, StatusBadge, Table, type Tone } from '../../ui';

const KIND_LABEL: Record<ScanKind, string> = { apcv: 'appli carte Vitale', eprescription: 'ordonnance numérique', 'ins-datamatrix': 'datamatrix INS', unknown: 'code non reconnu' };
const STATE: Record<string, { tone: Tone; label: string }> = {
  ready: { tone: 'ok', label: 'Prête' },
  'permission-denied': { tone: 'error', label: 'Accès refusé' },
  error: { tone: 'warn', label: 'Ne s’ouvre pas' },
  removed: { tone: 'neutral', label: 'Débranchée' },
  listening: { tone: 'ok', label: 'À l’écoute' },
  none: { tone: 'neutral', label: 'Aucune' },
};

interface Row {
  id: string;
  label: string;
  mode: string;
  state: keyof typeof STATE;
  lastScan: string;
  next: string;
}

function lastScan(at: string | null, kind: ScanKind | null, scans: number): string {
  if (at === null) return 'aucun depuis le démarrage';
  return `${new Date(at).toLocaleString('fr-FR')} (${kind ? KIND_LABEL[kind] : '?'}) — ${scans} au total`;
}

const WEDGE_NEXT =
  'Si rien n’arrive : la fenêtre de Pupitre doit être active ; la douchette doit terminer par Entrée (suffixe CR). Si les chiffres sortent en &é"\'(, réglez la douchette en clavier français ou passez-la en mode HID-POS (conseillé).';
const WEBCAM_NEXT = 'Si rien n’est lu : bon éclairage, code à 15–25 cm, sans reflet sur l’écran du téléphone ; essayez une autre caméra dans la liste.';

export function ScannersPanel() {
  const status = useHostQuery('scan.scanners', {}, { refetchInterval: 5_000 });
  const [cameras, setCameras] = useState<number | null>(null);
  useEffect(() => {
    void navigator.mediaDevices
      ?.enumerateDevices()
      .then((devices) => setCameras(devices.filter((d) => d.kind === 'videoinput').length))
      .catch(() => setCameras(0));
  }, []);
  const stats = (source: string): ScanSourceStats | undefined => status.data?.sources.find((s) => s.source === source);
  const wedge = stats('wedge');
  const webcam = stats('webcam');
  const rows: Row[] = [
    ...(status.data?.scanners ?? []).map((s) => ({ id: s.id, label: s.label, mode: s.mode, state: s.state, lastScan: lastScan(s.lastScanAt, s.lastScanKind, s.scans), next: s.next })),
    {
      id: 'wedge',
      label: 'Douchette en mode clavier',
      mode: 'Émulation clavier (rafale de touches + Entrée)',
      state: 'listening',
      lastScan: lastScan(wedge?.lastScanAt ?? null, wedge?.lastScanKind ?? null, wedge?.scans ?? 0) + (wedge?.lastTrusted === false ? ' — contenu NON FIABLE (disposition du clavier)' : ''),
      next: WEDGE_NEXT,
    },
    {
      id: 'webcam',
      label: cameras === null ? 'Caméra' : cameras === 0 ? 'Caméra (aucune détectée)' : `Caméra (${cameras} détectée${cameras > 1 ? 's' : ''})`,
      mode: 'Webcam, décodage zxing-cpp (WebAssembly) — touche F8',
      state: cameras === 0 ? 'none' : 'listening',
      lastScan: lastScan(webcam?.lastScanAt ?? null, webcam?.lastScanKind ?? null, webcam?.scans ?? 0),
      next: WEBCAM_NEXT,
    },
  ];
  const udev = status.data?.udevRule;
  return (
    <Panel title="Douchettes, caméra et lecteur sans contact">
      <div data-testid="scanners-panel">
        <Table
          rows={rows}
          rowKey={(row) => row.id}
          empty="Aucun moyen de scan."
          columns={[
            { key: 'label', header: 'Appareil', render: (row) => row.label, width: '20%' },
            { key: 'mode', header: 'Mode', render: (row) => row.mode, width: '18%' },
            { key: 'state', header: 'État', render: (row) => <StatusBadge tone={STATE[row.state]?.tone ?? 'neutral'}>{STATE[row.state]?.label ?? row.state}</StatusBadge>, width: '10%' },
            { key: 'last', header: 'Dernier scan', render: (row) => row.lastScan, width: '20%' },
            { key: 'next', header: 'Si rien n’arrive', render: (row) => row.next },
          ]}
        />
        {udev ? (
          <p className="muted">
            Règle udev des douchettes HID-POS (Linux) : {udev.installed ? 'installée' : `non installée — fichiers ${udev.rule} et ${udev.helper}`}. Les codes scannés restent en mémoire{' '}
            {status.data?.retentionSeconds ?? 120} s au plus, jamais sur disque ni dans les journaux.
          </p>
        ) : (
          <p className="muted">Les codes scannés restent en mémoire {status.data?.retentionSeconds ?? 120} s au plus, jamais sur disque ni dans les journaux.</p>
        )}
      </div>
    </Panel>
  );
}
