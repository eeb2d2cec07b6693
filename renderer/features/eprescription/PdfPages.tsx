/** A PDF drawn page by page with pdf.js on canvases (the preview that is also what gets printed). */
import { useEffect, useRef, useState } from 'react';
import { ErrorNotice } from '../../ui';

async function render(bytes: Uint8Array, container: HTMLElement, cancelled: () => boolean): Promise<number> {
  const pdfjs = await import('pdfjs-dist');
  const worker = await import('pdfjs-dist/build/pdf.worker.min.mjs?url');
  pdfjs.GlobalWorkerOptions.workerSrc = worker.default;
  const pdf = await pdfjs.getDocument({ data: bytes, isEvalSupported: false }).promise;
  container.replaceChildren();
  for (let n = 1; n <= pdf.numPages && !cancelled(); n++) {
    const page = await pdf.getPage(n);
    // Drawn at print resolution (≈ 200 dpi), shown scaled down by CSS.
    const viewport = page.getViewport({ scale: 2.8 });
    const canvas = document.createElement('canvas');
    canvas.width = viewport.width;
    canvas.height = viewport.height;
    canvas.className = 'erx-page';
    canvas.setAttribute('aria-label', `Page ${n}`);
    container.appendChild(canvas);
    const context = canvas.getContext('2d');
    if (context !== null) await page.render({ canvas, canvasContext: context, viewport }).promise;
  }
  return pdf.numPages;
}

export function PdfPages({ bytes, onRendered }: { bytes: Uint8Array; onRendered?(pages: number): void }) {
  const container = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (container.current === null) return;
    let cancelled = false;
    render(bytes, container.current, () => cancelled).then(
      (pages) => !cancelled && onRendered?.(pages),
      (e: unknown) => !cancelled && setError(e),
    );
    return () => {
      cancelled = true;
    };
  }, [bytes, onRendered]);
  return (
    <>
      {error !== null ? <ErrorNotice error={error} next="Enregistrez le PDF pour l’imprimer avec une autre application." /> : null}
      <div ref={container} className="erx-pages" data-testid="erx-pdf-pages" />
    </>
  );
}
