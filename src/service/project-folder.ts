/**
 * A project is a folder:
 *   project.json            the dataset source and fingerprint, which model and embeddings, the view
 *                           (camera) and the saved paths
 *   model-<hash>/           a copy of the model (so the project is self-contained)
 *   embeddings-<hash>.bin   the embeddings of that model on that dataset (ids, labels, μ, view)
 *   metadata-<hash>.csv     a copy of the metadata file the user imported (or .parquet), when there is one
 *
 * Saving is atomic: the model and embeddings are written under new names (named by their content),
 * then project.json is written to a temp file and renamed over the old one — that rename is the
 * single moment the project changes. A save that fails before it leaves the old project as it was;
 * files the old project.json named are removed only after the new one is in place.
 */
import { createHash, randomBytes } from 'node:crypto';
import { cp, lstat, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { z } from 'zod';
import {
  BookmarkSchema,
  CameraSchema,
  DatasetSourceSchema,
  KeyframeSourceSchema,
  MAX_BOOKMARKS,
  MAX_METADATA_FILE_BYTES,
  ProjectMetadataSchema,
  MAX_DRAFT_KEYFRAMES,
  MAX_LATENT,
  MAX_PARAMETERS,
  PathModeSchema,
  ProjectionSchema,
  ProjectViewSchema,
  ViewColorModeSchema,
  describeIssues,
  type DatasetSource,
  type DraftKeyframes,
  type PathDoc,
  type Projection,
  type ProjectView,
} from '../shared/contract';
import { docToSpec, specToDoc, parsePathSpec } from '../shared/latent-path';
import { writeFileAtomic } from '../node/files';
import { parseLeftover } from '../node/dir-swap';
import { keptFileFields, keptFromFile, keptToFile } from './project-kept';
import { isPlainName, parseJsonQuietly, readRegularFile, UnsafeFileError } from '../node/safe-read';

/** project.json holds settings and up to MAX_VIEW_PATHS paths as JSON: far less than this. */
const MAX_PROJECT_FILE_BYTES = 32 * 1024 * 1024;
const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

export const PROJECT_FILE = 'project.json';
export const PROJECT_FORMAT = 'latentscape-project';
export const PROJECT_VERSION = 1;

const FileName = z.string().min(1).max(200).refine(isPlainName, 'must be a plain file name inside the project');

const EmbeddingsEntrySchema = z.strictObject({
  file: FileName,
  count: z.number().int().nonnegative(),
  latentDim: z.number().int().min(1).max(4096),
  modelEpoch: z.number().int().nonnegative(),
  labelNames: z.array(z.string()),
  projection: ProjectionSchema,
  /** The model and dataset they were computed from: used only when both still match. */
  weightsHash: z.string(),
  datasetFingerprint: z.string(),
  sha256: z.string().length(64),
});
export type EmbeddingsEntry = z.infer<typeof EmbeddingsEntrySchema>;

export const ProjectFileSchema = z.strictObject({
  format: z.literal(PROJECT_FORMAT),
  version: z.number().int().min(1),
  savedAt: z.string(),
  dataset: DatasetSourceSchema.nullable(),
  datasetName: z.string().nullable().optional(),
  datasetFingerprint: z.string().nullable().optional(),
  /** The model folder, a plain name inside the project. */
  model: FileName.nullable(),
  weightsHash: z.string().nullable().optional(),
  embeddings: EmbeddingsEntrySchema.nullable().optional(),
  view: z
    .strictObject({
      camera: CameraSchema.nullable(),
      /** Each a path JSON document (the format of the path files), checked when read. */
      paths: z.array(z.unknown()).max(100),
      activePath: z.number().int().nonnegative().nullable(),
      bookmarks: z.array(BookmarkSchema).max(MAX_BOOKMARKS).optional(),
      /** The imported metadata: its copy inside the project, its colouring and filters. */
      metadata: ProjectMetadataSchema.omit({ path: true })
        .extend({ file: FileName, source: z.string().max(200) })
        .optional(),
      colorMode: ViewColorModeSchema.optional(),
      /** The keyframes not yet kept as a path, as plain numbers (checked against the contract when read). */
      draft: z
        .strictObject({
          latentDim: z.number().int(),
          keyframes: z.array(z.number()).max(MAX_DRAFT_KEYFRAMES * MAX_LATENT),
          sources: z.array(KeyframeSourceSchema.nullable()).max(MAX_DRAFT_KEYFRAMES),
          segments: z.array(PathModeSchema).max(MAX_DRAFT_KEYFRAMES),
        })
        .optional(),
      /** The custom axis and the dropped images (project-kept.ts). */
      ...keptFileFields,
    })
    .nullable()
    .optional(),
});
export type ProjectFile = z.infer<typeof ProjectFileSchema>;

/** What reading a project gives: the file, and its view with the paths parsed. */
export interface ProjectContents {
  file: ProjectFile;
  view: ProjectView | null;
}

export class ProjectError extends Error {
  readonly code = 'project';
}

export interface EmbeddingsData {
  count: number;
  latentDim: number;
  ids: Int32Array;
  labels: Int32Array;
  labelNames: string[];
  mu: Float32Array;
  view: Float32Array;
  projection: Projection;
  modelEpoch: number;
}

export interface SaveContents {
  dataset: DatasetSource | null;
  datasetName: string | null;
  datasetFingerprint: string | null;
  modelDir: string | null;
  view: ProjectView | null;
  /** Saved only when they belong to this model and dataset. */
  embeddings: EmbeddingsData | null;
  /** The project's current embeddings entry, kept when `embeddings` is null and it still matches. */
  keepEmbeddings?: EmbeddingsEntry | null;
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

const exists = (p: string): Promise<boolean> =>
  stat(p).then(
    () => true,
    () => false,
  );

/** The model's weights hash: the manifest's checksum of weights.bin, else the file's own sha256; null without weights. */
export async function weightsHash(modelDir: string): Promise<string | null> {
  try {
    const text = (await readRegularFile(join(modelDir, 'manifest.json'), { maxBytes: MAX_MANIFEST_BYTES })).toString('utf8');
    const manifest = JSON.parse(text) as { weights?: { sha256?: unknown } };
    if (typeof manifest?.weights?.sha256 === 'string' && /^[0-9a-f]{64}$/.test(manifest.weights.sha256)) return manifest.weights.sha256;
  } catch {
    // no manifest or not JSON: fall back to the weights themselves
  }
  try {
    return sha256(await readRegularFile(join(modelDir, 'weights.bin'), { maxBytes: 4 * MAX_PARAMETERS }));
  } catch {
    return null;
  }
}

function tempName(name: string): string {
  return `.${name}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
}

function encodeEmbeddings(e: EmbeddingsData): Uint8Array {
  const parts = [e.ids, e.labels, e.mu, e.view];
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), offset);
    offset += p.byteLength;
  }
  return out;
}

export function embeddingsBytes(count: number, latentDim: number): number {
  return count * 4 * (2 + latentDim + 3);
}

/**
 * Saves the project into `dir` (created if needed). An existing folder must be a project already or
 * empty: we never scatter files into an unrelated folder.
 */
export async function saveProject(dir: string, contents: SaveContents): Promise<ProjectFile> {
  const info = await stat(dir).catch(() => null);
  if (info && !info.isDirectory()) throw new ProjectError(`${dir} exists and is not a folder`);
  let previous: ProjectFile | null = null;
  if (info) {
    const names = (await readdir(dir)).filter((n) => !n.startsWith('.'));
    if (names.length && !names.includes(PROJECT_FILE)) {
      throw new ProjectError(`${dir} is neither empty nor a Latentscape project: choose a new or empty folder`);
    }
    if (names.includes(PROJECT_FILE)) previous = await readProjectFile(dir).catch(() => null);
  }
  await mkdir(dir, { recursive: true });

  const created: string[] = [];
  try {
    // 1. The model, under a name of its content: kept as is when the project has it already.
    let model: string | null = null;
    let hash: string | null = null;
    if (contents.modelDir) {
      hash = await weightsHash(contents.modelDir);
      model = `model-${(hash ?? randomBytes(8).toString('hex')).slice(0, 16)}`;
      const target = join(dir, model);
      const same = hash !== null && (await exists(join(target, 'manifest.json'))) && (await weightsHash(target)) === hash;
      if (!same) {
        const tmp = join(dir, tempName(model));
        created.push(tmp);
        // Not the hidden stages of a write in progress (`.points.bin.tmp-…`: the engine may be caching the
        // model's points right now): they are never part of a model, and one renamed away mid-copy failed it.
        await cp(contents.modelDir, tmp, { recursive: true, filter: (source) => parseLeftover(basename(source)) === null });
        // Only the files a model needs (not a training's other leftovers).
        await rm(target, { recursive: true, force: true });
        await rename(tmp, target);
        created.pop();
        created.push(target);
      }
    }

    // 2. The embeddings, when they belong to this model and dataset.
    let embeddings: EmbeddingsEntry | null = null;
    const e = contents.embeddings;
    if (e && hash && contents.datasetFingerprint) {
      const bytes = encodeEmbeddings(e);
      const digest = sha256(bytes);
      const file = `embeddings-${digest.slice(0, 16)}.bin`;
      const target = join(dir, file);
      if (!((await stat(target).catch(() => null))?.size === bytes.byteLength)) {
        const tmp = join(dir, tempName(file));
        created.push(tmp);
        await writeFile(tmp, bytes);
        await rename(tmp, target);
        created.pop();
        created.push(target);
      }
      embeddings = {
        file,
        count: e.count,
        latentDim: e.latentDim,
        modelEpoch: e.modelEpoch,
        labelNames: e.labelNames,
        projection: e.projection,
        weightsHash: hash,
        datasetFingerprint: contents.datasetFingerprint,
        sha256: digest,
      };
    } else if (!e && hash && contents.keepEmbeddings) {
      const kept = contents.keepEmbeddings;
      const size = (await stat(join(dir, kept.file)).catch(() => null))?.size;
      if (kept.weightsHash === hash && kept.datasetFingerprint === contents.datasetFingerprint && size === embeddingsBytes(kept.count, kept.latentDim))
        embeddings = kept;
    }

    // 3. The metadata file the user imported, copied under a name of its content (the project keeps it
    //    even when the original moves; a project opened again imports this copy).
    let metadata: NonNullable<ProjectFile['view']>['metadata'] = undefined;
    const m = contents.view?.metadata;
    if (m) {
      const bytes = await readRegularFile(m.path, { maxBytes: MAX_METADATA_FILE_BYTES, what: `the metadata file ${basename(m.path)}` });
      const extension = extname(m.path).toLowerCase() === '.parquet' ? '.parquet' : '.csv';
      const file = `metadata-${sha256(bytes).slice(0, 16)}${extension}`;
      const target = join(dir, file);
      if ((await stat(target).catch(() => null))?.size !== bytes.byteLength) {
        const tmp = join(dir, tempName(file));
        created.push(tmp);
        await writeFile(tmp, bytes);
        await rename(tmp, target);
        created.pop();
        created.push(target);
      }
      metadata = { file, source: basename(m.path), colorColumn: m.colorColumn, filters: m.filters };
    }

    // 4. project.json, the commit.
    const file: ProjectFile = {
      format: PROJECT_FORMAT,
      version: PROJECT_VERSION,
      savedAt: new Date().toISOString(),
      dataset: contents.dataset,
      datasetName: contents.datasetName,
      datasetFingerprint: contents.datasetFingerprint,
      model,
      weightsHash: hash,
      embeddings,
      view: contents.view
        ? {
            camera: contents.view.camera,
            paths: contents.view.paths.map((p) => docToSpec(p)),
            activePath: contents.view.activePath,
            ...(contents.view.bookmarks?.length ? { bookmarks: contents.view.bookmarks } : {}),
            ...(metadata ? { metadata } : {}),
            ...(contents.view.colorMode ? { colorMode: contents.view.colorMode } : {}),
            ...(contents.view.draft ? { draft: draftToJson(contents.view.draft) } : {}),
            ...keptToFile(contents.view),
          }
        : null,
    };
    await writeFileAtomic(join(dir, PROJECT_FILE), JSON.stringify(file, null, 2) + '\n');
    created.length = 0;

    // 5. What the previous version named and this one does not.
    if (previous) {
      const named = [model, embeddings?.file, metadata?.file];
      const stale = [previous.model, previous.embeddings?.file, previous.view?.metadata?.file].filter((n): n is string => Boolean(n) && !named.includes(n));
      for (const name of stale) await rm(join(dir, name), { recursive: true, force: true }).catch(() => undefined);
    }
    return file;
  } catch (err) {
    // Nothing the old project.json names was touched: remove what this attempt made.
    for (const p of created) await rm(p, { recursive: true, force: true }).catch(() => undefined);
    throw err;
  }
}

async function readProjectFile(dir: string): Promise<ProjectFile> {
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory()) throw new ProjectError(`project folder not found: ${dir}`);
  let text: string;
  try {
    text = (await readRegularFile(join(dir, PROJECT_FILE), { maxBytes: MAX_PROJECT_FILE_BYTES, what: `${PROJECT_FILE} in ${dir}` })).toString('utf8');
  } catch (err) {
    if (!(err instanceof UnsafeFileError)) throw err;
    throw new ProjectError(err.reason === 'missing' ? `${dir} is not a Latentscape project: ${PROJECT_FILE} is missing` : err.message);
  }
  return parseProjectFile(text, dir);
}

/** Parses and checks project.json's text (`dir` names it in messages); throws ProjectError saying what is wrong. */
export function parseProjectFile(text: string, dir: string): ProjectFile {
  let raw: unknown;
  try {
    raw = parseJsonQuietly(text, (where) => `${PROJECT_FILE} in ${dir} is not valid JSON (${where})`);
  } catch (err) {
    throw new ProjectError((err as Error).message);
  }
  if (!raw || typeof raw !== 'object' || (raw as { format?: unknown }).format !== PROJECT_FORMAT) {
    throw new ProjectError(`${PROJECT_FILE} in ${dir} is not a Latentscape project file (its "format" is not "${PROJECT_FORMAT}")`);
  }
  const version = (raw as { version?: unknown }).version;
  if (typeof version === 'number' && version > PROJECT_VERSION)
    throw new ProjectError(`${dir} was saved by a newer Latentscape (project version ${version}): update Latentscape`);
  const parsed = ProjectFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ProjectError(`${PROJECT_FILE} in ${dir} is invalid: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}

/** The draft keyframes as project.json keeps them: plain numbers. */
function draftToJson(draft: DraftKeyframes): Omit<DraftKeyframes, 'keyframes'> & { keyframes: number[] } {
  return { ...draft, keyframes: Array.from(draft.keyframes) };
}

/** The view a project file keeps, its paths parsed and within the contract's limits; throws ProjectError. */
export function projectView(file: ProjectFile, dir: string): ProjectView | null {
  if (!file.view) return null;
  const paths: PathDoc[] = file.view.paths.map((raw, i) => {
    try {
      return specToDoc(parsePathSpec(raw, undefined, `path ${i + 1}`));
    } catch (err) {
      throw new ProjectError(`${PROJECT_FILE} in ${dir} holds a bad path: ${(err as Error).message}`);
    }
  });
  const active = file.view.activePath;
  const view = {
    camera: file.view.camera,
    paths,
    activePath: active !== null && active < paths.length ? active : null,
    ...(file.view.bookmarks?.length ? { bookmarks: file.view.bookmarks } : {}),
    ...(file.view.metadata
      ? { metadata: { path: join(dir, file.view.metadata.file), colorColumn: file.view.metadata.colorColumn, filters: file.view.metadata.filters } }
      : {}),
    ...(file.view.colorMode ? { colorMode: file.view.colorMode } : {}),
    ...(file.view.draft ? { draft: { ...file.view.draft, keyframes: Float32Array.from(file.view.draft.keyframes) } } : {}),
    ...keptFromFile(file.view),
  };
  const checked = ProjectViewSchema.safeParse(view);
  if (!checked.success) throw new ProjectError(`${PROJECT_FILE} in ${dir} keeps a view beyond this version's limits: ${describeIssues(checked.error)}`);
  return checked.data;
}

/** Reads and checks project.json, the saved paths included; throws ProjectError saying what is wrong. */
export async function readProject(dir: string): Promise<ProjectContents> {
  const file = await readProjectFile(dir);
  const view = projectView(file, dir);
  // The model folder is the project's own: a real folder, not a link to somewhere else.
  if (file.model && !(await lstat(join(dir, file.model)).catch(() => null))?.isDirectory()) {
    throw new ProjectError(`the project ${dir} names the model folder "${file.model}" but it is missing or not a folder`);
  }
  if (file.model && !(await exists(join(dir, file.model, 'manifest.json')))) {
    throw new ProjectError(`the project ${dir} names the model folder "${file.model}" but it is missing or has no manifest.json`);
  }
  return { file, view };
}

/** The project's saved embeddings, or null when they are missing or do not match their checksum. */
export async function readEmbeddings(dir: string, entry: EmbeddingsEntry): Promise<EmbeddingsData | null> {
  let bytes: Uint8Array;
  try {
    // The size the entry promises is checked before reading (a regular file, not a link or a pipe).
    const size = embeddingsBytes(entry.count, entry.latentDim);
    bytes = await readRegularFile(join(dir, entry.file), { maxBytes: size, exactBytes: size });
  } catch {
    return null;
  }
  if (sha256(bytes) !== entry.sha256) return null;
  // Copy into an aligned buffer of our own (readFile may hand back a view of a shared pool).
  const buffer = new Uint8Array(bytes).buffer;
  const n = entry.count;
  const d = entry.latentDim;
  let offset = 0;
  const take = <T>(Ctor: new (b: ArrayBuffer, o: number, l: number) => T, length: number): T => {
    const v = new Ctor(buffer, offset, length);
    offset += length * 4;
    return v;
  };
  return {
    count: n,
    latentDim: d,
    ids: take(Int32Array, n),
    labels: take(Int32Array, n),
    mu: take(Float32Array, n * d),
    view: take(Float32Array, n * 3),
    labelNames: entry.labelNames,
    projection: entry.projection,
    modelEpoch: entry.modelEpoch,
  };
}

export const projectName = (dir: string): string => basename(dir);
