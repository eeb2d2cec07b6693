/**
 * What every DMP use case works with: the service's dependencies, its store, the DMPi client and
 * the few helpers they share (clock as ISO text, the démo preparation, new OIDs).
 */
import { createSealedFileStore, type SealedFileStore } from '../../../platform/db';
import type { Logger } from '../../../platform/log';
import { DmpClient } from '../client';
import { createDmpStore, type DmpStore } from '../store';
import type { DmpServiceDeps } from '../types';

export interface DmpContext {
  deps: DmpServiceDeps;
  store: DmpStore;
  client: DmpClient;
  logger: Logger;
  /** Sealed files of the documents to send, when the service was given a folder. */
  contents: SealedFileStore | null;
  /** The clock as ISO text. */
  now(): string;
  /** Awaited before any exchange (démo: simulator and virtual card). */
  ready(): Promise<void>;
  /** A new OID under the installation's (documents, setIds, submission sets). */
  newOid(): string;
}

export function createDmpContext(deps: DmpServiceDeps): DmpContext {
  const store = createDmpStore(deps.db);
  let oidCounter = 0;
  return {
    deps,
    store,
    logger: deps.logger.child('dmp'),
    contents: deps.contentFolder === undefined ? null : createSealedFileStore(deps.contentFolder),
    client: new DmpClient({
      baseUrl: () => deps.settings().endpoint,
      clock: deps.clock,
      lps: () => deps.settings().lps,
      lpsOid: () => deps.settings().lpsOid,
      ...(deps.trace === undefined ? {} : { trace: deps.trace }),
    }),
    now: () => new Date(deps.clock.now()).toISOString(),
    ready: async () => {
      await deps.prepare?.();
    },
    /**
     * Time in ms and a two-digit counter. At most 64 characters (CI-SIS: II root; the UUID-derived
     * root is ≤ 44).
     */
    newOid: () => {
      for (;;) {
        oidCounter = (oidCounter + 1) % 100;
        const oid = `${deps.settings().lpsOid}.${deps.clock.now()}${String(oidCounter).padStart(2, '0')}`;
        if (store.outgoing(oid) === null) return oid;
      }
    },
  };
}
