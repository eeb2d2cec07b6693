/**
 * The document viewer: a PDF (alone or inside a CDA N1) drawn page by page with pdf.js on canvases,
 * or the narrative block of a structured CDA as HTML sanitised by the host (services/cda).
 */
import { useEffect, useRef, useState } from 'react';
import { useHostQuery } from '../../bridge/queries';
import { Button, Dialog, ErrorNotice } from '../../ui';

type Access = { purposeOfUse: 'normal' | 'bris_de_glace' | 'centre_15'; reason?: string };

async function renderPdf(bytes: Uint8Array, container: HTMLElement, cancelled: () => boolean): Promise<number> {
  const pdfjs = await import('pdfjs-dist');
  const worker = await import('pdfjs-dist/build/pdf.worker.min.mjs?url');
  pdfjs.GlobalWorkerOptions.workerSrc = worker.default;
  const pdf = await pdfjs.getDocument({ data: bytes, isEvalSupported: false }).promise;
  container.replaceChildren();
  for (let n = 1; n <= pdf.numPages && !cancelled(); n++) {
    const page = await pdf.getPage(n);
    const viewport = page.getViewport({ scale: 1.3 });
    const canvas = document.createElement('canvas');
    canvas.width = viewport.width;
    canvas.height = viewport.height;
    canvas.className = 'dmp-pdf-page';
    canvas.setAttribute('aria-label', `Page ${n}`);
    container.appendChild(canvas);
    const context = canvas.getContext('2d');
    if (context !== null) await page.render({ canvas, canvasContext: context, viewport }).promise;
  }
  return pdf.numPages;
}

export function DocumentViewer({ patientId, uniqueId, title, access, onClose }: { patientId: string; uniqueId: string; title: string; access?: Access | undefined; onClose(): void }) {
  const query = useHostQuery('dmp.document.get', { patientId, uniqueId, ...(access === undefined ? {} : { access }) });
  const pages = useRef<HTMLDivElement>(null);
  const [pageCount, setPageCount] = useState<number | null>(null);
  const [pdfError, setPdfError] = useState<unknown>(null);
  const pdfBase64 = query.data?.pdfBase64 ?? null;

  useEffect(() => {
    if (pdfBase64 === null || pages.current === null) return;
    let cancelled = false;
    const bytes = Uint8Array.from(atob(pdfBase64), (c) => c.charCodeAt(0));
    renderPdf(bytes, pages.current, () => cancelled).then(
      (n) => !cancelled && setPageCount(n),
      (error: unknown) => !cancelled && setPdfError(error),
    );
    return () => {
      cancelled = true;
    };
  }, [pdfBase64]);

  const download = (): void => {
    if (query.data === undefined) return;
    const isPdf = query.data.pdfBase64 !== null;
    const bytes = Uint8Array.from(atob(query.data.pdfBase64 ?? query.data.contentBase64), (c) => c.charCodeAt(0));
    const url = URL.createObjectURL(new Blob([bytes], { type: isPdf ? 'application/pdf' : 'text/xml' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${title.replace(/[^\p{L}\p{N} _-]/gu, '_')}.${isPdf ? 'pdf' : 'xml'}`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  return (
    <Dialog
      open
      title={title}
      onClose={onClose}
      actions={
        <>
          <Button onClick={download} disabled={query.data === undefined}>
            Enregistrer
          </Button>
          <Button variant="primary" onClick={onClose}>
            Fermer
          </Button>
        </>
      }
    >
      <div className="dmp-viewer" data-testid="dmp-viewer">
        {query.error ? <ErrorNotice error={query.error} /> : null}
        {query.isLoading ? <p className="muted">Récupération du document dans le DMP…</p> : null}
        {pdfError !== null ? <ErrorNotice error={pdfError} next="Enregistrez le document pour l’ouvrir avec une autre application." /> : null}
        {pdfBase64 !== null ? (
          <>
            <p className="muted" data-testid="dmp-viewer-pdf">
              {pageCount === null ? 'Affichage du PDF…' : `PDF, ${pageCount} page(s)`}
            </p>
            <div ref={pages} className="dmp-pdf" />
          </>
        ) : null}
        {query.data?.html !== undefined && query.data.html !== null ? (
          // Sanitised by the host (services/cda narrativeToSafeHtml): CDA narrative elements mapped to a safe HTML subset.
          <div className="dmp-narrative" data-testid="dmp-viewer-narrative" dangerouslySetInnerHTML={{ __html: query.data.html }} />
        ) : null}
      </div>
    </Dialog>
  );
}
