/**
 * The renderer's Content-Security-Policy, the same for Electron (app:// protocol responses) and the
 * serve host (HTTP header): only our own scripts and styles, no eval, no inline code, no plugins,
 * no framing; `connect` adds the WebSocket origin the browser build talks to.
 */
export function contentSecurityPolicy(connect: readonly string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src ${["'self'", ...connect].join(' ')}`,
    "worker-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}
