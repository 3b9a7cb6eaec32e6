#!/usr/bin/env python3
"""
PyTorch reference for Latentscape's conv VAE: the same shape (3x3 stride-2 convs with the app's filter
widths, dense mean/log-variance heads, a dense layer back to the smallest feature map, 3x3 stride-2
transposed convs, ReLU between), the same init bounds (PyTorch's default, which the app copies), the
same likelihood, Adam, and the same data and train/test split (exported from the app's own ingest by
scripts/reference/export-dataset.mjs).

Training stops on a time budget, by the same rule as `latentscape train --time-budget`: an epoch is not
started when the last epoch's duration says it would end past the budget. The clock is this process's
CPU time (--clock cpu, default: fair on a shared machine) or wall time. Every epoch is followed by the
test ELBO and the PSNR, as in the app, and that time counts too.

PSNR as in src/engine/train/psnr.ts: pixels x/255 in [0, 1], x^ = decoder mean at z = mu(x) clipped to
[0, 1] (sigmoid of the logits for Bernoulli), per image 10*log10(1/MSE) over all pixels and channels
(MSE floored at 1e-10), averaged over the held-out images.

  python3 scripts/reference/torch_vae.py --data /work/data/icons-32-rgb --latent 32 --budget 180 \
      --likelihood gaussian --learned-scale --out /work/data/runs/torch

The decoder options of the app's model/conv-arch.ts and kl-schedule.ts, alike: --upsample resize-conv (nearest x2
then a 3x3 conv), --residual-blocks N (x + conv_b(relu(conv_a(x))), conv_b zero-initialised, N per resolution level
in the encoder and the decoder), --kl-warmup FRACTION (the KL's weight rises linearly from 0 to beta over that
fraction of the budget) and --free-bits NATS (sum_j max(NATS, batch-mean KL_j) in the objective). The last two change
only the objective: test_loss stays the -ELBO_beta.
"""
import argparse, json, math, os, sys, time


# Before numpy and torch load the BLAS library: bounds its threads to --threads.
import bound_threads  # noqa: E402,F401

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def load(data_dir):
    meta = json.load(open(os.path.join(data_dir, 'meta.json')))
    h, w, c = meta['height'], meta['width'], meta['channels']
    pixels = np.fromfile(os.path.join(data_dir, 'pixels.u8'), dtype=np.uint8).reshape(meta['count'], h, w, c)
    x = torch.from_numpy(pixels.astype(np.float32) / 255.0).permute(0, 3, 1, 2).contiguous()  # NCHW
    train = torch.from_numpy(np.fromfile(os.path.join(data_dir, 'train.u32'), dtype=np.uint32).astype(np.int64))
    test = torch.from_numpy(np.fromfile(os.path.join(data_dir, 'test.u32'), dtype=np.uint32).astype(np.int64))
    return meta, x, train, test


class ResidualBlock(nn.Module):
    """x + conv_b(relu(conv_a(x))), conv_b starting at zero (the block starts as the identity), as conv-arch.ts."""

    def __init__(self, channels):
        super().__init__()
        self.conv_a = nn.Conv2d(channels, channels, 3, padding=1)
        self.conv_b = nn.Conv2d(channels, channels, 3, padding=1)
        nn.init.zeros_(self.conv_b.weight)
        nn.init.zeros_(self.conv_b.bias)

    def forward(self, x):
        return x + self.conv_b(F.relu(self.conv_a(x)))


class ResizeConv(nn.Module):
    """Nearest-neighbour x2, then a 3x3 convolution (SAME): no checkerboard."""

    def __init__(self, in_c, out_c):
        super().__init__()
        self.conv = nn.Conv2d(in_c, out_c, 3, padding=1)

    def forward(self, x):
        return self.conv(F.interpolate(x, scale_factor=2, mode='nearest'))


