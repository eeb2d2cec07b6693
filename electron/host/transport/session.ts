/**
 * One connected client (a renderer window over a MessagePort, a browser tab over a WebSocket):
 * decodes frames, hands them to the dispatcher, forwards events. A bad frame gets an error
 * response; it never brings the host down.
 */
import { randomUUID } from 'node:crypto';
import { AppError, MAX_MESSAGE_BYTES, type HostFrame } from '../../contract';
import { isConnectorEvent } from '../../contract/connector';
import type { Logger } from '../../platform/log';
import { callerOf, type CallContext, type RpcDispatcher } from '../rpc';

export interface FrameChannel {
  send(text: string): void;
}

export class ClientSession {
  private readonly unsubscribe: () => void;
  private readonly context: CallContext;

  constructor(
    private readonly dispatcher: RpcDispatcher,
    private readonly channel: FrameChannel,
    context: CallContext,
    private readonly logger: Logger,
  ) {
    this.context = { ...context, sessionId: context.sessionId ?? randomUUID() };
    // A connector gets the events of its allow-list only (issue 14, point 6).
    const connector = callerOf(this.context) === 'connector';
    this.unsubscribe = dispatcher.subscribe((event, payload) => {
      if (connector && !isConnectorEvent(event)) return;
      this.post({ kind: 'event', event, payload });
    });
  }

  async receive(text: string): Promise<void> {
    if (Buffer.byteLength(text, 'utf8') > MAX_MESSAGE_BYTES) {
      this.post({ kind: 'response', id: -1, ok: false, error: new AppError('MESSAGE_TOO_LARGE').toWire() });
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      this.post({ kind: 'response', id: -1, ok: false, error: new AppError('MALFORMED_MESSAGE').toWire() });
      return;
    }
    const response = await this.dispatcher.handleFrame(raw, this.context);
    this.post(response);
  }

  close(): void {
    this.unsubscribe();
  }

  private post(frame: HostFrame): void {
    try {
      this.channel.send(JSON.stringify(frame));
    } catch (error) {
      this.logger.warn('session.send_failed', { error });
    }
  }
}
