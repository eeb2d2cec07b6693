/**
 * The renderer's Content-Security-Policy, shared by the Electron protocol handler and
 * `pupitre serve`: no remote content, no inline script, no eval; connections only to the local
 * host (the WebSocket of `pupitre serve`); images from data:/blob: (datamatrix, document
 * previews); workers from blob: and self (pdf.js); camera frames are media from blob:.
 * `'wasm-unsafe-eval'` lets the page compile WebAssembly, and nothing else (CSP Level 3: JavaScript
 * `eval` stays forbidden): the webcam decoder is zxing-cpp in WebAssembly, bundled with the app.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
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
