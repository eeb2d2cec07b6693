/**
 * The renderer's Content-Security-Policy, shared by the Electron protocol handler and
 * `pupitre serve`: no remote content, no inline script, no eval, one inline style (the shell's,
 * by its hash, so that the first paint needs no request); images from data:/blob:
 * (datamatrix, document previews); workers from blob: and self (pdf.js); camera frames are media
 * from blob:. `'wasm-unsafe-eval'` lets the page compile WebAssembly, and nothing else (CSP Level 3:
 * JavaScript `eval` stays forbidden): the webcam decoder is zxing-cpp in WebAssembly, bundled. Connections (issue 14, point 8): in Electron the renderer talks to the host over a
 * MessagePort, so `connect-src` is the app's own origin only; `pupitre serve` adds its own
 * WebSocket, on its own port — never any other local port (a page must not reach another local
 * service).
 */
const directives = (connect: string): string =>
  [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    // The one inline style: renderer/ui/shell.css, inlined into index.html (startup-shell.plugin.ts).
    "style-src 'self' 'sha256-h1XH/c+SrqvPBBcjDdbXIqwBXWmlztmmqvxBu6iVZAE='",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src ${connect}`,
    "media-src 'self' blob:",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');

/** Electron (and the HTML meta tag): the app's own origin only. */
export const CONTENT_SECURITY_POLICY = directives("'self'");

/** `pupitre serve` listening on `port`: its own origin and its own WebSocket. */
export function servedContentSecurityPolicy(port: number): string {
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new RangeError(`not a port: ${port}`);
  return directives(`'self' ws://127.0.0.1:${port} ws://localhost:${port}`);
}
