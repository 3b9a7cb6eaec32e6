/**
 * The picking index after a layout: not built with the layout (it would delay the layout's first
 * frame), built once by the first pick (or when the page is idle), and always of the newest positions.
 */
import { describe, expect, it, vi } from 'vitest';
import { createInteraction } from './interaction';
import { createPointCloud } from './point-cloud';
import type { Stage } from './stage';
import { fakeStageParts } from './testing/fake-stage';

const built = vi.hoisted(() => ({ count: 0 }));
vi.mock('../../shared/point-index', async (original) => {
  const real = await original<typeof import('../../shared/point-index')>();
  class CountedPointIndex extends real.PointIndex {
    constructor(...args: ConstructorParameters<typeof real.PointIndex>) {
      super(...args);
      built.count++;
    }
  }
  return { ...real, PointIndex: CountedPointIndex };
});

const WIDTH = 1280;
const HEIGHT = 800;
const COLS = 40;
const ROWS = 50;
const COUNT = COLS * ROWS;

function fakeStage(): Stage {
  return {
    ...fakeStageParts(WIDTH, HEIGHT),
    requestRender() {},
    onFrame: () => () => {},
  } as unknown as Stage;
}

/** A 40 × 50 grid on z = 0, 0.05 apart, shifted by `dx` along x. */
function grid(dx: number): Float32Array {
  const positions = new Float32Array(COUNT * 3);
  for (let i = 0; i < COUNT; i++) {
    positions[i * 3] = ((i % COLS) - COLS / 2) * 0.05 + dx;
    positions[i * 3 + 1] = (Math.floor(i / COLS) - ROWS / 2) * 0.05;
  }
  return positions;
}

describe('the picking index', () => {
  it('is built by the first pick after a layout, once, and picks the newest layout’s points', () => {
    const stage = fakeStage();
    const cloud = createPointCloud(stage);
    const interaction = createInteraction(stage, cloud, {});
    const origin = stage.toScreen([0, 0, 0])!;
    built.count = 0;

    cloud.setPositions(grid(0), COUNT, 0);
    interaction.reindex();
    expect(built.count).toBe(0);
    // The point at the origin: column 20, row 25.
    expect(interaction.pick(origin.x, origin.y)).toBe(25 * COLS + 20);
    expect(interaction.pick(origin.x + 2, origin.y)).toBe(25 * COLS + 20);
    expect(built.count).toBe(1);

    // Every point 0.5 (ten columns) to the right: column 10 is now at the origin.
    cloud.setPositions(grid(0.5), COUNT, 0);
    interaction.reindex();
    expect(interaction.pick(origin.x, origin.y)).toBe(25 * COLS + 10);
    expect(built.count).toBe(2);
    interaction.dispose();
  });

  it('is built when the page is next idle, without a pick', async () => {
    const stage = fakeStage();
    const cloud = createPointCloud(stage);
    const interaction = createInteraction(stage, cloud, {});
    built.count = 0;
    cloud.setPositions(grid(0), COUNT, 0);
    interaction.reindex();
    expect(built.count).toBe(0);
    await new Promise((r) => setTimeout(r, 10));
    expect(built.count).toBe(1);
    interaction.dispose();
  });
});
