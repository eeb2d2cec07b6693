/**
 * The API between the renderer and the host (ARCHITECTURE.md §3). Imported by both sides;
 * no runtime dependency but zod.
 */
import { z } from 'zod';
import { coreEvents, coreMethods } from './domains/core';
import { domainEvents, domainMethods } from './domains';
import { wireErrorSchema } from './errors';

export * from './errors';
export * from './define';
export * from './domains/core';
export type { BackupEntry, BackupRun, BackupStatus } from './domains/storage';

export const methods = { ...coreMethods, ...domainMethods } as const;
export const events = { ...coreEvents, ...domainEvents } as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type MethodParams<M extends MethodName> = z.input<Methods[M]['params']>;
export type MethodResult<M extends MethodName> = z.output<Methods[M]['result']>;
export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

export function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(methods, name);
}

/** Frames exchanged over a MessagePort or a WebSocket. */
export const requestFrameSchema = z.object({
  kind: z.literal('request'),
  id: z.number().int().nonnegative(),
  method: z.string().max(100),
  params: z.unknown(),
});
export type RequestFrame = z.infer<typeof requestFrameSchema>;

export const responseFrameSchema = z.discriminatedUnion('ok', [
  z.object({ kind: z.literal('response'), id: z.number().int(), ok: z.literal(true), result: z.unknown() }),
  z.object({ kind: z.literal('response'), id: z.number().int(), ok: z.literal(false), error: wireErrorSchema }),
]);
export type ResponseFrame = z.infer<typeof responseFrameSchema>;

export const eventFrameSchema = z.object({ kind: z.literal('event'), event: z.string(), payload: z.unknown() });
export type EventFrame = z.infer<typeof eventFrameSchema>;

export const hostFrameSchema = z.union([responseFrameSchema, eventFrameSchema]);
export type HostFrame = z.infer<typeof hostFrameSchema>;

/** Upper bound of one message in either direction (bytes of its JSON text). */
export const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;
