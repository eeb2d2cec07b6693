/**
 * XDS classCode from the document typeCode. The CI-SIS correspondence table is ASS_X04
 * "CorrespondanceType-Classe" (NOS), which the reference folder does not ship: the pairs below are
 * the ones the official DMPi examples state (TD2.1 request, TD3.1 response, package DMP v02.05.00),
 * completed for the other JDV_J07 types by the class their label names. A type not covered gets
 * no class and is reported as missing (the sender must not guess).
 */
import { CLASS_CODE_OID } from './oids';
import type { CodedValue } from './types';

// TRE_A03 ClasseDocument labels as written in the official DMPi examples.
const CLASSES = {
  '10': 'Compte rendu',
  '11': 'Synthèse',
  '31': 'Imagerie médicale',
  '42': 'Prescription',
  '43': 'Dispensation',
  '44': 'Plan de soins, protocole de soins',
  '52': 'Certificat, déclaration',
} as const;

type ClassCode = keyof typeof CLASSES;

/** Pairs stated by the official DMPi examples (TD2.1 request, TD3.1 response). */
const FROM_OFFICIAL_EXAMPLES: Readonly<Record<string, ClassCode>> = {
  '27899-4': '10',
  '52040-3': '31',
  '29551-9': '42',
  '52521-2': '42',
  '29550-1': '43',
  '18776-5': '44',
  PROT_ALD: '44',
  DISP_AUT: '43',
  '11488-4': '10',
  '11506-3': '10',
  CERT_DECL: '52',
  '11493-4': '10',
  '29554-3': '10',
  SYNTH: '11',
  '34133-9': '11',
  '15507-7': '10',
  '11490-0': '10',
  '46241-6': '10',
  '11502-2': '10',
  '11526-1': '10',
};

/**
 * JDV_J07 types whose label names their class unambiguously (modelled: to be replaced by ASS_X04
 * when the reference folder ships it).
 */
const FROM_LABEL: Readonly<Record<string, ClassCode>> = {
  '60591-5': '11',
  '68599-0': '11',
  '57055-6': '11',
  '57057-2': '11',
  '57075-4': '11',
  '89235-6': '11',
  '78489-2': '11',
  '18748-4': '31',
  '57828-6': '42',
  '57832-8': '42',
  '57833-6': '42',
  '55115-0': '42',
  'PRESC-AAT': '42',
  'PRESC-BIO': '42',
  'PRESC-KINE': '42',
  'PRESC-INF': '42',
  'PRESC-PEDI': '42',
  'PRESC-ORTHOPHO': '42',
  'PRESC-ORTHOPTIE': '42',
  '60593-1': '43',
  '77604-7': '44',
  '83869-8': '44',
  '89601-9': '52',
  '34112-3': '10',
  '11505-5': '10',
  '15508-5': '10',
  '34749-2': '10',
  '34794-8': '10',
  '34874-8': '10',
  '47420-5': '10',
  '51969-4': '10',
  '59283-2': '10',
  '60568-3': '10',
  '67851-6': '10',
  '70004-7': '10',
  '75482-0': '10',
  '75492-9': '10',
  '77436-4': '10',
  '78513-9': '10',
  '78601-2': '10',
  '85208-7': '10',
  '93024-8': '10',
  BIL_AUTO: '10',
};

export type ClassCodeSource = 'official-example' | 'label';

export function classCodeFor(typeCode: string): { value: CodedValue; source: ClassCodeSource } | undefined {
  const official = FROM_OFFICIAL_EXAMPLES[typeCode];
  const code = official ?? FROM_LABEL[typeCode];
  if (code === undefined) return undefined;
  return {
    value: { code, codeSystem: CLASS_CODE_OID, displayName: CLASSES[code] },
    source: official === undefined ? 'label' : 'official-example',
  };
}
