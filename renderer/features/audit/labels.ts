/**
 * French for people (issue 13): what the audit trail and the identity history record, in words.
 * The technical codes stay in the data (and in a details line for support); the screens show these
 * labels. An action not listed here is shown as « Autre action », its code in the details.
 */

/** Actions of the audit trail (services' `audit(...)` calls), grouped as the filter offers them. */
export const AUDIT_ACTIONS: Record<string, string> = {
  'patient.read': 'Consultation du dossier patient',
  'patient.search': 'Recherche de patients',
  'patient.list': 'Liste d’identités consultée',
  'patient.create': 'Création d’un patient',
  'patient.create.refused': 'Création refusée (doublon possible)',
  'patient.update': 'Modification du dossier patient',
  'patient.duplicates': 'Recherche de doublons',
  'patient.duplicate.distinct': 'Doublon potentiel écarté (personnes distinctes)',
  'patient.merge': 'Fusion de deux dossiers patients',
  'patient.merged-into': 'Dossier fusionné dans un autre',
  'patients.duplicates.list': 'Liste des doublons potentiels consultée',
  'patients.import.preview': 'Import de patients : vérification',
  'patients.import.commit': 'Import de patients',
  'patients.import.refused': 'Import de patients refusé',
  'identity.document-check': 'Justificatif d’identité contrôlé',
  'identity.attribute': 'Attribut d’identité (homonyme, douteuse, fictive)',
  'identity.insi-result': 'Identité INSi acceptée',
  'identity.insi-refused': 'Identité INSi non rattachée',
  'identity.datamatrix': 'Datamatrix INS affiché',
  'insi.lookup': 'Recherche INSi',
  'insi.search': 'Recherche INSi (traits saisis)',
  'insi.accept': 'Identité INSi acceptée',
  'insi.worklist.start': 'Liste de travail INSi lancée',
  'insi.worklist.report': 'Rapport de liste de travail INSi',
  'dmp.td02': 'Vérification du DMP (état, autorisation)',
  'dmp.td31': 'Liste des documents du DMP',
  'dmp.cached.read': 'Liste des documents du DMP connus sur ce poste',
  'dmp.td32': 'Lecture d’un document du DMP',
  'dmp.td03': 'Autorisation d’accès au DMP',
  'dmp.td21': 'Envoi d’un document au DMP',
  'dmp.send.queued': 'Document mis en file pour le DMP',
  'dmp.send.refused': 'Envoi au DMP refusé (l’identité du patient a changé)',
  'dmp.td33ab': 'Masquage ou visibilité d’un document du DMP',
  'dmp.td33c': 'Suppression d’un document du DMP',
  'dmp.td33d': 'Archivage d’un document du DMP',
  'dmp.emergency-access': 'Accès d’urgence au DMP (bris de glace)',
  'cards.session.opened': 'Carte CPS/CPE connectée (code porteur)',
  'cards.session.closed': 'Carte CPS/CPE retirée',
  'cards.session.refused': 'Carte CPS/CPE refusée (la carte qui signe n’est pas celle du code)',
  'cards.vitale.read': 'Lecture de carte Vitale',
  'apcv.context.opened': 'Appli carte Vitale : session ouverte',
  'apcv.context.read': 'Appli carte Vitale : bénéficiaires lus',
  'apcv.context.closed': 'Appli carte Vitale : session fermée',
  'apcv.scan.refused': 'Appli carte Vitale : scan refusé',
  'apcv.invoice.signed': 'Appli carte Vitale : facture signée',
  'apcv.invoice.refused': 'Appli carte Vitale : facture refusée',
  'adri.rights.acquired': 'Droits ADRi obtenus',
  'adri.rights.read': 'Droits ADRi consultés',
  'eprescription.prescribed': 'Ordonnance numérique rédigée',
  'eprescription.printed': 'Ordonnance imprimée',
  'eprescription.pdf': 'Ordonnance : PDF produit',
  'eprescription.register': 'Ordonnance enregistrée auprès de l’Assurance Maladie',
  'eprescription.get': 'Ordonnance consultée',
  'eprescription.list': 'Liste des ordonnances consultée',
  'eprescription.consulted': 'Ordonnance consultée à la délivrance',
  'eprescription.consult.failed': 'Consultation d’ordonnance impossible',
  'eprescription.dispensed': 'Délivrance enregistrée',
  'eprescription.execute': 'Délivrance transmise à l’Assurance Maladie',
  'eprescription.document.read': 'Document d’ordonnance lu',
  'drugs.import': 'Base de médicaments importée',
  'outbox.retry': 'Envoi relancé',
  'outbox.cancel': 'Envoi annulé',
  'settings.set': 'Paramètre modifié',
  'audit.consulted': 'Journal d’audit consulté',
};

/** Families of actions for the filter (a trailing dot selects the whole family on the host). */
export const AUDIT_FAMILIES: Record<string, string> = {
  'patient.': 'Dossiers patients',
  'identity.': 'Identitovigilance',
  'insi.': 'INSi',
  'dmp.': 'DMP',
  'cards.': 'Cartes',
  'eprescription.': 'Ordonnances numériques',
  'drugs.': 'Base de médicaments',
  'apcv.': 'Appli carte Vitale',
  'adri.': 'Droits (ADRi)',
  'outbox.': 'File d’envoi',
  'settings.': 'Paramètres',
};

export function auditActionLabel(action: string): string {
  return AUDIT_ACTIONS[action] ?? 'Autre action';
}

/** The name shown for an actor the host does not know by card (kept in step with handlers/audit.ts). */
export function fallbackActorName(actor: string): string {
  if (actor === 'poste') return 'Le poste (sans carte)';
  if (actor === 'système') return 'Pupitre (automatique)';
  if (actor === 'démo') return 'Données de démonstration';
  if (/^[0-9][0-9A-Z/]{8,}$/.test(actor)) return `Titulaire de la carte ${actor}`;
  return actor;
}
