/**
 * Scanning (services/scan): one pipeline for every code a desk scanner, the keyboard wedge, the
 * webcam or a contactless reader delivers. The host classifies the payload with the recognisers
 * the composition root gives it (appli carte Vitale, ordonnance numérique, INS datamatrix) and
 * keeps the raw bytes in memory for a short time only: events carry the classification and a
 * French summary, never the payload. A domain takes the bytes by scan id (e.g.
 * `apcv.openFromScan({ scanId })`), once.
 */
import { z } from 'zod';
import { defineMethod } from '../define';
import { sexSchema } from './identity';

export const scanErrors = {
  SCAN_NOT_FOUND:
    'Ce code scanné n’est plus disponible : Pupitre ne le garde que deux minutes en mémoire, et une seule fois. Scannez-le de nouveau.',
  SCAN_PAYLOAD_INVALID: 'Le contenu scanné est vide ou trop long pour un code QR ou DataMatrix. Scannez de nouveau le code.',
  SCAN_WRONG_KIND: 'Ce code scanné n’est pas du type attendu ici. Scannez le bon code (le message de lecture indique ce qui a été lu).',
  SCAN_UNTRUSTED:
    'La douchette en mode clavier a transmis un contenu altéré (disposition du clavier) : il ne peut pas être utilisé. Réglez la douchette en clavier français ou en mode HID-POS, ou utilisez la caméra.',
  SCAN_INS_DATAMATRIX_INVALID:
    'Ce datamatrix INS est illisible ou incomplet (matricule, OID ou traits invalides). Vérifiez le document et scannez-le de nouveau, ou saisissez le patient à la main.',
  SCAN_IMAGE_UNREADABLE: 'Ce fichier n’est pas une image PNG ou JPEG lisible. Vérifiez le fichier.',
  SCAN_IMAGE_TOO_LARGE: 'Cette image est trop grande pour être analysée (plus de 40 Mo). Réduisez-la ou recadrez-la sur le code.',
} as const;

export const scanSourceSchema = z.enum(['hid', 'wedge', 'webcam', 'nfc', 'demo', 'cli']);
export const scanKindSchema = z.enum(['apcv', 'eprescription', 'ins-datamatrix', 'unknown']);

/** Kind-specific fields a recogniser adds; by agreement never identifying (no name, NIR, date). */
export const scanDetailsSchema = z.record(z.string().max(40), z.union([z.string().max(200), z.number(), z.boolean(), z.null()]));

export const scanEventSchema = z.object({
  /** Opaque id to hand the payload to a domain (`takePayload`). */
  id: z.string(),
  source: scanSourceSchema,
  /** Canonical symbology (`qr`, `datamatrix`, `code128`…, `nfc`, `unknown`). */
  symbology: z.string().max(40),
  /** AIM identifier (ISO/IEC 15424) as the scanner sent it, when it did (`]Q1`, `]d1`). */
  aim: z.string().max(4).nullable(),
  receivedAt: z.string(),
  kind: scanKindSchema,
  /** What was read, in French, for a toast (« Appli carte Vitale », « Datamatrix INS »…). */
  summary: z.string(),
  /** False when the source could not carry the payload faithfully (keyboard layout mix-up). */
  trusted: z.boolean(),
  /** Why the payload is not trusted, in French; null when trusted. */
  trustNote: z.string().nullable(),
  /** Payload size in bytes. */
  length: z.number().int(),
  /** The scanner it came from (device name, camera label), without serial numbers. */
  device: z.string().nullable(),
  /**
   * The window that submitted it (keyboard wedge, webcam, Démo panel): only that window routes it.
   * Null for the host's own sources (HID-POS, NFC): the window in use routes it.
   */
  clientRef: z.string().nullable(),
  details: scanDetailsSchema,
});

export const scannerSchema = z.object({
  /** Stable while the device stays plugged in. */
  id: z.string(),
  source: z.enum(['hid', 'nfc']),
  /** Product name as the device gives it. */
  label: z.string(),
  /** French: « HID-POS », « HID-POS (mode activé par Pupitre) », « Sans contact (PC/SC) ». */
  mode: z.string(),
  state: z.enum(['ready', 'permission-denied', 'error', 'removed']),
  /** French detail of the state. */
  detail: z.string(),
  /** What to do when nothing arrives, in French. */
  next: z.string(),
  lastScanAt: z.string().nullable(),
  lastScanKind: scanKindSchema.nullable(),
  scans: z.number().int(),
});

export const scanSourceStatsSchema = z.object({
  source: scanSourceSchema,
  lastScanAt: z.string().nullable(),
  lastScanKind: scanKindSchema.nullable(),
  lastTrusted: z.boolean().nullable(),
  scans: z.number().int(),
});

