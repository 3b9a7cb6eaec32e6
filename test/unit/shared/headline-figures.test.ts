import { describe, expect, it } from 'vitest';
import { bitsPerDim, imageDims, psnrFromRmse, sampleDistanceText, sampleDistanceTooltip } from '../../../src/shared/headline-figures';

describe('headline figures', () => {
  it('Gaussian: bits/dim of the 8-bit image, (nll / D + ln 256) / ln 2', () => {
    expect(bitsPerDim(0, 1, 'gaussian')).toBeCloseTo(8, 12); // density 1 on [0, 1]: every level 1/256
    expect(bitsPerDim(-784 * Math.log(256), 784, 'gaussian')).toBeCloseTo(0, 12);
    expect(bitsPerDim(-3 * 784 * Math.LN2, 784, 'gaussian')).toBeCloseTo(5, 12);
    // The "test −3,429.2" of a 32×32 RGB model: (−3429.2 / 3072 + 5.545177) / 0.693147.
    expect(bitsPerDim(-3429.2, 3072, 'gaussian')).toBeCloseTo(6.389554, 5);
  });

  it('Bernoulli: nll / (D ln 2)', () => {
    expect(bitsPerDim(784 * Math.LN2, 784, 'bernoulli')).toBeCloseTo(1, 12);
    expect(bitsPerDim(100, 784, 'bernoulli')).toBeCloseTo(0.184017, 5);
  });

  it('refuses a dimension that is not positive', () => {
    expect(() => bitsPerDim(1, 0, 'gaussian')).toThrow(/dimension must be positive/);
  });

  it('D is every pixel of every channel', () => {
    expect(imageDims({ height: 32, width: 32, channels: 3 })).toBe(3072);
    expect(imageDims({ height: 28, width: 28, channels: 1 })).toBe(784);
  });

  it('PSNR from the RMS error in levels of 255: 20 log10(255 / rmse), 100 dB for a copy', () => {
    expect(psnrFromRmse(255)).toBeCloseTo(0, 12);
    expect(psnrFromRmse(25.5)).toBeCloseTo(20, 12);
    expect(psnrFromRmse(2.55)).toBeCloseTo(40, 12);
    expect(psnrFromRmse(0)).toBe(100);
  });

  it('the sample distance reads "FD x.xx (floor y.yy)", the floor left out when there is none', () => {
    expect(sampleDistanceText({ sampleFd: 8.004, floorFd: 0.256 })).toBe('FD 8.00 (floor 0.26)');
    expect(sampleDistanceText({ sampleFd: 12.5, floorFd: null })).toBe('FD 12.50');
  });

  it("the sample distance's tooltip names the feature space, the sample count and source, and the floor", () => {
    const q = {
      epoch: 3,
      sampleFd: 8,
      floorFd: 0.26,
      reconFd: 4.6,
      n: 1000,
      zSource: 'N(0, I)',
      featureSpace: 'rotation-prediction net',
      featureLabels: false,
    };
    const text = sampleDistanceTooltip(q);
    expect(text).toContain('Feature space: rotation-prediction net');
    expect(text).toContain('1000 samples (N(0, I))');
    expect(text).toContain('epoch 3');
    expect(text).toContain('Reconstructions 4.60, held-out real images 0.26 (the floor)');
    expect(sampleDistanceTooltip({ ...q, floorFd: null })).toContain('no held-out images for a floor');
  });
});
