/**
 * The conv VAE's layers, described once (`convLayers`) and used for its parameters, its forward pass
 * and anything that counts per-layer sizes (activation bytes, FLOPs): a new layer kind is one edit here.
 *
 * Encoder: stride-2 3×3 convolutions (ReLU), one per halving, each followed by `residualBlocks`
 * residual blocks; dense heads to μ and log σ². Decoder: a dense layer to the smallest feature map,
 * then per level `residualBlocks` residual blocks and an upsampling ×2, either a transposed stride-2
 * convolution (today's default) or nearest-neighbour ×2 then a 3×3 convolution ('resize-conv': every
 * output pixel sees the same number of kernel taps, so no checkerboard; Odena et al., 2016).
 * A residual block is x + conv_b(ReLU(conv_a(x))) with conv_b starting at zero, so each block starts as
 * the identity and a deeper net trains from the same function as a shallow one (Goyal et al., 2017).
 */
import * as tf from '@tensorflow/tfjs-core';
import { conv2d, conv2dTranspose } from './ops';
import type { DecoderUpsample } from '../../shared/vocabulary';

export type { DecoderUpsample };

/** What the conv layers depend on (a subset of VaeConfig). */
export interface ConvShape {
  height: number;
  channels: number;
  filters: number[];
  residualBlocks?: number;
  decoderUpsample?: DecoderUpsample;
}

export type ConvLayerKind = 'down' | 'residual' | 'transpose' | 'resize-conv';

/**
 * One layer: its parameter prefix, its input and output (square size, channels), and whether a ReLU
 * follows it. A residual block holds two convolutions, `${name}/conv_a` and `${name}/conv_b`.
 */
export interface ConvLayer {
  kind: ConvLayerKind;
  name: string;
  inSize: number;
  outSize: number;
  inChannels: number;
  outChannels: number;
  relu: boolean;
}

export interface ConvLayers {
  encoder: ConvLayer[];
  decoder: ConvLayer[];
  /** Side of the smallest feature map, and its size as a flat vector (the dense layers' width). */
  smallest: number;
  flat: number;
}

export function convLayers(c: ConvShape): ConvLayers {
  const blocks = c.residualBlocks ?? 0;
  const upsample = c.decoderUpsample ?? 'transpose';
  const levels = c.filters.length;
  const smallest = c.height / 2 ** levels;
  const encoder: ConvLayer[] = [];
  let size = c.height;
  let inC = c.channels;
  c.filters.forEach((f, i) => {
    encoder.push({ kind: 'down', name: `encoder/conv${i}`, inSize: size, outSize: size / 2, inChannels: inC, outChannels: f, relu: true });
    size /= 2;
    inC = f;
    for (let j = 0; j < blocks; j++) encoder.push(residual(`encoder/block${i}_${j}`, size, f));
  });
  const decoder: ConvLayer[] = [];
  size = smallest;
  for (let i = levels - 1; i >= 0; i--) {
    const fromC = c.filters[i];
    for (let j = 0; j < blocks; j++) decoder.push(residual(`decoder/block${i}_${j}`, size, fromC));
    const toC = i === 0 ? c.channels : c.filters[i - 1];
    const name = upsample === 'transpose' ? `decoder/up${i}` : `decoder/upconv${i}`;
    decoder.push({ kind: upsample, name, inSize: size, outSize: size * 2, inChannels: fromC, outChannels: toC, relu: i > 0 });
    size *= 2;
  }
  return { encoder, decoder, smallest, flat: smallest * smallest * c.filters[levels - 1] };
}

function residual(name: string, size: number, channels: number): ConvLayer {
  return { kind: 'residual', name, inSize: size, outSize: size, inChannels: channels, outChannels: channels, relu: false };
}

export type ParamSpec = { name: string; shape: number[]; fanIn: number; zero?: boolean };

