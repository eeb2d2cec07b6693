/**
 * The host side of the contract: validates every incoming request and every outgoing result and
 * event against the zod schemas (ARCHITECTURE.md §3), and turns every failure into a stable error
 * code. Transport-agnostic: MessagePort, WebSocket and in-process callers all go through here.
 */
import type { z } from 'zod';
import {
  AppError,
  errorCatalog,
  events,
  isMethodName,
  methods,
  requestFrameSchema,
  type EventName,
  type EventPayload,
  type MethodName,
  type MethodResult,
  type Methods,
  type ErrorCode,
  type ResponseFrame,
  type WireError,
} from '../contract';
import { isConnectorMethod } from '../contract/connector';
import type { Logger } from '../platform/log';

export type CallerKind = 'desk' | 'connector' | 'terminal';

export interface CallContext {
  /** Who is calling, for the audit trail: the transport fills it. */
  transport: 'electron' | 'websocket' | 'in-process';
  /**
   * The desk's own UI (Electron window, or the page `pupitre serve` serves), a web practice
   * software through the local connector (another allowed origin), or the terminal (CLI). When
   * absent: terminal in-process, desk over Electron, connector over a WebSocket (the safe side).
   */
  caller?: CallerKind;
  /** The connected window or tab, to bind a confirmation to the one that asked for it. */
  sessionId?: string;
}

export function callerOf(context: CallContext): CallerKind {
  if (context.caller !== undefined) return context.caller;
  if (context.transport === 'in-process') return 'terminal';
  return context.transport === 'electron' ? 'desk' : 'connector';
}

export type Handler<M extends MethodName> = (
  params: z.output<Methods[M]['params']>,
  context: CallContext,
) => Promise<MethodResult<M>> | MethodResult<M>;

export type HandlerMap = { [M in MethodName]?: Handler<M> };

export type EventListener = (event: string, payload: unknown) => void;

export class RpcDispatcher {
  private readonly handlers: HandlerMap = {};
  private readonly listeners = new Set<EventListener>();
  /** While set, decides first whether a method may run (a locked host answers the vault only). */
  private gate: ((method: MethodName) => AppError | null) | null = null;

  /** Turns known infrastructure failures (a full disk, a damaged database) into their stable codes. */
  private classify: (error: unknown) => AppError | null = () => null;

  constructor(private readonly logger: Logger) {}

  setClassifier(classify: (error: unknown) => AppError | null): void {
    this.classify = classify;
  }

  register(handlers: HandlerMap): void {
    for (const [name, handler] of Object.entries(handlers)) {
      if (!isMethodName(name)) throw new Error(`handler for a method missing from the contract: ${name}`);
      if (this.handlers[name] !== undefined) throw new Error(`two handlers for ${name}`);
      (this.handlers as Record<string, unknown>)[name] = handler;
    }
  }

  has(method: MethodName): boolean {
    return this.handlers[method] !== undefined;
  }

  setGate(gate: ((method: MethodName) => AppError | null) | null): void {
    this.gate = gate;
  }

  /** Methods of the contract that have no handler yet: the host reports them as not available. */
  unhandledMethods(): MethodName[] {
    return (Object.keys(methods) as MethodName[]).filter((name) => this.handlers[name] === undefined);
  }

  /** Handles one raw frame (already JSON-decoded) and returns the response frame. */
  async handleFrame(raw: unknown, context: CallContext): Promise<ResponseFrame> {
    const frame = requestFrameSchema.safeParse(raw);
    if (!frame.success) {
      const id = typeof (raw as { id?: unknown } | null)?.id === 'number' ? (raw as { id: number }).id : -1;
      return failure(id, new AppError('MALFORMED_MESSAGE'));
    }
    const { id, method, params } = frame.data;
    try {
      const result = await this.call(method, params, context);
      return { kind: 'response', id, ok: true, result };
    } catch (error) {
      return failure(id, this.toAppError(error, method));
    }
  }

  /** Calls a method by name with unvalidated params; used by the CLI and tests too. */
  async call(method: string, params: unknown, context: CallContext): Promise<unknown> {
    // The connector reaches its allow-list only; an unknown name gets the same answer.
    if (callerOf(context) === 'connector' && !isConnectorMethod(method)) throw new AppError('CONNECTOR_METHOD_NOT_ALLOWED', { method });
    if (!isMethodName(method)) throw new AppError('UNKNOWN_METHOD', { method });
    const refused = this.gate?.(method) ?? null;
    if (refused !== null) throw refused;
    const spec = methods[method];
    const parsed = spec.params.safeParse(params ?? {});
    if (!parsed.success) {
      // A schema may name the error a refusal deserves (contract/text.ts: a field too long, a control
      // character, a formula; a file too large): its message then says what to correct.
      const coded = parsed.error.issues.find((issue) => Object.hasOwn(errorCatalog, issue.message));
      const issues = parsed.error.issues.map((issue) => describeIssue(issue));
      if (coded !== undefined) throw new AppError(coded.message as ErrorCode, { method, field: coded.path.join('.'), issues });
      throw new AppError('INVALID_PARAMS', { method, issues });
    }
    const handler = this.handlers[method] as ((p: unknown, c: CallContext) => unknown) | undefined;
    if (handler === undefined) throw new AppError('NOT_AVAILABLE_YET', { method });
    const result = await handler(parsed.data, context);
    const checked = spec.result.safeParse(result);
    if (!checked.success) {
      this.logger.error('rpc.invalid_result', { method, issues: checked.error.issues.map((issue) => describeIssue(issue)) });
      throw new AppError('INVALID_RESULT', { method });
    }
    return checked.data;
  }

  /** Typed in-process call, for the CLI. */
  invoke<M extends MethodName>(method: M, params: z.input<Methods[M]['params']>): Promise<MethodResult<M>> {
    return this.call(method, params, { transport: 'in-process' }) as Promise<MethodResult<M>>;
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Publishes an event after validating it; an invalid payload is logged and dropped, never sent. */
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    const checked = events[event].safeParse(payload);
    if (!checked.success) {
      this.logger.error('rpc.invalid_event', { event, issues: checked.error.issues.map((issue) => describeIssue(issue)) });
      return;
    }
    for (const listener of this.listeners) {
      try {
        listener(event, checked.data);
      } catch (error) {
        this.logger.warn('rpc.listener_failed', { event, error });
      }
    }
  }

  private toAppError(error: unknown, method: string): AppError {
    if (error instanceof AppError) return error;
    const known = this.classify(error);
    if (known !== null) {
      this.logger.error('rpc.storage_error', { method, code: known.code });
      return known;
    }
    this.logger.error('rpc.unexpected_error', { method, error });
    return new AppError('INTERNAL', { method });
  }
}

function failure(id: number, error: AppError): ResponseFrame {
  const wire: WireError = error.toWire();
  return { kind: 'response', id, ok: false, error: wire };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  // Paths and codes only: the values themselves may be health data.
  return `${issue.path.join('.') || '(racine)'}: ${issue.code}`;
}