class ConvVae(nn.Module):
    def __init__(self, size, channels, latent, filters, likelihood, learned_scale, upsample='transpose', residual_blocks=0):
        super().__init__()
        self.likelihood, self.filters = likelihood, filters
        self.smallest = size // 2 ** len(filters)
        # Each encoder stage: a stride-2 conv (then relu), then the residual blocks at its resolution.
        enc, in_c = [], channels
        for f in filters:
            enc.append(nn.ModuleList([nn.Conv2d(in_c, f, 3, stride=2, padding=1)] + [ResidualBlock(f) for _ in range(residual_blocks)]))
            in_c = f
        self.enc = nn.ModuleList(enc)
        flat = self.smallest * self.smallest * filters[-1]
        self.mean = nn.Linear(flat, latent)
        self.logvar = nn.Linear(flat, latent)
        self.dense = nn.Linear(latent, flat)
        # Each decoder stage: the residual blocks at its resolution, then the upsampling (relu after, but the last).
        dec = []
        for i in range(len(filters) - 1, -1, -1):
            to_c = channels if i == 0 else filters[i - 1]
            up = (nn.ConvTranspose2d(filters[i], to_c, 3, stride=2, padding=1, output_padding=1) if upsample == 'transpose'
                  else ResizeConv(filters[i], to_c))
            dec.append(nn.ModuleList([ResidualBlock(filters[i]) for _ in range(residual_blocks)] + [up]))
        self.dec = nn.ModuleList(dec)
        self.out_logvar = nn.Parameter(torch.zeros(1)) if (likelihood == 'gaussian' and learned_scale) else None
        self.mse_ema = None

    def encode(self, x):
        h = x
        for conv, *blocks in self.enc:
            h = F.relu(conv(h))
            for block in blocks:
                h = block(h)
        h = h.flatten(1)
        return self.mean(h), self.logvar(h)

    def decode(self, z):
        h = F.relu(self.dense(z)).view(z.shape[0], self.filters[-1], self.smallest, self.smallest)
        for i, (*blocks, up) in enumerate(self.dec):
            for block in blocks:
                h = block(h)
            h = up(h)
            if i < len(self.dec) - 1:
                h = F.relu(h)
        return h  # logits (Bernoulli) or mean (Gaussian)

    def image(self, out):
        return (torch.sigmoid(out) if self.likelihood == 'bernoulli' else out).clamp(0, 1)

    def recon_nll(self, out, x):
        if self.likelihood == 'bernoulli':
            return F.binary_cross_entropy_with_logits(out, x, reduction='none').flatten(1).sum(1)
        logvar = self.out_logvar if self.out_logvar is not None else torch.zeros(1)
        return (0.5 * ((x - out) ** 2 / logvar.exp() + logvar + math.log(2 * math.pi))).flatten(1).sum(1)

    def calibrate(self, recon_mean, pixels, ema=0.1, min_logvar=math.log(1e-4)):
        """As the app's trainer: sigma^2 := moving average of the batch's per-pixel squared error."""
        with torch.no_grad():
            lv = self.out_logvar.item()
            mse = max(0.0, 2 * recon_mean / pixels - lv - math.log(2 * math.pi)) * math.exp(lv)
            self.mse_ema = mse if self.mse_ema is None else (1 - ema) * self.mse_ema + ema * mse
            self.out_logvar.fill_(max(min_logvar, math.log(max(self.mse_ema, 1e-12))))

    def loss(self, x, beta, kl_weight=None, free_bits=0.0):
        """(-ELBO_beta, recon, kl, objective): the objective is the loss unless a warm-up weight or free bits reshape its KL."""
        mu, logvar = self.encode(x)
        z = mu + (0.5 * logvar).exp() * torch.randn_like(mu)
        recon = self.recon_nll(self.decode(z), x)
        kl_per_dim = 0.5 * (logvar.exp() + mu ** 2 - 1 - logvar)
        kl = kl_per_dim.sum(1)
        loss = (recon + beta * kl).mean()
        if kl_weight is None and free_bits == 0:
            return loss, recon.mean(), kl.mean(), loss
        objective_kl = kl_per_dim.mean(0).clamp_min(free_bits).sum() if free_bits > 0 else kl.mean()
        return loss, recon.mean(), kl.mean(), recon.mean() + (beta if kl_weight is None else kl_weight) * objective_kl


@torch.no_grad()
def evaluate(model, x, idx, beta, batch=500):
    loss_sum, psnr_sum = 0.0, 0.0
    for i in range(0, len(idx), batch):
        xb = x[idx[i:i + batch]]
        loss, _, _, _ = model.loss(xb, beta)
        loss_sum += loss.item() * len(xb)
        mu, _ = model.encode(xb)
        mse = ((model.image(model.decode(mu)) - xb) ** 2).flatten(1).mean(1).clamp_min(1e-10)
        psnr_sum += (10 * torch.log10(1 / mse)).sum().item()
    return loss_sum / len(idx), psnr_sum / len(idx)


