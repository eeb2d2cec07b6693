/**
 * Billing (services/billing): offline billing sessions opened with the CPS, invoices (FSE) made
 * from the carte Vitale, the appli carte Vitale or in mode dégradé, lots per destination organism
 * sent through the outbox, acknowledgements (ARL), automatic re-sending, paper duplicates, legal
 * transmission deadlines (art. R161-47 du code de la sécurité sociale) and payment returns.
 *
 * Results carry invoice data to the screen that asked for it (the practitioner's own billing);
 * error messages and details never carry health data. The FSE content, its signatures and the
 * transport are under agreement (GIE SESAM-Vitale): modelled behind adapters, said so in `status`.
 */
import { z } from 'zod';
import { defineMethod } from '../define';

export const billingErrors = {
  BILLING_SSV_NOT_CONFIGURED:
    'La facturation SESAM-Vitale n’est pas disponible sur ce poste : le format des feuilles de soins électroniques et leur signature nécessitent la bibliothèque certifiée du GIE SESAM-Vitale, qui n’est pas configurée. Facturez sur feuille de soins papier en attendant ; contactez votre éditeur pour l’installer.',
  BILLING_TRANSPORT_NOT_CONFIGURED:
    'La télétransmission des lots n’est pas configurée sur ce poste (messagerie sécurisée et bibliothèque du GIE SESAM-Vitale). Les lots restent en attente dans Pupitre ; faites configurer la télétransmission avant la fin du délai légal.',
  BILLING_IDENTITY_MISSING:
    'Votre identité de facturation est incomplète : renseignez votre numéro AM (identifiant de facturation), votre code spécialité et votre secteur conventionnel dans Paramètres, puis recommencez.',
  BILLING_IDENTITY_OTHER_PRACTITIONER:
    'Le numéro AM enregistré est celui d’un autre professionnel : sa carte CPS a déjà facturé sous ce numéro ; saisissez le vôtre dans Paramètres → Facturation (numéro AM, spécialité, secteur), puis ouvrez votre session.',
  BILLING_SESSION_ALREADY_OPEN:
    'Une session de facturation est déjà ouverte pour votre carte. Continuez dans cette session, ou fermez-la avant d’en ouvrir une autre.',
  BILLING_SESSION_REQUIRED: 'Aucune session de facturation n’est ouverte. Ouvrez la session du jour avec votre carte CPS, puis facturez.',
  BILLING_SESSION_NOT_FOUND: 'Cette session de facturation n’existe pas (ou plus). Actualisez l’écran Facturation.',
  BILLING_SESSION_CLOSED: 'Cette session de facturation est fermée : ouvrez une nouvelle session pour facturer.',
  BILLING_SESSION_OTHER_PRACTITIONER:
    'Cette session de facturation a été ouverte avec la carte d’un autre professionnel. Insérez la carte CPS qui l’a ouverte, ou ouvrez votre propre session.',
  BILLING_UNKNOWN_ACT:
    'Ce code d’acte n’est pas dans la table des tarifs de Pupitre : il ne peut pas être facturé à zéro. Vérifiez le code (la liste propose les actes connus) ou facturez cet acte sur feuille de soins papier.',
  BILLING_ACT_NOT_IN_FORCE:
    'Ce code d’acte n’a pas de tarif en vigueur à la date des soins. Vérifiez la date des soins ou le code de l’acte.',
  BILLING_LINES_EMPTY: 'La facture ne contient aucun acte. Ajoutez au moins un acte (code puis Entrée).',
  BILLING_LINE_INVALID: 'Une ligne de la facture est invalide (quantité, coefficient ou date). Corrigez-la puis validez de nouveau.',
  BILLING_OVERAGE_NOT_ALLOWED:
    'Un dépassement d’honoraires n’est pas possible en secteur 1 (tarifs opposables). Retirez le dépassement, ou corrigez votre secteur conventionnel dans Paramètres.',
  BILLING_CARE_DATE_INVALID: 'La date des soins est invalide : elle ne peut pas être dans le futur ni dater de plus de deux ans.',
  BILLING_VITALE_ABSENT:
    'La carte Vitale du patient n’est plus dans le lecteur : une facture sécurisée se signe avec la carte présente. Réinsérez la carte Vitale, ou faites une facture en mode dégradé (justificatif papier à numériser).',
  BILLING_VITALE_CHANGED:
    'La carte Vitale du lecteur a changé depuis la lecture. Relisez la carte Vitale puis choisissez de nouveau le bénéficiaire.',
  BILLING_PATIENT_MISMATCH:
    'La fiche patient ouverte ne correspond pas au bénéficiaire lu (date de naissance ou NIR différents) : rien n’a été facturé ni enregistré. Ouvrez la fiche de ce bénéficiaire (attention aux jumeaux et aux homonymes), ou facturez sans choisir de fiche patient.',
  BILLING_BENEFICIARY_UNKNOWN: 'Ce bénéficiaire n’est pas sur la carte (ou dans la session de l’appli carte Vitale). Relisez la carte puis choisissez-le de nouveau.',
  BILLING_ORGANISM_REQUIRED:
    'Pour une facture en mode dégradé, indiquez l’organisme d’assurance maladie du patient (régime, caisse et centre, sur son attestation de droits).',
  BILLING_APCV_OFFLINE_SESSION:
    'La session de facturation est hors ligne : l’appli carte Vitale ne fonctionne qu’en ligne. Lisez la carte Vitale physique du patient, ou faites une facture en mode dégradé ; repassez la session en ligne quand le réseau est revenu.',
  BILLING_INVOICE_NOT_FOUND: 'Cette facture n’existe pas (ou plus). Actualisez la liste des factures.',
  BILLING_INVOICE_NOT_CANCELLABLE:
    'Cette facture est déjà dans un lot : elle ne peut plus être annulée. Si elle est erronée, établissez une facture rectificative après l’accusé de réception.',
  BILLING_LOT_NOT_FOUND: 'Ce lot n’existe pas (ou plus). Actualisez la liste des lots.',
  BILLING_NUMBERS_EXHAUSTED:
    'La numérotation des factures de ce professionnel est arrivée au dernier numéro possible. Contactez le support de Pupitre avant de facturer de nouveau.',
  BILLING_PURGE_NOT_CONFIRMED: 'La purge des doubles électroniques est définitive : confirmez-la explicitement.',
  BILLING_LOT_REFUSED_BY_SERVICE:
    'Le service de télétransmission a refusé ce lot à la réception (contenu illisible). Le lot reste dans Pupitre ; signalez-le au support avec l’écran Diagnostic.',
  BILLING_RESPONSE_MALFORMED:
    'La réponse du service de télétransmission est illisible. Rien n’a été modifié ; Pupitre réessaiera. Si cela se reproduit, signalez-le avec l’écran Diagnostic.',
} as const;

