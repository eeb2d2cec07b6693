/**
 * The one query layer over the bridge (react-query): server state comes from the host, events
 * invalidate or update it. Components never talk to the transport directly.
 */
import { QueryClient, QueryClientProvider, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import type { EventName, EventPayload, MethodName, MethodParams, MethodResult } from '../../electron/contract';
import type { Bridge, ConnectionState } from './types';

const BridgeContext = createContext<Bridge | null>(null);

export function BridgeProvider({ bridge, children }: { bridge: Bridge; children: ReactNode }) {
  const [client] = useState(
    () => new QueryClient({ defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false, staleTime: 5_000 } } }),
  );
  return (
    <BridgeContext.Provider value={bridge}>
      <QueryClientProvider client={client}>{children}</QueryClientProvider>
    </BridgeContext.Provider>
  );
}

export function useBridge(): Bridge {
  const bridge = useContext(BridgeContext);
  if (bridge === null) throw new Error('BridgeProvider missing');
  return bridge;
}

export function useHostQuery<M extends MethodName>(
  method: M,
  params: MethodParams<M>,
  options?: {
    enabled?: boolean;
    refetchInterval?: number;
    /**
     * Keep showing the previous answer while the new one loads, when the previous call's params
     * allow it (e.g. the same patient, a wider search): nothing blinks, nothing of another patient shows.
     */
    keepPreviousWhile?: (previous: MethodParams<M>) => boolean;
  },
) {
  const bridge = useBridge();
  const keep = options?.keepPreviousWhile;
  return useQuery({
    queryKey: [method, params],
    queryFn: () => bridge.invoke(method, params),
    ...(options?.enabled === undefined ? {} : { enabled: options.enabled }),
    ...(options?.refetchInterval === undefined ? {} : { refetchInterval: options.refetchInterval }),
    ...(keep === undefined
      ? {}
      : {
          // (react-query's placeholder type does not resolve through the generic method name: same value, cast.)
          placeholderData: ((previous: unknown, query?: { queryKey: readonly unknown[] }) =>
            query !== undefined && keep(query.queryKey[1] as MethodParams<M>) ? previous : undefined) as never,
        }),
  });
}

export function useHostMutation<M extends MethodName>(method: M, invalidates: MethodName[] = []) {
  const bridge = useBridge();
  const client = useQueryClient();
  return useMutation<MethodResult<M>, Error, MethodParams<M>>({
    mutationFn: (params) => bridge.invoke(method, params),
    onSuccess: async () => {
      await Promise.all(invalidates.map((name) => client.invalidateQueries({ queryKey: [name] })));
    },
  });
}

/** Subscribes to a host event for the lifetime of the component. */
export function useHostEvent<E extends EventName>(event: E, callback: (payload: EventPayload<E>) => void): void {
  const bridge = useBridge();
  useEffect(() => bridge.subscribe(event, callback), [bridge, event, callback]);
}

/** The latest payload of an event, or null before the first one. */
export function useLatestEvent<E extends EventName>(event: E): EventPayload<E> | null {
  const bridge = useBridge();
  const [latest, setLatest] = useState<EventPayload<E> | null>(null);
  useEffect(() => bridge.subscribe(event, setLatest), [bridge, event]);
  return latest;
}

export function useConnectionState(): ConnectionState {
  const bridge = useBridge();
  const [state, setState] = useState<ConnectionState>('connecting');
  useEffect(() => bridge.onConnectionChange(setState), [bridge]);
  return state;
}
