/** The page's side of the frame decoder worker: one frame in flight, answers matched by id. */
import type { DecodedSymbol, FrameRequest, FrameResponse } from './decoder.worker';

export interface FrameDecoder {
  decode(frame: ImageBitmap, hard?: boolean): Promise<{ symbols: DecodedSymbol[]; ms: number }>;
  close(): void;
}

let shared: Worker | null = null;

/** One worker for the page: the WebAssembly module stays compiled between two scans. */
function worker(): Worker {
  shared ??= new Worker(new URL('./decoder.worker.ts', import.meta.url), { type: 'module', name: 'pupitre-scan-decoder' });
  return shared;
}

export function createFrameDecoder(): FrameDecoder {
  const w = worker();
  let next = 0;
  const pending = new Map<number, { resolve: (r: { symbols: DecodedSymbol[]; ms: number }) => void; reject: (e: Error) => void }>();
  const onMessage = (message: MessageEvent<FrameResponse>) => {
    const waiter = pending.get(message.data.id);
    if (waiter === undefined) return;
    pending.delete(message.data.id);
    if (message.data.ok) waiter.resolve({ symbols: message.data.symbols, ms: message.data.ms });
    else waiter.reject(new Error(message.data.error));
  };
  w.addEventListener('message', onMessage);
  return {
    decode(frame, hard = false) {
      const id = ++next;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        const request: FrameRequest = { id, frame, hard };
        w.postMessage(request, [frame]);
      });
    },
    close() {
      w.removeEventListener('message', onMessage);
      for (const waiter of pending.values()) waiter.reject(new Error('closed'));
      pending.clear();
    },
  };
}
