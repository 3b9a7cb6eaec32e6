/**
 * The scene's speed in a real page (run by `latentscape bench` in Chromium): the stage, point
 * cloud and picking of the app on N synthetic points (ten Gaussian blobs in 3D), the camera orbited
 * one step per frame for a few seconds with level of detail on and off, then picks at random spots
 * of the view through the full grid index. Bundled on its own (window.latentscapePageBench); the
 * mosaic's run (thumbnails from synthetic atlas pages) is window.latentscapeMosaicBench.
 */
import { createInteraction } from '../scene/interaction';
import { extentOf } from '../scene/camera3d';
import { createPointCloud } from '../scene/point-cloud';
import { createStage } from '../scene/stage';
import { createMosaicLayer } from '../scene/mosaic-layer';
import { ATLAS_COLUMNS, ATLAS_PAGE_SIZE, type Atlas } from '../../shared/explorer-schemas';

export interface PageBenchResult {
  count: number;
  fps_lod: number;
  fps_full: number;
  fps_empty: number;
  frames_lod: number;
  frames_full: number;
  lod_frames_drawn_as_subset: number;
  /** Mean over all picks (one pick is near the page clock's resolution). */
  pick_ms_mean: number;
  pick_ms_p95: number;
  picks: number;
  picks_hit: number;
  index_ms: number;
  renderer: string;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

async function run(count: number, seconds: number): Promise<PageBenchResult> {
  const canvas = document.createElement('canvas');
  canvas.style.cssText = 'position:fixed;left:0;top:0;width:100vw;height:100vh;display:block';
  document.body.style.margin = '0';
  document.body.appendChild(canvas);
  const stage = createStage(canvas);
  const cloud = createPointCloud(stage);
  const interaction = createInteraction(stage, cloud, {});

  const rand = rng(1);
  const gauss = (): number => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const centres = Array.from({ length: 10 }, () => [0, 1, 2].map(() => 3 * (rand() - 0.5)));
  const view = new Float32Array(count * 3);
  const colors = new Float32Array(count * 3);
  for (let i = 0; i < count; i++) {
    const c = centres[i % 10];
    for (let a = 0; a < 3; a++) view[i * 3 + a] = c[a] + 0.35 * gauss();
    colors.set([((i % 10) * 0.37) % 1, ((i % 10) * 0.61) % 1, 0.8], i * 3);
  }
  cloud.setPositions(view, count, 0);
  cloud.setColors(colors);
  const t0 = performance.now();
  interaction.reindex();
  const indexMs = performance.now() - t0;
  const home = stage.framing(extentOf(view, count, 0), false);
  stage.setCamera(home);

  const gl = (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) as WebGLRenderingContext | null;
  const info = gl?.getExtension('WEBGL_debug_renderer_info');
  const renderer = gl ? String(info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER)) : 'unknown';

  let drawn = 0;
  let subsetFrames = 0;
  stage.onFrame(() => {
    drawn++;
    return false;
  });
  stage.onCameraChange(() => {
    if (cloud.lodActive) subsetFrames++;
  });
  const frame = (): Promise<number> => new Promise((r) => requestAnimationFrame(r));
  const settle = async (): Promise<void> => {
    stage.requestRender();
    for (let i = 0; i < 3; i++) await frame();
    await new Promise((r) => setTimeout(r, 300));
    await frame();
  };

  /** Orbits the camera one step per animation frame (as a drag would) for `seconds`; frames drawn per second. */
  async function orbit(): Promise<{ fps: number; frames: number }> {
    await settle();
    const [tx, , tz] = home.target;
    const [px, py, pz] = home.position;
    const r = Math.hypot(px - tx, pz - tz);
    let angle = Math.atan2(pz - tz, px - tx);
    drawn = 0;
    const start = performance.now();
    while (performance.now() - start < seconds * 1000) {
      angle += 0.03;
      stage.camera.position.set(tx + r * Math.cos(angle), py, tz + r * Math.sin(angle));
      stage.controls.update();
      await frame();
    }
    const elapsed = (performance.now() - start) / 1000;
    return { fps: drawn / elapsed, frames: drawn };
  }

  // The full cloud every frame first (the reference), then with level of detail.
  cloud.setLod(false);
  const full = await orbit();
  cloud.setLod(true);
  subsetFrames = 0;
  const lod = await orbit();
  const subsetDrawn = subsetFrames;
  // The floor: the same orbit with nothing drawn but the cleared canvas (what the renderer costs alone).
  stage.scene.visible = false;
  const empty = await orbit();
  stage.scene.visible = true;

  // Picks at random spots of the still view, through the full index.
  await settle();
  const rect = canvas.getBoundingClientRect();
  const times: number[] = [];
  let hits = 0;
  const picksStart = performance.now();
  for (let i = 0; i < 300; i++) {
    const x = rect.left + rect.width * (0.2 + 0.6 * rand());
    const y = rect.top + rect.height * (0.2 + 0.6 * rand());
    const s = performance.now();
    const hit = interaction.pick(x, y);
    times.push(performance.now() - s);
    if (hit !== null) hits++;
  }
  const picksMs = performance.now() - picksStart;
  times.sort((a, b) => a - b);
  return {
    count,
    fps_lod: lod.fps,
    fps_full: full.fps,
    fps_empty: empty.fps,
    frames_lod: lod.frames,
    frames_full: full.frames,
    lod_frames_drawn_as_subset: subsetDrawn,
    pick_ms_mean: picksMs / times.length,
    pick_ms_p95: times[Math.floor(times.length * 0.95)],
    picks: times.length,
    picks_hit: hits,
    index_ms: indexMs,
    renderer,
  };
}

