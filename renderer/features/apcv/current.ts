/**
 * The appli carte Vitale context the desk is working with (one at a time), shared by the intake
 * screen, the top-bar countdown and the Démo panel. Only its local id is kept here (sessionStorage
 * survives a reload of the page, never the browser session); its people stay in the host.
 */
import { useSyncExternalStore } from 'react';

const KEY = 'pupitre.apcv.context';
const listeners = new Set<() => void>();

function read(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function setCurrentApcvContext(id: string | null): void {
  try {
    if (id === null) sessionStorage.removeItem(KEY);
    else sessionStorage.setItem(KEY, id);
  } catch {
    // Storage refused (private mode): the id still lives in this page through the listeners.
  }
  current = id;
  pendingPick = id !== null;
  for (const listener of listeners) listener();
}

let pendingPick = false;

/** True once after a new session was set: the intake screen opens the picker for it, once. */
export function takePendingPick(): boolean {
  const pending = pendingPick;
  pendingPick = false;
  return pending;
}

let current: string | null = read();

export function useCurrentApcvContext(): string | null {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => current,
  );
}

/** « 12:34 » from milliseconds. */
export function formatTimeLeft(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}
