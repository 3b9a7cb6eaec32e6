/** The parts of `latentscape bench` (`--only`): here, apart from their code, so `--help` loads none of it. */
/** `base`: today's figures (runBench); `page`: the Chromium page bench; `webgpu`: the MLP step on webgpu; the rest are bench-figures.ts's. */
export const BENCH_PARTS = ['base', 'page', 'conv-folder', 'ingest-pillow', 'first-view', 'soak', 'memory', 'webgpu'] as const;
export type BenchPart = (typeof BENCH_PARTS)[number];
export const BENCH_PART_NAMES: readonly string[] = BENCH_PARTS;