export const billingModeSchema = z.enum(['direct', 'tiers-payant']);
export const sessionModeSchema = z.enum(['online', 'offline']);
export const sessionPlaceSchema = z.enum(['cabinet', 'domicile', 'centre']);
/** Nature of the cover of the invoice: the rate follows (70 % maladie, 100 % ALD/maternité/AT-MP). */
export const coverageSchema = z.enum(['maladie', 'ald', 'maternite', 'atmp']);
export const securingSchema = z.enum(['vitale', 'apcv', 'degradee']);
/** jFSE-like invoice statuses (wave2.md §5.3) plus `cancelled` (before any lot). */
export const invoiceStatusSchema = z.enum(['validated', 'sent', 'accepted', 'rejected', 'paid', 'payment_rejected', 'cancelled']);
export const lotStateSchema = z.enum(['to_send', 'sent', 'acknowledged', 'refused', 'resent', 'paper_duplicate']);
export const deadlineStateSchema = z.enum(['ok', 'due-soon', 'passed', 'met']);
/** NOEMIE tiers-payant statuses (jFSE InvoiceThirdPartyPaymentStatusEnum): paid, pending, rejected, anomaly. */
export const paymentStatusSchema = z.enum(['P', 'C', 'R', 'A']);

const dateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const idSchema = z.string().min(1).max(100);

