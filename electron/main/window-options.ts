/**
 * The renderer window's options, as a pure function so a unit test can assert every security
 * setting (ARCHITECTURE.md §6; Electron security checklist).
 */
import type { BrowserWindowConstructorOptions } from 'electron';

export const APP_SCHEME = 'pupitre';
export const APP_ORIGIN = `${APP_SCHEME}://app`;
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

/**
 * The preload script is registered on the session (`registerPreloadScript`, see main/index.ts),
 * not in webPreferences: it is the app's own bundled file, and it exposes only `invoke` and
 * `subscribe` (electron/preload/index.ts).
 *
 * Creates the main window. The constructor is a parameter so that a unit test can capture the
 * exact options, and the options stay a literal at the `new BrowserWindow(...)` call so that
 * electronegativity's static checks see them.
 */
export function openMainWindow<T>(BrowserWindow: new (options: BrowserWindowConstructorOptions) => T): T {
  return new BrowserWindow({
    width: 1360,
    height: 860,
    minWidth: 1024,
    minHeight: 640,
    show: false,
    title: 'Pupitre',
    backgroundColor: '#f4f6f8',
    autoHideMenuBar: false,
    webPreferences: {
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
      // Middle-click must not open links in a new window (electronegativity AUXCLICK_JS_CHECK).
      disableBlinkFeatures: 'Auxclick',
    },
  });
}

/** Permissions the renderer may get: the camera (QR scanning of the appli carte Vitale), nothing else. */
export function isPermissionAllowed(permission: string, requestingOrigin: string, mediaTypes: readonly string[] = []): boolean {
  if (requestingOrigin !== APP_ORIGIN && !isNavigationAllowed(requestingOrigin)) return false;
  if (permission !== 'media') return false;
  return mediaTypes.every((type) => type === 'video');
}

/** Navigation is allowed only inside the app itself. */
export function isNavigationAllowed(url: string): boolean {
  try {
    // WHATWG URL gives a custom scheme the opaque origin "null": compare scheme and host instead.
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === 'app';
  } catch {
    return false;
  }
}
