/**
 * Stands in for the engine tests of vitest's `tensorflow` project where native TensorFlow is not
 * installed (vitest.config.ts decides): one skipped test whose name says why.
 */
import { it } from 'vitest';

it.skip(`engine tests on the tensorflow backend — skipped: ${process.env.LATENTSCAPE_NATIVE_MISSING || 'native TensorFlow is not installed'}`, () => {});
