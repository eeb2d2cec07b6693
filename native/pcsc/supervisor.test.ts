import { describe, expect, it, vi } from 'vitest';
import type { Logger } from '../../electron/platform/log';
import type { PcscBackend, PcscBackendListener } from './backend';
import { SCARD, ScardError } from './errors';
import { InProcessBackend } from './in-process-backend';
import { PcscSupervisor, type PcscEvent } from './supervisor';

const noop = (): void => undefined;
const logger: Logger = { debug: noop, info: noop, warn: noop, error: noop, child: () => logger, redactor: null as unknown as Logger['redactor'] };
const card = { atr: Uint8Array.of(0x3b, 0x00), reset() {}, transmit: () => Uint8Array.of(0x90, 0x00) };

describe('PcscSupervisor', () => {
  it('turns reader status changes into reader and card events', () => {
    const backend = new InProcessBackend(['A']);
    const supervisor = new PcscSupervisor({ createBackend: () => backend, logger });
    const events: PcscEvent[] = [];
    supervisor.on((e) => events.push(e));
    supervisor.start();
    backend.insert('A', card);
    backend.remove('A');
    backend.addReader('B');
    backend.removeReader('B');
    expect(events.map((e) => e.type)).toEqual(['service', 'reader-added', 'service', 'card-inserted', 'card-removed', 'reader-added', 'reader-removed']);
    expect(events[3]).toEqual({ type: 'card-inserted', reader: 'A', atr: '3B00' });
    supervisor.stop();
  });

  it('recreates the context with backoff when the service is lost, without a restart', async () => {
    let attempt = 0;
    let listener: PcscBackendListener | null = null;
    const created: string[] = [];
    const factory = (): PcscBackend => {
      attempt++;
      if (attempt === 2) throw new ScardError(SCARD.E_NO_SERVICE, 'SCardEstablishContext');
      created.push(`backend-${attempt}`);
      return {
        kind: 'in-process',
        start(l) {
          listener = l;
          l.readerAdded('R');
          l.status('R', { present: true, mute: false, inUse: false, atr: Uint8Array.of(0x3b) });
        },
        connect: () => Promise.reject(new Error('unused')),
        close() {},
      };
    };
    const supervisor = new PcscSupervisor({ createBackend: factory, logger, backoff: { initialMs: 10, maxMs: 40 } });
    const events: PcscEvent[] = [];
    supervisor.on((e) => events.push(e));
    supervisor.start();
    expect(supervisor.service()).toBe('up');
    (listener as PcscBackendListener | null)?.failed(new ScardError(SCARD.E_SERVICE_STOPPED, 'SCardGetStatusChange'));
    expect(supervisor.service()).toBe('down');
    expect(supervisor.readers()).toEqual([]);
    await vi.waitFor(() => expect(supervisor.service()).toBe('up'), { timeout: 2_000 });
    expect(created).toEqual(['backend-1', 'backend-3']);
    expect(supervisor.readers().map((r) => r.name)).toEqual(['R']);
    expect(events.filter((e) => e.type === 'card-removed')).toHaveLength(1);
    supervisor.stop();
  });

  it('serialises operations on one reader', async () => {
    const backend = new InProcessBackend(['A']);
    backend.insert('A', card);
    const supervisor = new PcscSupervisor({ createBackend: () => backend, logger });
    supervisor.start();
    const order: string[] = [];
    const op = (name: string) => supervisor.withCard('A', async () => {
      order.push(`${name}:start`);
      await new Promise((r) => setTimeout(r, 10));
      order.push(`${name}:end`);
    });
    await Promise.all([op('one'), op('two')]);
    expect(order).toEqual(['one:start', 'one:end', 'two:start', 'two:end']);
    await expect(supervisor.withCard('Z', async () => 1)).rejects.toMatchObject({ code: 'CARD_READER_NOT_FOUND' });
    supervisor.stop();
    await expect(supervisor.withCard('A', async () => 1)).rejects.toMatchObject({ code: 'CARD_PCSC_UNAVAILABLE' });
  });
});
