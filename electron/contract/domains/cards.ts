/**
 * Cards (services/cards): PC/SC readers, the professional's CPS/CPE and the patient's carte
 * Vitale. Results carry card data to the screen that asked for it; error messages and details
 * never carry health data (no NIR, names, birth dates).
 */
import { z } from 'zod';
import { defineMethod } from '../define';
import { sexSchema } from './identity';

export const cardsErrors = {
  CARD_PCSC_UNAVAILABLE:
    'Le service de cartes à puce (pcscd) ne répond pas. Démarrez-le (« sudo systemctl start pcscd ») ; Pupitre se reconnectera tout seul.',
  CARD_NO_READER: 'Aucun lecteur de cartes n’est branché. Branchez un lecteur PC/SC puis réessayez.',
  CARD_READER_NOT_FOUND: 'Ce lecteur n’est plus connecté. Choisissez un autre lecteur ou rebranchez-le.',
  CARD_ABSENT: 'Aucune carte dans le lecteur. Insérez la carte, puce vers le haut, puis réessayez.',
  CARD_REMOVED: 'La carte a été retirée pendant la lecture. Réinsérez-la et recommencez.',
  CARD_MUTE: 'La carte ne répond pas. Retirez-la, vérifiez le sens d’insertion, puis réinsérez-la.',
  CARD_READER_BUSY:
    'Le lecteur est utilisé par un autre programme. Fermez l’autre logiciel de lecture de cartes, puis réessayez.',
  CARD_UNKNOWN: 'Carte non reconnue : ce n’est ni une carte CPS/CPE ni une carte Vitale. Vérifiez la carte insérée.',
  CARD_WRONG_TYPE: 'Cette carte ne convient pas pour cette opération (carte de professionnel ou carte Vitale attendue). Insérez la bonne carte.',
  CARD_PIN_BLOCKED:
    'Le code porteur est bloqué après trop d’essais erronés. Débloquez la carte avec le code de déblocage (outil de gestion CPS de l’ANS).',
  CARD_PIN_FORMAT: 'Le code porteur comporte 4 à 8 chiffres. Saisissez-le de nouveau.',
  CARD_EXPIRED: 'Cette carte a expiré. Demandez son renouvellement ; elle ne peut plus servir à signer.',
  CARD_VITALE_1_UNSUPPORTED:
    'Carte Vitale 1 reconnue : sa lecture n’est pas prise en charge. Saisissez le patient à la main ou utilisez l’appli carte Vitale.',
  CARD_DATA_INVALID: 'Les données lues sur la carte sont illisibles ou incomplètes. Retirez et réinsérez la carte ; si cela se reproduit, la carte est peut-être défectueuse.',
  CARD_STATUS_WORD: 'La carte a refusé une commande. Retirez et réinsérez la carte puis réessayez.',
  CARD_SESSION_REQUIRED: 'Insérez votre carte CPS ou CPE et saisissez votre code porteur pour continuer.',
  CARD_SIGNER_UNAVAILABLE:
    'Le module de signature de la carte (PKCS#11) n’a pas pu être chargé. Vérifiez le chemin du module dans Paramètres (Cryptolib CPS ou OpenSC).',
  CARD_SIGNER_MISMATCH:
    'La carte qui signe n’est pas celle dont le code a été vérifié : rien n’a été signé. Retirez les autres cartes CPS/CPE des lecteurs pour ne laisser que la vôtre (ou vérifiez que le module PKCS#11 de Paramètres voit bien ce lecteur), puis saisissez de nouveau votre code porteur.',
  CARD_DEMO_UNKNOWN_PROFILE: 'Cette carte virtuelle n’existe pas. Choisissez-en une dans la liste du panneau Démo.',
  CARD_DEMO_READER_BUSY:
    'Le lecteur virtuel « {reader} » contient déjà une carte insérée par un autre programme (autre Pupitre, « pupitre sim cards »). Retirez-la depuis ce programme, ou utilisez l’autre lecteur.',
  CARD_CPS_UNREADABLE:
    'Carte {card} reconnue mais illisible : ses fichiers n’ont pas pu être lus. Retirez-la et réinsérez-la, puce vers le haut ; si cela se reproduit, essayez un autre lecteur puis demandez le remplacement de la carte (ANS, espace CPS).',
} as const;

export const cardKindSchema = z.enum(['CPS3', 'CPS3_CL', 'CPS4', 'CPS2TER', 'VITALE_2', 'VITALE_1', 'UNKNOWN']);

export const readerViewSchema = z.object({
  name: z.string(),
  state: z.enum(['empty', 'present', 'mute', 'unavailable']),
  /** ATR in upper-case hex, when a card is there. */
  atr: z.string().nullable(),
  /** Card family recognised from the masked ATR. */
  cardKind: cardKindSchema.nullable(),
  /** French label of the card family (« CPS3 », « Carte Vitale 2 »…). */
  cardLabel: z.string().nullable(),
});

export const codeLabelSchema = z.object({ code: z.string(), label: z.string() });

export const situationSchema = z.object({
  /** 1 to 16: the card's situation slot. */
  index: z.number().int(),
  structureId: z.string(),
  structureName: z.string(),
  role: codeLabelSchema.nullable(),
  activitySector: z.string().nullable(),
});

