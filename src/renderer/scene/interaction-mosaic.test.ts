/**
 * Picking with the mosaic on, in Node: a press on a thumbnail away from its centre picks that image
 * (the thumbnail's drawn square), where with dots only the same press picks nothing.
 */
import { describe, expect, it } from 'vitest';

import { ATLAS_COLUMNS, ATLAS_PAGE_SIZE, type Atlas } from '../../shared/explorer-schemas';
import { createInteraction } from './interaction';
import { createMosaicLayer } from './mosaic-layer';
import { createPointCloud } from './point-cloud';
import type { Stage } from './stage';
import { fakeStageParts } from './testing/fake-stage';

const WIDTH = 1280;
const HEIGHT = 800;
/** A 40 × 50 grid on the plane z = 0, 0.05 apart, seen from z = 1.5. */
const COLS = 40;
const ROWS = 50;
const COUNT = COLS * ROWS;

function fakeStage(): { stage: Stage; frame(now: number): void } {
  const steps = new Set<(now: number) => boolean>();
  const stage = {
    ...fakeStageParts(WIDTH, HEIGHT),
    requestRender() {},
    onFrame(step: (now: number) => boolean) {
      steps.add(step);
      return () => steps.delete(step);
    },
  } as unknown as Stage;
  return {
    stage,
    frame(now) {
      for (const step of steps) step(now);
    },
  };
}

function page(n: number): Atlas {
  const first = n * ATLAS_PAGE_SIZE;
  const count = Math.min(ATLAS_PAGE_SIZE, COUNT - first);
  const rows = Math.ceil(count / ATLAS_COLUMNS);
  return { page: n, first, count, cols: ATLAS_COLUMNS, rows, thumb: 4, channels: 1, pixels: new Uint8Array(rows * 4 * ATLAS_COLUMNS * 4) };
}

describe('picking with the mosaic', () => {
  it('a press on a thumbnail’s corner picks its image; with dots only it picks nothing there', async () => {
    const { stage, frame } = fakeStage();
    const cloud = createPointCloud(stage);
    const positions = new Float32Array(COUNT * 3);
    for (let i = 0; i < COUNT; i++) {
      positions[i * 3] = ((i % COLS) - COLS / 2) * 0.05;
      positions[i * 3 + 1] = (Math.floor(i / COLS) - ROWS / 2) * 0.05;
    }
    cloud.setPositions(positions, COUNT, 0);
    const mosaic = createMosaicLayer(stage, cloud);
    const interaction = createInteraction(stage, cloud, {}, mosaic.footprint);
    interaction.reindex();
    // The point at the origin: column 20, row 25.
    const centre = 25 * COLS + 20;
    const at = stage.toScreen([0, 0, 0])!;

    // Thumbnails smaller than the grid's spacing, so none overlaps its neighbours.
    mosaic.set({ size: 0.35, loadPage: (n) => Promise.resolve(page(n)) });
    frame(0);
    await new Promise((r) => setTimeout(r, 0));
    frame(1000);
    const side = mosaic.footprint.sidePx(centre);
    expect(side).toBeGreaterThan(16);
    // Near a corner of its square: about 0.57 of a side from the centre, beyond a dot's pick radius.
    const press = { x: at.x + side * 0.4, y: at.y - side * 0.4 };
    expect(interaction.pick(press.x, press.y)).toBe(centre);
    expect(interaction.pick(at.x, at.y)).toBe(centre);
    // Just past the square's edge: not this image.
    expect(interaction.pick(at.x + side * 0.55, at.y)).not.toBe(centre);

    mosaic.set(null);
    frame(2000);
    expect(interaction.pick(press.x, press.y)).toBeNull();
    expect(interaction.pick(at.x, at.y)).toBe(centre);
    interaction.dispose();
    mosaic.dispose();
  });
});
