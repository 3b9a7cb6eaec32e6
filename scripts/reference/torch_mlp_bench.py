#!/usr/bin/env python3
"""The reference for `latentscape bench`: the same MLP VAE training step in PyTorch, as it runs by default.

pytorch/examples' VAE: 784-400-20 (ReLU hidden layers), Bernoulli decoder (BCE summed over pixels),
KL to N(0, I), Adam lr 1e-3, batch 128, one reparameterised sample per step. Prints one JSON line:
samples/s as batch / median step time (the machine may be shared), like the engine's figure.
Torch's thread count is left at its default (reported). Data: uniform noise in [0, 1] of MNIST's
shape (the step's cost does not depend on the values).
"""
import json
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn


class Vae(nn.Module):
    def __init__(self, d_in=784, hidden=400, latent=20):
        super().__init__()
        self.enc = nn.Linear(d_in, hidden)
        self.mu = nn.Linear(hidden, latent)
        self.logvar = nn.Linear(hidden, latent)
        self.dec = nn.Linear(latent, hidden)
        self.out = nn.Linear(hidden, d_in)

    def forward(self, x):
        h = F.relu(self.enc(x))
        mu, logvar = self.mu(h), self.logvar(h)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        logits = self.out(F.relu(self.dec(z)))
        recon = F.binary_cross_entropy_with_logits(logits, x, reduction="sum")
        kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        return (recon + kl) / x.shape[0]


def main(min_seconds=4.0, max_steps=400, batch=128):
    torch.manual_seed(1)
    model = Vae()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    xs = [torch.rand(batch, 784) for _ in range(8)]

    def step(x):
        opt.zero_grad()
        loss = model(x)
        loss.backward()
        opt.step()
        return loss.item()

    for i in range(3):
        step(xs[i % 8])
    times = []
    started = time.perf_counter()
    while len(times) < max_steps and time.perf_counter() - started < min_seconds:
        t = time.perf_counter()
        step(xs[len(times) % 8])
        times.append(time.perf_counter() - t)
    seconds = time.perf_counter() - started
    times.sort()
    median = times[len(times) // 2]
    print(json.dumps({
        "samples_per_s": batch / median,
        "mean_samples_per_s": len(times) * batch / seconds,
        "steps": len(times),
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 4.0)
