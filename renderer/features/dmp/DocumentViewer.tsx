/**
 * The document viewer: a PDF (alone or inside a CDA N1) drawn page by page with pdf.js on canvases,
 * or the narrative block of a structured CDA as HTML sanitised by the host (services/cda).
 */
import { useMemo, useState } from 'react';
import { useHostQuery } from '../../bridge/queries';
import { Button, Dialog, ErrorNotice, PdfPages } from '../../ui';

type Access = { purposeOfUse: 'normal' | 'bris_de_glace' | 'centre_15'; reason?: string };

export function DocumentViewer({ patientId, uniqueId, title, access, onClose }: { patientId: string; uniqueId: string; title: string; access?: Access | undefined; onClose(): void }) {
  const query = useHostQuery('dmp.document.get', { patientId, uniqueId, ...(access === undefined ? {} : { access }) });
  const [pageCount, setPageCount] = useState<number | null>(null);
  const pdfBase64 = query.data?.pdfBase64 ?? null;
  const pdfBytes = useMemo(() => (pdfBase64 === null ? null : Uint8Array.from(atob(pdfBase64), (c) => c.charCodeAt(0))), [pdfBase64]);

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
        {pdfBytes !== null ? (
          <>
            <p className="muted" data-testid="dmp-viewer-pdf">
              {pageCount === null ? 'Affichage du PDF…' : `PDF, ${pageCount} page(s)`}
            </p>
            <PdfPages
              bytes={pdfBytes}
              scale={1.3}
              className="dmp-pdf"
              pageClassName="dmp-pdf-page"
              next="Enregistrez le document pour l’ouvrir avec une autre application."
              onRendered={setPageCount}
            />
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
