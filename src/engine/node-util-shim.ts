/**
 * Puts back the `util` predicates that @tensorflow/tfjs-node 4.22.0 (its last release) calls and
 * that newer Node versions removed. Must run before tfjs-node's first op.
 *
 * What tfjs-node 4.22.0 reads from `require('util')` at run time (its dist/, grep `util_1.`):
 * - `isNullOrUndefined`: nodejs_kernel_backend.js (every op's output handling) and
 *   kernels/TopK.js. Removed in Node 23 (DEP0051): the first op throws
 *   "(0 , util_1.isNullOrUndefined) is not a function" (upstream tensorflow/tfjs#8609, fixed
 *   after 4.22.0 and never released).
 * - `isArray`: nodejs_kernel_backend.js. Deprecated (DEP0044) and still present in Node 24;
 *   restored too in case a later Node drops it.
 * - `promisify`: io/file_system.js, saved_model.js. Current API, nothing to do.
 * Its runtime dependencies (@mapbox/node-pre-gyp's `find`, google-protobuf) use none of them.
 * Electron ≥ 40 embeds Node 24, and so does the current Node LTS.
 */
import util from 'node:util';

type Predicate = (value: unknown) => boolean;

const REMOVED: Record<string, Predicate> = {
  isNullOrUndefined: (value) => value === null || value === undefined,
  isArray: (value) => Array.isArray(value),
};

/** Defines each missing predicate on Node's `util`; returns the names it had to add. */
export function restoreNodeUtil(): string[] {
  const target = util as unknown as Record<string, unknown>;
  const added: string[] = [];
  for (const [name, fn] of Object.entries(REMOVED)) {
    if (typeof target[name] === 'function') continue;
    target[name] = fn;
    added.push(name);
  }
  return added;
}
