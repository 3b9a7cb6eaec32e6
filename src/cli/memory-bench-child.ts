/**
 * One piece of work of the memory bench (memory-bench.ts), alone in its process, so the process's
 * maxRSS is that work's peak: `idle` (the backend started and the model loaded), `sample64` (the
 * `latentscape sample --n 64` command itself) or `strip` (the library strip the engine decodes).
 * argv: work, model folder, output folder, backend. Sends { maxrss_kb } to the parent when done.
 */
import { join } from 'node:path';
import { initBackend } from '../engine/backend';
import { modelSamples } from '../engine/model-samples';
import { loadModel } from '../engine/train/checkpoint';
import { MAX_MODEL_SAMPLES, MODEL_SAMPLES_SEED } from '../shared/limits';
import { run as sample } from './commands/sample';
import type { ChildReport } from './memory-bench';

// A bench that is stopped takes its child with it.
process.on('disconnect', () => process.exit(1));
const [work, modelDir, outDir, backend] = process.argv.slice(2);
if (work === 'sample64') {
  await sample(['--model', modelDir, '--n', '64', '--out', join(outDir, 'sample64.png'), '--backend', backend, '--json']);
} else {
  await initBackend(backend);
  if (work === 'strip') await modelSamples(modelDir, MAX_MODEL_SAMPLES, MODEL_SAMPLES_SEED);
  else if (work === 'idle') (await loadModel(modelDir)).vae.dispose();
  else throw new Error(`unknown work "${work}"`);
}
const report: ChildReport = { maxrss_kb: process.resourceUsage().maxRSS };
process.send?.(report, () => process.exit(0));
