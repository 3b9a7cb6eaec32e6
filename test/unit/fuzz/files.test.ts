/**
 * Property-based fuzzing of the parsers of shared files: the model manifest, project.json and path
 * files. Thousands of mutated valid documents (a field replaced, removed or added, the text cut or
 * spliced) and random strings each parse or give the parser's own error with a readable message —
 * no other exception, no hang, and nothing allocated from the sizes they claim.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makePathSpec, parsePathSpec, PathSpecError, serializePathSpec } from '../../../src/shared/latent-path';
import { ModelLoadError, parseManifest } from '../../../src/engine/train/checkpoint';
import { parseProjectFile, projectView, ProjectError } from '../../../src/service/project-folder';
import { SEED, isClearError, mutatedDocument, type Json } from './mutate';

function parsesOrRefuses(parse: () => unknown, kind: new (...a: never[]) => Error): void {
  try {
    parse();
  } catch (err) {
    if (!isClearError(err, kind)) throw err;
  }
}

const PATH_TEXT = serializePathSpec(
  makePathSpec([new Float32Array([0, 1]), new Float32Array([1, 0.5]), new Float32Array([-1, 2])], {
    frames: 30,
    mode: ['linear', 'spherical'],
    easing: 'ease-in-out',
    loop: 'ping-pong',
    spacing: 'equal',
    fps: 24,
    sources: [{ index: 3, label: '7' }, undefined, { index: 9 }],
  }),
);
const PATH = JSON.parse(PATH_TEXT) as Json;

const PROJECT = {
  format: 'latentscape-project',
  version: 1,
  savedAt: '2026-11-30T12:00:00.000Z',
  dataset: { kind: 'folder', path: '/data/cats', size: 32, color: 'rgb', fit: 'cover' },
  datasetName: 'cats',
  datasetFingerprint: 'abc',
  model: 'model-0123456789abcdef',
  weightsHash: 'f'.repeat(64),
  embeddings: {
    file: 'embeddings-0123456789abcdef.bin',
    count: 10,
    latentDim: 2,
    modelEpoch: 1,
    labelNames: ['a', 'b'],
    projection: {
      kind: 'identity',
      latentDim: 2,
      mean: [0, 0],
      axes: [
        [1, 0],
        [0, 1],
        [0, 0],
      ],
      explained: [],
    },
    weightsHash: 'f'.repeat(64),
    datasetFingerprint: 'abc',
    sha256: 'e'.repeat(64),
  },
  view: { camera: { position: [0, 0, 5], target: [0, 0, 0], up: [0, 1, 0] }, paths: [PATH, PATH], activePath: 1 },
} as Json;

const MANIFEST = JSON.parse(readFileSync('resources/default-model/manifest.json', 'utf8')) as Json;

describe('shared-file parsers (fuzz)', () => {
  it('the valid seeds parse', () => {
    expect(parsePathSpec(PATH_TEXT).latentDim).toBe(2);
    const file = parseProjectFile(JSON.stringify(PROJECT), '/p');
    expect(projectView(file, '/p')?.paths).toHaveLength(2);
    expect(parseManifest(JSON.stringify(MANIFEST), '/m').config.latentDim).toBe(3);
  });

  it('path files: parsed or refused with a PathSpecError', () => {
    fc.assert(
      fc.property(mutatedDocument(PATH), (text) => parsesOrRefuses(() => parsePathSpec(text, undefined, 'the path file'), PathSpecError)),
      { seed: SEED, numRuns: 4000 },
    );
  });

  it('project.json: parsed (with its view) or refused with a ProjectError', () => {
    fc.assert(
      fc.property(mutatedDocument(PROJECT), (text) =>
        parsesOrRefuses(() => {
          const file = parseProjectFile(text, '/p');
          projectView(file, '/p');
        }, ProjectError),
      ),
      { seed: SEED, numRuns: 3000 },
    );
  });

  it('manifest.json: parsed or refused with a ModelLoadError', () => {
    fc.assert(
      fc.property(mutatedDocument(MANIFEST), (text) => parsesOrRefuses(() => parseManifest(text, '/m'), ModelLoadError)),
      { seed: SEED, numRuns: 3000 },
    );
  });
});
