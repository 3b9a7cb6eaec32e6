/**
 * Issue 27 item 4, video to share, in Chromium against a `latentscape serve` of its own (the default
 * MNIST model): an MP4 exported through the dialog (H.264 from the window's WebCodecs encoder, the
 * engine's frames, hold frames at the keyframes, the path played twice) is parsed back with
 * mediabunny (frame count, size, duration); dropping it on the image-drop area reopens the same
 * path; an MP4 whose embedded path is malformed gets a message and changes nothing; a GIF (encoded
 * by the engine, its loop field set) reopens its path the same way.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { ALL_FORMATS, BufferSource, Input } from 'mediabunny';
import { GifReader } from 'omggif';
import { docScreenshot } from './doc-screenshot';
import { ownServe } from './own-serve';

test.beforeEach(({ page }) => {
  page.on('dialog', (d) => void d.accept());
});

const served = ownServe('video');

test('export an MP4 with hold frames and loops, parse it back, drop it back for the same path; a malformed one is refused', async ({ page }) => {
  test.setTimeout(240_000);
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(served.url);
  await expect(page.getByTestId('point-count')).toHaveText('70000', { timeout: 90_000 });

  for (const index of ['2', '3', '5']) {
    await page.getByTestId('kf-index').fill(index);
    await page.getByTestId('kf-add-index').click();
  }
  await expect(page.getByTestId('keyframe')).toHaveCount(3);
  await page.getByTestId('path-frames').fill('12');
  await page.getByTestId('path-fps').fill('10');
  await expect(page.getByTestId('preview-frames')).toHaveText('12');
  const keyframes = await page.getByTestId('keyframe').allTextContents();

  await page.getByTestId('open-export').click();
  await expect(page.getByTestId('export-dialog')).toBeVisible();
  // Chromium's WebCodecs has H.264 here (a secure context: serve listens on 127.0.0.1).
  await expect(page.getByTestId('video-format').locator('option[value=mp4]')).toHaveCount(1);
  await page.getByTestId('video-format').selectOption('mp4');
  await page.getByTestId('export-scale').fill('4');
  await page.getByTestId('export-hold').fill('2');
  await page.getByTestId('export-loops').fill('2');
  await page.getByTestId('export-bitrate').selectOption('1000');
  const target = join(served.allowed, 'walk.mp4');
  await page.getByTestId('export-path').fill(target);
  await docScreenshot(page, 'export-mp4.png');
  await page.getByTestId('export-start').click();
  await expect(page.getByTestId('export-state')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  await expect(page.getByTestId('export-result')).toContainText(`Wrote ${target}`);

  // 12 frames, each of the 3 keyframes' frames shown 2 more times, all of it twice, at 10 fps.
  const frames = (12 + 3 * 2) * 2;
  const bytes = new Uint8Array(readFileSync(target));
  const input = new Input({ source: new BufferSource(bytes), formats: ALL_FORMATS });
  expect((await input.getFormat()).name).toBe('MP4');
  const track = (await input.getPrimaryVideoTrack())!;
  expect(await track.getCodec()).toBe('avc');
  expect([await track.getCodedWidth(), await track.getCodedHeight()]).toEqual([112, 112]);
  expect((await track.computePacketStats()).packetCount).toBe(frames);
  expect(await input.computeDuration()).toBeCloseTo(frames / 10, 2);
  expect(await input.getMetadataTags()).toHaveProperty('comment', expect.stringContaining('"format":"latentscape-export-path"'));
  input.dispose();
  await page.getByRole('button', { name: 'Close' }).click();

  // Drop the file back on a cleared path: the same keyframes return.
  await page.getByRole('button', { name: 'Clear' }).click();
  await expect(page.getByTestId('keyframe')).toHaveCount(0);
  const drop = page.getByTestId('image-drop').locator('input[type=file]');
  await drop.setInputFiles(target);
  await expect(page.getByTestId('keyframe')).toHaveCount(3);
  expect(await page.getByTestId('keyframe').allTextContents()).toEqual(keyframes);
  await expect(page.getByTestId('path-frames')).toHaveValue('12');
  await expect(page.getByTestId('notice').filter({ hasText: 'path reopened from walk.mp4: 3 keyframes' })).toBeVisible();
  await expect(page.getByTestId('dropped-count')).toHaveText('0');

  // The same MP4 with its embedded path broken (a key renamed in place: the boxes keep their sizes).
  const broken = Buffer.from(bytes);
  const at = broken.indexOf('"keyframes":');
  expect(at).toBeGreaterThan(0);
  broken.write('"keyframez":', at, 'latin1');
  const brokenPath = join(served.allowed, 'walk-broken.mp4');
  writeFileSync(brokenPath, broken);
  await drop.setInputFiles(brokenPath);
  await expect(page.getByTestId('notice').filter({ hasText: 'the path embedded in "walk-broken.mp4" is invalid' })).toBeVisible();
  await expect(page.getByTestId('notice').filter({ hasText: 'nothing was changed' })).toBeVisible();
  expect(await page.getByTestId('keyframe').allTextContents()).toEqual(keyframes);
  await expect(page.getByTestId('dropped-count')).toHaveText('0');

  // A GIF (encoded by the engine, the path as its comment; loops is its loop field) comes back too.
  await page.getByTestId('open-export').click();
  await page.getByTestId('video-format').selectOption('gif');
  const gifPath = join(served.allowed, 'walk.gif');
  await page.getByTestId('export-path').fill(gifPath);
  await page.getByTestId('export-start').click();
  await expect(page.getByTestId('export-state')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  const gif = new GifReader(new Uint8Array(readFileSync(gifPath)));
  expect(gif.numFrames()).toBe(12 + 3 * 2);
  expect(gif.loopCount()).toBe(1);
  await page.getByRole('button', { name: 'Close' }).click();
  await page.getByRole('button', { name: 'Clear' }).click();
  await expect(page.getByTestId('keyframe')).toHaveCount(0);
  await drop.setInputFiles(gifPath);
  await expect(page.getByTestId('keyframe')).toHaveCount(3);
  expect(await page.getByTestId('keyframe').allTextContents()).toEqual(keyframes);
  await expect(page.getByTestId('dropped-count')).toHaveText('0');
  expect(problems).toEqual([]);
});