export const organismSchema = z.object({
  regime: z.string().regex(/^\d{2}$/),
  caisse: z.string().regex(/^\d{3}$/),
  centre: z.string().regex(/^\d{4}$/),
});

export const actSchema = z.object({
  code: z.string(),
  label: z.string(),
  /** Unit price in cents at the asked date. */
  priceCents: z.number().int(),
  /** Subject to the participation forfaitaire (consultations and visits). */
  participation: z.boolean(),
  kind: z.enum(['acte', 'majoration']),
  effectiveFrom: dateSchema,
});

export const tariffTableSchema = z.object({
  version: z.string(),
  date: dateSchema,
  sources: z.array(z.object({ id: z.string(), title: z.string(), url: z.string().nullable() })),
  acts: z.array(actSchema),
});

export const lineInputSchema = z.object({
  code: z.string().min(1).max(12),
  quantity: z.number().int().min(1).max(99).default(1),
  coefficient: z.number().min(0.01).max(999).default(1),
  /** Dépassement d'honoraires on this line (secteur 2 only), cents. */
  overageCents: z.number().int().min(0).max(1_000_000).default(0),
  /** Date of this act when it differs from the invoice's care date. */
  date: dateSchema.optional(),
});

export const pricedLineSchema = z.object({
  code: z.string(),
  label: z.string(),
  date: dateSchema,
  quantity: z.number().int(),
  coefficient: z.number(),
  unitPriceCents: z.number().int(),
  /** Base de remboursement of the line (quantity × coefficient × unit price). */
  baseCents: z.number().int(),
  overageCents: z.number().int(),
  amountCents: z.number().int(),
});

export const totalsSchema = z.object({
  /** Everything the practitioner bills (bases + overages). */
  totalCents: z.number().int(),
  /** Rate applied to the bases, percent. */
  ratePercent: z.number().int(),
  /** Part obligatoire: what the AMO pays (before the participation forfaitaire it later recovers). */
  amoCents: z.number().int(),
  /** What the patient owes the practitioner today (everything in direct payment). */
  patientCents: z.number().int(),
  /** Participation forfaitaire left to the patient (deducted from the reimbursement). */
  participationCents: z.number().int(),
  /** What the AMO reimburses the patient in direct payment (AMO part minus the participation). */
  reimbursedToPatientCents: z.number().int(),
});

export const quoteParamsSchema = z.object({
  lines: z.array(lineInputSchema).max(30),
  coverage: coverageSchema.default('maladie'),
  mode: billingModeSchema.default('direct'),
  careDate: dateSchema.optional(),
  /** AAAAMMJJ as on the card: decides the participation forfaitaire (under 18). */
  birthDate: z.string().regex(/^\d{8}$/).optional(),
});

export const quoteSchema = z.object({ careDate: dateSchema, lines: z.array(pricedLineSchema), totals: totalsSchema, deadline: dateSchema });

export const vitaleSourceSchema = z.object({
  kind: z.literal('vitale'),
  reader: z.string().max(200).optional(),
  /** Serial of the card the screen read (checked again when signing). */
  cardSerial: z.string().max(40).nullable().optional(),
  beneficiaryIndex: z.number().int().min(0).max(20),
  /**
   * The beneficiary as the screen showed it: compared with the card read now and again when signing,
   * whatever the serial (some cards read without one). Required when the screen read a card whose
   * serial was null (`cardSerial: null`).
   */
  beneficiary: z
    .object({
      insuredNir: z.string().regex(/^\d{5}(?:\d{2}|2[AB])\d{8}$/),
      nir: z.string().regex(/^\d{5}(?:\d{2}|2[AB])\d{8}$/).nullable(),
      /** AAAAMMJJ as read (lunar dates keep their 00). */
      birthDate: z.string().regex(/^\d{8}$/),
      birthRank: z.number().int().min(1).max(9),
    })
    .optional(),
});
export const apcvSourceSchema = z.object({ kind: z.literal('apcv'), contextId: idSchema, beneficiaryIndex: z.number().int().min(0).max(20) });
export const degradedSourceSchema = z.object({
  kind: z.literal('degradee'),
  beneficiary: z.object({
    surname: z.string().min(1).max(80),
    givenName: z.string().min(1).max(80),
    /** AAAAMMJJ (lunar dates keep their 00). */
    birthDate: z.string().regex(/^\d{8}$/),
    birthRank: z.number().int().min(1).max(9).default(1),
    insuredNir: z.string().regex(/^\d{5}(?:\d{2}|2[AB])\d{8}$/),
    nir: z.string().regex(/^\d{5}(?:\d{2}|2[AB])\d{8}$/).nullable().default(null),
  }),
  organism: organismSchema,
});
export const invoiceSourceSchema = z.discriminatedUnion('kind', [vitaleSourceSchema, apcvSourceSchema, degradedSourceSchema]);

