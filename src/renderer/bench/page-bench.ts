/**
 * The scene's speed in a real page (run by `latentscape bench` in Chromium): the stage, point
 * cloud and picking of the app on N synthetic points (ten Gaussian blobs in 3D), the camera orbited
 * one step per frame for a few seconds with level of detail on and off, then picks at random spots
 * of the view through the full grid index. Bundled on its own (window.latentscapePageBench).
 */
import { createInteraction } from '../scene/interaction';
import { extentOf } from '../scene/camera3d';
import { createPointCloud } from '../scene/point-cloud';
import { createStage } from '../scene/stage';

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

(window as unknown as { latentscapePageBench: typeof run }).latentscapePageBench = run;
