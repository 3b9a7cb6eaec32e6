/**
 * Every `latentscape` command's options, declared once (options.ts derives parsing, --help and
 * completion from them). Light on imports: `--help` and `completion` load no engine.
 */
import { BENCH_PART_NAMES } from './bench-parts';
import type { CommandSpec, OptionSpec } from './options';
import { DECODER_DEFAULTS, FOLDER_IMAGE_SIZE, suggestTraining } from '../shared/training-defaults';
import { MAX_LATENT, MIN_LATENT } from '../shared/limits';
import {
  ARCHS,
  COLOR_MODES,
  DECODER_UPSAMPLES,
  EASINGS,
  FIT_MODES,
  LATENT_PRIORS,
  LIKELIHOODS,
  LR_SCHEDULES,
  SEGMENT_MODES,
  SPACINGS,
} from '../shared/vocabulary';

const MNIST_DEFAULTS = suggestTraining({ kind: 'mnist', trainCount: 60000, height: 28, channels: 1 });
const FOLDER_DEFAULTS = suggestTraining({ kind: 'folder', trainCount: 1000, height: FOLDER_IMAGE_SIZE, channels: 3 });

const background = (what: string) => ({
  type: 'string' as const,
  value: 'white|black|#rrggbb',
  help: 'what transparent pixels are flattened onto (and contain pads with)',
  defaultText: what,
});
const seed = { type: 'string', value: 'N', help: 'random seed', default: '0' } as const satisfies OptionSpec;
const model = { type: 'string', value: 'DIR', help: 'the model folder (required)' } as const satisfies OptionSpec;
const modelData = {
  type: 'string',
  value: 'mnist|PATH',
  help: 'the images to use',
  defaultText: 'the ones the model was trained on',
} as const satisfies OptionSpec;