export const rightsSummarySchema = z.object({
  status: z.enum(['open', 'closed', 'unverified']),
  /** Why « non vérifiés » (offline, service down, not configured, patient not linked…). */
  reason: z.string().nullable(),
  checkedAt: z.string().nullable(),
});

export const deadlineSchema = z.object({ date: dateSchema, state: deadlineStateSchema, workingDaysLeft: z.number().int() });

export const paymentSchema = z.object({
  status: paymentStatusSchema,
  label: z.string(),
  amountCents: z.number().int().nullable(),
  at: z.string(),
});

export const invoiceViewSchema = z.object({
  id: z.string(),
  number: z.number().int(),
  sessionId: z.string(),
  patientId: z.string().nullable(),
  createdAt: z.string(),
  careDate: dateSchema,
  status: invoiceStatusSchema,
  securing: securingSchema,
  mode: billingModeSchema,
  coverage: coverageSchema,
  rights: rightsSummarySchema,
  beneficiary: z.object({ surname: z.string(), givenName: z.string(), birthDate: z.string() }),
  organism: organismSchema.extend({ label: z.string() }),
  lines: z.array(pricedLineSchema),
  totals: totalsSchema,
  deadline: deadlineSchema,
  lot: z.object({ id: z.string(), number: z.number().int(), state: lotStateSchema }).nullable(),
  /** Second transmission failure: a paper duplicate must be sent (R161-47). */
  paperDuplicate: z.object({ since: z.string(), sentAt: z.string().nullable() }).nullable(),
  /** FSE dégradée: the paper justificatif must be scanned and sent through SCOR. */
  scorRequired: z.boolean(),
  payment: paymentSchema.nullable(),
  /** Electronic double purged after the 90-day retention (explicit, audited). */
  purgedAt: z.string().nullable(),
});

export const emissionSchema = z.object({
  emission: z.number().int(),
  jobId: z.string().nullable(),
  queuedAt: z.string(),
  sentAt: z.string().nullable(),
  /** The last day an ARL is awaited before re-sending (2 working days after sending). */
  arlDueDate: dateSchema.nullable(),
  arl: z.object({ positive: z.boolean(), at: z.string(), label: z.string() }).nullable(),
});

export const lotViewSchema = z.object({
  id: z.string(),
  number: z.number().int(),
  sessionId: z.string().nullable(),
  organism: organismSchema.extend({ label: z.string() }),
  kind: z.enum(['fse', 'fse-degradee']),
  state: lotStateSchema,
  invoiceCount: z.number().int(),
  totalCents: z.number().int(),
  createdAt: z.string(),
  emissions: z.array(emissionSchema),
  /** Earliest legal deadline of the lot's invoices. */
  deadline: dateSchema,
  /** What happens next, or what the practitioner must do, in French. */
  next: z.string(),
});

export const sessionViewSchema = z.object({
  id: z.string(),
  status: z.enum(['open', 'closed']),
  mode: sessionModeSchema,
  place: sessionPlaceSchema,
  openedAt: z.string(),
  closedAt: z.string().nullable(),
  date: dateSchema,
  practitioner: z.object({ idNat: z.string(), name: z.string(), billingNumber: z.string() }),
  invoiceCount: z.number().int(),
  totals: z.object({ totalCents: z.number().int(), amoCents: z.number().int(), patientCents: z.number().int() }),
});

