/**
 * authentifierUtilisateurProximite: the raw payload of the QR code (or NFC answer), byte for byte,
 * with the professional's billing identity, under the CPS assertion. Returns the SI ApCV context.
 */
import type { ApcvClient, ApcvCredentials } from './client';
import { donneesFromPayload } from './payload';
import { authentifierUtilisateurProximite, type ApcvProfessional } from './request';
import { parseAuthentication, type AuthenticatedContext } from './response';

export async function authenticate(
  client: ApcvClient,
  payload: Uint8Array,
  professional: ApcvProfessional,
  credentials: ApcvCredentials,
  signal?: AbortSignal,
): Promise<AuthenticatedContext> {
  const content = await client.call('authenticate', authentifierUtilisateurProximite(professional, donneesFromPayload(payload)), credentials, signal);
  return parseAuthentication(content);
}
