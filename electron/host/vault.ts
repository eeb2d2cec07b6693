/**
 * The vault methods (issue 14, point 8): how the database key is protected, and — when a
 * passphrase protects it — the locked host that answers only `vault.*` until the passphrase is
 * typed (or created, on a first start), then composes the whole host on the same dispatcher: the
 * windows already connected stay connected and receive `vault.unlocked`.
 */
import { AppError, type MethodName } from '../contract';
import type { KeyProtection, VaultStatus } from '../contract/domains/vault';
import type { Clock } from '../platform/clock';
import { createPassphraseKey, unlockPassphraseKey } from '../platform/db';
import type { Logger } from '../platform/log';
import { RpcDispatcher } from './rpc';

/** The vault of a host whose key was already at hand (OS key store, key file, environment). */
export function registerUnlockedVault(dispatcher: RpcDispatcher, protection: KeyProtection, halted: () => VaultStatus['halted']): void {
  dispatcher.register({
    'vault.status': () => ({ state: 'unlocked', mode: null, reason: null, protection, halted: halted() }),
    'vault.unlock': () => {
      throw new AppError('VAULT_ALREADY_UNLOCKED');
    },
    'vault.create': () => {
      throw new AppError('VAULT_ALREADY_UNLOCKED');
    },
  });
}

export interface LockedHostOptions {
  dataDir: string;
  mode: 'create' | 'unlock';
  reason: 'basic_text' | 'unavailable' | 'requested';
  /** A key that exists already (sealed by a store found too weak): wrapped under the new passphrase. */
  migrateKeyHex?: string;
  clock: Clock;
  logger: Logger;
  /** Composes the whole host on `dispatcher` with the key; called once. */
  compose(keyHex: string, dispatcher: RpcDispatcher): Promise<void>;
  /** Called after a passphrase replaced a weaker store (the sealed key file can go). */
  onMigrated?(): void;
  /** The composed host's halt state (a base found damaged after start), once composed. */
  halted?(): VaultStatus['halted'];
}

const OPEN_WHILE_LOCKED: ReadonlySet<MethodName> = new Set<MethodName>(['vault.status', 'vault.unlock', 'vault.create']);

/** A dispatcher that serves the vault only until the passphrase opens the key. */
export function createLockedHost(options: LockedHostOptions): RpcDispatcher {
  const logger = options.logger.child('vault');
  const dispatcher = new RpcDispatcher(options.logger.child('rpc'));
  let status: VaultStatus = { state: 'locked', mode: options.mode, reason: options.reason, protection: 'passphrase', halted: null };
  let attempt: Promise<VaultStatus> | null = null;
  dispatcher.setGate((method) => (status.state === 'locked' && !OPEN_WHILE_LOCKED.has(method) ? new AppError('VAULT_LOCKED') : null));

  const open = async (keyHex: string): Promise<VaultStatus> => {
    await options.compose(keyHex, dispatcher);
    status = { state: 'unlocked', mode: null, reason: options.reason, protection: 'passphrase', halted: null };
    dispatcher.setGate(null);
    dispatcher.emit('vault.unlocked', { at: new Date(options.clock.now()).toISOString() });
    logger.info('vault.unlocked', {});
    return status;
  };
  // One attempt at a time: scrypt's cost then bounds how fast passphrases can be tried.
  const serialised = (fn: () => Promise<VaultStatus>): Promise<VaultStatus> => {
    if (status.state === 'unlocked') return Promise.reject(new AppError('VAULT_ALREADY_UNLOCKED'));
    attempt ??= fn().finally(() => {
      attempt = null;
    });
    return attempt;
  };

  dispatcher.register({
    'vault.status': () => ({ ...status, halted: options.halted?.() ?? null }),
    'vault.unlock': ({ passphrase }) =>
      serialised(async () => {
        if (status.mode !== 'unlock') throw new AppError('VAULT_LOCKED', { expected: 'create' });
        const keyHex = await unlockPassphraseKey(options.dataDir, passphrase).catch((error: unknown) => {
          if (error instanceof AppError && error.code === 'VAULT_PASSPHRASE_WRONG') logger.warn('vault.wrong_passphrase', {});
          throw error;
        });
        return open(keyHex);
      }),
    'vault.create': ({ passphrase }) =>
      serialised(async () => {
        if (status.mode !== 'create') throw new AppError('VAULT_LOCKED', { expected: 'unlock' });
        const keyHex = await createPassphraseKey(options.dataDir, passphrase, {
          ...(options.migrateKeyHex === undefined ? {} : { keyHex: options.migrateKeyHex }),
          now: new Date(options.clock.now()).toISOString(),
        });
        const opened = await open(keyHex);
        if (options.migrateKeyHex !== undefined) options.onMigrated?.();
        return opened;
      }),
  });
  return dispatcher;
}