export const cpsHolderSchema = z.object({
  cardKind: cardKindSchema,
  /** TRE_R87 card type. */
  cardType: z.enum(['CPS', 'CPE', 'CPA', 'CPF']),
  /** Card serial (EF.SN.ICC), hex. */
  serial: z.string(),
  /** National id: `8`+RPPS, `0`+ADELI, or `1`+structure/internal id for staff. */
  idNat: z.string(),
  rpps: z.string().nullable(),
  surname: z.string(),
  givenName: z.string(),
  profession: codeLabelSchema.nullable(),
  specialty: codeLabelSchema.nullable(),
  /** Situations d'exercice: readable after the PIN (PIN-protected on the card). */
  situations: z.array(situationSchema),
  situationsLocked: z.boolean(),
  /** End of validity of the card's certificate, ISO 8601. */
  expiresAt: z.string().nullable(),
  expired: z.boolean(),
});

export const vitaleBirthDateSchema = z.object({
  /** As read, AAAAMMJJ. */
  raw: z.string(),
  year: z.number().int(),
  month: z.number().int().nullable(),
  day: z.number().int().nullable(),
  /** « Date lunaire »: a 00 part or a day that is not in the calendar. */
  lunar: z.boolean(),
  /** JJ/MM/AAAA with 00 kept, as patients.create accepts it. */
  display: z.string(),
});

export const beneficiarySchema = z.object({
  /** Position on the card, 0-based. */
  index: z.number().int(),
  surname: z.string(),
  usedName: z.string().nullable(),
  givenName: z.string(),
  birthDate: vitaleBirthDateSchema,
  /** Rang de naissance (twins: 1, 2…). */
  birthRank: z.number().int(),
  /** The beneficiary's own NIR (15 characters with key), when on the card. */
  nir: z.string().nullable(),
  insuredNir: z.string(),
  /** From the NIR's first digit; null without a NIR. */
  sex: sexSchema.nullable(),
  quality: z.object({ code: z.string(), label: z.string(), insured: z.boolean() }),
});

export const vitaleCardSchema = z.object({
  generation: z.literal(2),
  serial: z.string().nullable(),
  regime: z.string().nullable(),
  caisse: z.string().nullable(),
  centre: z.string().nullable(),
  validFrom: z.string().nullable(),
  beneficiaries: z.array(beneficiarySchema),
});

export const cardSessionSchema = z
  .object({
    reader: z.string(),
    cardType: z.enum(['CPS', 'CPE', 'CPA', 'CPF']),
    idNat: z.string(),
    surname: z.string(),
    givenName: z.string(),
    profession: codeLabelSchema.nullable(),
    situation: situationSchema.nullable(),
    openedAt: z.string(),
  })
  .nullable();

const readerParam = z.object({ reader: z.string().max(200).optional() });

export const cardsMethods = {
  'cards.readers': defineMethod({
    params: z.object({}),
    result: z.object({ service: z.enum(['up', 'down', 'starting']), readers: z.array(readerViewSchema) }),
  }),
  'cards.readHolder': defineMethod({ params: readerParam, result: cpsHolderSchema }),
  /** The PIN crosses once and is never kept; a wrong PIN answers ok:false with the tries left. */
  'cards.verifyPin': defineMethod({
    params: readerParam.extend({ pin: z.string().max(16) }),
    result: z.object({ ok: z.boolean(), triesLeft: z.number().int() }),
  }),
  'cards.readVitale': defineMethod({ params: readerParam, result: vitaleCardSchema }),
  'cards.session': defineMethod({ params: z.object({}), result: cardSessionSchema }),
  'demo.cards.list': defineMethod({
    params: z.object({}),
    result: z.object({
      /** `pin`: the demo code porteur of a virtual CPS/CPE (shown on the Démo panel; null for a Vitale). */
      profiles: z.array(z.object({ id: z.string(), label: z.string(), kind: z.enum(['cps', 'vitale']), pin: z.string().nullable() })),
      readers: z.array(z.object({ name: z.string(), inserted: z.string().nullable() })),
    }),
  }),
  'demo.cards.insert': defineMethod({
    params: z.object({ profile: z.string().max(100), reader: z.string().max(200).optional() }),
    result: z.object({ reader: z.string() }),
  }),
  'demo.cards.remove': defineMethod({
    params: z.object({ reader: z.string().max(200) }),
    result: z.object({ reader: z.string() }),
  }),
} as const;

export const cardsEvents = {
  /** A reader or card appeared or went away, or the practitioner session opened or closed. */
  'cards.changed': z.object({
    reason: z.enum(['reader-added', 'reader-removed', 'card-inserted', 'card-removed', 'session-opened', 'session-closed', 'service']),
    reader: z.string().nullable(),
  }),
} as const;

export type CardKind = z.infer<typeof cardKindSchema>;
export type ReaderView = z.infer<typeof readerViewSchema>;
export type Situation = z.infer<typeof situationSchema>;
export type CpsHolder = z.infer<typeof cpsHolderSchema>;
export type VitaleBirthDate = z.infer<typeof vitaleBirthDateSchema>;
export type Beneficiary = z.infer<typeof beneficiarySchema>;
export type VitaleCard = z.infer<typeof vitaleCardSchema>;
export type CardSessionSummary = z.infer<typeof cardSessionSchema>;
export type CardsChange = z.infer<(typeof cardsEvents)['cards.changed']>;
