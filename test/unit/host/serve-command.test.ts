import { describe, expect, it } from 'vitest';
import { run } from '../../../src/cli/commands/serve';
import { UsageError } from '../../../src/cli/io';

describe('latentscape serve', () => {
  it('refuses bad options before starting anything', async () => {
    await expect(run(['--port', 'eighty'])).rejects.toBeInstanceOf(UsageError);
    await expect(run(['--port', '70000'])).rejects.toThrow('--port must be an integer from 0 to 65535');
    await expect(run(['--unknown'])).rejects.toThrow();
  });
});
