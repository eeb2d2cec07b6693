/**
 * Source: a phone laid on a contactless PC/SC reader, through the same PC/SC supervisor as the
 * cards (native/pcsc). A contactless ISO/IEC 14443-4 card shows a PC/SC pseudo-ATR
 * `3B 8n 80 01 …` (PC/SC Part 3 §3.1.3.2.3; an Android HCE phone without historical bytes gives
 * `3B 80 80 01 01`, libnfc `nfc-emulate-forum-tag4`). Cards the card layer knows (a CPS3 in
 * contactless mode) are left to it; anything else is asked for the applications of
 * nfc-applications.ts, and what answers becomes a scan with source `nfc`.
 */
import { AppError } from '../../contract';
import type { ScannerView } from '../../contract/domains/scan';
import type { CardChannel, PcscEvent, ReaderSnapshot } from '../../../native/pcsc';
import { recogniseAtr } from '../cards';
import { NfcReadError, selectApplication, type NfcApplication } from './nfc-applications';
import type { ScanPipeline } from './pipeline';

export interface PcscLike {
  on(listener: (event: PcscEvent) => void): () => void;
  readers(): ReaderSnapshot[];
  withCard<T>(reader: string, operation: (channel: CardChannel) => Promise<T>): Promise<T>;
}

/** PC/SC Part 3 pseudo-ATR of an ISO/IEC 14443-4 card: TS 3B, T0 8n, TD1 80, TD2 01. */
export function isContactlessPart4Atr(atrHex: string): boolean {
  return /^3B8[0-9A-F]8001/i.test(atrHex);
}

/** Reader names that say contactless (ACS « PICC », Identiv/HID « CL », « Contactless », NFC). */
export function looksContactless(reader: string): boolean {
  return /\bPICC\b|contactless|sans contact|\bCL\b|\bNFC\b|ACR122/i.test(reader);
}

const NEXT =
  'Posez le téléphone, appli carte Vitale ouverte sur l’écran NFC, à plat au centre du lecteur sans contact et gardez-le immobile une seconde. Sur iPhone le NFC n’est pas possible : scannez le QR code de l’appli.';

export function nfcScannerView(reader: string): Omit<ScannerView, 'lastScanAt' | 'lastScanKind' | 'scans'> {
  return {
    id: `nfc:${reader}`,
    source: 'nfc',
    label: reader,
    mode: 'Sans contact (PC/SC, ISO 14443-4)',
    state: 'ready',
    detail: 'Prêt : un téléphone posé sur le lecteur est lu automatiquement (identifiant d’application modélisé).',
    next: NEXT,
  };
}

export function attachNfcSource(pipeline: ScanPipeline, pcsc: PcscLike, options: { applications: readonly NfcApplication[] }): () => void {
  const known = new Set<string>();
  const show = (reader: string) => {
    known.add(reader);
    pipeline.registry.upsert(nfcScannerView(reader));
  };
  const say = (reader: string, message: string) =>
    pipeline.notify({ event: 'scan.scanners.changed', payload: { reason: 'scan-lost', scannerId: `nfc:${reader}`, message } });

  const read = async (reader: string): Promise<void> => {
    let result: { application: NfcApplication; payload: Uint8Array } | null = null;
    try {
      result = await pcsc.withCard(reader, async (channel) => {
        for (const application of options.applications) {
          if (await selectApplication(channel, application)) return { application, payload: await application.read(channel) };
        }
        return null;
      });
    } catch (error) {
      const code = error instanceof AppError ? error.code : error instanceof NfcReadError ? 'NFC_READ' : 'unknown';
      pipeline.logger.warn('scan.nfc_failed', { reader, code });
      say(
        reader,
        code === 'CARD_REMOVED' || code === 'CARD_MUTE' || code === 'CARD_ABSENT'
          ? `Le téléphone a été retiré du lecteur « ${reader} » avant la fin de la lecture : reposez-le et gardez-le immobile une seconde.`
          : `La lecture sans contact sur « ${reader} » a échoué : reposez le téléphone, ou scannez le QR code de l’appli.`,
      );
      return;
    }
    if (result === null) {
      say(reader, `Un téléphone ou une carte sans contact est sur « ${reader} », mais l’appli carte Vitale n’a pas répondu : ouvrez l’appli en mode NFC, ou scannez son QR code.`);
      return;
    }
    try {
      pipeline.receive({ source: 'nfc', symbology: 'nfc', payload: result.payload, device: reader, scannerId: `nfc:${reader}` });
    } catch {
      say(reader, `Le téléphone sur « ${reader} » a transmis un contenu vide ou trop long : reposez-le, ou scannez le QR code de l’appli.`);
    } finally {
      result.payload.fill(0);
    }
  };

  for (const reader of pcsc.readers()) if (looksContactless(reader.name)) show(reader.name);
  return pcsc.on((event) => {
    switch (event.type) {
      case 'reader-added':
        if (looksContactless(event.reader)) {
          show(event.reader);
          pipeline.notify({ event: 'scan.scanners.changed', payload: { reason: 'added', scannerId: `nfc:${event.reader}`, message: null } });
        }
        return;
      case 'reader-removed':
        if (known.delete(event.reader)) {
          pipeline.registry.remove(`nfc:${event.reader}`);
          pipeline.notify({ event: 'scan.scanners.changed', payload: { reason: 'removed', scannerId: `nfc:${event.reader}`, message: null } });
        }
        return;
      case 'card-inserted':
        if (!isContactlessPart4Atr(event.atr) || recogniseAtr(event.atr) !== 'UNKNOWN') return;
        if (!known.has(event.reader)) show(event.reader);
        void read(event.reader);
        return;
      default:
        return;
    }
  });
}
