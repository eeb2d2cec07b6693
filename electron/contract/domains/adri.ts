/**
 * ADRi (services/adri): the patient's rights from the Assurance Maladie (acquerirLesDroits), asked
 * after a carte Vitale or appli carte Vitale read, kept with their date; offline or refused, the
 * record says « droits non vérifiés » so that billing can say so.
 */
import { z } from 'zod';
import { defineMethod } from '../define';

export const adriErrors = {
  ADRI_PATIENT_UNKNOWN: 'Ce patient n’existe plus dans la base locale. Rouvrez-le depuis la recherche.',
  ADRI_PATIENT_MISMATCH:
    'La fiche ouverte ne correspond pas au bénéficiaire lu sur la carte Vitale ou l’appli carte Vitale (date de naissance ou NIR différents) : les droits n’ont pas été demandés ni enregistrés. Ouvrez la fiche de ce bénéficiaire (attention aux jumeaux et aux homonymes), ou choisissez le bon bénéficiaire sur la carte.',
  ADRI_NOT_CONFIGURED:
    'Le service des droits (ADRi) n’est pas configuré sur ce poste : son adresse et son format de réponse relèvent des spécifications du GIE SESAM-Vitale. Les droits restent « non vérifiés ».',
  ADRI_COVERAGE_INVALID:
    'Les données d’assurance maladie lues sont incomplètes (numéro d’assuré ou date de naissance). Relisez la carte Vitale ou l’appli carte Vitale.',
} as const;

export const adriCoverageSchema = z.object({
  source: z.enum(['vitale', 'apcv']),
  regime: z.string().max(2).nullable(),
  caisse: z.string().max(3).nullable(),
  centre: z.string().max(4).nullable(),
  /** Insured person's NIR, 13 digits + key (15 characters). */
  insuredNir: z.string().regex(/^\d{5}(?:\d{2}|2[AB])\d{8}$/),
  beneficiaryNir: z.string().regex(/^\d{5}(?:\d{2}|2[AB])\d{8}$/).nullable(),
  /** As on the card: AAAAMMJJ (lunar dates keep their 00). */
  birthDate: z.string().regex(/^\d{8}$/),
  birthRank: z.number().int().min(1).max(9),
});

export const adriPeriodSchema = z.object({ start: z.string().nullable(), end: z.string().nullable() });

export const adriRightsSchema = z.object({
  patientId: z.string(),
  /** `open`: rights open at the reference date; `closed`: ended or not yet open; `unverified`: not checked. */
  status: z.enum(['open', 'closed', 'unverified']),
  /** Why rights are unverified. */
  reason: z.enum(['offline', 'unavailable', 'not-configured', 'not-found', 'refused', 'card-session']).nullable(),
  source: z.enum(['vitale', 'apcv']),
  checkedAt: z.string(),
  /** AAAA-MM-JJ: the date the rights were asked for (DatedeReference). */
  referenceDate: z.string(),
  regime: z.object({ code: z.string(), label: z.string() }).nullable(),
  caisse: z.string().nullable(),
  centre: z.string().nullable(),
  amo: adriPeriodSchema.nullable(),
  exonerations: z.array(z.object({ code: z.string(), label: z.string(), start: z.string().nullable(), end: z.string().nullable() })),
  /** Médecin traitant declared, complementary cover: only what the (modelled) answer carries. */
  complementary: z.string().nullable(),
});

export const adriMethods = {
  'adri.acquire': defineMethod({
    params: z.object({ patientId: z.string().max(100), coverage: adriCoverageSchema }),
    result: adriRightsSchema,
  }),
  'adri.rights': defineMethod({ params: z.object({ patientId: z.string().max(100) }), result: adriRightsSchema.nullable() }),
} as const;

export const adriEvents = {
  'adri.changed': z.object({ patientId: z.string(), status: z.enum(['open', 'closed', 'unverified']) }),
} as const;

export type AdriCoverage = z.infer<typeof adriCoverageSchema>;
export type AdriRights = z.infer<typeof adriRightsSchema>;
