/**
 * PDF pages drawn with pdf.js on canvases (one per page, labelled « Page n »). pdf.js and its
 * worker are loaded on first use, so screens without a PDF never pay for them. Scripts in the PDF
 * are never evaluated (isEvalSupported: false).
 */
export interface PdfPagesDrawing {
  /** pdf.js viewport scale the pages are drawn at (CSS may show them smaller). */
  scale: number;
  /** Class of each page's canvas. */
  pageClassName: string;
  /** Stops between pages once the caller no longer wants them (component unmounted, new bytes). */
  cancelled(): boolean;
}

/** Replaces the container's children with the PDF's pages; resolves with the page count. */
export async function renderPdfPages(bytes: Uint8Array, container: HTMLElement, drawing: PdfPagesDrawing): Promise<number> {
  const pdfjs = await import('pdfjs-dist');
  const worker = await import('pdfjs-dist/build/pdf.worker.min.mjs?url');
  pdfjs.GlobalWorkerOptions.workerSrc = worker.default;
  const pdf = await pdfjs.getDocument({ data: bytes, isEvalSupported: false }).promise;
  container.replaceChildren();
  for (let n = 1; n <= pdf.numPages && !drawing.cancelled(); n++) {
    const page = await pdf.getPage(n);
    const viewport = page.getViewport({ scale: drawing.scale });
    const canvas = document.createElement('canvas');
    canvas.width = viewport.width;
    canvas.height = viewport.height;
    canvas.className = drawing.pageClassName;
    canvas.setAttribute('aria-label', `Page ${n}`);
    container.appendChild(canvas);
    const context = canvas.getContext('2d');
    if (context !== null) await page.render({ canvas, canvasContext: context, viewport }).promise;
  }
  return pdf.numPages;
}
