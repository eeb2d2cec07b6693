/**
 * Appli carte Vitale (services/apcv): a QR code or NFC payload shown by the patient's phone is
 * authenticated on the SI ApCV, which opens a short-lived context (public rule: 20 minutes, one
 * invoice) whose beneficiaries go to the same picker as a carte Vitale read. The raw payload never
 * crosses this contract after it was submitted; results carry the context to the screen that asked.
 */
import { z } from 'zod';
import { defineMethod } from '../define';
import { beneficiarySchema } from './cards';

export const apcvErrors = {
  APCV_OFFLINE:
    'L’appli carte Vitale ne fonctionne qu’en ligne et le service n’est pas joignable. Lisez la carte Vitale physique du patient, ou reprenez l’appli plus tard quand la connexion sera revenue.',
  APCV_UNAVAILABLE:
    'Le service de l’appli carte Vitale ne répond pas (panne ou réponse trop lente). Rien n’a été enregistré. Lisez la carte Vitale physique, ou demandez au patient de rescanner son appli dans quelques minutes.',
  APCV_NOT_CONFIGURED:
    'L’appli carte Vitale n’est pas disponible sur ce poste : l’adresse du service et le format d’échange relèvent des spécifications du GIE SESAM-Vitale (addendum 8), distribuées sous convention. Utilisez la carte Vitale physique.',
  APCV_PAYLOAD_NOT_RECOGNISED:
    'Ce code n’est pas un QR code de l’appli carte Vitale. Demandez au patient d’ouvrir l’appli carte Vitale et d’afficher le QR code « Présenter ma carte ».',
  APCV_PAYLOAD_REFUSED:
    'Le service de l’appli carte Vitale ne reconnaît pas ce QR code (périmé ou déjà utilisé). Demandez au patient d’afficher un nouveau QR code dans son appli et scannez-le de nouveau.',
  APCV_CONTEXT_EXPIRED:
    'La session de l’appli carte Vitale a expiré (20 minutes). Demandez au patient de scanner de nouveau son appli carte Vitale.',
  APCV_CONTEXT_UNKNOWN: 'Cette session de l’appli carte Vitale est terminée. Demandez au patient de scanner de nouveau son appli carte Vitale.',
  APCV_INVOICE_ALREADY_SIGNED:
    'Une facture a déjà été signée dans cette session de l’appli carte Vitale (une seule facture par session). Demandez au patient de scanner de nouveau son appli pour la facture suivante.',
  APCV_REFUSED: 'Le service de l’appli carte Vitale a refusé la demande. Vérifiez votre carte CPS et réessayez ; si cela se reproduit, contactez le support.',
  APCV_MALFORMED_RESPONSE:
    'La réponse du service de l’appli carte Vitale est illisible. Rien n’a été enregistré ; réessayez, et si cela se reproduit utilisez la carte Vitale physique.',
  APCV_SCAN_EXPIRED: 'Ce scan n’est plus disponible (il n’est gardé que quelques instants). Scannez de nouveau le QR code.',
  APCV_DEMO_UNKNOWN: 'Cette appli de démonstration n’existe pas. Choisissez-en une dans le panneau Démo.',
} as const;

export const apcvSourceSchema = z.enum(['hid', 'wedge', 'webcam', 'nfc', 'demo', 'cli']);

export const apcvCoverageSchema = z.object({
  /** Code régime (« grand régime »), caisse and centre gestionnaires, as the SI ApCV gives them. */
  regime: z.string().nullable(),
  caisse: z.string().nullable(),
  centre: z.string().nullable(),
});

export const apcvContextSchema = z.object({
  /** Local id of the context (not the SI ApCV identifier, which stays in the host). */
  id: z.string(),
  source: apcvSourceSchema,
  openedAt: z.string(),
  expiresAt: z.string(),
  /** Milliseconds left at the time of the answer (the screen counts down from expiresAt). */
  timeLeftMs: z.number().int(),
  state: z.enum(['open', 'expired', 'closed']),
  invoicesSigned: z.number().int(),
  invoicesAllowed: z.number().int(),
  coverage: apcvCoverageSchema,
  /** Same shape as a carte Vitale read: the same picker opens the patient. */
  beneficiaries: z.array(beneficiarySchema),
});

export const apcvStatusSchema = z.object({
  /** `simulator` in démo; `modelled` when a spec-level adapter is configured; `unavailable` otherwise. */
  mode: z.enum(['simulator', 'modelled', 'unavailable']),
  endpoint: z.string(),
  reachable: z.enum(['yes', 'no', 'unknown']),
  lastFailureAt: z.string().nullable(),
  limits: z.object({ contextLifetimeMs: z.number().int(), invoicesPerContext: z.number().int() }),
  contexts: z.array(apcvContextSchema.pick({ id: true, state: true, expiresAt: true, timeLeftMs: true, invoicesSigned: true })),
});

export const apcvMethods = {
  /** A payload from a scanner source or the Démo panel: authentifierUtilisateurProximite then restituerContexteApCV. */
  'apcv.open': defineMethod({
    params: z.object({ payloadBase64: z.string().max(8192), source: apcvSourceSchema, symbology: z.string().max(40).optional() }),
    result: apcvContextSchema,
  }),
  /** The scan pipeline kept the payload: the host takes it by scan id (interface agreement with services/scan). */
  'apcv.openFromScan': defineMethod({ params: z.object({ scanId: z.string().max(100) }), result: apcvContextSchema }),
  'apcv.context': defineMethod({ params: z.object({ contextId: z.string().max(100) }), result: apcvContextSchema }),
  /** The patient is done: detruireContexteApCV (never fails for the user; a remote failure is logged). */
  'apcv.close': defineMethod({ params: z.object({ contextId: z.string().max(100) }), result: z.object({ closed: z.boolean() }) }),
  'apcv.status': defineMethod({ params: z.object({}), result: apcvStatusSchema }),
  /** Démo: the demo patients' app QR codes (text to render as a QR code) and the simulator faults. */
  'demo.apcv.list': defineMethod({
    params: z.object({}),
    result: z.object({
      apps: z.array(z.object({ id: z.string(), label: z.string(), payload: z.string() })),
      serviceDown: z.boolean(),
      latencyMs: z.number().int(),
    }),
  }),
  'demo.apcv.configure': defineMethod({
    params: z.object({ serviceDown: z.boolean().optional(), latencyMs: z.number().int().min(0).max(120_000).optional() }),
    result: z.object({ serviceDown: z.boolean(), latencyMs: z.number().int() }),
  }),
} as const;

export const apcvEvents = {
  'apcv.changed': z.object({ contextId: z.string(), state: z.enum(['open', 'expired', 'closed']) }),
} as const;

export type ApcvSource = z.infer<typeof apcvSourceSchema>;
export type ApcvCoverage = z.infer<typeof apcvCoverageSchema>;
export type ApcvContextView = z.infer<typeof apcvContextSchema>;
export type ApcvStatus = z.infer<typeof apcvStatusSchema>;
