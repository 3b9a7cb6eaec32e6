/**
 * The app:// protocol: serves the built renderer (out/renderer) with the CSP header, instead of
 * file:// (which would give the page access to every local file's origin).
 */
import { net, protocol } from 'electron';
import { pathToFileURL } from 'node:url';
import { APP_SCHEME, appProtocolResponse } from './security';

/** Must run before app 'ready'. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } }]);
}

export function handleAppProtocol(rendererDir: string): void {
  protocol.handle(APP_SCHEME, (request) =>
    appProtocolResponse(rendererDir, request.url, async (file) => {
      const response = await net.fetch(pathToFileURL(file).href).catch(() => null);
      return response?.ok ? response.body : null;
    }),
  );
}
