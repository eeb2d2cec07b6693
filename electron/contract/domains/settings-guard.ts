/**
 * Two-step changes of security-sensitive settings (issue 14, point 6; policies in
 * `contract/settings-policy.ts`). A confirmation is bound to the window that asked for it, used
 * once, and expires after a few minutes.
 */
import { z } from 'zod';
import { defineMethod } from '../define';
import { settingKeySchema, settingsSchema } from './core';

export const settingsGuardErrors = {
  CONNECTOR_METHOD_NOT_ALLOWED:
    "Cette action n'est pas ouverte aux logiciels connectés à Pupitre : faites-la depuis Pupitre lui-même.",
  SETTINGS_CONFIRMATION_REQUIRED:
    'Ce paramètre protège la sécurité du poste : sa modification doit être confirmée depuis l’écran Paramètres de Pupitre.',
  SETTINGS_CHANGE_EXPIRED:
    'Cette demande de modification a expiré ou a déjà été utilisée : recommencez la modification depuis l’écran Paramètres.',
  SETTINGS_PIN_REQUIRED: 'Ce paramètre protège un certificat : saisissez le code de votre carte CPS pour confirmer.',
  SETTINGS_PIN_REJECTED:
    'Code de la carte CPS erroné : la modification n’a pas été faite. Attention, la carte se bloque après trop d’erreurs.',
} as const;

export const settingsGuardMethods = {
  /** Validates the value and returns what the change allows; nothing is written yet. */
  'settings.requestChange': defineMethod({
    params: z.object({ key: settingKeySchema, value: z.unknown() }),
    result: z.object({
      changeId: z.string(),
      key: settingKeySchema,
      /** The value as it will be stored (a URL normalised, say). */
      value: z.unknown(),
      consequence: z.string(),
      cpsPin: z.boolean(),
      expiresAt: z.string(),
    }),
  }),
  /** Applies a requested change; `pin` when the setting protects a certificate. */
  'settings.confirmChange': defineMethod({
    params: z.object({ changeId: z.string().max(100), pin: z.string().max(16).optional() }),
    result: settingsSchema,
  }),
} as const;
