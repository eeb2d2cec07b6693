/**
 * Transport platform (ARCHITECTURE.md §2, platform/xml, platform/soap, platform/http): safe XML,
 * signatures, SOAP 1.2 + MTOM, HTTPS. No methods or events of its own: services (INSi, DMP, outbox)
 * surface these codes when an exchange fails. Every message says whether the request reached the
 * remote service, because that is what the user (and the outbox) must know before sending again.
 */

export const transportErrors = {
  // Network and TLS: the request did not leave this computer, nothing happened remotely.
  TRANSPORT_CONNECTION_REFUSED:
    "Le service distant refuse la connexion. La demande n'a pas été transmise ; elle sera renvoyée automatiquement. Si le problème persiste, vérifiez l'adresse du service dans les Paramètres.",
  TRANSPORT_HOST_NOT_FOUND:
    "L'adresse du service distant est introuvable (pas de réseau ou nom inconnu). La demande n'a pas été transmise ; vérifiez la connexion Internet et l'adresse du service.",
  TRANSPORT_NETWORK_UNREACHABLE:
    "Le réseau est inaccessible. La demande n'a pas été transmise ; elle sera renvoyée quand la connexion reviendra.",
  TRANSPORT_CONNECTION_RESET:
    "La connexion a été coupée avant l'envoi complet de la demande. Rien n'a été transmis ; elle sera renvoyée automatiquement.",
  TRANSPORT_TIMEOUT:
    "Le service distant n'a pas pu être joint à temps. La demande n'a pas été transmise ; elle sera renvoyée automatiquement.",
  TRANSPORT_TLS_FAILED:
    "La connexion sécurisée avec le service distant a échoué (certificat refusé, expiré ou non reconnu). La demande n'a pas été transmise ; vérifiez la carte ou le certificat de la structure et l'heure du poste.",
  TRANSPORT_CLIENT_CERTIFICATE_INVALID:
    "Le certificat d'authentification configuré est illisible (fichier ou mot de passe incorrect). Corrigez-le dans les Paramètres.",
  TRANSPORT_ABORTED: "L'échange avec le service distant a été interrompu à la demande de Pupitre.",
  // The request was sent: the remote side may have acted on it. The outbox checks before resending.
  TRANSPORT_TIMEOUT_OUTCOME_UNKNOWN:
    "La demande a été envoyée mais le service n'a pas répondu à temps : elle a peut-être été prise en compte. Pupitre vérifiera auprès du service avant de la renvoyer.",
  TRANSPORT_CONNECTION_LOST:
    "La connexion a été coupée après l'envoi de la demande : elle a peut-être été prise en compte. Pupitre vérifiera auprès du service avant de la renvoyer.",
  TRANSPORT_MALFORMED_RESPONSE:
    "La réponse du service distant est illisible. La demande a peut-être été prise en compte ; Pupitre vérifiera avant de la renvoyer. Si cela se répète, consultez l'écran Diagnostic.",
  TRANSPORT_RESPONSE_TOO_LARGE:
    "La réponse du service distant dépasse la taille autorisée et a été refusée. La demande a peut-être été prise en compte ; consultez l'écran Diagnostic.",
  // HTTP answers.
  TRANSPORT_HTTP_SERVER_ERROR:
    'Le service distant est momentanément en erreur. La demande sera renvoyée automatiquement un peu plus tard.',
  TRANSPORT_HTTP_CLIENT_ERROR:
    "Le service distant a refusé la demande comme invalide ou non autorisée. Elle ne sera pas renvoyée telle quelle ; consultez l'écran Diagnostic.",
  TRANSPORT_HTTP_UNEXPECTED_STATUS:
    "Le service distant a répondu de façon inattendue (redirection). Vérifiez l'adresse du service dans les Paramètres.",
  // SOAP and MTOM.
  SOAP_FAULT:
    "Le service distant a refusé la demande (erreur SOAP). Le détail de l'erreur est dans l'écran Diagnostic.",
  SOAP_MALFORMED:
    "La réponse du service distant n'est pas un message SOAP 1.2 valide. Consultez l'écran Diagnostic.",
  MTOM_MALFORMED:
    "La réponse en plusieurs parties (MTOM) du service distant est illisible ou incomplète. Consultez l'écran Diagnostic.",
  MTOM_PART_MISSING:
    "Un document annoncé dans la réponse du service distant est absent du message. Réessayez ; si cela se répète, consultez l'écran Diagnostic.",
  // XML.
  XML_MALFORMED: "Un document XML reçu est mal formé et n'a pas pu être lu.",
  XML_DOCTYPE_FORBIDDEN:
    "Ce document XML contient une déclaration DOCTYPE (DTD, entités) : Pupitre le refuse par sécurité, car elle permet de lire des fichiers du poste ou de joindre un autre serveur. Demandez une version sans DOCTYPE au logiciel qui l'a produit.",
  XML_XINCLUDE_FORBIDDEN:
    "Ce document XML demande l'inclusion d'autres fichiers (XInclude) : Pupitre le refuse par sécurité. Demandez une version autonome au logiciel qui l'a produit.",
  XML_TOO_LARGE: 'Un document XML reçu dépasse la taille autorisée et a été refusé.',
  XML_TOO_DEEP: "Un document XML reçu est trop profondément imbriqué et a été refusé par sécurité.",
  XML_TOO_COMPLEX:
    "Un document XML reçu contient trop d'éléments pour sa taille (il occuperait trop de mémoire) et a été refusé par sécurité.",
  XML_ENCODING_UNSUPPORTED: "Un document XML reçu utilise un encodage de caractères non pris en charge.",
  XML_ENCODING_INVALID:
    "Ce document XML contient des octets qui ne correspondent pas à son encodage déclaré (UTF-8 par défaut) : il est refusé plutôt que lu avec des caractères remplacés. Réenregistrez-le dans son encodage (UTF-8) puis réessayez.",
  XML_INVALID_CHARACTER:
    'Une donnée contient un caractère interdit en XML (caractère de contrôle). Corrigez la saisie puis réessayez.',
  XML_VALUE_MISSING: "Une information attendue manque dans la réponse du service distant.",
  XML_VALUE_INVALID: "Une information de la réponse du service distant a un format inattendu.",
  XML_SIGNATURE_INVALID:
    'La signature électronique du message est invalide : le message a pu être modifié. Il a été refusé.',
  XML_SIGNATURE_UNTRUSTED:
    "La signature électronique du message provient d'un certificat non reconnu ou expiré. Le message a été refusé.",
  XML_SIGNATURE_UNSUPPORTED:
    'La signature électronique du message utilise un algorithme refusé par Pupitre. Le message a été refusé.',
  XML_SIGNING_FAILED:
    "La signature électronique n'a pas pu être produite. Vérifiez que la carte est insérée et le code porteur saisi, puis réessayez.",
} as const;

export type TransportErrorCode = keyof typeof transportErrors;

export const transportMethods = {} as const;

export const transportEvents = {} as const;
