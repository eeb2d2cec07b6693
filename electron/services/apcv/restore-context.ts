/** restituerContexteApCV: the context's data (insured person, coverage, beneficiaries). */
import type { ApcvClient, ApcvCredentials } from './client';
import { restituerContexteApCV } from './request';
import { parseRestoredContext, type RestoredContext } from './response';

export async function restoreContext(client: ApcvClient, credentials: ApcvCredentials, signal?: AbortSignal): Promise<RestoredContext> {
  const content = await client.call('restore', restituerContexteApCV(), credentials, signal);
  return parseRestoredContext(content);
}
