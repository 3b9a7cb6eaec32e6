/**
 * The soak figures of `latentscape bench`: a short run against the real serve host and engine with
 * the default model (2 flooding sockets, one not reading, for 2 s), and the bounds of its options.
 */
import { describe, expect, it } from 'vitest';
import { run } from '../../../src/cli/commands/bench';
import { benchSoak } from '../../../src/cli/soak-bench';

describe('the soak bench', () => {
  it('floods the real serve host and reports the probe latency, the server RSS, N, M and the load', { timeout: 300_000 }, async () => {
    const stages: string[] = [];
    const report = await benchSoak((s) => stages.push(s), { clients: 2, seconds: 2, burst: 4 });
    expect(stages).toEqual(['soak: starting the serve host', 'soak: 2 flooding clients (one not reading) for 2 s']);
    expect(report).toMatchObject({ soak_clients: 2, soak_seconds: 2, soak_burst: 4, soak_probe_errors: 0 });
    expect(report.soak_probe_decodes).toBeGreaterThan(0);
    expect(report.soak_flood_answers).toBeGreaterThan(0);
    expect(report.soak_p99_decode_ms).toBeGreaterThanOrEqual(report.soak_p50_decode_ms as number);
    expect(typeof report.soak_peak_rss_growth_mb).toBe('number');
    expect(String(report.soak_load_avg)).toMatch(/^\d+\.\d\d \d+\.\d\d \d+\.\d\d$/);
  });

  it('refuses a flood of fewer than 2 sockets (one must be the one that does not read)', async () => {
    await expect(run(['--soak-only', '--soak-clients', '1'])).rejects.toThrow('--soak-clients must be an integer from 2 to 32, got "1"');
    await expect(run(['--soak-only', '--soak-seconds', '0'])).rejects.toThrow('--soak-seconds must be an integer from 1 to 600');
  });
});
