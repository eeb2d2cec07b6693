/**
 * How the database key is protected, and unlocking it with a passphrase where no real OS key
 * store exists (issue 14, point 8). While locked, the host answers these methods only.
 */
import { z } from 'zod';
import { defineMethod } from '../define';

export const vaultErrors = {
  VAULT_LOCKED: 'Pupitre est verrouillé : saisissez la phrase secrète de cette installation pour continuer.',
  VAULT_PASSPHRASE_WRONG: 'Phrase secrète incorrecte. Vérifiez la saisie (majuscules, accents) puis recommencez.',
  VAULT_PASSPHRASE_TOO_SHORT:
    'Cette phrase secrète est trop courte : choisissez au moins 12 caractères, par exemple quatre mots sans rapport entre eux.',
  VAULT_PASSPHRASE_REQUIRED:
    'Cette installation est protégée par une phrase secrète : donnez-la dans la variable PUPITRE_DB_PASSPHRASE pour utiliser la ligne de commande.',
  VAULT_ALREADY_UNLOCKED: 'Pupitre est déjà déverrouillé.',
} as const;

export const keyProtectionSchema = z.enum(['os-keystore', 'passphrase', 'key-file', 'environment']);
export type KeyProtection = z.infer<typeof keyProtectionSchema>;

export const vaultStatusSchema = z.object({
  state: z.enum(['locked', 'unlocked']),
  /** While locked: create a passphrase (first start) or type it. */
  mode: z.enum(['create', 'unlock']).nullable(),
  /** Why a passphrase protects this installation: no real OS key store, or asked for. */
  reason: z.enum(['basic_text', 'unavailable', 'requested']).nullable(),
  protection: keyProtectionSchema,
  /**
   * Set when the host stopped using a base found damaged after it started (the background
   * quick_check): every other method then answers this error; the desk shows it and nothing else.
   */
  halted: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type VaultStatus = z.infer<typeof vaultStatusSchema>;

const passphraseSchema = z.string().min(1).max(1024);

export const vaultMethods = {
  'vault.status': defineMethod({ params: z.object({}), result: vaultStatusSchema }),
  'vault.unlock': defineMethod({ params: z.object({ passphrase: passphraseSchema }), result: vaultStatusSchema }),
  'vault.create': defineMethod({ params: z.object({ passphrase: passphraseSchema }), result: vaultStatusSchema }),
  /**
   * The database key itself, to write down and keep away from the computer: with it, the base and
   * every backup can be opened on another machine (PUPITRE_DB_KEY, or `pupitre restore --key-file`).
   * Desk and terminal only (not on the connector's allow-list); audited.
   */
  'vault.recoveryKey': defineMethod({
    params: z.object({ confirm: z.literal(true) }),
    result: z.object({ keyHex: z.string().regex(/^[0-9a-f]{64}$/), groups: z.array(z.string()) }),
  }),
} as const;

export const vaultEvents = {
  'vault.unlocked': z.object({ at: z.string() }),
  /** The base was found damaged while the host ran: it stops using it (see `halted`). */
  'vault.halted': z.object({ code: z.string(), message: z.string() }),
} as const;
