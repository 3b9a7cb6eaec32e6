/**
 * The recent projects list: <data dir>/recent-projects.json, newest first, at most 10. Written to a
 * temp file and renamed; a damaged list is treated as empty (it is only a convenience).
 */
import { mkdir, readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../node/files';

export const RECENT_FILE = 'recent-projects.json';
export const MAX_RECENT = 10;

const RecentProjectSchema = z.strictObject({ path: z.string().min(1).max(4096), name: z.string().max(400), savedAt: z.string().max(100) });
export type RecentProject = z.infer<typeof RecentProjectSchema>;
const RecentFileSchema = z.strictObject({ format: z.literal('latentscape-recent'), projects: z.array(RecentProjectSchema).max(100) });

export async function readRecentProjects(dataDir: string): Promise<RecentProject[]> {
  try {
    const parsed = RecentFileSchema.safeParse(JSON.parse(await readFile(join(dataDir, RECENT_FILE), 'utf8')));
    return parsed.success ? parsed.data.projects.filter((p) => isAbsolute(p.path)).slice(0, MAX_RECENT) : [];
  } catch {
    return [];
  }
}

export async function rememberProject(dataDir: string, entry: RecentProject): Promise<void> {
  const list = [entry, ...(await readRecentProjects(dataDir)).filter((p) => p.path !== entry.path)].slice(0, MAX_RECENT);
  await mkdir(dataDir, { recursive: true });
  const file = join(dataDir, RECENT_FILE);
  await writeFileAtomic(file, JSON.stringify({ format: 'latentscape-recent', projects: list }, null, 2) + '\n');
}
