#!/usr/bin/env node
/**
 * Builds the second measuring folder of issue 21, of another kind than the icons: the unit sprites of the
 * game Battle for Wesnoth (Debian's wesnoth-1.16-data, GPL-2+), painted 72×72 figures on a transparent
 * background, one subfolder per faction or race (the label). The PNGs are copied as they are, alpha
 * included, so the app's own ingest resizes them and flattens them onto the chosen background.
 *
 *   apt-get download wesnoth-1.16-data && dpkg -x wesnoth-1.16-data_*.deb /tmp/wesnoth
 *   node scripts/build-sprite-folder.mjs /work/data/sprites [/tmp/wesnoth/usr/share/games/wesnoth/1.16/data/core/images/units]
 *
 * (or, with the package installed, the second argument defaults to /usr/share/games/wesnoth/1.16/…). Labels
 * with fewer than 50 sprites are left out. Keep the folder out of the repository.
 */
import { copyFile, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

const MIN_PER_LABEL = 50;
const out = process.argv[2];
const source = process.argv[3] ?? '/usr/share/games/wesnoth/1.16/data/core/images/units';
if (!out) {
  console.error('usage: node scripts/build-sprite-folder.mjs OUT_DIR [WESNOTH_UNITS_DIR]');
  process.exit(2);
}
if (!(await stat(source).catch(() => null))) {
  console.error(`no sprites at ${source}: apt-get download wesnoth-1.16-data, dpkg -x it, and pass its units folder`);
  process.exit(1);
}

async function pngsUnder(dir) {
  const found = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await pngsUnder(path)));
    else if (entry.isFile() && entry.name.endsWith('.png')) found.push(path);
  }
  return found;
}

if (await stat(out).catch(() => null)) await rm(out, { recursive: true });
let total = 0;
for (const label of (await readdir(source, { withFileTypes: true }))
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort()) {
  const files = await pngsUnder(join(source, label));
  if (files.length < MIN_PER_LABEL) {
    console.log(`${label}: ${files.length} sprites, left out`);
    continue;
  }
  await mkdir(join(out, label), { recursive: true });
  for (const file of files) await copyFile(file, join(out, label, relative(join(source, label), file).split(sep).join('-')));
  total += files.length;
  console.log(`${label}: ${files.length}`);
}
console.log(`${total} sprites in ${out}`);
