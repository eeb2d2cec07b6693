import type { DiagnosticCheck, EventName, EventPayload, MethodResult } from '../../contract';
import { AppError } from '../../contract';
import type { AuditTrail } from '../../services/audit';
import type { SensitiveChanges, SettingsService } from '../../services/settings';
import { callerOf, type CallContext, type HandlerMap } from '../rpc';

export interface CoreDeps {
  settings: SettingsService;
  /** Two-step changes of security-sensitive settings (issue 14, point 6). */
  changes: SensitiveChanges;
  /** Who acts, for the audit trail (the card holder once a card session exists). */
  actor?: () => string;
  audit: AuditTrail;
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
  info(): MethodResult<'app.info'>;
  diagnostics(): Promise<DiagnosticCheck[]>;
}

/** Actor recorded in the audit trail until a card session identifies the professional. */
export const DESK_ACTOR = 'poste';

/** The window (or the terminal) a confirmation belongs to. */
const ownerOf = (context: CallContext): string => context.sessionId ?? callerOf(context);

export function createCoreHandlers(deps: CoreDeps): HandlerMap {
  const actor = deps.actor ?? (() => DESK_ACTOR);
  return {
    // A connector is not told where the data lives (the path names the user's account).
    'app.info': (_params, context) => (callerOf(context) === 'connector' ? { ...deps.info(), dataDir: '' } : deps.info()),
    'diagnostic.run': async () => ({ checks: await deps.diagnostics() }),
    'settings.get': () => deps.settings.get(),
    'settings.set': ({ key, value }, context) => {
      if (deps.changes.isSensitive(key)) throw new AppError('SETTINGS_CONFIRMATION_REQUIRED', { key });
      const next = deps.settings.set(key, value, actor(), { client: callerOf(context) });
      deps.emit('settings.changed', { key });
      return next;
    },
    'settings.requestChange': ({ key, value }, context) => deps.changes.request(key, value, ownerOf(context)),
    'settings.confirmChange': async ({ changeId, pin }, context) => {
      const { key, settings } = await deps.changes.confirm(changeId, ownerOf(context), {
        ...(pin === undefined ? {} : { pin }),
        actor: actor(),
        caller: callerOf(context),
      });
      deps.emit('settings.changed', { key });
      return settings;
    },
    'audit.verify': () => deps.audit.verify(),
  };
}