export const deadlineItemSchema = z.object({
  invoiceId: z.string(),
  number: z.number().int(),
  beneficiary: z.string(),
  careDate: dateSchema,
  mode: billingModeSchema,
  deadline: deadlineSchema,
  lot: z.object({ id: z.string(), number: z.number().int(), state: lotStateSchema }).nullable(),
});

export const attentionSchema = z.object({
  overdue: z.number().int(),
  dueSoon: z.number().int(),
  refusedLots: z.number().int(),
  paperDuplicates: z.number().int(),
  toSend: z.number().int(),
  awaitingArl: z.number().int(),
});

export const billingStatusSchema = z.object({
  /** `modelled`: démo adapters (modelled FSE, signatures and transport); `unavailable`: SESAM-Vitale library not configured. */
  mode: z.enum(['modelled', 'unavailable']),
  endpoint: z.string(),
  identity: z.object({ amNumber: z.string(), specialty: z.string(), conventionSector: z.string(), complete: z.boolean() }),
  holidays: z.enum(['national', 'alsace-moselle']),
  today: dateSchema,
  session: sessionViewSchema.nullable(),
  attention: attentionSchema,
  lastReturnsAt: z.string().nullable(),
  lastReturnsError: z.string().nullable(),
});

export const syncResultSchema = z.object({
  lotsFormed: z.number().int(),
  sent: z.number().int(),
  returns: z.number().int(),
  acknowledged: z.number().int(),
  refused: z.number().int(),
  resent: z.number().int(),
  paperDuplicates: z.number().int(),
  /** Lots still waiting to be sent (network down, service refusing…). */
  waiting: z.number().int(),
  error: z.string().nullable(),
});

export const demoBillingStateSchema = z.object({
  down: z.boolean(),
  arlDelayMs: z.number().int(),
  loseNextArl: z.boolean(),
  garbleNextArl: z.boolean(),
  refuseNextLot: z.boolean(),
  refuseAll: z.boolean(),
  lotsReceived: z.number().int(),
  invoicesReceived: z.number().int(),
});

