#!/usr/bin/env node
/**
 * Builds a test folder of a few thousand colourful 32×32 RGB icons in 8 labelled subfolders from
 * Debian's icon themes (apt-get install -y papirus-icon-theme breeze-icon-theme), rasterised with sharp
 * onto white. The folder is for measuring training quality; keep it out of the repository:
 *
 *   node scripts/build-icon-folder.mjs /work/data/icons
 *
 * Selection is deterministic (sorted, evenly strided), so every machine with the same theme versions
 * builds the same folder.
 */
import { mkdir, readdir, realpath, stat, rm } from 'node:fs/promises';
import { join, extname } from 'node:path';
import sharp from 'sharp';

const ICONS = '/usr/share/icons';
const SIZE = 32;
// label → [theme subfolders], how many icons at most
const CLASSES = {
  apps: [['Papirus/64x64/apps'], 1500],
  folders: [['Papirus/64x64/places'], 700],
  documents: [['Papirus/64x64/mimetypes', 'breeze/mimetypes/64'], 480],
  'breeze-apps': [['breeze/apps/48'], 340],
  devices: [['Papirus/64x64/devices', 'breeze/devices/64'], 100],
  'breeze-places': [['breeze/places/64', 'breeze/places/48'], 140],
  preferences: [['breeze/preferences/32'], 140],
  'breeze-actions': [['breeze/actions/32', 'breeze/applets/64'], 300],
};

async function listIcons(dirs) {
  const seen = new Set();
  const files = [];
  for (const dir of dirs) {
    const full = join(ICONS, dir);
    const names = await readdir(full).catch(() => []);
    for (const name of names.sort()) {
      if (!['.svg', '.png'].includes(extname(name))) continue;
      const real = await realpath(join(full, name)).catch(() => null);
      if (!real || seen.has(real)) continue;
      seen.add(real);
      files.push(real);
    }
  }
  return files;
}

const out = process.argv[2];
if (!out) {
  console.error('usage: node scripts/build-icon-folder.mjs OUT_DIR');
  process.exit(2);
}
if (await stat(out).catch(() => null)) await rm(out, { recursive: true });
let total = 0;
for (const [label, [dirs, cap]] of Object.entries(CLASSES)) {
  const files = await listIcons(dirs);
  if (files.length === 0) throw new Error(`no icons in ${dirs.join(', ')}: install papirus-icon-theme and breeze-icon-theme`);
  const stride = Math.max(1, files.length / cap);
  const picked = [];
  for (let i = 0; i < files.length && picked.length < cap; i += stride) picked.push(files[Math.floor(i)]);
  await mkdir(join(out, label), { recursive: true });
  let written = 0;
  for (const [i, file] of picked.entries()) {
    try {
      await sharp(file, { density: 192 })
        .resize(SIZE, SIZE, { fit: 'contain', background: '#ffffff' })
        .flatten({ background: '#ffffff' })
        .removeAlpha()
        .png()
        .toFile(join(out, label, `${String(i).padStart(4, '0')}.png`));
      written++;
    } catch (err) {
      console.error(`skipped ${file}: ${err.message}`);
    }
  }
  total += written;
  console.log(`${label}: ${written} of ${files.length}`);
}
console.log(`${total} icons in ${out}`);