export const COMMAND_SPECS = {
  train: {
    summary: 'train a VAE on mnist or an image folder',
    options: {
      data: { type: 'string', value: 'mnist|PATH', help: 'mnist, or a folder of images (subfolders are labels)', default: 'mnist' },
      out: { type: 'string', value: 'DIR', help: 'where the model is saved (required; must be empty unless --resume or --force)' },
      arch: { type: 'string', choices: ARCHS, help: 'encoder/decoder', defaultText: 'conv for a folder at 28, 32, 64 or 128 px, else mlp' },
      latent: {
        type: 'string',
        value: 'N',
        unit: 'dimensions',
        help: `latent size, ${MIN_LATENT} to ${MAX_LATENT}`,
        defaultText: `${FOLDER_DEFAULTS.latentDim} for a folder, ${MNIST_DEFAULTS.latentDim} for mnist`,
      },
      epochs: {
        type: 'string',
        value: 'N',
        unit: 'epochs',
        help: 'how many epochs (with a time budget: the most)',
        defaultText: `${MNIST_DEFAULTS.fixedEpochs} for mnist; a folder trains on its time budget`,
      },
      'time-budget': {
        type: 'string',
        value: 'S',
        unit: 'seconds',
        help: 'stop at the end of the epoch that would pass this',
        defaultText: `${FOLDER_DEFAULTS.timeBudgetSeconds} for a folder, none for mnist`,
      },
      'budget-clock': { type: 'string', choices: ['wall', 'cpu'], help: 'which clock the time budget counts', default: 'wall' },
      batch: { type: 'string', value: 'N', unit: 'images', help: 'batch size', defaultText: '32 below 20,000 training images, else 128' },
      lr: { type: 'string', value: 'RATE', help: 'Adam learning rate', defaultText: `${FOLDER_DEFAULTS.lr} for conv, ${MNIST_DEFAULTS.lr} for mlp` },
      'lr-schedule': { type: 'string', choices: LR_SCHEDULES, help: 'learning-rate schedule', defaultText: 'cosine for a folder, constant for mnist' },
      beta: { type: 'string', value: 'B', help: 'weight of the KL term', default: String(DECODER_DEFAULTS.beta) },
      'kl-warmup': { type: 'string', value: 'FRACTION', help: 'the KL weight rises from 0 to β over this first fraction of the run', defaultText: '0 (none)' },
      'free-bits': {
        type: 'string',
        value: 'NATS',
        unit: 'nats per latent dimension',
        help: 'KL floor under which a dimension is not penalised',
        defaultText: '0 (none)',
      },
      filters: { type: 'string', value: 'N,N,…', help: "the conv net's filters, one per halving of the image", defaultText: '32,64 up to 32 px' },
      upsample: {
        type: 'string',
        choices: DECODER_UPSAMPLES,
        help: "the conv decoder's upsampling (resize-conv: nearest ×2, then a 3×3 convolution)",
        defaultText: DECODER_DEFAULTS.decoderUpsample,
      },
      'residual-blocks': {
        type: 'string',
        value: 'N',
        help: 'residual blocks per resolution level of the conv net',
        defaultText: String(DECODER_DEFAULTS.residualBlocks),
      },
      likelihood: { type: 'string', choices: LIKELIHOODS, help: 'decoder likelihood', defaultText: 'gaussian for a folder, bernoulli for mnist' },
      'learned-scale': { type: 'boolean', help: "learn the Gaussian decoder's σ (on by default for a folder)" },
      size: {
        type: 'string',
        value: 'PX',
        unit: 'pixels',
        help: 'image side a folder is resized to',
        defaultText: `${FOLDER_IMAGE_SIZE} for a folder, 28 for mnist`,
      },
      color: { type: 'string', choices: COLOR_MODES, help: 'colour mode', defaultText: 'rgb for a folder, gray for mnist' },
      fit: { type: 'string', choices: FIT_MODES, help: 'how a folder image fills the square', default: 'cover' },
      background: background('white (a resumed model keeps its own)'),
      binarize: { type: 'boolean', help: 'binarize MNIST pixels' },
      limit: { type: 'string', value: 'N', unit: 'images', help: 'train on the first N images only', defaultText: 'all' },
      seed,
      resume: { type: 'boolean', help: 'continue the model in --out' },
      force: { type: 'boolean', help: 'replace the model in --out' },
    },
  },
  eval: {
    summary: 'test loss, importance-sampled log-likelihood and sample Fréchet distances of a model',
    options: {
      model: { ...model, help: 'the model folder (required unless --score-images)' },
      data: modelData,
      background: background("the model's own"),
      k: { type: 'string', value: 'N', unit: 'samples per image', help: 'importance samples for the log-likelihood', default: '1000' },
      limit: { type: 'string', value: 'N', unit: 'images', help: 'evaluate the first N images only', defaultText: 'all' },
      seed,
      'skip-fd': { type: 'boolean', help: 'skip the Fréchet distances' },
      'fd-count': { type: 'string', value: 'N', unit: 'images', help: 'images per Fréchet distance', default: '1000' },
      'z-source': {
        type: 'string',
        choices: ['normal', 'density'],
        help: 'where sampled latents come from',
        defaultText: "the model's fitted density, else normal",
      },
      'score-images': { type: 'string', value: 'FILE', help: 'score these images against --data instead of a model' },
      'feature-cache': { type: 'string', value: 'DIR', help: 'where the feature network is cached' },
      record: { type: 'boolean', help: "write the distances into the model's manifest.json" },
      size: { type: 'string', value: 'PX', unit: 'pixels', help: 'with --data and no --model: image side' },
      color: { type: 'string', choices: COLOR_MODES, help: 'with --data and no --model: colour mode' },
      fit: { type: 'string', choices: FIT_MODES, help: 'with --data and no --model: fit mode' },
    },
  },
  sample: {
    summary: 'decode samples from the prior into a PNG grid',
    options: {
      model,
      out: { type: 'string', value: 'FILE.png', help: 'the PNG to write (required)' },
      n: { type: 'string', value: 'N', unit: 'images', help: 'how many samples', default: '64' },
      seed,
      scale: { type: 'string', value: 'N', unit: '× pixels', help: 'enlarge each image', default: '1' },
      prior: { type: 'string', choices: LATENT_PRIORS, help: 'draw latents from', defaultText: "the model's fitted density, else normal" },
    },
  },
  embed: {
    summary: 'write every image’s latent mean and 3D view position as CSV',
    options: {
      model,
      out: { type: 'string', value: 'FILE.csv', help: 'the CSV to write (required)' },
      data: modelData,
      background: background("the model's own"),
      limit: { type: 'string', value: 'N', unit: 'images', help: 'the first N images only', defaultText: 'all' },
    },
  },
  encode: {
    summary: 'encode image files: μ, σ, reconstruction error and the nearest training images',
    positionals: 'FILE…',
    options: {
      model,
      data: modelData,
      background: background("the model's own"),
      k: { type: 'string', value: 'N', unit: 'images', help: 'how many nearest training images', default: '8' },
    },
  },
  ingest: {
    summary: 'load an image folder into the dataset cache',
    positionals: 'PATH',
    options: {
      size: { type: 'string', value: 'PX', unit: 'pixels', help: 'image side', default: '64' },
      color: { type: 'string', choices: COLOR_MODES, help: 'colour mode', default: 'rgb' },
      fit: { type: 'string', choices: FIT_MODES, help: 'how an image fills the square', default: 'cover' },
      background: background('white'),
      'test-fraction': { type: 'string', value: 'F', unit: 'fraction', help: 'share of images held out for testing', default: '0.1' },
      seed,
      'cache-dir': { type: 'string', value: 'DIR', help: 'where the cache is written', defaultText: 'beside the folder' },
    },
  },
  interpolate: {
    summary: 'animate a path through latent space (GIF, WebM, PNG frames)',
    options: {
      model,
      out: { type: 'string', value: 'FILE', help: '.gif, .webm, .png (sprite sheet) or a folder for PNG frames (required)' },
      from: { type: 'string', value: 'INDEX|z1,z2,…', help: 'first keyframe: a dataset index or a latent vector' },
      to: { type: 'string', value: 'INDEX|z1,z2,…', help: 'last keyframe' },
      via: { type: 'string', value: 'INDEX|z1,z2,…', multiple: true, help: 'keyframes in between' },
      frames: { type: 'string', value: 'N', unit: 'frames', help: 'frames in the animation', defaultText: '60' },
      path: { type: 'string', choices: SEGMENT_MODES, help: 'segment shape', defaultText: 'linear' },
      ease: { type: 'string', choices: EASINGS, help: 'easing', defaultText: 'linear' },
      loop: { type: 'boolean', help: 'ping-pong back to the start' },
      spacing: { type: 'string', choices: SPACINGS, help: 'frames spaced by path length or per segment', defaultText: 'length' },
      fps: { type: 'string', value: 'N', unit: 'frames/s', help: 'playback rate', default: '30' },
      scale: { type: 'string', value: 'N', unit: '× pixels', help: 'enlarge each frame', default: '4' },
      data: modelData,
      'load-path': { type: 'string', value: 'FILE', help: 'a saved path JSON (instead of --from/--to)' },
      'save-path': { type: 'string', value: 'FILE', help: 'save the path as JSON' },
    },
  },
  prepare: {
    summary: 'store beside a model what the app shows of it (μ, reconstruction error, KL of every image)',
    options: {
      model,
      data: modelData,
      background: background("the model's own"),
      'strip-optimizer': { type: 'boolean', help: 'drop the Adam state to ship the model small' },
      'skip-fd': { type: 'boolean', help: "skip measuring the samples' Fréchet distance (the library's FD)" },
      'feature-cache': { type: 'string', value: 'DIR', help: 'where the feature network is cached' },
    },
  },
  bench: {
    summary: 'measure speed on this machine (JSON)',
    options: {
      'no-reference': { type: 'boolean', help: 'skip the PyTorch/Pillow references' },
      only: { type: 'string', value: BENCH_PART_NAMES.join(','), help: 'run only these parts (comma-separated)', defaultText: 'all' },
      runs: { type: 'string', value: 'N', unit: 'runs', help: 'repeat each reference figure', default: '1' },
      threads: { type: 'string', value: 'N', unit: 'threads', help: "native TensorFlow's thread pools", defaultText: "TensorFlow's choice" },
      'conv-steps': { type: 'string', value: 'N', unit: 'steps', help: 'training steps of the conv folder figure', default: '60' },
      'conv-images': { type: 'string', value: 'N', unit: 'images', help: 'images of the conv folder figure', default: '256' },
      'ingest-images': { type: 'string', value: 'N', unit: 'images', help: 'images of the ingest figure', default: '1000' },
      'soak-only': { type: 'boolean', help: 'the same as --only soak' },
      memory: { type: 'boolean', help: 'the same as --only memory: peak memory of sample and a library strip on the largest model the caps allow' },
      'soak-clients': { type: 'string', value: 'N', unit: 'sockets', help: 'flooding clients of the soak', default: '6' },
      'soak-seconds': { type: 'string', value: 'S', unit: 'seconds', help: 'length of the soak', default: '30' },
    },
  },
  serve: {
    summary: 'run the app in a browser over HTTP + WebSocket',
    options: {
      port: { type: 'string', value: 'N', help: 'TCP port (0: any free one)', default: '0' },
      host: { type: 'string', value: 'ADDR', help: 'address to listen on', default: '127.0.0.1' },
      'data-dir': { type: 'string', value: 'DIR', help: "the app's data folder", defaultText: '$LATENTSCAPE_DATA_DIR or ~/.latentscape' },
      allow: { type: 'string', value: 'DIR', multiple: true, help: 'a folder the browser may open by path', defaultText: 'the current folder' },
    },
  },
  completion: {
    summary: 'print a shell completion script (bash or zsh)',
    positionals: 'bash|zsh',
    options: {},
  },
} satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMAND_SPECS;
