import { describe, expect, it } from 'vitest';
import { epochHeadline, evalHeadline } from '../../../src/cli/headline';

describe("the CLI's text lines", () => {
  it('an epoch: bits/dim and PSNR first, nats after', () => {
    const line = epochHeadline(
      { epoch: 3, test_bpd: 6.389554, train_bpd: 6.2, psnr_db: 20.614, test_loss: -3429.24, train_loss: -3600, test_recon: -3500.04, test_kl: 70.8 },
      10,
    );
    expect(line).toBe(
      'epoch 3/10: test 6.390 bits/dim, PSNR 20.61 dB (train 6.200 bits/dim; nats per image: test -3429.2 = recon -3500.0 + KL 70.8, train -3600.0)',
    );
  });

  it('an epoch without a PSNR leaves it out', () => {
    expect(epochHeadline({ epoch: 1, test_bpd: 0.2, train_bpd: 0.25, test_loss: 108.4, train_loss: 136, test_recon: 90, test_kl: 18.4 }, 1)).toMatch(
      /^epoch 1\/1: test 0\.200 bits\/dim \(train 0\.250 bits\/dim;/,
    );
  });

  it("eval's summary", () => {
    const text = evalHeadline({ n: 40, k: 50, test_bpd: 0.2, nll_is_bpd: 0.19, psnr_db: 15.5, test_loss: 108.44, recon: 90, kl: 18.44, nll_is: 103.04 });
    expect(text).toBe(
      '40 held-out images: 0.190 bits/dim (importance-sampled, K = 50); ELBO bound 0.200 bits/dim, PSNR 15.50 dB\n' +
        'nats per image: −log p(x) ≈ 103.0; loss 108.4 = recon 90.0 + KL 18.4',
    );
  });
});
