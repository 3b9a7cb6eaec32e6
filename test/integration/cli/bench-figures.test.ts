/**
 * `latentscape bench --only … --runs N`: the parts picked, each run reported with the machine's state,
 * the median as the headline; a bad --only is refused with the list of parts. No timing is asserted.
 */
import { describe, expect, it } from 'vitest';
import { checkConvImages, parseParts } from '../../../src/cli/bench-figures';
import { runCli } from '../../unit/helpers';

describe('bench --only', () => {
  it('parses a list of parts, all of them by default, and refuses an unknown one', () => {
    expect([...parseParts('ingest-pillow, first-view')]).toEqual(['ingest-pillow', 'first-view']);
    expect(parseParts(undefined)).toEqual(new Set(['base', 'page', 'conv-folder', 'ingest-pillow', 'first-view', 'soak', 'memory', 'webgpu']));
    expect(() => parseParts('conv-folder,speed')).toThrow(
      /--only takes a comma-separated list of base, page, conv-folder, ingest-pillow, first-view, soak, memory, webgpu; got "conv-folder,speed"/,
    );
    expect(() => parseParts(',')).toThrow(/--only takes/);
  });

  it('takes a conv image count of whole batches only', () => {
    expect(checkConvImages(64)).toBe(64);
    expect(() => checkConvImages(48)).toThrow(/--conv-images must be a whole number of batches of 32 \(the app's folder batch\), got 48/);
  });

  it('refuses an unknown part before measuring anything', () => {
    const r = runCli(['bench', '--only', 'warp-speed']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--only takes a comma-separated list/);
  });

  it('runs only the parts asked for, N times, each run with its machine state and the median as the headline', () => {
    const r = runCli(
      [
        'bench',
        '--backend',
        'wasm',
        '--only',
        'conv-folder,ingest-pillow',
        '--runs',
        '2',
        '--conv-steps',
        '1',
        '--conv-images',
        '32',
        '--ingest-images',
        '3',
        '--no-reference',
      ],
      {},
      300_000,
    );
    expect(r.code, r.stderr).toBe(0);
    const report = r.lines.at(-1)!;
    expect(report.final).toBe(true);
    // Today's figures were not asked for.
    expect(report).not.toHaveProperty('train_mlp_samples_per_s');
    expect(report).not.toHaveProperty('page_fps_1m');
    expect(report).not.toHaveProperty('first_view_ms');
    expect(report.machine).toMatchObject({ cores: expect.any(Number), engine_threads: 1 });
    // Without the references: the reason, no number.
    expect(report.train_conv_folder_vs_torch).toBeNull();
    expect(report.train_conv_folder_vs_torch_runs).toEqual([null, null]);
    expect(report.train_conv_folder_vs_torch_reason).toBe('not run (--no-reference)');
    expect(report.ingest_vs_pillow_reason).toBe('not run (--no-reference)');
    const conv = report.train_conv_folder_detail as { steps: number; machine: { load_before: number[] } }[];
    expect(conv.map((c) => c.steps)).toEqual([1, 1]);
    expect(conv[1].machine.load_before).toHaveLength(3);
    const ingest = report.ingest_vs_pillow_detail as { app_loaded: number }[];
    expect(ingest.map((i) => i.app_loaded)).toEqual([3, 3]);
    expect(report.train_conv_folder_images_per_s).toBeGreaterThan(0);
    expect(report.ingest_vs_pillow_app_images_per_s).toBeGreaterThan(0);
  });
});
