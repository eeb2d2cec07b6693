/**
 * detruireContexteApCV: the patient is done (or the context must not outlive a failure). The
 * local record forgets its people at once; the remote call is best effort (an expired or already
 * destroyed context is gone anyway) and its failure is logged, never shown as the desk's problem.
 */
import type { Logger } from '../../platform/log';
import type { ApcvClient, ApcvCredentials } from './client';
import { detruireContexteApCV } from './request';
import { parseDestroyed } from './response';
import type { ApcvContextRecord } from './session-rules';

export async function destroyRemoteContext(client: ApcvClient, identifier: string, credentials: ApcvCredentials, logger: Logger): Promise<boolean> {
  try {
    parseDestroyed(await client.call('destroy', detruireContexteApCV(identifier), credentials));
    return true;
  } catch (error) {
    logger.warn('apcv.destroy_failed', { code: (error as { code?: string }).code ?? 'unknown' });
    return false;
  }
}

/** Ends the local record: closed, people forgotten. True when it was still open. */
export function closeRecord(record: ApcvContextRecord): boolean {
  const wasOpen = record.state === 'open';
  record.state = record.state === 'expired' ? 'expired' : 'closed';
  record.beneficiaries = [];
  return wasOpen;
}
