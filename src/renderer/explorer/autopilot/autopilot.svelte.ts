/**
 * The autopilot (issue 27, the StyleGAN3 visualizer's animated walk): a smooth random walk through the
 * dense regions of the open model's latent space (density-walk.ts), decoded live through the view's
 * latest-only decode queue, with its recent trail drawn over the view and the cursor on it. While
 * recording, its positions are sampled into keyframes; when the recording ends they become the
 * animation's keyframes, so the existing export makes a video of the walk.
 *
 * It stops by itself when the model changes or the view stops being decodable (a training's live
 * view), on Esc, and when its panel goes away: no timer outlives it.
 */
import { MAX_DRAFT_KEYFRAMES } from '../../../shared/contract';
import { sampleDensity, type LatentDensity } from '../../../shared/latent-density';
import { escStack, type EscStack } from '../../shell/esc-stack';
import type { Session } from '../../shell/session';
import type { LatentViewState } from '../latent-view.svelte';
import type { AnimationState } from '../../animation/animation.svelte';
import { DensityWalk, gaussianOfMeans, standardDensity } from './density-walk';

/** How often the walk steps and asks for a decode (the queue keeps only the latest, so slow decodes skip steps). */
export const TICK_MS = 80;
/** Speeds on offer, in standard deviations of the data per second. */
export const MIN_SPEED = 0.1;
export const MAX_SPEED = 3;
export const DEFAULT_SPEED = 0.6;
/** While recording, one keyframe per this much walking time. */
export const RECORD_EVERY_MS = 400;
/** Steps of the trail drawn over the view. */
const TRAIL_STEPS = 200;
const TRAIL_COLOR = '#ffffff';

/** Where the walk goes: the model's fitted density, else one Gaussian of its latent means, else N(0, I). */
export function walkDensity(app: Pick<Session, 'model' | 'embeddings'>): { density: LatentDensity; what: string } | null {
  const d = app.model?.latentDim ?? 0;
  if (!d) return null;
  const fitted = app.model?.latentDensity;
  if (fitted && fitted.dim === d) return { density: fitted, what: "the model's fitted density" };
  const e = app.embeddings;
  if (e && e.latentDim === d && e.count >= 2) return { density: gaussianOfMeans(e.mu, d, e.count), what: 'a Gaussian of the latent means' };
  return { density: standardDensity(d), what: 'N(0, I)' };
}

type ViewPart = Pick<LatentViewState, 'decodable' | 'decodeLatent' | 'setPathOverlay'> & { decoder: { decoded: { z: Float32Array } | null } };

export class AutopilotState {
  running = $state(false);
  /** Standard deviations per second. */
  speed = $state(DEFAULT_SPEED);
  recording = $state(false);
  /** Keyframes taken by the recording in progress. */
  recorded = $state(0);
  /** What the walk follows (shown in the panel). */
  following = $state<string | null>(null);

  private walk: DensityWalk | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private releaseEsc: (() => void) | null = null;
  private modelDir: string | null = null;
  private trail: Float32Array[] = [];
  private keyframes: Float32Array[] = [];
  private sinceKeyframeMs = 0;

  constructor(
    private readonly app: Pick<Session, 'model' | 'embeddings' | 'notify'>,
    private readonly view: ViewPart,
    private readonly animation: Pick<AnimationState, 'clear' | 'add' | 'draw'>,
    private readonly esc: Pick<EscStack, 'push'> = escStack,
  ) {}

