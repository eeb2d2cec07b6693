import type { DiagnosticCheck, EventName, EventPayload, MethodResult } from '../../contract';
import type { AuditTrail } from '../../services/audit';
import type { SettingsService } from '../../services/settings';
import type { HandlerMap } from '../rpc';

export interface CoreDeps {
  settings: SettingsService;
  audit: AuditTrail;
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
  info(): MethodResult<'app.info'>;
  diagnostics(): Promise<DiagnosticCheck[]>;
}

/** Actor recorded in the audit trail until a card session identifies the professional. */
export const DESK_ACTOR = 'poste';

export function createCoreHandlers(deps: CoreDeps): HandlerMap {
  return {
    'app.info': () => deps.info(),
    'diagnostic.run': async () => ({ checks: await deps.diagnostics() }),
    'settings.get': () => deps.settings.get(),
    'settings.set': ({ key, value }) => {
      const next = deps.settings.set(key, value, DESK_ACTOR);
      deps.emit('settings.changed', { key });
      return next;
    },
    'audit.verify': () => deps.audit.verify(),
  };
}
