/**
 * CDA domain (ARCHITECTURE.md §2, services/cda): CDA R2 documents built for the DMP (N1 wrapping a
 * PDF) and XDS metadata derived from a CDA header. Messages never carry health data; details carry
 * element paths and codes only.
 */
import { z } from 'zod';
import { defineMethod } from '../define';

export const cdaErrors = {
  CDA_NOT_A_DOCUMENT:
    "Ce fichier n'est pas un document CDA R2 lisible (un élément ClinicalDocument attendu, seul ou dans une feuille de style « auto-présentable »). Vérifiez le fichier choisi ou demandez-en une version CDA au logiciel qui l'a produit.",
  CDA_HEADER_INCOMPLETE:
    "L'en-tête du document CDA est incomplet : un élément obligatoire manque (voir le détail). Le document ne peut pas être envoyé au DMP tel quel ; faites-le corriger par le logiciel qui l'a produit.",
  CDA_PATIENT_INS_MISSING:
    "Le document CDA ne porte pas d'INS du patient (identifiant avec l'OID de l'INS). Il ne peut pas être envoyé au DMP : qualifiez l'identité du patient puis produisez à nouveau le document.",
  CDA_INPUT_INVALID:
    'Les informations du document sont incomplètes ou invalides (voir le champ signalé). Corrigez-les puis réessayez.',
  CDA_PDF_INVALID:
    "Le fichier fourni n'est pas un PDF (signature %PDF absente) ou il est vide. Choisissez un fichier PDF.",
  CDA_TYPE_CODE_UNKNOWN:
    "Ce type de document ne fait pas partie des types acceptés par le DMP. Choisissez un type dans la liste proposée.",
  CDA_VALIDATION_UNAVAILABLE:
    "La validation du document n'est pas possible sur ce poste : le dossier de référence officiel (schémas CDA, schématrons) ou l'outil de validation est absent. Renseignez PUPITRE_REFERENCE_DIR ou installez l'outil indiqué dans le détail.",
} as const;

export const codedValueSchema = z.object({
  code: z.string(),
  codeSystem: z.string(),
  displayName: z.string(),
});

export const cdaMethods = {
  /** Document types a practitioner may send to the DMP (typeCode, from the CI-SIS value set JDV_J07). */
  'cda.documentTypes': defineMethod({
    params: z.object({}),
    result: z.object({
      types: z.array(codedValueSchema),
      /** Source value set and its version, shown in the picker's help. */
      source: z.object({ name: z.string(), version: z.string() }),
    }),
  }),
} as const;

export const cdaEvents = {} as const;

export type CodedValueWire = z.infer<typeof codedValueSchema>;
