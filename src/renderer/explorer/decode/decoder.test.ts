import { describe, expect, it } from 'vitest';
import type { CallOutput, Generation, Images } from '../../../shared/contract';
import { fakeApi } from '../../shell/testing/fake-api';
import { Decoder } from './decoder.svelte';

const image = (value: number): Images => ({ count: 1, height: 1, width: 1, channels: 1, pixels: Uint8Array.of(value) });

function decoderWith() {
  let answerReconstruct: (r: CallOutput<'reconstruct'>) => void = () => {};
  let answerDecode: (() => void) | null = null;
  let holdDecodes = false;
  const fake = fakeApi({
    decode: ({ z }) => (holdDecodes ? new Promise((resolve) => (answerDecode = () => resolve(image(z[0])))) : image(z[0])),
    reconstruct: () => new Promise((resolve) => (answerReconstruct = resolve)),
  });
  const notices: string[] = [];
  // The generation the page holds (the fake stamps answers with 0); opened() is another opening.
  let current = 0;
  // A model that does not fit the dataset: no nearest-image requests in these tests.
  const decoder = new Decoder({ api: fake.api, notify: (_l, m) => notices.push(m), model: null, isCurrent: (g: Generation) => g === current });
  const reconstruction = (index: number): CallOutput<'reconstruct'> => ({
    index,
    label: 3,
    mu: Float32Array.of(0.5, 0.5),
    original: image(9),
    reconstruction: image(8),
    generation: 0 as Generation,
  });
  return {
    decoder,
    fake,
    notices,
    answer: (index: number) => answerReconstruct(reconstruction(index)),
    hold: () => (holdDecodes = true),
    answerDecode: () => answerDecode?.(),
    opened: () => current++,
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('Decoder', () => {
  it('shows a decoded spot with its latent, place and source', async () => {
    const { decoder } = decoderWith();
    decoder.request(Float32Array.of(7, 0), [1, 2, 3], 'space');
    await settle();
    expect(decoder.decoded).toMatchObject({ view: [1, 2, 3], source: 'space', index: null, seq: 1 });
    expect(Array.from(decoder.decoded!.z)).toEqual([7, 0]);
    expect(decoder.decoded!.image.pixels[0]).toBe(7);
    expect(decoder.decodeCount).toBe(1);
  });

  it('a reconstruction that comes back after a newer request is dropped', async () => {
    const { decoder, answer } = decoderWith();
    const reconstructing = decoder.reconstruct(4, [0, 0, 0]);
    decoder.request(Float32Array.of(5, 5), null, 'typed');
    await settle();
    answer(4);
    await reconstructing;
    expect(decoder.decoded).toMatchObject({ source: 'typed' });
  });

  it('shows a reconstruction with its original when nothing newer was asked for', async () => {
    const { decoder, answer } = decoderWith();
    const reconstructing = decoder.reconstruct(4, [1, 1, 1]);
    answer(4);
    await reconstructing;
    expect(decoder.decoded).toMatchObject({ source: 'point', index: 4, label: 3, view: [1, 1, 1] });
    expect(decoder.decoded!.original!.pixels[0]).toBe(9);
  });

  it('forget drops what is shown and what is on its way', async () => {
    const { decoder, answer } = decoderWith();
    const reconstructing = decoder.reconstruct(4, [1, 1, 1]);
    decoder.forget();
    answer(4);
    await reconstructing;
    expect(decoder.decoded).toBeNull();
  });

  it('a decode in flight when another model opened is not shown (it is of the old model)', async () => {
    const { decoder, hold, answerDecode, opened } = decoderWith();
    hold();
    decoder.request(Float32Array.of(3, 3), [0, 0, 0], 'space');
    await settle();
    opened();
    answerDecode();
    await settle();
    expect(decoder.decoded).toBeNull();
    expect(decoder.decodeCount).toBe(0);
  });

  it('a reconstruction by the model that was open before is not shown', async () => {
    const { decoder, answer, opened } = decoderWith();
    const reconstructing = decoder.reconstruct(4, [1, 1, 1]);
    opened();
    answer(4);
    await reconstructing;
    expect(decoder.decoded).toBeNull();
  });

  it('placeAt moves the decoded image in the view, and leaves nothing to place alone', async () => {
    const { decoder } = decoderWith();
    decoder.placeAt([1, 1, 1]);
    expect(decoder.decoded).toBeNull();
    decoder.request(Float32Array.of(1, 1), [0, 0, 0], 'space');
    await settle();
    decoder.placeAt(null);
    expect(decoder.decoded!.view).toBeNull();
  });
});
