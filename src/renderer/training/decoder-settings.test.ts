import { describe, expect, it } from 'vitest';
import { advancedTrainSettings, defaultAdvancedSettings } from './decoder-settings';
import { DECODER_DEFAULTS } from '../../shared/training-defaults';

describe('advancedTrainSettings', () => {
  it('sends nothing for the defaults, which are DECODER_DEFAULTS', () => {
    const defaults = defaultAdvancedSettings();
    expect(defaults).toEqual({ decoderUpsample: DECODER_DEFAULTS.decoderUpsample, residualBlocks: 0, klWarmup: 0, freeBits: 0 });
    expect(advancedTrainSettings(defaults, 'conv')).toEqual({});
  });

  it("sends what changed; the decoder's shape only for conv", () => {
    const changed = { decoderUpsample: 'resize-conv' as const, residualBlocks: 2, klWarmup: 0.3, freeBits: 0.5 };
    expect(advancedTrainSettings(changed, 'conv')).toEqual(changed);
    expect(advancedTrainSettings(changed, 'mlp')).toEqual({ klWarmup: 0.3, freeBits: 0.5 });
  });
});