/** Identity an INS datamatrix carries (ANS « Format datamatrix INS »), for the patient lookup. */
export const insDatamatrixIdentitySchema = z.object({
  matricule: z.string(),
  oid: z.string(),
  birthName: z.string(),
  birthGivenNames: z.string(),
  sex: sexSchema,
  /** YYYY-MM-DD (written JJ-MM-AAAA in the symbol). */
  birthDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  birthPlaceCode: z.string().nullable(),
});

const submitSourceSchema = z.enum(['wedge', 'webcam', 'demo']);

export const scanMethods = {
  /**
   * A renderer-side source (keyboard wedge, webcam) or the Démo panel hands over what it read.
   * The result is the same classification the `scan.received` event carries.
   */
  'scan.submit': defineMethod({
    params: z.object({
      source: submitSourceSchema,
      symbology: z.string().max(40),
      aim: z.string().max(4).nullable().default(null),
      /** ≤ 16 KiB once decoded: a QR code holds at most 2 953 bytes, a DataMatrix 1 558. */
      payloadBase64: z.string().min(1).max(22_000),
      trusted: z.boolean(),
      trustNote: z.string().max(300).nullable().default(null),
      /**
       * Keyboard wedge, untrusted: the other reading of the same keys (other keyboard layout). The
       * host keeps the reading a recogniser claims when only one of the two is claimed.
       */
      alternativeBase64: z.string().min(1).max(22_000).nullable().default(null),
      device: z.string().max(200).nullable().default(null),
      /** A random id of the submitting window, echoed in the event (see scanEventSchema). */
      clientRef: z.string().max(64).nullable().default(null),
    }),
    result: scanEventSchema,
  }),
  /** HID-POS scanners and contactless readers the host sees, and per-source counters. */
  'scan.scanners': defineMethod({
    params: z.object({}),
    result: z.object({
      scanners: z.array(scannerSchema),
      sources: z.array(scanSourceStatsSchema),
      /** Linux: where the udev rule for HID-POS scanners is, to install it (null elsewhere). */
      udevRule: z.object({ rule: z.string(), helper: z.string(), installed: z.boolean() }).nullable(),
      /** Seconds a payload stays in memory. */
      retentionSeconds: z.number().int(),
    }),
  }),
  /**
   * Takes an INS datamatrix scan (once) and looks its INS up in the local base: the patient's
   * record when the INS is known, otherwise the identity read, to create or find the patient.
   */
  'scan.insDatamatrix.open': defineMethod({
    params: z.object({ scanId: z.string().max(100) }),
    result: z.object({
      identity: insDatamatrixIdentitySchema,
      patientId: z.string().nullable(),
      /** Strict traits of the record that differ from the datamatrix (identity vigilance). */
      differingTraits: z.array(z.enum(['birthName', 'birthGivenNames', 'sex', 'birthDate', 'birthPlaceCode'])),
    }),
  }),
  /**
   * Démo panel: the demo's virtual HID-POS scanner sends `payload` as a real one does (reports of
   * 56 bytes, AIM identifier, CR suffix), through native/hid and the same pipeline.
   */
  'demo.scan.hid': defineMethod({
    params: z.object({
      payloadBase64: z.string().min(1).max(22_000),
      symbology: z.enum(['qr', 'datamatrix']),
      /** `unplug`: the virtual scanner is pulled out after the first report (then plugged back). */
      fault: z.enum(['none', 'unplug']).default('none'),
    }),
    result: z.object({ reports: z.number().int() }),
  }),
} as const;

export const scanEvents = {
  /** A payload was read by any source and classified. */
  'scan.received': scanEventSchema,
  /** A scanner appeared, went away, changed state, or a scan was lost (device removed mid-scan). */
  'scan.scanners.changed': z.object({
    reason: z.enum(['added', 'removed', 'state', 'scan', 'scan-lost']),
    scannerId: z.string().nullable(),
    /** French, for a toast when a scan was lost. */
    message: z.string().nullable(),
  }),
} as const;

export type ScanSource = z.infer<typeof scanSourceSchema>;
export type ScanKind = z.infer<typeof scanKindSchema>;
export type ScanEvent = z.infer<typeof scanEventSchema>;
export type ScanDetails = z.infer<typeof scanDetailsSchema>;
export type ScannerView = z.infer<typeof scannerSchema>;
export type ScanSourceStats = z.infer<typeof scanSourceStatsSchema>;
export type ScannersChange = z.infer<(typeof scanEvents)['scan.scanners.changed']>;
export type InsDatamatrixIdentity = z.infer<typeof insDatamatrixIdentitySchema>;
