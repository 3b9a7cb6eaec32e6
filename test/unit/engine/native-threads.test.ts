/**
 * Native TensorFlow's intra-op pool: the policy (all cores but the dispatching thread's, unless
 * TF_NUM_INTRAOP_THREADS says), and that libtensorflow really computes on what the engine settled —
 * read back from oneDNN's own report of its thread pool in a fresh engine process.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultIntraOpThreads, intraOpThreads, nativePoolThreads, poolFollowsEnvironment, settleIntraOpThreads } from '../../../src/engine/native-threads';
import { nativeMissing } from '../../native-status';

const ROOT = join(__dirname, '..', '..', '..');

describe('the intra-op threads', () => {
  it('leave one core to the thread that dispatches the kernels, and never go below one', () => {
    expect(defaultIntraOpThreads(1)).toBe(1);
    expect(defaultIntraOpThreads(2)).toBe(1);
    expect(defaultIntraOpThreads(8)).toBe(7);
  });

  it('follow TF_NUM_INTRAOP_THREADS where it is a positive integer, the default otherwise', () => {
    expect(intraOpThreads({ TF_NUM_INTRAOP_THREADS: '3' }, 8)).toBe(3);
    for (const junk of ['', ' ', '0', '-2', '1.5', 'four']) expect(intraOpThreads({ TF_NUM_INTRAOP_THREADS: junk }, 8)).toBe(7);
    expect(intraOpThreads({}, 4)).toBe(3);
  });

  it('are written where libtensorflow reads them, keeping a setting that was given', () => {
    const unset: NodeJS.ProcessEnv = {};
    settleIntraOpThreads(unset, 6);
    expect(unset.TF_NUM_INTRAOP_THREADS).toBe('5');
    const given: NodeJS.ProcessEnv = { TF_NUM_INTRAOP_THREADS: '2' };
    settleIntraOpThreads(given, 6);
    expect(given.TF_NUM_INTRAOP_THREADS).toBe('2');
  });
});

/** oneDNN's thread count as the engine's native backend reports it when it first computes, or null. */
function oneDnnThreads(env: NodeJS.ProcessEnv): number | null {
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ...env,
    LATENTSCAPE_BACKEND: '',
    ONEDNN_VERBOSE: '1',
    // TensorFlow turns its oneDNN ops on by default only on CPUs with AVX-512 VNNI and the like. They run
    // on its intra-op pool and report that pool's size. Elsewhere (an AMD EPYC with AVX2, say) Eigen
    // calls oneDNN's gemm on its own threads, and oneDNN reports the machine's cores. Measured there,
    // the pool is still TF_NUM_INTRAOP_THREADS: a matMul loop used 1.0 core of 2 with it at 1.
    TF_ENABLE_ONEDNN_OPTS: '1',
    LATENTSCAPE_WEBGPU_MODULE: join(ROOT, 'test', 'fixtures', 'webgpu-standin.mjs'),
    WEBGPU_STANDIN: 'no-adapter',
  };
  if (env.TF_NUM_INTRAOP_THREADS === undefined) delete childEnv.TF_NUM_INTRAOP_THREADS;
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'fixtures', 'choose-backend.ts'), 'tensorflow'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: childEnv,
    timeout: 120_000,
  });
  const choice = r.stdout.split('\n').find((l) => l.startsWith('{'));
  expect(choice, r.stderr.slice(0, 1000)).toContain('"name":"tensorflow"');
  const report = /onednn_verbose,[^\n]*runtime:threadpool,nthr:(\d+)/.exec(r.stdout);
  return report ? Number(report[1]) : null;
}

/** The TensorFlow library version under the engine's tensorflow backend, from a fresh engine process. */
function tensorflowVersion(): string | null {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'fixtures', 'native-version.ts')], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  expect(line, r.stderr.slice(0, 1000)).toBeDefined();
  return (JSON.parse(line!) as { tensorflowVersion?: string | null }).tensorflowVersion ?? null;
}

describe('which libraries follow TF_NUM_INTRAOP_THREADS', () => {
  it('2.9.1 (tfjs-node’s own download) does not: its pool is every core; others get the settled threads', () => {
    expect(poolFollowsEnvironment('2.9.1')).toBe(false);
    expect(nativePoolThreads('2.9.1', {}, 8)).toBe(8);
    expect(poolFollowsEnvironment('2.21.0')).toBe(true);
    expect(nativePoolThreads('2.21.0', {}, 8)).toBe(7);
    expect(nativePoolThreads('2.21.0', { TF_NUM_INTRAOP_THREADS: '2' }, 8)).toBe(2);
  });
});

const missing = nativeMissing(ROOT);
describe.skipIf(missing !== null)(missing ? `native TensorFlow — skipped: ${missing}` : 'native TensorFlow', () => {
  it('computes on the intra-op threads the engine settled, or on those TF_NUM_INTRAOP_THREADS gives', ({ skip }) => {
    const version = tensorflowVersion();
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    const settled = oneDnnThreads({ TF_NUM_INTRAOP_THREADS: undefined });
    // Only builds of libtensorflow with oneDNN (the PyPI wheel `npm run setup:native` installs) report it.
    if (settled === null) return skip('this libtensorflow has no oneDNN to report its thread pool');
    // What the bench reports as the engine's threads is what oneDNN computes on, for every library.
    expect(settled).toBe(nativePoolThreads(version));
    if (!poolFollowsEnvironment(version)) return skip(`TensorFlow ${version} sizes its pool without TF_NUM_INTRAOP_THREADS (every core)`);
    expect(settled).toBe(defaultIntraOpThreads(availableParallelism()));
    expect(oneDnnThreads({ TF_NUM_INTRAOP_THREADS: '3' })).toBe(3);
  });
});
