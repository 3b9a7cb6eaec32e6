/**
 * `npm start`, step 1: make sure Electron's binary is there (downloading it through Electron's own
 * installer the first time), or exit 1 with what failed and how to fix it. Step 2 (electron-vite dev)
 * runs only after this succeeds. See scripts/electron-binary.ts.
 *
 * `--electron-dir DIR` points it at another copy of the electron package (the tests use one, so the
 * project's own node_modules/electron is never touched by them).
 */
import { resolve } from 'node:path';
import { ensureElectron } from './electron-binary';

const at = process.argv.indexOf('--electron-dir');
const electronDir = at > 0 && process.argv[at + 1] ? resolve(process.argv[at + 1]) : undefined;

const result = await ensureElectron({ echo: true, electronDir });
if (!result.ok) {
  process.stderr.write(`\n${result.message}\n\n`);
  process.exitCode = 1;
}
