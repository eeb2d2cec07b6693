/**
 * Use case: the paper ordonnance of a prescription written here, in A4 (the copy embedded in the
 * eP-MED-DM: the same bytes) or A5, and the record that it was printed (audit trail).
 */
import { AppError } from '../../contract';
import type { EprescriptionContext } from './context';
import { normalizeNumber } from './number';
import { renderOrdonnancePdf, type PaperFormat } from './pdf/ordonnance';
import type { PrescriptionRow } from './store';

function row(ctx: EprescriptionContext, number: string): PrescriptionRow {
  const normalized = normalizeNumber(number);
  if (normalized === null) throw new AppError('ERX_NUMBER_INVALID');
  const found = ctx.store.prescription(normalized, ctx.environment());
  if (found === null) throw new AppError('ERX_NOT_FOUND');
  return found;
}

export async function ordonnancePdf(ctx: EprescriptionContext, number: string, format: PaperFormat, actor: string): Promise<{ pdf: Uint8Array; fileName: string }> {
  const found = row(ctx, number);
  const pdf = format === 'A4' ? (ctx.store.documents(found.number, ctx.environment())?.pdf ?? (await renderOrdonnancePdf(found.content, 'A4'))) : await renderOrdonnancePdf(found.content, format);
  ctx.audit({ actor, patientRef: found.patientId, action: 'eprescription.pdf', details: { number: found.number, format } });
  return { pdf, fileName: `ordonnance-${found.number}-${format}.pdf` };
}

export function markPrinted(ctx: EprescriptionContext, number: string, format: PaperFormat, actor: string): string {
  const found = row(ctx, number);
  const at = ctx.now();
  ctx.store.setPrinted(found.number, at);
  ctx.audit({ actor, patientRef: found.patientId, action: 'eprescription.printed', details: { number: found.number, format } });
  return at;
}
