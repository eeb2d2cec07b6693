/**
 * Electron main process: a hardened window, the host in a utilityProcess, a MessagePort between
 * them, and nothing else (ARCHITECTURE.md §1). A crash of the host (a native addon) restarts the
 * host, never the window.
 */
import { app, BrowserWindow, dialog, MessageChannelMain, net, protocol, safeStorage, session, utilityProcess, type UtilityProcess } from 'electron';
import { existsSync, mkdirSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CONTENT_SECURITY_POLICY } from '../contract/csp';
import { messageFor } from '../contract/errors';
import { resolveDesktopKey, type DesktopKey } from './key-store';
import { APP_ENTRY, APP_SCHEME, isNavigationAllowed, isPermissionAllowed, openMainWindow } from './window-options';

const RENDERER_DIR = join(__dirname, '..', 'renderer');
const HOST_ENTRY = join(__dirname, 'host.cjs');
const PRELOAD = join(__dirname, 'preload.cjs');
const RESTART_DELAYS_MS = [200, 1_000, 5_000, 15_000];

protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
}

let window: BrowserWindow | null = null;
let host: UtilityProcess | null = null;
let restarts = 0;
let quitting = false;

/** Shows why Pupitre cannot open its base (French message with the next step) and quits. */
function stopWith(message: string): void {
  quitting = true;
  dialog.showErrorBox('Pupitre ne peut pas ouvrir sa base de données', message);
  host?.kill();
  app.quit();
}

/**
 * The database key: sealed by the OS key store, or — where the store is `basic_text` or absent —
 * protected by a passphrase the desk asks for (key-store.ts). Resolved once per launch.
 */
let desktopKey: DesktopKey | null = null;
function databaseKey(): DesktopKey {
  if (desktopKey === null) {
    const dir = app.getPath('userData');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    desktopKey = resolveDesktopKey(dir, safeStorage);
  }
  return desktopKey;
}

function startHost(): void {
  const key = databaseKey();
  if (key.kind === 'fatal') {
    stopWith(messageFor(key.code));
    return;
  }
  const child = utilityProcess.fork(HOST_ENTRY, [], { serviceName: 'Pupitre host', stdio: 'inherit' });
  host = child;
  child.postMessage({ kind: 'init', dataDir: app.getPath('userData'), key });
  // After the passphrase unlocked (or replaced) the key, a restarted host gets the key itself.
  child.on('message', (message: { kind?: string; code?: string; message?: string; keyHex?: string }) => {
    if (message.kind === 'fatal') stopWith(message.message ?? messageFor(message.code ?? 'INTERNAL'));
    if (message.kind === 'unlocked' && typeof message.keyHex === 'string') {
      desktopKey = { kind: 'ready', keyHex: message.keyHex, backend: 'passphrase', protection: 'passphrase' };
    }
  });
  child.on('exit', (code) => {
    host = null;
    if (quitting) return;
    const delay = RESTART_DELAYS_MS[Math.min(restarts, RESTART_DELAYS_MS.length - 1)] ?? 15_000;
    restarts += 1;
    window?.webContents.send('pupitre:host-exited', { code });
    setTimeout(() => {
      startHost();
      connectRenderer(true);
    }, delay);
  });
}

/** Gives the renderer a fresh MessagePort to the host (at start, and after each host restart). */
function connectRenderer(restarted: boolean): void {
  if (window === null || host === null) return;
  const { port1, port2 } = new MessageChannelMain();
  host.postMessage({ kind: 'connect' }, [port1]);
  window.webContents.postMessage('pupitre:port', { restarted }, [port2]);
}

function serveApp(): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const { pathname } = new URL(request.url);
    const file = normalize(join(RENDERER_DIR, decodeURIComponent(pathname)));
    if (!file.startsWith(RENDERER_DIR + sep)) return new Response('Forbidden', { status: 403 });
    const response = await net.fetch(pathToFileURL(existsSync(file) ? file : join(RENDERER_DIR, 'index.html')).toString());
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    headers.set('X-Content-Type-Options', 'nosniff');
    return new Response(response.body, { status: response.status, headers });
  });
}

function lockDownSession(): void {
  const ses = session.defaultSession;
  ses.registerPreloadScript({ type: 'frame', id: 'pupitre-bridge', filePath: PRELOAD });
  ses.setPermissionRequestHandler((contents, permission, callback, details) => {
    const mediaTypes = 'mediaTypes' in details ? (details.mediaTypes ?? []) : [];
    callback(isPermissionAllowed(permission, contents.getURL(), mediaTypes));
  });
  ses.setPermissionCheckHandler((_contents, permission, requestingOrigin) => isPermissionAllowed(permission, requestingOrigin, ['video']));
  // The CSP is also set on every response the session sees, whatever served it.
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  ses.webRequest.onBeforeRequest((details, callback) => {
    const allowed = details.url.startsWith(`${APP_SCHEME}:`) || details.url.startsWith('devtools:') || details.url.startsWith('blob:') || details.url.startsWith('data:');
    callback({ cancel: !allowed });
  });
}

function createWindow(): void {
  window = openMainWindow(BrowserWindow);
  window.webContents.on('will-navigate', (event, url) => {
    if (!isNavigationAllowed(url)) event.preventDefault();
  });
  // No new windows, no external links opened from the renderer.
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  window.webContents.on('will-attach-webview', (event) => event.preventDefault());
  window.once('ready-to-show', () => window?.show());
  window.webContents.on('did-finish-load', () => connectRenderer(false));
  window.on('closed', () => {
    window = null;
  });
  void window.loadURL(APP_ENTRY);
}

app.on('second-instance', () => {
  if (window) {
    if (window.isMinimized()) window.restore();
    window.focus();
  }
});

app.on('before-quit', () => {
  quitting = true;
  host?.kill();
});

app.on('window-all-closed', () => app.quit());

void app.whenReady().then(() => {
  lockDownSession();
  serveApp();
  startHost();
  createWindow();
});
