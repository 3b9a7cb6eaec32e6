/**
 * Loaded (--require) into Electron's installer by scripts/electron-binary.ts. Node's fetch rejects
 * with a bare "fetch failed" and keeps the reason (ECONNREFUSED, ENOTFOUND, a TLS error, …) in
 * `cause`; install.js prints only the stack, so the reason would be lost. This re-throws the same
 * failure with the cause in its message. Nothing else about the download changes.
 */
'use strict';

const originalFetch = globalThis.fetch;
if (typeof originalFetch === 'function') {
  globalThis.fetch = function fetchWithCause(...args) {
    return originalFetch.apply(this, args).catch((err) => {
      const cause = err && err.cause;
      if (!cause) throw err;
      const reason =
        cause.message && cause.code && !String(cause.message).includes(cause.code) ? `${cause.code} ${cause.message}` : cause.message || cause.code;
      const described = new TypeError(`${err.message}: ${reason}`, { cause });
      throw described;
    });
  };
}
