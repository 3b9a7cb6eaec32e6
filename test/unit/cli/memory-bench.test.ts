/**
 * The memory bench's model: the largest the caps allow, by one-image decode bytes. It passes every
 * cap, and no filter list of the same kind with one layer doubled does.
 */
import { describe, expect, it } from 'vitest';
import { largestAllowedModel } from '../../../src/cli/memory-bench';
import { decodeActivationBytes } from '../../../src/engine/model/activation-bytes';
import { MAX_FILTERS, validateConfig } from '../../../src/engine/model/vae';

describe('largestAllowedModel', () => {
  it('fits every cap, and doubling any layer’s filters takes more decode bytes than the caps allow or breaks another cap', () => {
    const config = largestAllowedModel();
    expect(() => validateConfig(config)).not.toThrow();
    expect(config).toMatchObject({ arch: 'conv', height: 512, width: 512, channels: 3, latentDim: 64 });
    const bytes = decodeActivationBytes(config);
    config.filters.forEach((f, i) => {
      if (f >= MAX_FILTERS) return;
      const wider = { ...config, filters: config.filters.map((g, j) => (j === i ? 2 * g : g)) };
      const sorted = wider.filters.every((g, j) => j === 0 || wider.filters[j - 1] <= g);
      if (!sorted) return; // outside the non-decreasing lists the bench searches
      let fits = true;
      try {
        validateConfig(wider);
      } catch {
        fits = false;
      }
      expect(!fits || decodeActivationBytes(wider) <= bytes, `filters [${wider.filters}]`).toBe(true);
    });
  });
});
