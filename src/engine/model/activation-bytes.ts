/**
 * What one image costs in activations, from a config's shapes alone, before anything is allocated.
 *
 * Parameter counts do not bound memory: a 14 M-parameter conv model at 512² holds gigabytes while it
 * decodes one batch. These counts are what the engine caps a model by (validateConfig refuses a model
 * whose single-image decode exceeds MAX_DECODE_IMAGE_BYTES) and what it sizes every decode and encode
 * batch by (decode-batches.ts), so one call's peak stays under ACTIVATION_BUDGET_BYTES whatever n is.
 *
 * The count is an upper bound of what one forward pass holds at its peak, per image, on any backend:
 * - inside tf.tidy nothing is freed before the scope ends, so every layer's tensors add up: its
 *   op's output, the bias sum and the activation (the plain path's three; the fused path makes fewer);
 * - a transposed convolution also holds its column matrix, one k·k·outC row per input pixel (the wasm
 *   path's matMul before col2im; tfjs-node's Conv2DBackpropInput builds the same buffer);
 * - the image itself is held as float32 several times on the way out: the likelihood's mode, the clip
 *   to [0, 1], the ×255 and the read-back (decode); the input floats and its tensor (encode).
 */
import type { VaeConfig } from './vae';
import { convLayers, type ConvLayer } from './conv-arch';

const FLOAT_BYTES = 4;
/** Tensors a layer with a bias and a ReLU leaves in a tidy: the op's output, + bias, ReLU. */
const RELU_LAYER_TENSORS = 3;
/** A layer without an activation: the op's output and the bias sum. */
const LINEAR_LAYER_TENSORS = 2;
/** Float copies of the decoded image: the likelihood's mode, the clip, ×255 and the read-back. */
const DECODED_IMAGE_COPIES = 4;
/** Float copies of an encoded image: the floats built from the bytes and the tensor made of them. */
const ENCODED_IMAGE_COPIES = 2;
/** Transposed convolutions use 3×3 kernels (vae.ts). */
const KERNEL_AREA = 9;

type Shapes = Pick<VaeConfig, 'arch' | 'latentDim' | 'height' | 'width' | 'channels' | 'hidden' | 'filters' | 'decoderUpsample' | 'residualBlocks'>;

/** A residual block's tensors per output float: conv a (output, bias, ReLU), conv b (output, bias), the sum. */
const RESIDUAL_BLOCK_TENSORS = 6;

/**
 * Floats one conv layer (model/conv-arch.ts's list, the one description the model is built from) leaves
 * in a tidy: its tensors, and what its op builds on the way — a transposed convolution's column matrix;
 * for nearest ×2 then a convolution, the upsampled input and (as an upper bound for backends that
 * unfold it) its 3×3 patches.
 */
function layerFloats(layer: ConvLayer): number {
  const out = layer.outSize * layer.outSize * layer.outChannels;
  const tensors = layer.relu ? RELU_LAYER_TENSORS : LINEAR_LAYER_TENSORS;
  switch (layer.kind) {
    case 'transpose':
      return layer.inSize * layer.inSize * KERNEL_AREA * layer.outChannels + tensors * out;
    case 'resize-conv': {
      const upsampled = layer.outSize * layer.outSize * layer.inChannels;
      return upsampled + KERNEL_AREA * upsampled + tensors * out;
    }
    case 'residual':
      return RESIDUAL_BLOCK_TENSORS * out;
    default:
      return tensors * out;
  }
}

/** Bytes one image's decode (z → the uint8 image) holds at its peak. */
export function decodeActivationBytes(c: Shapes): number {
  const image = c.height * c.width * c.channels;
  let floats = c.latentDim + DECODED_IMAGE_COPIES * image;
  if (c.arch === 'mlp') {
    floats += RELU_LAYER_TENSORS * c.hidden + LINEAR_LAYER_TENSORS * image;
  } else {
    const layers = convLayers(c);
    // The dense layer's output (with bias and ReLU) at the smallest resolution, then every decoder layer.
    floats += RELU_LAYER_TENSORS * layers.flat;
    for (const layer of layers.decoder) floats += layerFloats(layer);
  }
  return floats * FLOAT_BYTES;
}

/** Bytes one image's encode (uint8 image → μ, log σ²) holds at its peak. */
export function encodeActivationBytes(c: Shapes): number {
  const image = c.height * c.width * c.channels;
  let floats = ENCODED_IMAGE_COPIES * image + 2 * LINEAR_LAYER_TENSORS * c.latentDim;
  if (c.arch === 'mlp') {
    floats += RELU_LAYER_TENSORS * c.hidden;
  } else {
    for (const layer of convLayers(c).encoder) floats += layerFloats(layer);
  }
  return floats * FLOAT_BYTES;
}

/** Images per batch so that a batch's activations stay within `budgetBytes` (at least one). */
export function imagesPerBatch(perImageBytes: number, budgetBytes: number): number {
  return Math.max(1, Math.floor(budgetBytes / perImageBytes));
}

/** "1.4 GB", "380 MB": byte counts in refusals. */
export function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(1)} GB`;
  return `${Math.round(bytes / 2 ** 20)} MB`;
}