  /** Starts walking from the decoded latent (else a draw from the density). `seed` makes it repeatable. */
  start(seed = Math.floor(Math.random() * 2 ** 32)): void {
    if (this.running) return;
    const target = walkDensity(this.app);
    if (!target || !this.view.decodable) {
      this.app.notify('info', 'the autopilot needs the points of a model in the view');
      return;
    }
    const { density, what } = target;
    const decoded = this.view.decoder.decoded?.z;
    const start = decoded && decoded.length === density.dim ? decoded : sampleDensity(density, 1, seed ^ 0x2545f491);
    this.walk = new DensityWalk(density, seed, { start });
    this.following = what;
    this.modelDir = this.app.model?.dir ?? null;
    this.trail = [this.walk.position()];
    this.running = true;
    if (this.recording) this.beginRecording();
    this.releaseEsc = this.esc.push(() => this.stop());
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  /** Stops walking; a recording in progress becomes the animation's keyframes. */
  stop(): void {
    this.halt();
    if (this.recording) this.endRecording(true);
    this.animation.draw();
  }

  toggle(): void {
    if (this.running) this.stop();
    else this.start();
  }

  setSpeed(speed: number): void {
    if (Number.isFinite(speed)) this.speed = Math.min(MAX_SPEED, Math.max(MIN_SPEED, speed));
  }

  /** Record on: the walk's positions are sampled from now; off: what was sampled becomes the keyframes. */
  setRecording(on: boolean): void {
    if (on === this.recording) return;
    this.recording = on;
    if (on && this.running) this.beginRecording();
    else if (!on) this.endRecording(true);
  }

  /** The model changed or the view went away: stop, and drop a recording of another model's latents. */
  abandon(): void {
    this.halt();
    if (this.recording) this.endRecording(false);
    this.animation.draw();
  }

  private halt(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.releaseEsc?.();
    this.releaseEsc = null;
    this.running = false;
    this.walk = null;
  }

  private tick(): void {
    const walk = this.walk;
    if (!walk) return;
    if ((this.app.model?.dir ?? null) !== this.modelDir || !this.view.decodable) {
      this.abandon();
      return;
    }
    const z = walk.next((this.speed * TICK_MS) / 1000);
    this.view.decodeLatent(z, 'external');
    this.trail.push(z);
    if (this.trail.length > TRAIL_STEPS) this.trail.shift();
    if (this.recording) {
      this.sinceKeyframeMs += TICK_MS;
      if (this.sinceKeyframeMs >= RECORD_EVERY_MS) this.takeKeyframe(z);
    }
    this.drawTrail();
  }

  private drawTrail(): void {
    const d = this.walk?.dim ?? 0;
    if (!d || this.trail.length < 2) return;
    const flat = new Float32Array(this.trail.length * d);
    this.trail.forEach((z, i) => flat.set(z, i * d));
    // While recording, the keyframes taken so far are ringed on it.
    const keys = this.recording && this.keyframes.length ? new Float32Array(this.keyframes.length * d) : null;
    this.keyframes.forEach((z, i) => keys?.set(z, i * d));
    this.view.setPathOverlay(flat, keys, TRAIL_COLOR);
  }

  private beginRecording(): void {
    this.keyframes = [];
    this.recorded = 0;
    this.sinceKeyframeMs = 0;
    if (this.walk) this.takeKeyframe(this.walk.position());
  }

  private takeKeyframe(z: Float32Array): void {
    this.sinceKeyframeMs = 0;
    this.keyframes.push(Float32Array.from(z));
    this.recorded = this.keyframes.length;
    if (this.keyframes.length >= MAX_DRAFT_KEYFRAMES) {
      this.app.notify('info', `the recording holds ${MAX_DRAFT_KEYFRAMES} keyframes, the most a path keeps: it ended there`);
      this.recording = false;
      this.endRecording(true);
    }
  }

  private endRecording(keep: boolean): void {
    this.recording = false;
    const frames = this.keyframes;
    this.keyframes = [];
    this.recorded = 0;
    if (!keep || frames.length === 0) return;
    if (frames.length < 2) {
      this.app.notify('info', 'the recording was too short for a path (it needs 2 keyframes): the keyframes were left as they were');
      return;
    }
    this.animation.clear();
    for (const z of frames) this.animation.add(z, null);
    this.app.notify('info', `the autopilot's walk is the animation's ${frames.length} keyframes: preview or export it there`);
  }
}