export interface MosaicBenchResult {
  count: number;
  fps: number;
  frames: number;
  /** Thumbnails drawn per frame, the mean over the orbit's passes (the LOD's budget bounds it). */
  thumbnails_mean: number;
  textures: number;
  renderer: string;
}

/** A synthetic atlas page: 28 px gray rings whose size and brightness vary with the image's index. */
function syntheticPage(page: number, count: number): Atlas {
  const thumb = 28;
  const first = page * ATLAS_PAGE_SIZE;
  const n = Math.min(ATLAS_PAGE_SIZE, count - first);
  const cols = ATLAS_COLUMNS;
  const rows = Math.ceil(n / cols);
  const width = cols * thumb;
  const pixels = new Uint8Array(rows * thumb * width);
  for (let k = 0; k < n; k++) {
    const r = 4 + ((first + k) % 9);
    const level = 120 + ((first + k) % 7) * 19;
    const x0 = (k % cols) * thumb;
    const y0 = Math.floor(k / cols) * thumb;
    for (let y = 0; y < thumb; y++)
      for (let x = 0; x < thumb; x++) if (Math.abs(Math.hypot(x - 13.5, y - 13.5) - r) < 2) pixels[(y0 + y) * width + x0 + x] = level;
  }
  return { page, first, count: n, cols, rows, thumb, channels: 1, pixels };
}

/**
 * The mosaic on N synthetic points: the camera orbits at half the framed distance (where the nearest
 * points are big enough to be drawn as images), one step per frame, for `seconds` once the pages in
 * sight are loaded; frames drawn per second, and how many thumbnails were drawn.
 */
async function runMosaic(count: number, seconds: number): Promise<MosaicBenchResult> {
  const canvas = document.createElement('canvas');
  canvas.style.cssText = 'position:fixed;left:0;top:0;width:100vw;height:100vh;display:block';
  document.body.style.margin = '0';
  document.body.appendChild(canvas);
  const stage = createStage(canvas);
  const cloud = createPointCloud(stage);
  const mosaic = createMosaicLayer(stage, cloud);
  const rand = rng(1);
  const gauss = (): number => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const centres = Array.from({ length: 10 }, () => [0, 1, 2].map(() => 3 * (rand() - 0.5)));
  const view = new Float32Array(count * 3);
  const colors = new Float32Array(count * 3);
  for (let i = 0; i < count; i++) {
    for (let a = 0; a < 3; a++) view[i * 3 + a] = centres[i % 10][a] + 0.35 * gauss();
    colors.set([((i % 10) * 0.37) % 1, ((i % 10) * 0.61) % 1, 0.8], i * 3);
  }
  cloud.setPositions(view, count, 0);
  cloud.setColors(colors);
  const home = stage.framing(extentOf(view, count, 0), false);
  const [tx, ty, tz] = home.target;
  const [px, py, pz] = home.position;
  const near = 0.5;
  stage.setCamera({ position: [tx + (px - tx) * near, ty + (py - ty) * near, tz + (pz - tz) * near], target: home.target });
  mosaic.set({ size: 1, loadPage: (page) => Promise.resolve(syntheticPage(page, count)) });
  const frame = (): Promise<number> => new Promise((r) => requestAnimationFrame(r));
  // Let the pages in sight load (each pass asks for at most a few at a time): until none is in
  // flight and the count held has not changed for half a second (at most 30 s). A fixed 2.4 s wait
  // left about half of the 69 pages to arrive during the orbit, their making and upload timed as frames.
  let held = -1;
  let stableSince = performance.now();
  for (const started = performance.now(); performance.now() - started < 30_000;) {
    stage.requestRender();
    await new Promise((r) => setTimeout(r, 60));
    await frame();
    if (mosaic.stats.loading > 0 || mosaic.stats.textures !== held) {
      held = mosaic.stats.textures;
      stableSince = performance.now();
    } else if (performance.now() - stableSince > 500) break;
  }
  let drawn = 0;
  let thumbnails = 0;
  stage.onFrame(() => {
    drawn++;
    thumbnails += mosaic.stats.thumbnails;
    return false;
  });
  const r = Math.hypot(px - tx, pz - tz) * near;
  const y = ty + (py - ty) * near;
  let angle = Math.atan2(pz - tz, px - tx);
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    angle += 0.03;
    stage.camera.position.set(tx + r * Math.cos(angle), y, tz + r * Math.sin(angle));
    stage.controls.update();
    await frame();
  }
  const elapsed = (performance.now() - start) / 1000;
  const gl = (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) as WebGLRenderingContext | null;
  const info = gl?.getExtension('WEBGL_debug_renderer_info');
  return {
    count,
    fps: drawn / elapsed,
    frames: drawn,
    thumbnails_mean: drawn ? thumbnails / drawn : 0,
    textures: mosaic.stats.textures,
    renderer: gl ? String(info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER)) : 'unknown',
  };
}

(window as unknown as { latentscapePageBench: typeof run }).latentscapePageBench = run;
(window as unknown as { latentscapeMosaicBench: typeof runMosaic }).latentscapeMosaicBench = runMosaic;
