/**
 * Where a Node CPU profile of scripts/profile-step.ts spent the training steps (docs/PERFORMANCE.md):
 * each sample under `profileCase` counted by its own function's package, so the native calls
 * (tfjs-node's executeSingleOutput, whose C++ frames the profile does not show) stand apart from
 * tfjs-core's engine and tape, tfjs-node's JavaScript and the garbage collector.
 *
 *   npx tsx scripts/cpuprofile-shares.ts /tmp/prof/CPU.….cpuprofile
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

const file = process.argv[2];
if (!file) throw new Error('give the .cpuprofile of the main thread');
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

function underStep(id: number): boolean {
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) if (byId.get(at)?.callFrame.functionName === 'profileCase') return true;
  return false;
}

function kind({ functionName, url }: ProfileNode['callFrame']): string {
  if (functionName === '(garbage collector)') return 'gc';
  if (functionName.endsWith('executeSingleOutput')) return 'native call (executeSingleOutput: TF eager + kernel)';
  if (url.includes('tfjs-node')) return 'tfjs-node JavaScript';
  if (url.includes('@tensorflow')) return 'tfjs-core engine, tape, ops';
  if (url.includes('/src/')) return 'the app';
  return 'other';
}

const shares = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const node = byId.get(id)!;
  if (node.callFrame.functionName !== '(garbage collector)' && !underStep(id)) return;
  const dt = profile.timeDeltas[i];
  total += dt;
  const k = kind(node.callFrame);
  shares.set(k, (shares.get(k) ?? 0) + dt);
});
for (const [k, t] of [...shares].sort((a, b) => b[1] - a[1])) console.log(`${((100 * t) / total).toFixed(1).padStart(5)} %  ${k}`);
