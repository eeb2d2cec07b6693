/**
 * services/apcv — the appli carte Vitale (ARCHITECTURE.md §2): SI ApCV client (SOAP 1.2,
 * WS-Addressing, CPS assertion, ContexteLPS), one file per use case (authenticate,
 * restore-context, destroy-context, sign-vitale), the session rules, the scan recogniser.
 * Public request shapes are verified against public templates (request.ts); answers, fault codes
 * and the QR payload shape are modelled (response.ts, payload.ts).
 */
export { authenticate } from './authenticate';
export { ApcvClient, APCV_DEFAULT_TIMEOUTS, isOffline, toApcvError, type ApcvClientDeps, type ApcvCredentials } from './client';
export { closeRecord, destroyRemoteContext } from './destroy-context';
export { checkPayloadSize, donneesFromPayload, MODELLED_APCV_PREFIX, recogniseApcvPayload, type ApcvRecognition } from './payload';
export {
  APCV_ACTIONS,
  APCV_NS,
  APCV_PATHS,
  authentifierUtilisateurProximite,
  detruireContexteApCV,
  restituerContexteApCV,
  signerVitale as signerVitaleRequest,
  type ApcvOperation,
  type ApcvProfessional,
  type InvoiceSummary,
  type InvoiceToSign,
} from './request';
export { APCV_FAULT_CODES, apcvFaultError, parseAuthentication, parseRestoredContext, parseSignature, type AuthenticatedContext, type RestoredContext } from './response';
export { restoreContext } from './restore-context';
export { ApcvService, type ApcvPractitioner, type ApcvServiceDeps, type ScanPayloadPort } from './service';
export { expiryOf, PUBLIC_APCV_LIMITS, timeLeftMs, viewOf, type ApcvContextRecord, type ApcvLimits } from './session-rules';
export { checkCanSign, signInvoice, type SignedInvoice } from './sign-vitale';
