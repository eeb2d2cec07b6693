/**
 * What the composition root hands to each domain's wiring (`wiring/<domain>.ts`): the shared
 * infrastructure, the registries capabilities append to, and the closers run at shutdown.
 */
import type { Environment } from '../../contract';
import type { Clock } from '../../platform/clock';
import type { Db } from '../../platform/db';
import type { Logger } from '../../platform/log';
import type { WorkerPool } from '../../platform/worker';
import type { PcscSupervisor } from '../../../native/pcsc';
import type { AuditTrail } from '../../services/audit';
import type { Outbox } from '../../services/outbox';
import type { SettingsService } from '../../services/settings';
import type { DoctorCheck } from '../doctor';
import type { RpcDispatcher } from '../rpc';

export interface WiringContext {
  dataDir: string;
  environment: Environment;
  transport: 'electron' | 'websocket' | 'in-process';
  /** Démo readers of an in-process host (HostOptions.demoReaders). */
  demoReaders: 'private' | 'system';
  clock: Clock;
  /** The root logger (services take their child). */
  logger: Logger;
  db: Db;
  settings: SettingsService;
  audit: AuditTrail;
  dispatcher: RpcDispatcher;
  outbox: Outbox;
  doctorChecks: DoctorCheck[];
  /** Run in reverse order at shutdown. */
  closers: Array<() => Promise<void> | void>;
  /** Who acts, for audit and identity history: the desk until a card session names the professional. */
  actor: { current(): string };
  /** The host's worker thread, for work that must not block the event loop (workers/tasks.ts). */
  workers?: WorkerPool;
  /** Demo only: virtual cards in-process even when pcscd+vpcd is reachable (tests that must not share pcscd). */
  demoCardsInProcess?: boolean;
  /** The PC/SC supervisor, once wireCards made it (the NFC scan source shares it). */
  pcsc?: PcscSupervisor;
}
