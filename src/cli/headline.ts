/**
 * The CLI's text lines: bits per dimension and PSNR first (shared/headline-figures.ts says how they
 * are computed), the nats after them for comparison with the VAE literature. --json keeps every
 * figure as a number instead.
 */

const bits = (v: number): string => `${v.toFixed(3)} bits/dim`;
const db = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? '' : `, PSNR ${v.toFixed(2)} dB`);
const nats = (v: number): string => v.toFixed(1);

/** One epoch of `train`: "epoch 3/10: test 1.234 bits/dim, PSNR 20.61 dB (train 1.250 bits/dim; nats per image: …)". */
export function epochHeadline(
  m: { epoch: number; test_bpd: number; train_bpd: number; psnr_db?: number; test_loss: number; train_loss: number; test_recon: number; test_kl: number },
  epochs: number,
): string {
  return (
    `epoch ${m.epoch}/${epochs}: test ${bits(m.test_bpd)}${db(m.psnr_db)} (train ${bits(m.train_bpd)}; ` +
    `nats per image: test ${nats(m.test_loss)} = recon ${nats(m.test_recon)} + KL ${nats(m.test_kl)}, train ${nats(m.train_loss)})`
  );
}

/** `eval`'s summary: the held-out ELBO and the importance-sampled likelihood in bits/dim, the PSNR, then the nats. */
export function evalHeadline(r: {
  n: number;
  k: number;
  test_bpd: number;
  nll_is_bpd: number;
  psnr_db: number;
  test_loss: number;
  recon: number;
  kl: number;
  nll_is: number;
}): string {
  return [
    `${r.n} held-out images: ${bits(r.nll_is_bpd)} (importance-sampled, K = ${r.k}); ELBO bound ${bits(r.test_bpd)}${db(r.psnr_db)}`,
    `nats per image: −log p(x) ≈ ${nats(r.nll_is)}; loss ${nats(r.test_loss)} = recon ${nats(r.recon)} + KL ${nats(r.kl)}`,
  ].join('\n');
}
