/**
 * The renderer's Content-Security-Policy, shared by the Electron protocol handler and
 * `pupitre serve`: no remote content, no inline script, no eval, one inline style (the shell's,
 * by its hash, so that the first paint needs no request); connections only to the local
 * host (the WebSocket of `pupitre serve`); images from data:/blob: (datamatrix, document
 * previews); workers from blob: and self (pdf.js); camera frames are media from blob:.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  // The one inline style: renderer/ui/shell.css, inlined into index.html (startup-shell.plugin.ts).
  "style-src 'self' 'sha256-h1XH/c+SrqvPBBcjDdbXIqwBXWmlztmmqvxBu6iVZAE='",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self' ws://127.0.0.1:* ws://localhost:*",
  "media-src 'self' blob:",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
