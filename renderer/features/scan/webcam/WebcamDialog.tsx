/**
 * Scanning with the webcam: camera picker (remembered), live preview, frames decoded in a worker
 * (zxing-wasm) until a code is read. The camera stops as soon as a code is read or the dialog
 * closes; while it runs, the top bar says so. The camera permission is the app's own origin's
 * (Electron's permission handler grants only the camera, to the app).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { Button, Dialog, ErrorNotice } from '../../../ui';
import '../scan.css';
import { createFrameDecoder } from './decoder';
import type { DecodedSymbol } from './decoder.worker';

const CAMERA_KEY = 'pupitre.scan.camera';

export interface WebcamRead {
  symbol: DecodedSymbol;
  camera: string;
}

/** French message for a getUserMedia failure (Media Capture and Streams, DOMException names). */
export function cameraErrorMessage(error: unknown): string {
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'L’accès à la caméra est refusé. Autorisez la caméra pour Pupitre (réglages de confidentialité du système), puis réessayez.';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'Aucune caméra n’est disponible. Branchez une webcam, choisissez-en une autre, ou utilisez la douchette.';
    case 'NotReadableError':
    case 'AbortError':
      return 'La caméra est déjà utilisée par un autre logiciel (visioconférence ?). Fermez-le, puis réessayez.';
    default:
      return 'La caméra n’a pas pu démarrer. Débranchez-la et rebranchez-la, puis réessayez.';
  }
}

export function WebcamDialog({ open, onClose, onRead, onCameraChange }: { open: boolean; onClose(): void; onRead(read: WebcamRead): void; onCameraChange(active: boolean): void }) {
  const video = useRef<HTMLVideoElement>(null);
  const [cameras, setCameras] = useState<MediaDeviceInfo[]>([]);
  const [deviceId, setDeviceId] = useState<string>(() => localStorage.getItem(CAMERA_KEY) ?? '');
  const [state, setState] = useState<'off' | 'starting' | 'live'>('off');
  const [error, setError] = useState<string | null>(null);
  const [frames, setFrames] = useState(0);
  const read = useRef(onRead);
  read.current = onRead;
  const cameraChange = useRef(onCameraChange);
  cameraChange.current = onCameraChange;

  const listCameras = useCallback(async () => {
    const devices = await navigator.mediaDevices.enumerateDevices();
    setCameras(devices.filter((d) => d.kind === 'videoinput'));
  }, []);

  useEffect(() => {
    if (!open) return;
    let stopped = false;
    let stream: MediaStream | null = null;
    const decoder = createFrameDecoder();
    const stop = () => {
      if (stopped) return;
      stopped = true;
      for (const track of stream?.getTracks() ?? []) track.stop();
      if (video.current) video.current.srcObject = null;
      decoder.close();
      setState('off');
      cameraChange.current(false);
    };
    (async () => {
      setError(null);
      setState('starting');
      setFrames(0);
      try {
        stream = await navigator.mediaDevices.getUserMedia({
          video: { ...(deviceId === '' ? {} : { deviceId: { exact: deviceId } }), width: { ideal: 1280 }, height: { ideal: 720 } },
          audio: false,
        });
      } catch (e) {
        if (stopped) return;
        const name = e instanceof Error ? e.name : '';
        if (deviceId !== '' && (name === 'OverconstrainedError' || name === 'NotFoundError')) {
          // The remembered camera is gone: back to the default one.
          localStorage.removeItem(CAMERA_KEY);
          setDeviceId('');
          return;
        }
        setError(cameraErrorMessage(e));
        setState('off');
        return;
      }
      if (stopped) {
        for (const track of stream.getTracks()) track.stop();
        return;
      }
      cameraChange.current(true);
      const element = video.current;
      if (element === null) return stop();
      element.srcObject = stream;
      await element.play().catch(() => undefined);
      setState('live');
      void listCameras();
      const label = stream.getVideoTracks()[0]?.label || 'Caméra';
      let analysed = 0;
      const loop = async () => {
        while (!stopped) {
          if (element.readyState >= 2 && element.videoWidth > 0) {
            let symbols: DecodedSymbol[] = [];
            try {
              const frame = await createImageBitmap(element);
              // One frame in four with every option on (bench/scan.bench.ts: slower, reads more).
              symbols = (await decoder.decode(frame, analysed++ % 4 === 3)).symbols;
            } catch {
              // A frame that could not be grabbed or decoded: try the next one.
            }
            if (stopped) return;
            setFrames((n) => n + 1);
            const symbol = symbols[0];
            if (symbol !== undefined) {
              stop();
              read.current({ symbol, camera: label });
              return;
            }
          }
          await new Promise((resolve) => setTimeout(resolve, 30));
        }
      };
      void loop();
    })();
    return stop;
  }, [open, deviceId, listCameras]);

  useEffect(() => {
    if (open) void listCameras().catch(() => undefined);
  }, [open, listCameras]);

  return (
    <Dialog open={open} title="Scanner avec la caméra" onClose={onClose} actions={<Button onClick={onClose}>Fermer (Échap)</Button>}>
      <div className="webcam" data-testid="webcam-dialog" data-camera={state}>
        {cameras.length > 1 ? (
          <label className="webcam-picker">
            Caméra{' '}
            <select
              value={deviceId}
              onChange={(event) => {
                setDeviceId(event.currentTarget.value);
                localStorage.setItem(CAMERA_KEY, event.currentTarget.value);
              }}
              data-testid="webcam-picker"
            >
              <option value="">Par défaut</option>
              {cameras.map((camera, index) => (
                <option key={camera.deviceId || index} value={camera.deviceId}>
                  {camera.label || `Caméra ${index + 1}`}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <video ref={video} className="webcam-preview" muted playsInline aria-label="Aperçu de la caméra" />
        {error ? <ErrorNotice error={new Error(error)} /> : null}
        <p className="muted" aria-live="polite">
          {state === 'starting'
            ? 'Démarrage de la caméra…'
            : state === 'live'
              ? `Présentez le QR code ou le datamatrix à 15–25 cm, bien éclairé et sans reflet (${frames} image${frames > 1 ? 's' : ''} analysée${frames > 1 ? 's' : ''}).`
              : error
                ? ''
                : 'Caméra arrêtée.'}
        </p>
      </div>
    </Dialog>
  );
}
