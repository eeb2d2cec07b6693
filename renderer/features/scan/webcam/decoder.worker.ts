/**
 * Decodes camera frames off the page's thread with zxing-cpp compiled to WebAssembly
 * (`zxing-wasm`, chosen over @zxing/browser on measured decode time per 1280×720 frame:
 * bench/README.md « scan »). The .wasm file is bundled by Vite and located here: zxing-wasm would
 * otherwise fetch it from a CDN, and Pupitre runs offline under a CSP that allows no remote
 * content (WebAssembly compilation needs `'wasm-unsafe-eval'` in script-src: electron/contract/csp.ts).
 */
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';
import wasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url';

prepareZXingModule({
  overrides: {
    locateFile: (path: string, prefix: string) => (path.endsWith('.wasm') ? new URL(wasmUrl, self.location.href).href : prefix + path),
  },
});

export interface FrameRequest {
  id: number;
  frame: ImageBitmap;
  /** Try harder on this frame (every few frames: a code at 45°, small or blurred). */
  hard: boolean;
}

export interface DecodedSymbol {
  format: string;
  aim: string;
  bytes: ArrayBuffer;
}

export type FrameResponse = { id: number; ok: true; symbols: DecodedSymbol[]; ms: number } | { id: number; ok: false; error: string };

let canvas: OffscreenCanvas | null = null;

self.onmessage = async (message: MessageEvent<FrameRequest>) => {
  const { id, frame, hard } = message.data;
  const started = performance.now();
  try {
    if (canvas === null || canvas.width !== frame.width || canvas.height !== frame.height) canvas = new OffscreenCanvas(frame.width, frame.height);
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (context === null) throw new Error('no 2d context');
    context.drawImage(frame, 0, 0);
    frame.close();
    const image = context.getImageData(0, 0, canvas.width, canvas.height);
    // Per-frame settings measured in bench/scan.bench.ts: the next frame comes 30 ms later, so no
    // try-harder on most frames; inverted codes (a phone in dark mode) and downscaling are worth
    // their cost. Every few frames the page asks to try harder (a DataMatrix at 45° needs it).
    const results = await readBarcodes(image, {
      formats: ['QRCode', 'MicroQRCode', 'DataMatrix'],
      tryHarder: hard,
      tryRotate: hard,
      tryInvert: true,
      tryDownscale: true,
      maxNumberOfSymbols: 1,
      textMode: 'Plain',
    });
    const symbols = results
      .filter((r) => r.isValid)
      .map((r) => ({ format: r.format, aim: r.symbologyIdentifier, bytes: Uint8Array.from(r.bytes).buffer }));
    const response: FrameResponse = { id, ok: true, symbols, ms: performance.now() - started };
    (self as unknown as Worker).postMessage(response, symbols.map((s) => s.bytes));
  } catch (error) {
    const response: FrameResponse = { id, ok: false, error: error instanceof Error ? error.name : 'error' };
    (self as unknown as Worker).postMessage(response);
  }
};
