/** Contract handlers of the CDA domain: the document types offered when sending to the DMP. */
import { documentTypes, documentTypesSource } from '../../services/cda';
import type { HandlerMap } from '../rpc';

export function createCdaHandlers(): HandlerMap {
  return {
    'cda.documentTypes': async () => ({ types: documentTypes(), source: documentTypesSource() }),
  };
}
