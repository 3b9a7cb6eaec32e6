/** An in-process stand-in for the engine process: answers the protocol like the real one, instantly. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineChannel, EngineExit } from '../../../src/service/engine-client';
import type { EngineModelInfo, FromEngine, ToEngine } from '../../../src/shared/engine-protocol';

let nextPid = 5000;

export const MNIST_SUMMARY = {
  name: 'MNIST',
  source: { kind: 'mnist' as const },
  count: 6,
  trainCount: 4,
  testCount: 2,
  height: 28,
  width: 28,
  channels: 1 as const,
  labelNames: ['0', '1'],
  fingerprint: 'f',
  skipped: [],
};

export function modelInfo(dir: string, epochs: number): EngineModelInfo {
  return {
    dir,
    arch: 'mlp',
    latentDim: 2,
    likelihood: 'bernoulli',
    height: 28,
    width: 28,
    channels: 1,
    epochsCompleted: epochs,
    epochsPlanned: 3,
    metrics: [],
    datasetName: 'MNIST',
    datasetFingerprint: 'f',
    training: { epochs: 3, batchSize: 128, lr: 1e-3, beta: 1, binarize: false, seed: 0 },
  };
}

export class FakeEngine implements EngineChannel {
  readonly pid = nextPid++;
  readonly received: ToEngine[] = [];
  private messageListeners: ((m: FromEngine) => void)[] = [];
  private exitListeners: ((e: EngineExit) => void)[] = [];
  private dead = false;
  /** The open train request, answered by finishTraining(). */
  trainRequest: ToEngine | null = null;
  /** Operations whose next request is answered only on release() (a slow call in flight). */
  readonly holding = new Set<string>();
  private held: ToEngine[] = [];

  constructor() {
    setImmediate(() => this.post({ kind: 'ready', pid: this.pid }));
  }

  private post(m: FromEngine): void {
    if (!this.dead) for (const l of this.messageListeners) l(m);
  }

  private reply(id: number, value: unknown): void {
    this.post({ kind: 'response', id, ok: true, value });
  }

  send(m: ToEngine): void {
    if (this.dead) throw new Error('dead');
    this.received.push(m);
    setImmediate(() => this.handle(m));
  }

  /** Answers the held requests. */
  release(): void {
    const held = this.held;
    this.held = [];
    for (const m of held) this.handle(m);
  }

  private handle(m: ToEngine): void {
    if (this.holding.delete(m.op)) {
      this.held.push(m);
      return;
    }
    const args = m.args as Record<string, unknown>;
    switch (m.op) {
      case 'init':
        return this.reply(m.id, { backend: 'cpu', fallbacks: ['tensorflow: not installed'], pid: this.pid });
      case 'openDataset':
        return this.reply(m.id, MNIST_SUMMARY);
      case 'loadModel': {
        const epochs = FakeEngine.checkpoints.get(String(args.dir));
        if (epochs === undefined) return this.post({ kind: 'response', id: m.id, ok: false, error: { message: `no model in ${String(args.dir)}` } });
        return this.reply(m.id, modelInfo(String(args.dir), epochs));
      }
      case 'inspectModel': {
        const epochs = FakeEngine.checkpoints.get(String(args.dir));
        if (epochs === undefined) return this.post({ kind: 'response', id: m.id, ok: false, error: { message: `no model in ${String(args.dir)}` } });
        const dataset = { kind: 'mnist', path: null, size: null, color: null, fit: null, background: null };
        return this.reply(m.id, {
          info: modelInfo(String(args.dir), epochs),
          createdAt: '2026-12-06T00:00:00.000Z',
          updatedAt: '2026-12-06T00:00:00.000Z',
          dataset,
        });
      }
      case 'train':
        this.trainRequest = m;
        return;
      case 'cancel':
        return this.reply(m.id, { cancelled: true });
      case 'embed':
        return this.reply(m.id, {
          count: 6,
          latentDim: 2,
          ids: new Int32Array([0, 1, 2, 3, 4, 5]),
          labels: new Int32Array([0, 1, 0, 1, 0, 1]),
          labelNames: ['0', '1'],
          mu: new Float32Array(12),
          view: new Float32Array(18),
          projection: {
            kind: 'identity',
            latentDim: 2,
            mean: [0, 0],
            axes: [
              [1, 0],
              [0, 1],
              [0, 0],
            ],
            explained: [1, 1, 0],
          },
          modelEpoch: 1,
        });
      case 'decode': {
        // A 2-D latent, 1×1 grey images: one pixel per vector.
        const count = (args.z as Float32Array).length / 2;
        return this.reply(m.id, { count, height: 1, width: 1, channels: 1, pixels: new Uint8Array(count) });
      }
      case 'datasetFiles':
        return this.reply(m.id, { files: null }); // MNIST: no files
      default:
        return this.post({ kind: 'response', id: m.id, ok: false, error: { message: `fake engine: ${m.op} not supported` } });
    }
  }

  /** An engine event, as the engine process sends one. */
  event(event: Extract<FromEngine, { kind: 'event' }>['event']): void {
    this.post({ kind: 'event', event });
  }

  /** Writes a checkpoint of `epoch` into the training's folder and reports it, as the trainer does. */
  checkpoint(epoch: number): void {
    const dir = String((this.trainRequest!.args as { dir: string }).dir);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ epoch }));
    FakeEngine.checkpoints.set(dir, epoch);
    this.post({
      kind: 'event',
      event: {
        type: 'epoch',
        epochs: 3,
        epoch,
        trainLoss: 200,
        testLoss: 190,
        recon: 180,
        kl: 20,
        testRecon: 170,
        testKl: 20,
        samplesPerSec: 1000,
        seconds: 1,
      },
    });
    this.post({ kind: 'event', event: { type: 'checkpoint', epoch, dir } });
  }

  /** Answers the train request; like the real engine, it then holds the run's last checkpoint. */
  finishTraining(epochs: number, cancelled = false, budgetReached = false): void {
    const dir = String((this.trainRequest!.args as { dir: string }).dir);
    this.reply(this.trainRequest!.id, { epochsCompleted: epochs, cancelled, budgetReached, model: modelInfo(dir, epochs) });
    this.trainRequest = null;
  }

  /** Answers the train request as the engine does when the loss exploded: it opened nothing. */
  divergeTraining(epochsCompleted: number, message: string): void {
    this.reply(this.trainRequest!.id, {
      epochsCompleted,
      cancelled: false,
      budgetReached: false,
      model: null,
      diverged: { epoch: epochsCompleted + 1, message },
    });
    this.trainRequest = null;
  }

  /** The process dies (kill -9). */
  crash(signal = 'SIGKILL'): void {
    if (this.dead) return;
    this.dead = true;
    for (const l of this.exitListeners) l({ code: null, signal });
  }

  onMessage(listener: (m: FromEngine) => void): void {
    this.messageListeners.push(listener);
  }

  onExit(listener: (e: EngineExit) => void): void {
    this.exitListeners.push(listener);
  }

  kill(): void {
    this.crash('SIGTERM');
  }

  static readonly checkpoints = new Map<string, number>();
}
