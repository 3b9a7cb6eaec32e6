/**
 * Records sample-quality figures (engine/quality) in a model's manifest.json, beside its metrics, so the
 * library and the training panel can show them. Only the manifest is rewritten (atomically); the weights
 * are untouched, and a model that changed since it was measured (a training wrote a new checkpoint) is
 * refused rather than labelled with another model's figures. A later checkpoint drops the record: it
 * belongs to the weights it was measured on.
 */
import { join } from 'node:path';
import { readRegularFile } from '../../node/safe-read';
import { writeFileAtomic } from '../../node/files';
import { SampleQualityRecordSchema, type SampleQualityRecord } from '../../shared/contract';
import { parseManifest, type ModelManifest } from './checkpoint';

const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

export async function recordSampleQuality(dir: string, measured: ModelManifest, record: SampleQualityRecord): Promise<void> {
  const path = join(dir, 'manifest.json');
  const text = (await readRegularFile(path, { maxBytes: MAX_MANIFEST_BYTES, what: `manifest.json in ${dir}` })).toString('utf8');
  const current = parseManifest(text, dir);
  if (current.weights.sha256 !== measured.weights.sha256 || current.epochsCompleted !== measured.epochsCompleted) {
    throw new Error(`${dir} changed while it was measured (a new checkpoint was written): the figures are not recorded`);
  }
  // The manifest as written, with only this field set: keys this version does not know are kept.
  const raw = JSON.parse(text) as Record<string, unknown>;
  raw.sampleQuality = SampleQualityRecordSchema.parse(record);
  await writeFileAtomic(path, JSON.stringify(raw, null, 2), { createFolder: false });
}
