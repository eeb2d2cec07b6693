/// <reference types="vite/client" />
/**
 * Bench page (bench/scan.bench.ts): decode the same 1280×720 frames with the two zxing builds the
 * project has, in Chromium, each as it would be used on a live camera, with two settings each:
 * - @zxing/browser: the frame drawn on a canvas, `decodeFromCanvas` (what `decodeFromVideoDevice`
 *   does for every frame), QR Code + DataMatrix, with and without TRY_HARDER;
 * - zxing-wasm (zxing-cpp in WebAssembly): the frame drawn on a canvas, `getImageData`,
 *   `readBarcodes` with QR Code + DataMatrix: « camera » settings (the app's decoder worker:
 *   no try-harder, inverted codes and downscaling tried, no 90° rotations — the 2D detectors are
 *   rotation-invariant) and « try harder » (every option on, as `pupitre scan decode`).
 */
import { BarcodeFormat, BrowserMultiFormatReader } from '@zxing/browser';
import { DecodeHintType } from '@zxing/library';
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';
import wasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url';

prepareZXingModule({ overrides: { locateFile: (path: string, prefix: string) => (path.endsWith('.wasm') ? new URL(wasmUrl, location.href).href : prefix + path) } });

const canvas = document.getElementById('frame') as HTMLCanvasElement;
const context = canvas.getContext('2d', { willReadFrequently: true }) as CanvasRenderingContext2D;

const hints = new Map<DecodeHintType, unknown>([
  [DecodeHintType.POSSIBLE_FORMATS, [BarcodeFormat.QR_CODE, BarcodeFormat.DATA_MATRIX]],
  [DecodeHintType.TRY_HARDER, true],
]);
const zxingJsHard = new BrowserMultiFormatReader(hints);
const zxingJs = new BrowserMultiFormatReader(new Map<DecodeHintType, unknown>([[DecodeHintType.POSSIBLE_FORMATS, [BarcodeFormat.QR_CODE, BarcodeFormat.DATA_MATRIX]]]));

/** The app's camera settings (renderer/features/scan/webcam/decoder.worker.ts). */
export const CAMERA_OPTIONS = { tryHarder: false, tryRotate: false, tryInvert: true, tryDownscale: true } as const;

async function load(url: string): Promise<ImageBitmap> {
  return createImageBitmap(await (await fetch(url)).blob());
}

const decodeJs = (reader: BrowserMultiFormatReader) => async (frame: ImageBitmap): Promise<string | null> => {
  context.drawImage(frame, 0, 0, 1280, 720);
  try {
    return reader.decodeFromCanvas(canvas).getText();
  } catch {
    return null;
  }
};

const decodeWasm = (options: object) => async (frame: ImageBitmap): Promise<string | null> => {
  context.drawImage(frame, 0, 0, 1280, 720);
  const image = context.getImageData(0, 0, 1280, 720);
  const [result] = await readBarcodes(image, { formats: ['QRCode', 'DataMatrix'], maxNumberOfSymbols: 1, textMode: 'Plain', ...options });
  return result?.isValid ? result.text : null;
};

export interface FrameTiming {
  frame: string;
  build: 'zxing-js' | 'zxing-js hard' | 'zxing-wasm' | 'zxing-wasm hard';
  medianMs: number;
  p90Ms: number;
  decoded: string | null;
}

const quantile = (values: number[], q: number): number => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))] ?? NaN;

declare global {
  interface Window {
    benchZxing(frames: string[], runs: number): Promise<FrameTiming[]>;
  }
}

window.benchZxing = async (frames, runs) => {
  const bitmaps = await Promise.all(frames.map(load));
  const builds = [
    ['zxing-wasm', decodeWasm(CAMERA_OPTIONS)],
    ['zxing-js', decodeJs(zxingJs)],
    ['zxing-wasm hard', decodeWasm({ tryHarder: true, tryRotate: true, tryInvert: true, tryDownscale: true })],
    ['zxing-js hard', decodeJs(zxingJsHard)],
  ] as const;
  // Warm-up: WebAssembly compile, JIT.
  for (const [, decode] of builds) for (const bitmap of bitmaps) await decode(bitmap);
  // Interleaved (run → frame → build) so that a change of machine load hits every build alike.
  const times = new Map<string, number[]>();
  const decoded = new Map<string, string | null>();
  for (let run = 0; run < runs; run++) {
    for (const [index, bitmap] of bitmaps.entries()) {
      for (const [build, decode] of builds) {
        const started = performance.now();
        const text = await decode(bitmap);
        const key = `${build}|${index}`;
        times.set(key, [...(times.get(key) ?? []), performance.now() - started]);
        decoded.set(key, text);
      }
    }
  }
  return builds.flatMap(([build]) =>
    frames.map((frame, index) => {
      const key = `${build}|${index}`;
      const list = times.get(key) ?? [];
      return { frame, build, medianMs: quantile(list, 0.5), p90Ms: quantile(list, 0.9), decoded: decoded.get(key) ?? null };
    }),
  );
};
