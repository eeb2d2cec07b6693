/**
 * Demo wiring of the cards layer (ARCHITECTURE.md §7): virtual cards from fixtures/cards, and the
 * `demo.cards.*` methods the Démo panel and `pupitre sim cards` use.
 *
 * - When a pcscd with Debian's vpcd is reachable, the virtual cards go through it (the real
 *   PC/SC stack, as in production); otherwise through the in-process backend with two virtual
 *   readers, so that the demo works on machines without pcscd.
 * - CPS/CPE emulators carry the certificates of the demo PKI (generated once per machine, in the
 *   directory the simulators and tests share). After a correct PIN the signer is the SoftHSM2
 *   token provisioned for that holder (fixtures/sim/pki) when SoftHSM2 is installed, else the
 *   demo PKI's key file (PemSigner). One SoftHSM2 directory per machine: SoftHSM2 reads its
 *   configuration once per process, so every demo host of a process must agree on it.
 */
import { existsSync } from 'node:fs';
import { AppError } from '../contract';
import type { Clock } from '../platform/clock';
import { PemSigner, Pkcs11Signer } from '../platform/crypto';
import type { Logger } from '../platform/log';
import type { CardSigners, SignerFactory } from '../services/cards';
import { PcscliteBackend, type PcscBackendFactory } from '../../native/pcsc';
import {
  cardProfile,
  cardProfiles,
  createCard,
  createInProcessCards,
  IN_PROCESS_READERS,
  PCSCD_SOCKET,
  vpcdListening,
  VPCD_PORTS,
  VPCD_READERS,
  VpcdSlotBusyError,
  VpcdSlots,
  type InProcessCards,
} from '../../fixtures/cards';
import { ensureSharedTestPki, type DemoPki } from '../../fixtures/sim/pki';
import { cardPinPolicy, provisionDemoToken, sharedTestTokenDir, SOFTHSM2_MODULE, softhsmMissing } from '../../fixtures/sim/pki/softhsm';
import { loginNow, pinOnce } from './handlers/cards';
import type { HandlerMap } from './rpc';

export interface DemoCards {
  mode: 'vpcd' | 'in-process';
  createBackend: PcscBackendFactory;
  signerFactory: SignerFactory;
  handlers: HandlerMap;
  readers: readonly string[];
  close(): Promise<void>;
}

/** Chooses the demo backend: the real pcscd through vpcd when reachable, else in-process. */
export async function attachDemoCards(options: { dataDir: string; logger: Logger; clock: Clock; preferVpcd?: boolean }): Promise<DemoCards> {
  const logger = options.logger.child('demo-cards');
  let pkiPromise: Promise<DemoPki> | null = null;
  const pki = (): Promise<DemoPki> => (pkiPromise ??= ensureSharedTestPki());

  // Never a connect to find out: for vpcd a connection is a card insertion (vpcd-probe.ts).
  const useVpcd = (options.preferVpcd ?? true) && existsSync(PCSCD_SOCKET) && (await vpcdListening(VPCD_PORTS[0]));
  const inserted = new Map<string, string>();
  let inProcess: InProcessCards | null = null;
  const slots = new VpcdSlots();
  const readers: readonly string[] = useVpcd ? VPCD_READERS : IN_PROCESS_READERS;
  if (!useVpcd) inProcess = createInProcessCards({ logger, pki: null, readers });

  const insert = async (profileId: string, reader: string): Promise<void> => {
    const profile = cardProfile(profileId);
    if (profile === undefined) throw new AppError('CARD_DEMO_UNKNOWN_PROFILE', { profile: profileId });
    const card = createCard(profile, profile.kind === 'cps' ? await pki() : null);
    if (inProcess) inProcess.insert(reader, card);
    else {
      try {
        await slots.insert(readers.indexOf(reader), card);
      } catch (error) {
        if (error instanceof VpcdSlotBusyError) throw new AppError('CARD_DEMO_READER_BUSY', { reader });
        throw error;
      }
    }
    card.onRemoveRequest = () => void remove(reader);
    inserted.set(reader, profileId);
  };
  const remove = async (reader: string): Promise<void> => {
    inserted.delete(reader);
    if (inProcess) inProcess.remove(reader);
    else await slots.remove(readers.indexOf(reader));
  };
  const checkReader = (reader: string): string => {
    if (!readers.includes(reader)) throw new AppError('CARD_READER_NOT_FOUND', { reader });
    return reader;
  };

  const handlers: HandlerMap = {
    'demo.cards.list': () => ({
      profiles: cardProfiles().map((p) => ({ id: p.id, label: p.label, kind: p.kind, pin: p.kind === 'cps' ? p.pin : null })),
      readers: readers.map((name) => ({ name, inserted: inserted.get(name) ?? null })),
    }),
    'demo.cards.insert': async ({ profile, reader }) => {
      const kind = cardProfile(profile)?.kind;
      // By default a CPS goes in the first reader, a Vitale in the second (a two-slot desk reader).
      const target = checkReader(reader ?? (kind === 'vitale' ? readers[1] : readers[0]) ?? '');
      await insert(profile, target);
      logger.info('demo.card_inserted', { profile, reader: target });
      return { reader: target };
    },
    'demo.cards.remove': async ({ reader }) => {
      await remove(checkReader(reader));
      return { reader };
    },
  };

  const signerFactory: SignerFactory = async (holder, pin): Promise<CardSigners> => {
    const demoPki = await pki();
    const kind = holder.cardType === 'CPE' ? 'secretary' : holder.idNat === demoPki.pharmacist.holder.idNat ? 'pharmacist' : 'practitioner';
    const credentials = demoPki[kind];
    if (softhsmMissing() === null) {
      try {
        const token = await provisionDemoToken({ pki: demoPki, dir: sharedTestTokenDir(), holder: kind });
        // SoftHSM2 reads its configuration at C_Initialize: demo wiring only, never in production.
        process.env.SOFTHSM2_CONF = token.confPath;
        const open = (key: 'signature' | 'authentication') =>
          Pkcs11Signer.open({ modulePath: SOFTHSM2_MODULE, token: { label: token.label }, key, pin: pinOnce(pin), clock: options.clock, wrap: cardPinPolicy(token.pinPolicyFile) });
        const signer = open('signature');
        const authSigner = open('authentication');
        await loginNow(signer, authSigner);
        return { signer, authSigner };
      } catch (error) {
        logger.warn('demo.softhsm_unavailable', { code: error instanceof AppError ? error.code : 'unknown' });
      }
    }
    const fromCredential = (credential: typeof credentials.signature) =>
      PemSigner.fromPem({ privateKey: credential.privateKeyPem, certificate: credential.chainPem.join('\n') }, { clock: options.clock });
    return { signer: fromCredential(credentials.signature), authSigner: fromCredential(credentials.authentication) };
  };

  return {
    mode: useVpcd ? 'vpcd' : 'in-process',
    createBackend: inProcess ? () => (inProcess as InProcessCards).backend : () => new PcscliteBackend(),
    signerFactory,
    handlers,
    readers,
    close: () => slots.removeAll(),
  };
}