export const billingMethods = {
  'billing.status': defineMethod({ params: z.object({}), result: billingStatusSchema }),
  'billing.sessions': defineMethod({
    params: z.object({ limit: z.number().int().min(1).max(500).default(50) }),
    result: z.object({ sessions: z.array(sessionViewSchema) }),
  }),
  /** Opens the practitioner's session with the CPS in the reader (PIN typed). */
  'billing.openSession': defineMethod({
    params: z.object({ mode: sessionModeSchema, place: sessionPlaceSchema.default('cabinet') }),
    result: sessionViewSchema,
  }),
  'billing.setSessionMode': defineMethod({ params: z.object({ sessionId: idSchema, mode: sessionModeSchema }), result: sessionViewSchema }),
  /** Closes the session and forms its lots (per organism and kind, within the size bound). */
  'billing.closeSession': defineMethod({
    params: z.object({ sessionId: idSchema }),
    result: z.object({ session: sessionViewSchema, lots: z.array(lotViewSchema) }),
  }),
  'billing.tariffs': defineMethod({ params: z.object({ date: dateSchema.optional() }), result: tariffTableSchema }),
  /** Prices lines as the invoice would (live totals while typing); nothing is stored. */
  'billing.quote': defineMethod({ params: quoteParamsSchema, result: quoteSchema }),
  'billing.createInvoice': defineMethod({
    params: z.object({
      sessionId: idSchema,
      source: invoiceSourceSchema,
      patientId: idSchema.nullable().default(null),
      lines: z.array(lineInputSchema).min(1).max(30),
      coverage: coverageSchema.default('maladie'),
      mode: billingModeSchema.default('direct'),
      careDate: dateSchema.optional(),
    }),
    result: invoiceViewSchema,
  }),
  /** Cancels an invoice that is not yet in a lot (its number stays used, never reassigned). */
  'billing.cancelInvoice': defineMethod({ params: z.object({ invoiceId: idSchema }), result: invoiceViewSchema }),
  'billing.invoices': defineMethod({
    params: z.object({
      sessionId: idSchema.optional(),
      lotId: idSchema.optional(),
      paperDuplicate: z.boolean().optional(),
      limit: z.number().int().min(1).max(5000).default(500),
    }),
    result: z.object({ invoices: z.array(invoiceViewSchema) }),
  }),
  'billing.lots': defineMethod({
    params: z.object({ state: lotStateSchema.optional(), limit: z.number().int().min(1).max(5000).default(500) }),
    result: z.object({ lots: z.array(lotViewSchema) }),
  }),
  /** Invoices not yet transmitted, most urgent first. */
  'billing.deadlines': defineMethod({ params: z.object({}), result: z.object({ today: dateSchema, items: z.array(deadlineItemSchema) }) }),
  /** The last day to transmit care given on `date` (art. R161-47: 3 working days, 8 in tiers payant). */
  'billing.deadline': defineMethod({ params: z.object({ date: dateSchema, mode: billingModeSchema }), result: z.object({ deadline: dateSchema }) }),
  /** Forms due lots, sends what waits, fetches acknowledgements and payment returns, re-sends. */
  'billing.sync': defineMethod({ params: z.object({}), result: syncResultSchema }),
  /** The practitioner sent the paper duplicates of these invoices (audited). */
  'billing.markPaperDuplicatesSent': defineMethod({ params: z.object({ invoiceIds: z.array(idSchema).min(1).max(5000) }), result: z.object({ marked: z.number().int() }) }),
  /** Purges electronic doubles and acknowledgements older than the 90-day retention (explicit, audited). */
  'billing.purge': defineMethod({
    params: z.object({ confirm: z.literal(true) }),
    result: z.object({ purgedInvoices: z.number().int(), purgedReturns: z.number().int(), keptUntil: dateSchema }),
  }),
  /** Démo: the billing simulator's state and faults (network down, lost ARL, refused lots, delays). */
  'demo.billing.state': defineMethod({ params: z.object({}), result: demoBillingStateSchema }),
  'demo.billing.configure': defineMethod({
    params: z.object({
      down: z.boolean().optional(),
      arlDelayMs: z.number().int().min(0).max(7 * 24 * 3_600_000).optional(),
      loseNextArl: z.boolean().optional(),
      garbleNextArl: z.boolean().optional(),
      refuseNextLot: z.boolean().optional(),
      refuseAll: z.boolean().optional(),
    }),
    result: demoBillingStateSchema,
  }),
} as const;

export const billingEvents = {
  'billing.changed': z.object({ reason: z.enum(['session', 'invoice', 'lot', 'returns', 'deadline']) }),
} as const;

export type BillingMode = z.infer<typeof billingModeSchema>;
export type SessionMode = z.infer<typeof sessionModeSchema>;
export type SessionPlace = z.infer<typeof sessionPlaceSchema>;
export type Coverage = z.infer<typeof coverageSchema>;
export type Securing = z.infer<typeof securingSchema>;
export type InvoiceStatus = z.infer<typeof invoiceStatusSchema>;
export type LotState = z.infer<typeof lotStateSchema>;
export type DeadlineState = z.infer<typeof deadlineStateSchema>;
export type PaymentStatus = z.infer<typeof paymentStatusSchema>;
export type Organism = z.infer<typeof organismSchema>;
export type Act = z.infer<typeof actSchema>;
export type TariffTable = z.infer<typeof tariffTableSchema>;
export type LineInput = z.input<typeof lineInputSchema>;
export type PricedLine = z.infer<typeof pricedLineSchema>;
export type Totals = z.infer<typeof totalsSchema>;
export type Quote = z.infer<typeof quoteSchema>;
export type InvoiceSource = z.infer<typeof invoiceSourceSchema>;
export type RightsSummary = z.infer<typeof rightsSummarySchema>;
export type InvoiceView = z.infer<typeof invoiceViewSchema>;
export type LotView = z.infer<typeof lotViewSchema>;
export type EmissionView = z.infer<typeof emissionSchema>;
export type SessionView = z.infer<typeof sessionViewSchema>;
export type DeadlineItem = z.infer<typeof deadlineItemSchema>;
export type BillingStatus = z.infer<typeof billingStatusSchema>;
export type SyncResult = z.infer<typeof syncResultSchema>;
export type DemoBillingState = z.infer<typeof demoBillingStateSchema>;
