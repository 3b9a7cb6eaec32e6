import { loadDataset } from '../../engine/data/load';
import { limitDataset } from '../../engine/data/dataset';
import { train } from '../../engine/train/trainer';
import { backgroundOption, required, startBackend } from '../common';
import { parseCommandArgs } from '../options';
import { COMMAND_SPECS } from '../command-specs';
import { chooseTraining } from '../train-settings';
import { epochHeadline } from '../headline';
import { readManifest } from '../../engine/train/checkpoint';
import { recordedBackground } from '../../shared/background';
import { CancelledError, UsageError, choiceOption, createOutput, intOption, numberOption } from '../io';
import { inspectOutDir, outDirRefusal } from '../../engine/train/out-dir';
import { holdModelFolder } from '../../engine/train/held-model';
import { DECODER_DEFAULTS, FOLDER_IMAGE_SIZE, suggestTraining } from '../../shared/training-defaults';
import { MAX_LATENT, MIN_LATENT } from '../../shared/limits';
import { ARCHS, COLOR_MODES, DECODER_UPSAMPLES, FIT_MODES, LIKELIHOODS, LR_SCHEDULES, type Arch, type DecoderUpsample } from '../../shared/vocabulary';
import { MAX_FILTERS, MAX_RESIDUAL_BLOCKS } from '../../engine/model/vae';
import { MAX_FREE_BITS } from '../../engine/train/kl-schedule';

/** Exit code of a run whose loss exploded (engine/train/divergence.ts): the epochs before it are kept. */
export const DIVERGED_EXIT_CODE = 3;