def save_grids(model, x, test, out_dir, n=32, seed=0):
    from PIL import Image
    with torch.no_grad():
        xb = x[test[:n]]
        mu, _ = model.encode(xb)
        rec = model.image(model.decode(mu))
        g = torch.Generator().manual_seed(seed)
        samples = model.image(model.decode(torch.randn(64, mu.shape[1], generator=g)))

    def tile(imgs, cols):
        imgs = (imgs.clamp(0, 1) * 255).round().byte().permute(0, 2, 3, 1).numpy()
        n, h, w, c = imgs.shape
        rows = (n + cols - 1) // cols
        grid = np.full((rows * h, cols * w, c), 255, np.uint8)
        for k in range(n):
            grid[(k // cols) * h:(k // cols + 1) * h, (k % cols) * w:(k % cols + 1) * w] = imgs[k]
        img = Image.fromarray(grid.squeeze() if c == 1 else grid)
        return img.resize((img.width * 4, img.height * 4), Image.NEAREST)

    # Reconstructions: rows of 8 originals, each followed by a row of their reconstructions.
    pairs = torch.cat([torch.stack([xb[r * 8:(r + 1) * 8], rec[r * 8:(r + 1) * 8]]) for r in range(n // 8)]).flatten(0, 1)
    tile(pairs, 8).save(os.path.join(out_dir, 'reconstructions.png'))
    tile(samples, 8).save(os.path.join(out_dir, 'samples.png'))


@torch.no_grad()
def write_samples(model, x, train, out_dir, n, seed=0, batch=500):
    """N images from z ~ N(0, I) (samples-normal.u8) and N from z ~ N(m, C), the full-covariance Gaussian fitted
    to the training images' means mu(x) (samples-fitted.u8): raw uint8, N x H x W x C (HWC), the format
    `latentscape eval --score-images` reads, so the app's code scores both sides."""
    model.eval()
    mus = torch.cat([model.encode(x[train[i:i + batch]])[0] for i in range(0, len(train), batch)]).double()
    mean = mus.mean(0)
    cov = torch.cov(mus.T) + 1e-6 * torch.eye(mus.shape[1], dtype=torch.float64)
    g = torch.Generator().manual_seed(seed)
    eps = torch.randn(n, mus.shape[1], generator=g, dtype=torch.float64)
    sources = {'normal': eps, 'fitted': mean + eps @ torch.linalg.cholesky(cov).T}
    paths = {}
    for name, z in sources.items():
        imgs = torch.cat([model.image(model.decode(z[i:i + batch].float())) for i in range(0, n, batch)])
        path = os.path.join(out_dir, f'samples-{name}.u8')
        (imgs * 255).round().byte().permute(0, 2, 3, 1).contiguous().numpy().tofile(path)
        paths[name] = path
    return paths


def lr_at(lr, progress, final_fraction, warmup=0.0):
    """As the app's lr-schedule.ts: a linear warm-up over the first `warmup` of the budget (from final_fraction*lr),
    then a cosine decay from lr to final_fraction*lr as the budget is spent."""
    p = min(1.0, max(0.0, progress))
    rise = max(final_fraction, min(1.0, p / warmup)) if warmup > 0 else 1.0
    return rise * lr * (final_fraction + (1 - final_fraction) * 0.5 * (1 + math.cos(math.pi * p)))


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--data', required=True)
    p.add_argument('--latent', type=int, default=32)
    p.add_argument('--filters', default='32,64')
    p.add_argument('--likelihood', choices=['bernoulli', 'gaussian'], default='gaussian')
    p.add_argument('--learned-scale', action='store_true')
    p.add_argument('--scale', choices=['calibrated', 'param'], default='calibrated',
                   help='learned scale: set from the squared error as the app does, or an Adam-trained parameter')
    p.add_argument('--batch', type=int, default=128)
    p.add_argument('--lr', type=float, default=1e-3)
    p.add_argument('--beta', type=float, default=1.0)
    p.add_argument('--budget', type=float, default=180.0, help='seconds')
    p.add_argument('--clock', choices=['cpu', 'wall'], default='cpu')
    p.add_argument('--max-epochs', type=int, default=100000)
    p.add_argument('--schedule', choices=['constant', 'cosine'], default='constant',
                   help='learning rate: constant (the app on MNIST), or cosine decay over the time budget (the app on folders; with --warmup 0.05)')
    p.add_argument('--final-lr-fraction', type=float, default=0.05)
    p.add_argument('--warmup', type=float, default=0.0, help='cosine only: linear warm-up over this fraction of the budget (the app: 0.05)')
    p.add_argument('--upsample', choices=['transpose', 'resize-conv'], default='transpose')
    p.add_argument('--residual-blocks', type=int, default=0)
    p.add_argument('--kl-warmup', type=float, default=0.0, help="the KL's weight rises from 0 to beta over this fraction of the budget")
    p.add_argument('--free-bits', type=float, default=0.0, help='nats per latent dimension under which the KL is not penalised')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--out', required=True)
    p.add_argument('--write-samples', type=int, default=0, metavar='N',
                   help='after training, write N samples from N(0, I) and N from a Gaussian fitted to the training means '
                        '(OUT/samples-normal.u8, OUT/samples-fitted.u8) for `latentscape eval --score-images`')
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    os.makedirs(a.out, exist_ok=True)
    meta, x, train, test = load(a.data)
    model = ConvVae(meta['height'], meta['channels'], a.latent, [int(f) for f in a.filters.split(',')], a.likelihood, a.learned_scale,
                    a.upsample, a.residual_blocks)
    calibrated = model.out_logvar is not None and a.scale == 'calibrated'
    params = [p for p in model.parameters() if not (calibrated and p is model.out_logvar)]
    opt = torch.optim.Adam(params, lr=a.lr)
    pixels = meta['height'] * meta['width'] * meta['channels']
    clock = time.process_time if a.clock == 'cpu' else time.perf_counter
    start, last_epoch = clock(), 0.0
    wall_start = time.perf_counter()
    epoch, psnr, test_loss = 0, float('nan'), float('nan')
    while epoch < a.max_epochs:
        if epoch > 0 and clock() - start + last_epoch > a.budget:
            break
        t0 = clock()
        model.train()
        order = train[torch.randperm(len(train))]
        objective_sum = 0.0
        for i in range(0, len(order), a.batch):
            if a.schedule == 'cosine':
                for g in opt.param_groups:
                    g['lr'] = lr_at(a.lr, (clock() - start) / a.budget, a.final_lr_fraction, a.warmup)
            progress = (clock() - start) / a.budget
            kl_weight = a.beta * min(1.0, max(0.0, progress) / a.kl_warmup) if a.kl_warmup > 0 else None
            loss, recon, _, objective = model.loss(x[order[i:i + a.batch]], a.beta, kl_weight, a.free_bits)
            objective_sum += objective.item() * len(order[i:i + a.batch])
            opt.zero_grad()
            objective.backward()
            opt.step()
            if calibrated:
                model.calibrate(recon.item(), pixels)
        model.eval()
        test_loss, psnr = evaluate(model, x, test, a.beta)
        epoch += 1
        last_epoch = clock() - t0
        shaped = {'train_objective': objective_sum / len(order)} if (a.kl_warmup > 0 or a.free_bits > 0) else {}
        print(json.dumps({'epoch': epoch, 'test_loss': test_loss, 'psnr_db': psnr, **shaped, 'elapsed_s': clock() - start, 'clock': a.clock}), flush=True)
    save_grids(model, x, test, a.out)
    samples = write_samples(model, x, train, a.out, a.write_samples, a.seed) if a.write_samples > 0 else {}
    print(json.dumps({'final': True, 'epochs': epoch, 'test_loss': test_loss, 'psnr_db': psnr, 'elapsed_s': clock() - start,
                      'wall_s': time.perf_counter() - wall_start, 'clock': a.clock, 'scale': a.scale, 'lr': a.lr, 'schedule': a.schedule, 'warmup': a.warmup, 'batch': a.batch, 'latent': a.latent, 'filters': a.filters,
                      'upsample': a.upsample, 'residual_blocks': a.residual_blocks, 'kl_warmup': a.kl_warmup, 'free_bits': a.free_bits, 'threads': torch.get_num_threads(), 'blas_threads': os.environ['OPENBLAS_NUM_THREADS'],
                      'torch': torch.__version__, 'out': a.out, 'samples': samples}), flush=True)


if __name__ == '__main__':
    main()
