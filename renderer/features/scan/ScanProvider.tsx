/**
 * Every scan reaches the page here, whatever its source: HID-POS scanners and contactless phones
 * (host event `scan.received`), the keyboard wedge and the webcam (submitted with `scan.submit`).
 * A screen that expects a scan claims its kinds while it is shown (`useScanClaim`); a scan no
 * screen claims goes where a desk user wants it, with a toast saying what was read:
 * appli carte Vitale → patient intake, ordonnance numérique → pharmacist's screen, INS datamatrix
 * → that patient's record (or the choice to create it), anything else → said plainly.
 *
 * Several windows may be connected to the host (two tabs, a practice software's connector): a scan
 * a window submitted is routed by that window only; a scan from the host's own scanners is routed
 * by the window in view, and a window that finds it already taken by another says nothing.
 */
import { useQueryClient } from '@tanstack/react-query';
import { createContext, lazy, Suspense, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { EventPayload } from '../../../electron/contract';
import type { InsDatamatrixIdentity, ScanEvent, ScanKind } from '../../../electron/contract/domains/scan';
import { navigate } from '../../app/router';
import { useBridge, useHostEvent } from '../../bridge/queries';
import { useToast } from '../../ui';
import { destinationFor } from './destinations';
import { InsDatamatrixDialog } from './InsDatamatrixDialog';
import { useKeyboardWedge } from './useKeyboardWedge';
import type { WedgePayload } from './wedge-decode';
import type { WebcamRead } from './webcam/WebcamDialog';

// Loaded the first time the webcam is asked for: its decoder and stylesheet stay out of the
// start-up bundle, so nothing but the inlined shell style blocks the first paint (issue 15).
const WebcamDialog = lazy(() => import('./webcam/WebcamDialog').then((module) => ({ default: module.WebcamDialog })));

type ClaimHandler = (scan: ScanEvent) => boolean | void;

export interface SubmittedScan {
  source: 'wedge' | 'webcam' | 'demo';
  symbology: string;
  aim: string | null;
  bytes: Uint8Array;
  trusted: boolean;
  trustNote: string | null;
  alternative?: Uint8Array | null;
  device: string | null;
}

interface ScanContextValue {
  /** While registered, scans of `kinds` go to `handler` first; returning false passes them on. */
  claim(kinds: readonly ScanKind[], handler: ClaimHandler): () => void;
  /** A page-side source (the Démo panel too) hands over what it read; this window routes it. */
  submit(scan: SubmittedScan): Promise<void>;
  openWebcam(): void;
  cameraActive: boolean;
}

const ScanContext = createContext<ScanContextValue | null>(null);

export function useScan(): ScanContextValue {
  const value = useContext(ScanContext);
  if (value === null) throw new Error('ScanProvider missing');
  return value;
}

/** A screen that expects a scan: it gets the scans of `kinds` while mounted. */
export function useScanClaim(kinds: readonly ScanKind[], handler: ClaimHandler): void {
  const { claim } = useScan();
  const latest = useRef(handler);
  latest.current = handler;
  const key = kinds.join(',');
  useEffect(() => claim(key.split(',') as ScanKind[], (scan) => latest.current(scan)), [claim, key]);
}

const TRAIT_LABEL = { birthName: 'nom de naissance', birthGivenNames: 'prénoms', sex: 'sexe', birthDate: 'date de naissance', birthPlaceCode: 'lieu de naissance' } as const;

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

const errorText = (error: unknown): string => (error instanceof Error ? error.message : 'Le code scanné n’a pas pu être traité.');
/** A host scan another window took first: nothing to say here. */
const takenElsewhere = (scan: ScanEvent, error: unknown): boolean =>
  scan.clientRef === null && ['SCAN_NOT_FOUND', 'APCV_SCAN_EXPIRED'].includes((error as { code?: string } | null)?.code ?? '');

export function ScanProvider({ children }: { children: ReactNode }) {
  const bridge = useBridge();
  const toast = useToast();
  const client = useQueryClient();
  const claims = useRef<Array<{ kinds: readonly ScanKind[]; handler: ClaimHandler }>>([]);
  const seen = useRef<string[]>([]);
  const [webcamOpen, setWebcamOpen] = useState(false);
  // Mounted from the first opening on (then kept, so that closing it releases the camera as before).
  const [webcamWanted, setWebcamWanted] = useState(false);
  useEffect(() => {
    if (webcamOpen) setWebcamWanted(true);
  }, [webcamOpen]);
  const [cameraActive, setCameraActive] = useState(false);
  const [unknownIdentity, setUnknownIdentity] = useState<InsDatamatrixIdentity | null>(null);
  const clientRef = useMemo(() => crypto.randomUUID(), []);

  const route = useCallback(
    async (scan: ScanEvent) => {
      if (!scan.trusted) {
        toast('warn', `${scan.summary} ${scan.trustNote ?? ''}`.trim());
        return;
      }
      if (scan.kind === 'ins-datamatrix') {
        if (scan.details.valid === false) {
          toast('error', `${scan.summary} Scannez de nouveau le document, ou saisissez le patient à la main.`);
          return;
        }
        try {
          const opened = await bridge.invoke('scan.insDatamatrix.open', { scanId: scan.id });
          if (opened.patientId === null) {
            toast('info', `${scan.summary} Aucune fiche de ce poste ne porte cet INS.`);
            setUnknownIdentity(opened.identity);
            return;
          }
          navigate(`/patient/${opened.patientId}`);
          const who = `${opened.identity.birthName} ${opened.identity.birthGivenNames.split(' ')[0] ?? ''}`.trim();
          if (opened.differingTraits.length > 0) {
            toast('warn', `${scan.summary} Fiche de ${who} ouverte, mais ces traits diffèrent du datamatrix : ${opened.differingTraits.map((t) => TRAIT_LABEL[t]).join(', ')}. Vérifiez l’identité avant de continuer.`);
          } else toast('ok', `${scan.summary} Fiche de ${who} ouverte.`);
        } catch (error) {
          if (!takenElsewhere(scan, error)) toast('error', errorText(error));
        }
        return;
      }
      if (scan.kind === 'apcv' || scan.kind === 'eprescription') {
        const destination = destinationFor(scan.kind);
        if (destination === null) {
          toast('warn', `${scan.summary} Son traitement n’est pas encore disponible dans cette version de Pupitre.`);
          return;
        }
        try {
          await destination.open(scan, bridge);
          toast('info', `${scan.summary} Ouverture de ${destination.label}.`);
        } catch (error) {
          if (!takenElsewhere(scan, error)) toast('error', `${scan.summary} ${errorText(error)}`);
        }
        return;
      }
      toast('warn', scan.summary);
    },
    [bridge, toast],
  );

  const handle = useCallback(
    (scan: ScanEvent) => {
      if (seen.current.includes(scan.id)) return;
      // Another window's scan, or a host scan while this window is not in view: not ours to route.
      if (scan.clientRef !== null ? scan.clientRef !== clientRef : document.visibilityState !== 'visible') return;
      seen.current = [...seen.current.slice(-49), scan.id];
      void client.invalidateQueries({ queryKey: ['scan.scanners'] });
      for (const claim of [...claims.current].reverse()) {
        if (claim.kinds.includes(scan.kind) && claim.handler(scan) !== false) return;
      }
      void route(scan);
    },
    [client, route, clientRef],
  );

  useHostEvent('scan.received', handle);
  useHostEvent(
    'scan.scanners.changed',
    useCallback(
      (change: EventPayload<'scan.scanners.changed'>) => {
        void client.invalidateQueries({ queryKey: ['scan.scanners'] });
        if (change.message) toast('warn', change.message);
      },
      [client, toast],
    ),
  );

  const submit = useCallback(
    async (params: SubmittedScan) => {
      try {
        const scan = await bridge.invoke('scan.submit', {
          source: params.source,
          symbology: params.symbology,
          aim: params.aim,
          payloadBase64: base64(params.bytes),
          trusted: params.trusted,
          trustNote: params.trustNote,
          alternativeBase64: params.alternative ? base64(params.alternative) : null,
          device: params.device,
          clientRef,
        });
        handle(scan);
      } catch (error) {
        toast('error', errorText(error));
      }
    },
    [bridge, handle, toast, clientRef],
  );

  useKeyboardWedge(
    useCallback(
      (payload: WedgePayload) =>
        void submit({
          source: 'wedge',
          symbology: 'unknown',
          aim: payload.aim,
          bytes: payload.bytes,
          trusted: payload.trusted,
          trustNote: payload.trustNote,
          alternative: payload.alternative,
          device: 'Douchette (mode clavier)',
        }),
      [submit],
    ),
  );

  const onWebcamRead = useCallback(
    ({ symbol, camera }: WebcamRead) => {
      setWebcamOpen(false);
      const symbology = symbol.format === 'DataMatrix' ? 'datamatrix' : symbol.format === 'MicroQRCode' ? 'qr-micro' : 'qr';
      void submit({ source: 'webcam', symbology, aim: symbol.aim === '' ? null : symbol.aim, bytes: new Uint8Array(symbol.bytes), trusted: true, trustNote: null, device: camera });
    },
    [submit],
  );

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'F8' && !event.altKey && !event.ctrlKey && !event.metaKey) {
        event.preventDefault();
        setWebcamOpen(true);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const claim = useCallback((kinds: readonly ScanKind[], handler: ClaimHandler) => {
    const entry = { kinds, handler };
    claims.current = [...claims.current, entry];
    return () => {
      claims.current = claims.current.filter((c) => c !== entry);
    };
  }, []);
  const value = useMemo(() => ({ claim, submit, openWebcam: () => setWebcamOpen(true), cameraActive }), [claim, submit, cameraActive]);

  return (
    <ScanContext.Provider value={value}>
      {children}
      {webcamWanted ? (
        <Suspense fallback={null}>
          <WebcamDialog open={webcamOpen} onClose={() => setWebcamOpen(false)} onRead={onWebcamRead} onCameraChange={setCameraActive} />
        </Suspense>
      ) : null}
      <InsDatamatrixDialog identity={unknownIdentity} onClose={() => setUnknownIdentity(null)} />
    </ScanContext.Provider>
  );
}
