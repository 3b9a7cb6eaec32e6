/**
 * The optional reference for `latentscape bench`: the same MLP VAE training step in PyTorch
 * (scripts/reference/torch_mlp_bench.py), run right after the engine's own MLP figure so both see
 * the same machine load. Only where a Python with torch is found; otherwise says why.
 *
 * PyTorch runs on one thread by default, as the engine's wasm backend does in Node: the script bounds
 * torch's and the BLAS library's threads alike (Debian's OpenBLAS otherwise spins a second one) and
 * reports its CPU time over wall time, so a reader can see the bound held.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface TorchReference {
  samples_per_s: number;
  /** torch.get_num_threads() as the steps ran. */
  threads: number;
  /** What OPENBLAS_NUM_THREADS / OMP_NUM_THREADS were bounded to before torch loaded. */
  blas_threads: number;
  /** The process's CPU time over the wall time of the timed steps: ≈ threads when the bound holds. */
  cpu_per_wall: number;
  torch: string;
}

// src/engine (tsx) and out/main (built) both sit two levels below the repository root. Not a
// literal: bundlers would take `new URL('literal', import.meta.url)` for an asset to copy.
const SCRIPT_FROM_HERE = ['..', '..', 'scripts', 'reference', 'torch_mlp_bench.py'].join('/');
const SCRIPT = fileURLToPath(new URL(SCRIPT_FROM_HERE, import.meta.url));

/** Pythons to try, in order: LATENTSCAPE_REFERENCE_PYTHON, then python3 on PATH, then Debian's. */
function pythons(): string[] {
  const fromEnv = process.env.LATENTSCAPE_REFERENCE_PYTHON;
  return fromEnv ? [fromEnv] : ['python3', '/usr/bin/python3'];
}

export function benchTorchReference(minSeconds = 4, threads = 1): TorchReference | string {
  if (!existsSync(SCRIPT)) return 'unavailable: scripts/reference/torch_mlp_bench.py is not here';
  const tried: string[] = [];
  for (const python of pythons()) {
    const r = spawnSync(python, [SCRIPT, String(minSeconds), '--threads', String(threads)], { encoding: 'utf8', timeout: 120_000 });
    if (r.status === 0) {
      const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
      if (line) return JSON.parse(line) as TorchReference;
    }
    const why = r.error ? r.error.message : (r.stderr || '').trim().split('\n').pop() || `exit ${r.status}`;
    tried.push(`${python}: ${why}`);
  }
  return `unavailable (no Python with torch: ${tried.join('; ')})`;
}