/** A layer's parameters, in checkpoint order; fan-in as PyTorch's default init computes it. */
export function layerParams(layer: ConvLayer): ParamSpec[] {
  const { name, inChannels: inC, outChannels: outC } = layer;
  switch (layer.kind) {
    case 'down':
    case 'resize-conv':
      return [
        { name: `${name}/kernel`, shape: [3, 3, inC, outC], fanIn: 9 * inC },
        { name: `${name}/bias`, shape: [outC], fanIn: 9 * inC },
      ];
    case 'transpose':
      // Kernels are [3, 3, outC, inC] as tf.conv2dTranspose takes them; fan-in as PyTorch's
      // ConvTranspose2d computes it for its default init (outC·3·3).
      return [
        { name: `${name}/kernel`, shape: [3, 3, outC, inC], fanIn: 9 * outC },
        { name: `${name}/bias`, shape: [outC], fanIn: 9 * outC },
      ];
    case 'residual':
      return [
        { name: `${name}/conv_a/kernel`, shape: [3, 3, inC, inC], fanIn: 9 * inC },
        { name: `${name}/conv_a/bias`, shape: [inC], fanIn: 9 * inC },
        { name: `${name}/conv_b/kernel`, shape: [3, 3, inC, inC], fanIn: 9 * inC, zero: true },
        { name: `${name}/conv_b/bias`, shape: [inC], fanIn: 9 * inC, zero: true },
      ];
  }
}

export type ParamLookup = (name: string) => tf.Tensor;

/**
 * Runs layers over h. `dataInput`: h is the data itself, so the first layer computes no gradient for
 * it (the ops' `inputGradient: false`).
 */
export function runConvLayers(layers: ConvLayer[], h: tf.Tensor4D, p: ParamLookup, dataInput = false): tf.Tensor4D {
  let out = h;
  layers.forEach((layer, index) => {
    const inputGradient = !(dataInput && index === 0);
    out = runLayer(layer, out, p, inputGradient);
  });
  return out;
}

function runLayer(layer: ConvLayer, h: tf.Tensor4D, p: ParamLookup, inputGradient: boolean): tf.Tensor4D {
  const kernel = (suffix = '') => p(`${layer.name}${suffix}/kernel`) as tf.Tensor4D;
  const bias = (suffix = '') => p(`${layer.name}${suffix}/bias`) as tf.Tensor1D;
  const activation = layer.relu ? ('relu' as const) : ('linear' as const);
  switch (layer.kind) {
    case 'down':
      return conv2d(h, kernel(), bias(), 2, { activation, inputGradient });
    case 'transpose':
      return conv2dTranspose(h, kernel(), bias(), 2, { activation });
    case 'resize-conv':
      return resizeConv(h, kernel(), bias(), activation);
    case 'residual': {
      const inner = conv2d(h, kernel('/conv_a'), bias('/conv_a'), 1, { activation: 'relu' });
      return tf.add(h, conv2d(inner, kernel('/conv_b'), bias('/conv_b'), 1)) as tf.Tensor4D;
    }
  }
}

/** act(conv2d(nearest×2(x), filter, stride 1, SAME) + bias). */
export function resizeConv(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, activation: 'relu' | 'linear' = 'linear'): tf.Tensor4D {
  return conv2d(upsampleNearest2x(x), filter, bias, 1, { activation });
}

// The customGrad typings do not model a leading-tensors-then-save signature; this cast does.
type CustomGradBody = Parameters<typeof tf.customGrad>[0];

/**
 * Nearest-neighbour ×2: every pixel repeated over a 2×2 block. Its gradient is the sum of dy over each
 * block, written here because the cpu backend's ResizeNearestNeighborGrad kernel (tfjs 4) gives wrong
 * values for this resize (test/unit/engine/model/conv-arch.test.ts checks it against finite differences).
 */
export function upsampleNearest2x(x: tf.Tensor4D): tf.Tensor4D {
  const [batch, height, width, channels] = x.shape;
  const op = tf.customGrad(((xi: tf.Tensor4D) => ({
    value: tf.image.resizeNearestNeighbor(xi, [height * 2, width * 2], false, false),
    gradFunc: (dy: tf.Tensor) => tf.sum(tf.reshape(dy, [batch, height, 2, width, 2, channels]), [2, 4]),
  })) as unknown as CustomGradBody) as unknown as (x: tf.Tensor4D) => tf.Tensor4D;
  return op(x);
}
