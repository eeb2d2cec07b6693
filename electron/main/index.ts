/**
 * Electron main process: a hardened window, the host in a utilityProcess, a MessagePort between
 * them, and nothing else (ARCHITECTURE.md §1). A crash of the host (a native addon) restarts the
 * host, never the window.
 */
import { app, BrowserWindow, MessageChannelMain, net, protocol, safeStorage, session, utilityProcess, type UtilityProcess } from 'electron';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CONTENT_SECURITY_POLICY } from '../contract/csp';
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

/** The database key, sealed by the OS key store (safeStorage) and kept in the data directory. */
function databaseKey(): string {
  const dir = app.getPath('userData');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const sealedPath = join(dir, 'db.key.sealed');
  if (existsSync(sealedPath)) return safeStorage.decryptString(readFileSync(sealedPath));
  const key = randomBytes(32).toString('hex');
  if (!safeStorage.isEncryptionAvailable()) throw new Error('OS key store unavailable: cannot protect the database key');
  writeFileSync(sealedPath, safeStorage.encryptString(key), { mode: 0o600 });
  return key;
}

function startHost(): void {
  const child = utilityProcess.fork(HOST_ENTRY, [], { serviceName: 'Pupitre host', stdio: 'inherit' });
  host = child;
  child.postMessage({ kind: 'init', dataDir: app.getPath('userData'), keyHex: databaseKey() });
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
