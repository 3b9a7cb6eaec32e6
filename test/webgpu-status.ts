/**
 * Where the WebGPU tests find an adapter. Chromium's SwiftShader (a software Vulkan driver, present
 * wherever Debian's chromium is installed; CI installs it) gives Dawn an adapter on any machine, so
 * the tests' numbers come from the same software adapter everywhere. It is used only where no Vulkan
 * driver was chosen already (VK_ICD_FILENAMES/VK_DRIVER_FILES unset): a developer who points those at
 * a real GPU's driver tests on that GPU. The app itself never sets them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** The variables that give Dawn SwiftShader's adapter, or none where a driver is chosen already or SwiftShader is absent. */
export function softwareAdapterEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  if (env.VK_ICD_FILENAMES || env.VK_DRIVER_FILES || !existsSync(SWIFTSHADER_ICD)) return {};
  const extra: Record<string, string> = { VK_ICD_FILENAMES: SWIFTSHADER_ICD };
  if (!env.XDG_RUNTIME_DIR) {
    // The Vulkan loader's window-system code asks for it; a private folder of this user's does.
    const dir = join(tmpdir(), `latentscape-xdg-${process.getuid?.() ?? 'user'}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    extra.XDG_RUNTIME_DIR = dir;
  }
  return extra;
}

/** Why Dawn finds no WebGPU adapter with this environment, or null when it finds one (asked in a child process: Dawn holds its process). */
export function webgpuMissing(env: NodeJS.ProcessEnv = { ...process.env, ...softwareAdapterEnv() }): string | null {
  const probe =
    "import('webgpu').then(async (w) => { const a = await w.create([]).requestAdapter(); console.log(a ? 'adapter' : 'none'); process.exit(0); })" +
    ".catch((e) => { console.log('error ' + String(e.message).split('\\n')[0]); process.exit(0); })";
  const r = spawnSync(process.execPath, ['-e', probe], { cwd: fileURLToPath(new URL('..', import.meta.url)), env, encoding: 'utf8', timeout: 60_000 });
  const answer = r.stdout.trim().split('\n').pop() ?? '';
  if (answer === 'adapter') return null;
  if (answer.startsWith('error ')) return `the webgpu package failed to load: ${answer.slice(6)}`;
  return existsSync(SWIFTSHADER_ICD)
    ? 'Dawn finds no WebGPU adapter here'
    : `Dawn finds no WebGPU adapter here, and Chromium's SwiftShader (${SWIFTSHADER_ICD}) is not installed`;
}
