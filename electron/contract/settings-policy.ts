/**
 * Which settings are security-sensitive (issue 14, point 6). A sensitive setting is changed only
 * from the desk's own UI or the terminal — never through the local connector — in two steps: the
 * host validates the value and answers with what the change allows (`settings.requestChange`),
 * the user confirms (`settings.confirmChange`), with the CPS/CPE code when the setting protects a
 * certificate. Every key of the contract must be classified here: a new setting does not compile
 * until someone decided.
 */
import type { SettingKey } from './domains/core';

export interface SettingPolicy {
  sensitive: boolean;
  /** What a change allows, in French: the confirmation shows it. Required when sensitive. */
  consequence?: string;
  /** The CPS/CPE code is checked on the card before the change (a setting that protects a certificate). */
  cpsPin?: boolean;
}

export const SETTING_POLICIES: Record<SettingKey, SettingPolicy> = {
  environment: { sensitive: false },
  'lps.cndaAuthorisation': { sensitive: false },
  'endpoints.insi': {
    sensitive: true,
    consequence:
      'Les identités des patients et les demandes de qualification INS seront envoyées à cette nouvelle adresse. Vérifiez qu’elle vient du GIE SESAM-Vitale.',
  },
  'endpoints.dmp': {
    sensitive: true,
    consequence: 'Les documents et les consultations du DMP des patients passeront par cette nouvelle adresse. Vérifiez qu’elle vient de l’éditeur du DMP.',
  },
  'endpoints.eprescription': {
    sensitive: true,
    consequence:
      'Les ordonnances numériques et leurs délivrances seront envoyées à cette nouvelle adresse. Vérifiez qu’elle vient de l’Assurance Maladie (téléservice e-prescription).',
  },
  // Printed on the prescriptions; they protect no secret and reach no service by themselves.
  'practitioner.amNumber': { sensitive: false },
  'practitioner.address': { sensitive: false },
  'practitioner.phone': { sensitive: false },
  // Billing identity and calendar: they decide amounts and deadlines, not where data goes.
  'practitioner.specialty': { sensitive: false },
  'practitioner.conventionSector': { sensitive: false },
  'billing.holidays': { sensitive: false },
  'outbox.retentionDays': { sensitive: false },
  // How fast the worklist asks INSi: it changes when answers come, not where data goes.
  'insi.worklistRequestsPerSecond': { sensitive: false },
  // Which DMP documents a first opening lists and the sending dialog offers first.
  'dmp.preferredTypeCodes': { sensitive: false },
  pkcs11Module: {
    sensitive: true,
    consequence:
      'Pupitre chargera cette bibliothèque et lui confiera le code de la carte CPS et les signatures. N’indiquez que la Cryptolib CPS de l’ANS ou le module d’OpenSC installés par votre système.',
  },
  allowedOrigins: {
    sensitive: true,
    consequence:
      'Les pages web de ces adresses pourront lire les cartes, faire vérifier le code de la carte CPS et interroger INSi par Pupitre. N’ajoutez que le logiciel de votre cabinet.',
  },
  'backup.folder': {
    sensitive: true,
    consequence:
      'Les sauvegardes chiffrées de toute la base (patients, documents, journal) seront écrites dans ce dossier. Choisissez un disque à vous, de préférence un autre que celui de Pupitre.',
  },
  // Structure certificates authenticate the structure without any card (issue 13): the PKCS#12
  // passphrase proves the file is the user's; no CPS code asked (the point is to work without one).
  'certificates.insi': {
    sensitive: true,
    consequence:
      'Pupitre interrogera l’INSi au nom de la structure avec ce certificat, sans carte CPS, y compris pour les listes de travail. N’indiquez que le certificat INSI-MANU ou INSI-AUTO délivré par l’ANS à votre structure.',
  },
  'certificates.dmp': {
    sensitive: true,
    consequence:
      'Pupitre pourra envoyer des documents au DMP au nom de la structure (mode indirect), sans carte CPS. N’indiquez que les certificats ORG AUTH_CLI et ORG SIGN délivrés par l’ANS à votre structure.',
  },
  'backup.intervalHours': { sensitive: false },
  'backup.keep': { sensitive: false },
};

export function settingPolicy(key: SettingKey): SettingPolicy {
  return SETTING_POLICIES[key];
}
