/** What the card in the reader may do on a DMP (the rights matrix of ../rights.ts, as the panel shows it). */
import { DmpError } from '../client';
import { isAllowed, type DmpActor, type DmpOperation, type DocumentContext } from '../rights';
import type { DmpRightsView, RightView } from '../types';

export function rightsView(actor: DmpActor | null): DmpRightsView {
  const view = (operation: DmpOperation, a: DmpActor | null = actor): RightView => {
    if (a === null) return { allowed: false, reason: 'Insérez votre carte CPS ou CPE.' };
    const d = isAllowed(operation, a);
    return d.allowed ? { allowed: true, reason: null } : { allowed: false, reason: d.reason };
  };
  return {
    consult: view('TD3.1'),
    send: view('TD2.1'),
    mask: view('TD3.3a'),
    visibility: view('TD3.3b'),
    delete: view('TD3.3c'),
    archive: view('TD3.3d'),
    authorisation: view('TD0.3'),
    breakGlass: view('TD3.1', actor === null ? null : { ...actor, purposeOfUse: 'bris_de_glace' }),
  };
}

/** Refuses, before any exchange, what the rights matrix does not allow. */
export function requireRight(operation: DmpOperation, actor: DmpActor, document?: DocumentContext): void {
  const decision = isAllowed(operation, actor, document);
  if (!decision.allowed) throw new DmpError('DMP_FORBIDDEN_BY_RIGHTS', false, false, { operation, reason: decision.reason });
}
