/**
 * The training panel's advanced settings — the conv decoder's upsampling and residual blocks, the KL's
 * warm-up and free bits — as trainStart takes them: only what differs from the defaults is sent (the
 * service and the trainer fill in the rest from shared/training-defaults.ts), and the conv-only ones
 * only for the convolutional model.
 */
import type { TrainSettings } from '../../shared/contract';
import { DECODER_DEFAULTS, type DecoderOptions } from '../../shared/training-defaults';
import type { Arch } from '../../shared/vocabulary';

export type AdvancedSettings = Omit<DecoderOptions, 'beta'>;

export function defaultAdvancedSettings(): AdvancedSettings {
  const { beta: _beta, ...rest } = DECODER_DEFAULTS;
  return { ...rest };
}

export function advancedTrainSettings(a: AdvancedSettings, arch: Arch): Pick<TrainSettings, 'decoderUpsample' | 'residualBlocks' | 'klWarmup' | 'freeBits'> {
  const conv = arch === 'conv';
  return {
    ...(conv && a.decoderUpsample !== DECODER_DEFAULTS.decoderUpsample ? { decoderUpsample: a.decoderUpsample } : {}),
    ...(conv && a.residualBlocks !== DECODER_DEFAULTS.residualBlocks ? { residualBlocks: a.residualBlocks } : {}),
    ...(a.klWarmup !== DECODER_DEFAULTS.klWarmup ? { klWarmup: a.klWarmup } : {}),
    ...(a.freeBits !== DECODER_DEFAULTS.freeBits ? { freeBits: a.freeBits } : {}),
  };
}
