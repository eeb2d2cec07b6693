/**
 * Online/offline state per endpoint (ARCHITECTURE.md §5): last success, last failure, and a cheap
 * probe. An endpoint that fails at the network level is "down": with a probe, nothing is sent to
 * it until the probe succeeds; without one, a single job at a time tests it.
 */
import type { Clock } from '../../platform/clock';
import type { Logger } from '../../platform/log';
import type { OutboxStore } from './store';
import type { EndpointState } from './types';

interface Health {
  online: boolean;
  nextProbeAt: number;
  probing: Promise<void> | null;
}

/** What the engine may send to an endpoint now. */
export type EndpointGate = 'open' | 'one-at-a-time' | 'paused';

export interface EndpointMonitorOptions {
  store: OutboxStore;
  clock: Clock;
  logger: Logger;
  probeIntervalMs: number;
  /** The endpoint came back: its waiting jobs may go now. */
  onBack(endpoint: string): void;
  /** A probe finished (the engine re-examines the queues). */
  onProbeSettled(): void;
}

/** Success is written when it changes, otherwise at most this often: not one more fsync per job. */
const SUCCESS_WRITE_INTERVAL_MS = 5_000;

export class EndpointMonitor {
  private readonly health = new Map<string, Health>();
  private readonly probes = new Map<string, () => Promise<boolean>>();
  private readonly successWrittenAt = new Map<string, number>();

  constructor(private readonly options: EndpointMonitorOptions) {
    for (const row of options.store.endpoints.all()) {
      this.health.set(row.endpoint, { online: row.online === 1, nextProbeAt: 0, probing: null });
    }
  }

  ensure(endpoint: string): void {
    if (!this.health.has(endpoint)) this.health.set(endpoint, { online: true, nextProbeAt: 0, probing: null });
  }

  setProbe(endpoint: string, probe: () => Promise<boolean>): void {
    this.probes.set(endpoint, probe);
    this.ensure(endpoint);
  }

  /** Whether jobs may go to the endpoint now; starts the probe of a paused endpoint when due. */
  gate(endpoint: string, now: number): EndpointGate {
    const health = this.entry(endpoint);
    if (health.online) return 'open';
    if (!this.probes.has(endpoint)) return 'one-at-a-time';
    if (now >= health.nextProbeAt && health.probing === null) void this.probe(endpoint);
    return 'paused';
  }

  /** Last known state, without starting a probe. */
  isOnline(endpoint: string): boolean {
    return this.health.get(endpoint)?.online ?? true;
  }

  succeeded(endpoint: string): void {
    const health = this.entry(endpoint);
    const wasDown = !health.online;
    const now = this.options.clock.now();
    if (wasDown || now - (this.successWrittenAt.get(endpoint) ?? -Infinity) >= SUCCESS_WRITE_INTERVAL_MS) {
      this.options.store.endpointSuccess.run({ endpoint, now });
      this.successWrittenAt.set(endpoint, now);
    }
    health.online = true;
    if (wasDown) {
      this.options.logger.info('outbox.endpoint_up', { endpoint });
      this.options.onBack(endpoint);
    }
  }

  failed(endpoint: string, code: string): void {
    const health = this.entry(endpoint);
    const now = this.options.clock.now();
    this.options.store.endpointFailure.run({ endpoint, now, code });
    if (health.online) this.options.logger.warn('outbox.endpoint_down', { endpoint, code });
    health.online = false;
    health.nextProbeAt = now + this.options.probeIntervalMs;
  }

  /** "Synchroniser maintenant": probes every endpoint that is down, now, and waits for the answers. */
  async probeAllNow(): Promise<void> {
    await Promise.all(
      [...this.health].map(async ([endpoint, health]) => {
        // A probe already under way may predate what the user just fixed: probe once more.
        if (health.probing !== null) await health.probing;
        if (!health.online && this.probes.has(endpoint)) await this.probe(endpoint);
      }),
    );
    for (const health of this.health.values()) health.nextProbeAt = 0;
  }

  /** Delay until the next probe that is due to run (ms), or null. */
  nextProbeDelay(now: number): number | null {
    let delay: number | null = null;
    for (const [endpoint, health] of this.health) {
      if (!health.online && health.probing === null && this.probes.has(endpoint)) {
        const d = Math.max(health.nextProbeAt - now, 0);
        delay = delay === null ? d : Math.min(delay, d);
      }
    }
    return delay;
  }

  states(): Array<Omit<EndpointState, 'configured'>> {
    const rows = new Map(this.options.store.endpoints.all().map((row) => [row.endpoint, row]));
    const names = new Set([...this.health.keys(), ...rows.keys()]);
    const iso = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : new Date(ms).toISOString());
    return [...names].sort().map((endpoint) => {
      const row = rows.get(endpoint);
      return {
        endpoint,
        online: this.health.get(endpoint)?.online ?? row?.online === 1,
        lastSuccessAt: iso(row?.last_success_at),
        lastFailureAt: iso(row?.last_failure_at),
        lastErrorCode: row?.last_error_code ?? null,
      };
    });
  }

  private probe(endpoint: string): Promise<void> {
    const health = this.entry(endpoint);
    const probe = this.probes.get(endpoint);
    if (probe === undefined) return Promise.resolve();
    if (health.probing !== null) return health.probing;
    health.probing = probe()
      .catch(() => false)
      .then((reachable) => {
        if (reachable) this.succeeded(endpoint);
        else health.nextProbeAt = this.options.clock.now() + this.options.probeIntervalMs;
      })
      .finally(() => {
        health.probing = null;
        this.options.onProbeSettled();
      });
    return health.probing;
  }

  private entry(endpoint: string): Health {
    this.ensure(endpoint);
    return this.health.get(endpoint) as Health;
  }
}
