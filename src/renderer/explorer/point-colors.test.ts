import { describe, expect, it } from 'vitest';
import type { PointStats } from '../../shared/contract';
import { RECON_ERROR_UNIT } from '../../shared/headline-figures';
import { labelColors } from '../scene/colors';
import type { Layout } from './layout';
import { coloringMeasure, pointColors } from './point-colors';
import { OTHER_LABELS_GREY } from './label-share';

// A learned Gaussian scale makes −log p negative for the best reconstructions; the RMS error never is.
const n = 100;
const stats: PointStats = {
  count: n,
  modelEpoch: 3,
  recon: Float32Array.from({ length: n }, (_, i) => -500 + i),
  kl: Float32Array.from({ length: n }, (_, i) => 10 + i / 10),
  rmse: Float32Array.from({ length: n }, (_, i) => 4 + i / 2),
};

describe('colouring by a per-point measure', () => {
  it('reconstruction error is the RMS error in levels of 255, from 0 to the top of its spread', () => {
    const m = coloringMeasure(stats, 'recon');
    expect(m.values).toBe(stats.rmse);
    expect(m.unit).toBe(RECON_ERROR_UNIT);
    expect(m.range[0]).toBe(0);
    expect(m.range[1]).toBeCloseTo(4 + 98 / 2, 5);
  });

  it('KL keeps its own spread, in nats', () => {
    const m = coloringMeasure(stats, 'kl');
    expect(m.values).toBe(stats.kl);
    expect(m.unit).toBe('nats');
    expect(m.range[0]).toBeCloseTo(10.2, 5);
  });
});

describe('colouring by cluster', () => {
  const layout = { source: 'embeddings', count: 3, labels: Int32Array.from([5, 5, 5]) } as unknown as Layout;

  it("each point takes its cluster's colour", () => {
    expect(pointColors(layout, 'cluster', null, Int32Array.from([0, 1, 2]))).toEqual(labelColors(Int32Array.from([0, 1, 2]), 3));
  });

  it('the labels colour the points until the clusters are found', () => {
    expect(pointColors(layout, 'cluster', null, null)).toEqual(labelColors(layout.labels, 3));
  });
});

describe('colouring one label only', () => {
  const labels = Int32Array.from([0, 1, 1, 2]);
  const layout = { source: 'embeddings', count: 4, labels } as unknown as Layout;

  it('keeps that label in its colour and greys the others', () => {
    const colors = pointColors(layout, 'label', null, null, 1);
    const own = labelColors(labels, 4);
    expect(Array.from(colors.subarray(3, 9))).toEqual(Array.from(own.subarray(3, 9)));
    expect(Array.from(colors.subarray(0, 3))).toEqual(OTHER_LABELS_GREY.map((v) => Math.fround(v)));
    expect(Array.from(colors.subarray(9, 12))).toEqual(OTHER_LABELS_GREY.map((v) => Math.fround(v)));
  });

  it('every label in its colour without one chosen', () => {
    expect(Array.from(pointColors(layout, 'label', null, null, null))).toEqual(Array.from(labelColors(labels, 4)));
  });
});
