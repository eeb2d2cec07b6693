/** The contract over an Electron MessagePortMain (structural types: the host never imports electron). */
import type { Logger } from '../../platform/log';
import type { RpcDispatcher } from '../rpc';
import { ClientSession } from './session';

export interface PortLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: { data: unknown }) => void): void;
  on(event: 'close', listener: () => void): void;
  start(): void;
}

export interface ParentPort {
  on(event: 'message', listener: (message: { data: unknown; ports: PortLike[] }) => void): void;
}

export function servePort(dispatcher: RpcDispatcher, port: PortLike, logger: Logger): void {
  const session = new ClientSession(dispatcher, { send: (text) => port.postMessage(text) }, { transport: 'electron' }, logger.child('port'));
  port.on('message', (message) => {
    if (typeof message.data === 'string') void session.receive(message.data);
  });
  port.on('close', () => session.close());
  port.start();
}
