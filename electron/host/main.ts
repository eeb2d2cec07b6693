/**
 * Host entry when Electron starts it as a utilityProcess: waits for the init message (data
 * directory and database key sealed by the OS key store), composes the services, and serves the
 * contract on each MessagePort the main process hands over.
 */
import { systemClock } from '../platform/clock';
import { createLogger, stderrSink } from '../platform/log';
import { composeHost, type Host } from './compose';
import { servePort, type ParentPort } from './transport/port';

interface InitMessage {
  kind: 'init';
  dataDir: string;
  keyHex: string;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
if (parentPort === undefined) {
  process.stderr.write('electron/host/main must run as an Electron utilityProcess; use `pupitre serve` otherwise.\n');
  process.exit(2);
}

const logger = createLogger({ clock: systemClock, sink: stderrSink, level: 'info' });
let host: Promise<Host> | null = null;

parentPort.on('message', (message) => {
  const data = message.data as InitMessage | { kind: 'connect' };
  if (data.kind === 'init') {
    host = composeHost({ dataDir: data.dataDir, keyHex: data.keyHex, clock: systemClock, logger, transport: 'electron' });
    void host.then((h) => h.dispatcher.emit('host.ready', { at: new Date().toISOString(), environment: h.environment }));
    return;
  }
  const [port] = message.ports;
  if (data.kind === 'connect' && port !== undefined && host !== null) {
    void host.then((h) => servePort(h.dispatcher, port, logger));
  }
});
