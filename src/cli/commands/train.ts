import { parseArgs } from 'node:util';
import { loadDataset } from '../../engine/data/load';
import { limitDataset } from '../../engine/data/dataset';
import { train } from '../../engine/train/trainer';
import { COMMON_OPTIONS, backgroundOption, required, startBackend } from '../common';
import { epochHeadline } from '../headline';
import { readManifest } from '../../engine/train/checkpoint';
import { recordedBackground } from '../../shared/background';
import { UsageError, choiceOption, createOutput, intOption, numberOption } from '../io';
import { inspectOutDir, outDirRefusal } from '../../engine/train/out-dir';
import { suggestTraining } from '../../shared/training-defaults';
import { MAX_LATENT, MIN_LATENT } from '../../shared/limits';
import { ARCHS, COLOR_MODES, DECODER_UPSAMPLES, FIT_MODES, LIKELIHOODS, LR_SCHEDULES, type Arch, type DecoderUpsample } from '../../shared/vocabulary';
import { MAX_FILTERS, MAX_RESIDUAL_BLOCKS } from '../../engine/model/vae';
import { MAX_FREE_BITS } from '../../engine/train/kl-schedule';

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      ...COMMON_OPTIONS,
      data: { type: 'string', default: 'mnist' },
      arch: { type: 'string' },
      latent: { type: 'string' },
      epochs: { type: 'string' },
      batch: { type: 'string' },
      lr: { type: 'string' },
      'lr-schedule': { type: 'string' },
      beta: { type: 'string' },
      'kl-warmup': { type: 'string' },
      'free-bits': { type: 'string' },
      filters: { type: 'string' },
      upsample: { type: 'string' },
      'residual-blocks': { type: 'string' },
      likelihood: { type: 'string' },
      'learned-scale': { type: 'boolean' },
      size: { type: 'string' },
      color: { type: 'string' },
      fit: { type: 'string' },
      background: { type: 'string' },
      binarize: { type: 'boolean' },
      limit: { type: 'string' },
      seed: { type: 'string' },
      resume: { type: 'boolean' },
      force: { type: 'boolean' },
      'time-budget': { type: 'string' },
      'budget-clock': { type: 'string' },
      out: { type: 'string' },
    },
  });
  const out = createOutput(Boolean(values.json));
  const outDir = required('out', values.out);
  const dataSpec = required('data', values.data);
  const isFolder = dataSpec.toLowerCase() !== 'mnist';
  // Unset options are chosen from the dataset once it is loaded (shared/training-defaults.ts); here they
  // are only checked, so bad arguments fail before anything is loaded.
  const arch = choiceOption('arch', values.arch, ARCHS, isFolder ? 'conv' : 'mlp');
  const latentDim = intOption('latent', values.latent, 2, MIN_LATENT, MAX_LATENT);
  const explicitBudget = values['time-budget'] === undefined ? undefined : numberOption('time-budget', values['time-budget'], 0, 1, 7 * 24 * 3600);
  const budgetClock = choiceOption('budget-clock', values['budget-clock'], ['wall', 'cpu'] as const, 'wall');
  const explicitEpochs = values.epochs === undefined ? undefined : intOption('epochs', values.epochs, 10, 1, 100000);
  const explicitBatch = values.batch === undefined ? undefined : intOption('batch', values.batch, 128, 1, 65536);
  const explicitLr = values.lr === undefined ? undefined : numberOption('lr', values.lr, 1e-3, 1e-7, 10);
  const explicitSchedule = values['lr-schedule'] === undefined ? undefined : choiceOption('lr-schedule', values['lr-schedule'], LR_SCHEDULES, 'constant');
  const beta = numberOption('beta', values.beta, 1, 0, 1000);
  const klWarmup = numberOption('kl-warmup', values['kl-warmup'], 0, 0, 1);
  const freeBits = numberOption('free-bits', values['free-bits'], 0, 0, MAX_FREE_BITS);
  const architecture = convOptions(arch, values.filters, values.upsample, values['residual-blocks']);
  const explicitLikelihood = values.likelihood === undefined ? undefined : choiceOption('likelihood', values.likelihood, LIKELIHOODS, 'bernoulli');
  const size = intOption('size', values.size, arch === 'conv' ? 32 : 28, 8, 512);
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
  const refusal = outDirRefusal(outDir, await inspectOutDir(outDir), { resume, force });
  if (refusal) throw new UsageError(`--out ${refusal}`);
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
    const cacheWarning = loaded.report?.cache_warning;
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
    const likelihood = explicitLikelihood ?? suggested.likelihood;
    const learnedScale = values['learned-scale'] ?? (explicitLikelihood === undefined && suggested.learnedScale);
    const batchSize = explicitBatch ?? suggested.batchSize;
    const lr = explicitLr ?? suggested.lr;
    const lrSchedule = explicitSchedule ?? suggested.lrSchedule;
    // A folder trains on a time budget unless told how long; MNIST keeps its 10 epochs.
    const timeBudget = explicitBudget ?? (explicitEpochs === undefined && isFolder ? suggested.timeBudgetSeconds : undefined);
    const epochs = explicitEpochs ?? (timeBudget === undefined ? 10 : isFolder && explicitBudget === undefined ? suggested.epochs : 100000);
    out.info(
      `settings: ${arch}, likelihood ${likelihood}${likelihood === 'gaussian' ? (learnedScale ? ' (learned scale)' : ' (σ = 1)') : ''}, lr ${lr}${lrSchedule === 'cosine' ? ' (a warm-up, then a cosine decay over the run)' : ''}, batch ${batchSize}, ${timeBudget === undefined ? `${epochs} epochs` : `up to ${epochs} epochs or ${timeBudget} s (${budgetClock} clock)`}`,
    );
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
          if (!out.json) out.progress(e, { done: e.step, total: e.stepsPerEpoch, label: `epoch ${e.epoch}/${epochs}` });
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
    if (result.densityError) out.info(`${result.densityError}; samples use N(0, I) until \`latentscape prepare\` fits one`);
    result.vae.dispose();
    if (!last) throw new Error(result.cancelled ? 'cancelled before the first epoch finished; nothing was saved' : 'no epoch ran');
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
    if (result.cancelled) process.exitCode = 130;
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
