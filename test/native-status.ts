/**
 * Whether native TensorFlow (tfjs-node with libtensorflow and its built addon) is installed here:
 * decides whether the engine tests and the e2e training on the `tensorflow` backend run or are
 * skipped with this reason (vitest.config.ts, test/e2e/backends.spec.ts).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Why native TensorFlow is not here, or null when tfjs-node, libtensorflow and the addon are. */
export function nativeMissing(root: string): string | null {
  const pkg = join(root, 'node_modules', '@tensorflow', 'tfjs-node');
  if (!existsSync(join(pkg, 'package.json'))) return '@tensorflow/tfjs-node is not installed (`npm run setup:native` sets it up)';
  const lib = join(pkg, 'deps', 'lib');
  if (!existsSync(lib) || !readdirSync(lib).some((f) => f.startsWith('libtensorflow')))
    return 'libtensorflow is not installed (`npm run setup:native` fetches it)';
  const built = existsSync(join(pkg, 'lib')) && readdirSync(join(pkg, 'lib')).some((d) => existsSync(join(pkg, 'lib', d, 'tfjs_binding.node')));
  if (!built) return "tfjs-node's addon is not built (`npm run setup:native` builds it)";
  return null;
}
