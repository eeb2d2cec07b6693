/**
 * services/scan: one pipeline for every scanned code (ARCHITECTURE.md §2): HID-POS scanners,
 * keyboard wedge and webcam (renderer, through `scan.submit`), contactless phones (NFC) and the
 * Démo panel deliver `{ source, symbology, payload bytes, receivedAt }` to `ScanPipeline.receive`;
 * recognisers given by the composition root classify it; domains take the bytes by scan id.
 * Public face of the service.
 */
export { classifyPayload, isPrintableText, unknownClassification, type Classification } from './classify';
export { decodeImage, imageType, MAX_IMAGE_BYTES, toDecodedCode, type DecodedCode } from './decode-image';
export { attachHidSource, hidScannerView, udevInstallCommand, type HidWatcherLike, type UdevRuleLocation } from './hid-source';
export { APCV_NFC_AID, APCV_NFC_APPLICATION, MAX_NFC_PAYLOAD, NfcReadError, selectApplication, type NfcApplication } from './nfc-applications';
export { attachNfcSource, isContactlessPart4Atr, looksContactless, nfcScannerView, type PcscLike } from './nfc-source';
export { ScanPipeline, type ScanNotification, type ScanPipelineDeps } from './pipeline';
export { DEFAULT_RETENTION_MS, RecentScans } from './recent-scans';
export { MAX_SCAN_BYTES, receiveScan } from './receive-scan';
export { ScannerRegistry } from './scanners';
export { scannerStatus, type ScannerStatus } from './scanner-status';
export { canonicalSymbology, SYMBOLOGY_LABEL, symbologyFromAim, symbologyFromHoneywellCode, symbologyFromZxing, symbologyLabel } from './symbology';
export { takePayload, type TakeOptions } from './take-payload';
export type { IncomingScan, RecognisedKind, ScanRecogniser, ScanRecognition, TakenScan } from './types';
