/** Export formats and the names of what they write (plain functions, tested in Node). */
export type ExportFormat = 'gif' | 'webm' | 'frames' | 'sprite' | 'mp4';

export const FORMATS: { id: ExportFormat; label: string; suffix: string }[] = [
  { id: 'gif', label: 'GIF', suffix: '.gif' },
  { id: 'webm', label: 'WebM video', suffix: '.webm' },
  { id: 'mp4', label: 'MP4 video (H.264)', suffix: '.mp4' },
  { id: 'frames', label: 'PNG frames (folder)', suffix: '/' },
  { id: 'sprite', label: 'Sprite sheet (PNG)', suffix: '.png' },
];

/** The file (or folder) name a format writes, from a base name. */
export function exportTarget(base: string, format: ExportFormat): string {
  const stem = base.replace(/[\\/]+$/, '').replace(/\.(gif|webm|png|mp4)$/i, '');
  return stem + FORMATS.find((f) => f.id === format)!.suffix;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} kB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