/** Resolves to 130 when Ctrl-C stopped the run after an epoch (the model so far is saved), to DIVERGED_EXIT_CODE when it diverged. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(COMMAND_SPECS.train, argv);
  const out = createOutput(Boolean(values.json));
  const outDir = required('out', values.out);
  const dataSpec = required('data', values.data);
  const isFolder = dataSpec.toLowerCase() !== 'mnist';
  // Unset options are chosen from the dataset once it is loaded (shared/training-defaults.ts); here they
  // are only checked, so bad arguments fail before anything is loaded.
  const given = {
    arch: values.arch === undefined ? undefined : choiceOption('arch', values.arch, ARCHS, 'mlp'),
    latentDim: values.latent === undefined ? undefined : intOption('latent', values.latent, MIN_LATENT, MIN_LATENT, MAX_LATENT),
    timeBudgetSeconds: values['time-budget'] === undefined ? undefined : numberOption('time-budget', values['time-budget'], 0, 1, 7 * 24 * 3600),
    epochs: values.epochs === undefined ? undefined : intOption('epochs', values.epochs, 10, 1, 100000),
    batchSize: values.batch === undefined ? undefined : intOption('batch', values.batch, 128, 1, 65536),
    lr: values.lr === undefined ? undefined : numberOption('lr', values.lr, 1e-3, 1e-7, 10),
    lrSchedule: values['lr-schedule'] === undefined ? undefined : choiceOption('lr-schedule', values['lr-schedule'], LR_SCHEDULES, 'constant'),
    likelihood: values.likelihood === undefined ? undefined : choiceOption('likelihood', values.likelihood, LIKELIHOODS, 'bernoulli'),
    learnedScale: values['learned-scale'],
  };
  const budgetClock = choiceOption('budget-clock', values['budget-clock'], ['wall', 'cpu'] as const, 'wall');
  const beta = numberOption('beta', values.beta, DECODER_DEFAULTS.beta, 0, 1000);
  const size = intOption('size', values.size, isFolder ? FOLDER_IMAGE_SIZE : 28, 8, 512);
  const klWarmup = numberOption('kl-warmup', values['kl-warmup'], DECODER_DEFAULTS.klWarmup, 0, 1);
  const freeBits = numberOption('free-bits', values['free-bits'], DECODER_DEFAULTS.freeBits, 0, MAX_FREE_BITS);
  // Checked against the architecture the dataset would get when --arch is unset (a folder: conv).
  const architecture = convOptions(given.arch ?? (isFolder ? 'conv' : 'mlp'), values.filters, values.upsample, values['residual-blocks']);
  const color = choiceOption('color', values.color, COLOR_MODES, isFolder ? 'rgb' : 'gray');
  const fit = choiceOption('fit', values.fit, FIT_MODES, 'cover');
  // A folder's transparency is flattened onto it (default white); recorded in the model's manifest.
  const explicitBackground = backgroundOption(values.background);
  const limit = values.limit === undefined ? undefined : intOption('limit', values.limit, 0, 1);
  const seed = intOption('seed', values.seed, 0, 0, 2 ** 31 - 1);
  const resume = Boolean(values.resume);
  const force = Boolean(values.force);
  if (resume && force) throw new UsageError('--resume and --force exclude each other: --resume continues the model in --out, --force replaces it');
  // Checked before anything is loaded: a run must never destroy what the folder held.
  const outState = await inspectOutDir(outDir);
  const refusal = outDirRefusal(outDir, outState, { resume, force });
  if (refusal) throw new UsageError(`--out ${refusal}`);
  // The model --force replaces is held until the run ends: a run that diverges puts it back.
  const replaced = force && outState.kind === 'model' ? await holdModelFolder(outDir) : null;
  if (replaced && 'notHeld' in replaced) out.info(`note: the model in --out is replaced even if this run diverges (${replaced.notHeld})`);
  // A resumed model keeps the background it was trained on (black for one from before the setting),
  // so its dataset's fingerprint still matches; --background says otherwise.
  const background =
    explicitBackground ?? (resume ? (recordedBackground((await readManifest(outDir)).dataset?.preprocessing?.background) ?? undefined) : undefined);
  const backend = await startBackend(values.backend, out);
  out.info(`backend: ${backend.name}${backend.fallbacks.length ? ` (passed over: ${backend.fallbacks.join('; ')})` : ''}`);

  const controller = new AbortController();
  const onSigint = (): void => {
    out.info('cancelling after this step; the last checkpoint is kept');
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  try {
    const loaded = await loadDataset(dataSpec, {
      size,
      color,
      fit,
      background,
      // No seed here: a folder's train/test split is the default one, as in the app, whatever --seed
      // says. --seed varies the training (initialisation, batch order, noise); the held-out images
      // stay the same, so runs of different seeds compare on the same images, and `eval` (which
      // re-ingests the folder) scores a model on exactly the images it did not train on.
      onProgress: (p: { done: number; total: number }) => out.progress({ stage: 'ingest', ...p }, { done: p.done, total: p.total, label: 'ingest' }),
    });
    // Before training starts, so the warning comes with the ingest's output.
    const cacheWarning = await loaded.cacheWrite;
    if (cacheWarning) {
      out.info(`warning: ${cacheWarning}`);
      if (out.json) out.progress({ stage: 'ingest', warning: cacheWarning });
    }
    const dataset = limitDataset(loaded.dataset, limit);
    out.info(
      `dataset: ${dataset.name}, ${dataset.split.train.length} train / ${dataset.split.test.length} test images, ${dataset.height}×${dataset.width}×${dataset.channels}`,
    );
    const suggested = suggestTraining({
      kind: dataset.source.kind,
      trainCount: dataset.split.train.length,
      height: dataset.height,
      channels: dataset.channels,
    });
    const { arch, latentDim, likelihood, learnedScale, batchSize, lr, lrSchedule, epochs, timeBudgetSeconds: timeBudget } = chooseTraining(given, suggested);
    out.info(
      `settings: ${arch}, likelihood ${likelihood}${likelihood === 'gaussian' ? (learnedScale ? ' (learned scale)' : ' (σ = 1)') : ''}, lr ${lr}${lrSchedule === 'cosine' ? ' (a warm-up, then a cosine decay over the run)' : ''}, batch ${batchSize}, ${timeBudget === undefined ? `${epochs} epochs` : `up to ${epochs} epochs or ${timeBudget} s (${budgetClock} clock)`}`,
    );
    const trainStarted = performance.now();
    const result = await train(dataset, {
      arch,
      latentDim,
      epochs,
      batchSize,
      lr,
      lrSchedule,
      beta,
      klWarmup,
      freeBits,
      ...architecture,
      likelihood,
      learnedScale,
      binarize: Boolean(values.binarize),
      seed,
      outDir,
      resume,
      ...(timeBudget === undefined ? {} : { timeBudget: { seconds: timeBudget, clock: budgetClock } }),
      signal: controller.signal,
      preprocessing: loaded.preprocessing,
      onEvent: (e) => {
        if (e.type === 'step') {
          // The bar spans the run: its steps, or on a time budget its seconds (the ETA is then the budget's end).
          const label = `epoch ${e.epoch}/${epochs}`;
          const bar =
            timeBudget === undefined
              ? { done: (e.epoch - 1) * e.stepsPerEpoch + e.step, total: epochs * e.stepsPerEpoch, label }
              : { done: Math.min(timeBudget, (performance.now() - trainStarted) / 1000), total: timeBudget, label };
          if (!out.json) out.progress(e, bar);
        } else if (e.type === 'epoch') {
          const { type: _t, ...m } = e;
          const record = {
            epoch: m.epoch,
            train_loss: m.train_loss,
            test_loss: m.test_loss,
            recon: m.recon,
            kl: m.kl,
            test_recon: m.test_recon,
            test_kl: m.test_kl,
            psnr_db: m.psnr_db,
            train_bpd: m.train_bpd,
            test_bpd: m.test_bpd,
            // What was minimised, beside the true −ELBO_β above (present with --kl-warmup or --free-bits).
            ...(m.train_objective === undefined ? {} : { train_objective: m.train_objective }),
            samples_per_s: m.samples_per_s,
            backend: m.backend,
            seconds: m.seconds,
          };
          if (out.json || m.train_bpd === undefined || m.test_bpd === undefined) out.progress(record);
          else out.info(epochHeadline({ ...m, train_bpd: m.train_bpd, test_bpd: m.test_bpd }, epochs));
        }
      },
    });
    const last = result.metrics[result.metrics.length - 1];
    if (result.diverged) {
      result.vae.dispose();
      const { epoch, step, bestLoss, loss, message } = result.diverged;
      // The diverged epoch was never saved: --out holds the epoch before it, or the model --force was to replace.
      const restored = replaced !== null && 'restore' in replaced;
      if (restored && result.epochsCompleted > 0) await replaced.restore();
      const kept = restored
        ? `${outDir} keeps the model it held before this run`
        : result.epochsCompleted > 0
          ? `${outDir} keeps the model of epoch ${result.epochsCompleted}`
          : `nothing of this run was saved in ${outDir}`;
      const epochsKept = restored && outState.kind === 'model' ? outState.epochsCompleted : result.epochsCompleted;
      const record = { diverged: true, epoch, step, best_loss: bestLoss, loss, message, epochs_kept: epochsKept, previous_model_kept: restored, out: outDir };
      out.final(record, `diverged: ${message}\n${kept}`);
      return DIVERGED_EXIT_CODE;
    }
    if (result.densityError) out.info(`${result.densityError}; samples use N(0, I) until \`latentscape prepare\` fits one`);
    result.vae.dispose();
    if (!last) throw result.cancelled ? new CancelledError('cancelled before the first epoch finished; nothing was saved') : new Error('no epoch ran');
    const headline =
      last.train_bpd === undefined || last.test_bpd === undefined
        ? undefined
        : `${epochHeadline({ ...last, train_bpd: last.train_bpd, test_bpd: last.test_bpd }, epochs)}\n` +
          `${result.cancelled ? 'cancelled; ' : result.budgetReached ? 'time budget reached; ' : ''}saved in ${outDir} (backend ${backend.name})`;
    out.final(
      {
        epoch: last.epoch,
        train_loss: last.train_loss,
        test_loss: last.test_loss,
        recon: last.recon,
        kl: last.kl,
        test_recon: last.test_recon,
        test_kl: last.test_kl,
        psnr_db: last.psnr_db,
        train_bpd: last.train_bpd,
        test_bpd: last.test_bpd,
        samples_per_s: last.samples_per_s,
        backend: backend.name,
        cancelled: result.cancelled,
        budget_reached: result.budgetReached,
        density_components: result.latentDensity?.weights.length ?? null,
        density_heldout_loglik: result.latentDensity?.heldOutLogLikelihood ?? null,
        out: outDir,
      },
      headline,
    );
    return result.cancelled ? 130 : 0;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** --filters 32,64 --upsample resize-conv --residual-blocks 1: the conv net's shape (model/conv-arch.ts); unset ones are left to the model's defaults. */
function convOptions(
  arch: Arch,
  filters: string | undefined,
  upsample: string | undefined,
  residualBlocks: string | undefined,
): { filters?: number[]; decoderUpsample?: DecoderUpsample; residualBlocks?: number } {
  if (arch !== 'conv' && (filters ?? upsample ?? residualBlocks) !== undefined)
    throw new UsageError('--filters, --upsample and --residual-blocks shape the conv net: use them with --arch conv');
  return {
    ...(filters === undefined ? {} : { filters: filters.split(',').map((f) => intOption('filters', f.trim(), 32, 1, MAX_FILTERS)) }),
    ...(upsample === undefined ? {} : { decoderUpsample: choiceOption('upsample', upsample, DECODER_UPSAMPLES, 'transpose') }),
    ...(residualBlocks === undefined ? {} : { residualBlocks: intOption('residual-blocks', residualBlocks, 0, 0, MAX_RESIDUAL_BLOCKS) }),
  };
}
