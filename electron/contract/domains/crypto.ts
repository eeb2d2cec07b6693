/**
 * Cryptography (ARCHITECTURE.md §2, native/pkcs11 and platform/crypto): the professional's card
 * through PKCS#11 (ANS Cryptolib CPS, OpenSC, SoftHSM2 in demo) and structure certificates from
 * PEM or PKCS#12 files. No methods or events of its own: the cards, INSi and DMP services surface
 * these codes when a signature or a TLS client certificate is needed. Messages say what happened
 * and what to do next; details carry technical codes only (CKR_* names, never a PIN).
 */

export const cryptoErrors = {
  // The PKCS#11 module (card middleware).
  CRYPTO_MODULE_NOT_FOUND:
    "Le logiciel de la carte (module PKCS#11) est introuvable à l'emplacement indiqué. Installez la Cryptolib CPS de l'ANS (ou OpenSC) puis vérifiez son chemin dans les Paramètres.",
  CRYPTO_MODULE_INVALID:
    "Le logiciel de la carte (module PKCS#11) n'a pas pu être chargé : fichier invalide ou incompatible avec ce poste. Réinstallez la Cryptolib CPS adaptée à votre système, puis vérifiez son chemin dans les Paramètres.",
  CRYPTO_DEVICE_ERROR:
    "Le lecteur ou la carte a signalé une erreur. Retirez puis réinsérez la carte et réessayez ; si le problème persiste, consultez l'écran Diagnostic.",
  // The card (token).
  CRYPTO_TOKEN_ABSENT:
    "Aucune carte CPS ou CPE n'est détectée. Insérez votre carte dans le lecteur puis réessayez.",
  CRYPTO_SESSION_LOST:
    'La carte a été retirée ou la connexion avec elle a été perdue. Réinsérez la carte puis saisissez à nouveau votre code porteur.',
  CRYPTO_KEY_NOT_FOUND:
    "La clé attendue (authentification ou signature) est absente de la carte. Vérifiez qu'il s'agit bien de votre carte CPS ou CPE ; si oui, contactez l'ANS.",
  CRYPTO_CERTIFICATE_NOT_FOUND:
    "Le certificat attendu est absent de la carte ou du fichier. Vérifiez la carte insérée ou le certificat configuré dans les Paramètres.",
  // The PIN (code porteur).
  CRYPTO_PIN_REQUIRED: 'Le code porteur de la carte est nécessaire pour cette opération. Saisissez-le puis réessayez.',
  CRYPTO_PIN_INCORRECT:
    "Code porteur incorrect. Vérifiez-le et réessayez : après plusieurs erreurs la carte se bloque.",
  CRYPTO_PIN_FINAL_TRY:
    "Code porteur incorrect. Attention : il ne reste qu'un essai avant le blocage de la carte.",
  CRYPTO_PIN_LOCKED:
    "La carte est bloquée après trop de codes porteur erronés. Débloquez-la avec le code de déblocage (PUK) reçu avec la carte, ou commandez une nouvelle carte auprès de l'ANS.",
  CRYPTO_PIN_INVALID_FORMAT: 'Ce code porteur n’a pas le bon format (nombre de chiffres). Vérifiez-le puis réessayez.',
  CRYPTO_PIN_EXPIRED: 'Le code porteur de la carte doit être changé avant de pouvoir signer. Changez-le avec l’outil de gestion de la carte (CPS Gestion).',
  // Keys and certificates (structure certificates, chains).
  CRYPTO_KEY_UNSUPPORTED:
    'Cette clé ne peut pas produire une signature RSA SHA-256 (type de clé non pris en charge). Utilisez un certificat RSA délivré par l’IGC-Santé.',
  CRYPTO_KEY_MISMATCH:
    "La clé privée ne correspond pas au certificat fourni. Vérifiez que le fichier de clé et le certificat proviennent de la même commande de certificat.",
  CRYPTO_CERTIFICATE_UNREADABLE:
    'Le certificat ou la clé fournis sont illisibles (format PEM, DER ou PKCS#12 attendu). Vérifiez le fichier configuré dans les Paramètres.',
  CRYPTO_CERTIFICATE_EXPIRED:
    "Le certificat n'est pas valide à la date du jour (expiré ou pas encore valide). Renouvelez-le auprès de l'IGC-Santé ou vérifiez l'heure du poste.",
  CRYPTO_PASSPHRASE_INCORRECT:
    'Le mot de passe du fichier de certificat ou de clé (.p12, .pfx, .pem) est incorrect. Saisissez le mot de passe choisi lors du retrait du certificat.',
  CRYPTO_SIGNATURE_FAILED:
    "La signature n'a pas pu être produite. Vérifiez que la carte est insérée et le code porteur saisi, puis réessayez.",
} as const;

export type CryptoErrorCode = keyof typeof cryptoErrors;

export const cryptoMethods = {} as const;

export const cryptoEvents = {} as const;
