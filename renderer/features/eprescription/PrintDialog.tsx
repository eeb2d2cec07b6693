/**
 * Preview and print the paper ordonnance: the PDF the host built (A4 — the copy sent to the DMP —
 * or A5) drawn with pdf.js; « Imprimer » prints those pages (the print stylesheet shows only them)
 * and records the printing in the audit trail; « Enregistrer le PDF » saves the file.
 */
import { useCallback, useMemo, useState } from 'react';
import type { MethodResult } from '../../../electron/contract';
import { useHostMutation, useHostQuery } from '../../bridge/queries';
import { Button, Dialog, ErrorNotice, PdfPages, useToast } from '../../ui';
import { bytesOf } from './format';

type Prescription = MethodResult<'eprescription.list'>['prescriptions'][number];

export function PrintDialog({ prescription, onClose }: { prescription: Prescription; onClose(): void }) {
  const [format, setFormat] = useState<'A4' | 'A5'>('A4');
  const pdf = useHostQuery('eprescription.pdf', { number: prescription.number, format });
  const printed = useHostMutation('eprescription.printed', ['eprescription.list']);
  const toast = useToast();
  const [pages, setPages] = useState<number | null>(null);
  const base64 = pdf.data?.pdfBase64 ?? null;
  const bytes = useMemo(() => (base64 === null ? null : bytesOf(base64)), [base64]);
  const onRendered = useCallback((n: number) => setPages(n), []);

  const print = (): void => {
    document.body.classList.add(`erx-printing-${format}`);
    try {
      window.print();
    } finally {
      document.body.classList.remove(`erx-printing-${format}`);
    }
    printed.mutate({ number: prescription.number, format }, { onSuccess: () => toast('ok', 'Ordonnance imprimée.') });
  };
  const save = (): void => {
    if (bytes === null || pdf.data === undefined) return;
    const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/pdf' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = pdf.data.fileName;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  return (
    <Dialog
      open
      title={`Ordonnance N° ${prescription.numberText}`}
      onClose={onClose}
      actions={
        <>
          <label className="radio">
            <input type="radio" name="erx-format" checked={format === 'A4'} onChange={() => setFormat('A4')} /> A4
          </label>
          <label className="radio">
            <input type="radio" name="erx-format" checked={format === 'A5'} onChange={() => setFormat('A5')} data-testid="erx-format-a5" /> A5
          </label>
          <Button onClick={save} disabled={bytes === null}>
            Enregistrer le PDF
          </Button>
          <Button variant="primary" autoFocus onClick={print} disabled={pages === null} busy={printed.isPending} data-testid="erx-print">
            Imprimer ({format})
          </Button>
          <Button onClick={onClose}>Fermer</Button>
        </>
      }
    >
      <div className="erx-preview" data-testid="erx-preview" data-pages={pages ?? ''}>
        {pdf.error ? <ErrorNotice error={pdf.error} /> : null}
        {printed.error ? <ErrorNotice error={printed.error} /> : null}
        {bytes === null ? <p className="muted">Préparation de l’ordonnance…</p> : (
          // Drawn at print resolution (≈ 200 dpi), shown scaled down by CSS.
          <PdfPages
            key={format}
            bytes={bytes}
            scale={2.8}
            className="erx-pages"
            pageClassName="erx-page"
            testId="erx-pdf-pages"
            next="Enregistrez le PDF pour l’imprimer avec une autre application."
            onRendered={onRendered}
          />
        )}
        <p className="muted">{pages === null ? '' : `${pages} page(s) — vérifiez le QR code et le numéro avant de remettre l’ordonnance au patient.`}</p>
      </div>
    </Dialog>
  );
}
