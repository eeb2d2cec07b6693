import { readFileSync } from 'node:fs';
import type { BrowserWindowConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, servedContentSecurityPolicy } from '../contract/csp';
import { APP_ORIGIN, isNavigationAllowed, isPermissionAllowed, openMainWindow } from './window-options';

class CapturingWindow {
  static last: BrowserWindowConstructorOptions | undefined;
  constructor(options: BrowserWindowConstructorOptions) {
    CapturingWindow.last = options;
  }
}

describe('main window options', () => {
  openMainWindow(CapturingWindow);
  const prefs = CapturingWindow.last?.webPreferences ?? {};

  it('isolates and sandboxes the renderer', () => {
    expect(prefs).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
    });
  });

  it('does not load the preload through webPreferences (it is registered on the session)', () => {
    expect(prefs.preload).toBeUndefined();
  });

  it('allows only the camera, only for the app origin', () => {
    expect(isPermissionAllowed('media', APP_ORIGIN, ['video'])).toBe(true);
    expect(isPermissionAllowed('media', APP_ORIGIN, ['audio'])).toBe(false);
    expect(isPermissionAllowed('media', 'https://example.org', ['video'])).toBe(false);
    for (const permission of ['geolocation', 'notifications', 'clipboard-read', 'hid', 'usb', 'serial', 'openExternal']) {
      expect(isPermissionAllowed(permission, APP_ORIGIN)).toBe(false);
    }
  });

  it('allows navigation only inside the app', () => {
    expect(isNavigationAllowed(`${APP_ORIGIN}/index.html#/dmp`)).toBe(true);
    expect(isNavigationAllowed('https://www.ameli.fr/')).toBe(false);
    expect(isNavigationAllowed('file:///etc/passwd')).toBe(false);
    expect(isNavigationAllowed('not a url')).toBe(false);
  });
});

describe('content security policy', () => {
  const directives = new Map(CONTENT_SECURITY_POLICY.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));

  it('forbids remote code, inline scripts and eval (WebAssembly compilation only: the webcam decoder)', () => {
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/'unsafe-(eval|inline)'|https?:\/\/(?!127\.0\.0\.1|localhost)/);
  });

  it('is the same in the HTML meta tag as in the response header (meta cannot carry frame-ancestors)', () => {
    const html = readFileSync(new URL('../../renderer/index.html', import.meta.url), 'utf8');
    const meta = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
    expect(meta).toBe(CONTENT_SECURITY_POLICY.replace("; frame-ancestors 'none'", ''));
  });

  it('lets the Electron renderer connect to its own origin only, and pupitre serve to its own WebSocket port only (issue 14)', () => {
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    const served = new Map(servedContentSecurityPolicy(41234).split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
    expect(served.get('connect-src')).toEqual(["'self'", 'ws://127.0.0.1:41234', 'ws://localhost:41234']);
    expect(servedContentSecurityPolicy(41234)).not.toContain('*');
    expect(() => servedContentSecurityPolicy(0)).toThrow(RangeError);
  });
});
