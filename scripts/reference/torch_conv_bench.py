#!/usr/bin/env python3
"""The reference for `latentscape bench`'s train_conv_folder_vs_torch: the app's folder-default conv VAE
(torch_vae.py's ConvVae: 3x3 stride-2 convs, dense heads, transposed convs; Gaussian decoder whose scale
is calibrated from the squared error as the app's trainer does) trained for a fixed number of steps on
the images the bench wrote, in the same order as the app's side. Prints one JSON line.

  python3 scripts/reference/torch_conv_bench.py --data DIR --steps 60 --threads 2 \
      [--latent 32] [--filters 32,64] [--batch 32] [--lr 5e-3] [--warmup 3]

DIR holds meta.json ({count, height, width, channels}) and pixels.u8 (count x H x W x C, uint8, HWC).
Batch k of the timed steps is images [k*batch, (k+1)*batch) modulo count, as on the app's side.
"""
import argparse
import json
import os
import time

# Before numpy and torch load the BLAS library: bounds its threads to --threads.
import bound_threads  # noqa: F401

import numpy as np  # noqa: E402
import torch  # noqa: E402

from torch_vae import ConvVae  # noqa: E402  (the same module's model: one definition of the shape)


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--data', required=True)
    p.add_argument('--steps', type=int, default=60)
    p.add_argument('--warmup', type=int, default=3)
    p.add_argument('--latent', type=int, default=32)
    p.add_argument('--filters', default='32,64')
    p.add_argument('--batch', type=int, default=32)
    p.add_argument('--lr', type=float, default=5e-3)
    p.add_argument('--threads', type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(a.threads)
    torch.manual_seed(1)

    meta = json.load(open(os.path.join(a.data, 'meta.json')))
    h, w, c, n = meta['height'], meta['width'], meta['channels'], meta['count']
    pixels = np.fromfile(os.path.join(a.data, 'pixels.u8'), dtype=np.uint8)
    if pixels.size != n * h * w * c:
        raise SystemExit(f'pixels.u8 holds {pixels.size} bytes, meta.json says {n * h * w * c}')
    x = torch.from_numpy(pixels.reshape(n, h, w, c).astype(np.float32) / 255.0).permute(0, 3, 1, 2).contiguous()
    if n % a.batch:
        raise SystemExit(f'{n} images is not a whole number of batches of {a.batch}')
    batches = [x[i:i + a.batch] for i in range(0, n, a.batch)]

    model = ConvVae(h, c, a.latent, [int(f) for f in a.filters.split(',')], 'gaussian', True)
    params = [q for q in model.parameters() if q is not model.out_logvar]
    opt = torch.optim.Adam(params, lr=a.lr)
    pixels_per_image = h * w * c

    def step(xb):
        loss, recon, _, objective = model.loss(xb, 1.0)  # objective = loss without KL warm-up or free bits
        opt.zero_grad()
        objective.backward()
        opt.step()
        model.calibrate(recon.item(), pixels_per_image)
        return loss.item()

    for i in range(a.warmup):
        step(batches[i % len(batches)])
    started = time.perf_counter()
    cpu_started = time.process_time()
    last_loss = float('nan')
    for i in range(a.steps):
        last_loss = step(batches[i % len(batches)])
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    print(json.dumps({
        'images_per_s': a.steps * a.batch / seconds,
        'steps': a.steps,
        'batch': a.batch,
        'images': n,
        'seconds': seconds,
        'loss': last_loss,
        'threads': torch.get_num_threads(),
        'blas_threads': int(os.environ['OPENBLAS_NUM_THREADS']),
        'cpu_per_wall': cpu_seconds / seconds,
        'torch': torch.__version__,
    }))


if __name__ == '__main__':
    main()
