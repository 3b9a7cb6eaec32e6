/**
 * The path inside an exported animation: a small JSON note (format "latentscape-export-path") that
 * the MP4/WebM comment tag, the GIF comment extension or a PNG tEXt chunk carries, so dropping the
 * file back on the app reopens its path. It holds the path file's document (latent-path.ts, so it is
 * validated exactly as a path file is) and what names the model that made it.
 *
 * The note is ASCII only (non-ASCII escaped as \uXXXX): PNG tEXt is Latin-1 and GIF comments have no
 * declared encoding. Imports nothing from node, electron or the DOM.
 */
import { z } from 'zod';
import { parsePathSpec, PathSpecError, type PathSpec } from './latent-path';
import { NoteModelSchema, type NoteModel } from './video-schemas';

export const EXPORT_NOTE_FORMAT = 'latentscape-export-path';
export const EXPORT_NOTE_VERSION = 1;
/** The PNG tEXt keyword (and the sidecar-free name of the note in every container). */
export const EXPORT_NOTE_KEYWORD = 'latentscape-path';
/** Largest note read back (a path of 1000 keyframes × 64 numbers is about 1.5 MB as JSON). */
export const MAX_EXPORT_NOTE_CHARS = 4 * 1024 * 1024;

const NoteSchema = z.strictObject({
  format: z.literal(EXPORT_NOTE_FORMAT),
  version: z.number().int(),
  model: NoteModelSchema,
  path: z.unknown(),
});

export interface ExportNote {
  model: NoteModel;
  path: PathSpec;
}

/** The note's text for a path made with `model`. */
export function makeExportNote(path: PathSpec, model: NoteModel): string {
  const json = JSON.stringify({ format: EXPORT_NOTE_FORMAT, version: EXPORT_NOTE_VERSION, model, path });
  return json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Reads a note back. Anything that is not a well-formed note of a version this app reads, or whose
 * path a path file would refuse, throws PathSpecError saying what is wrong (the text is never echoed).
 */
export function parseExportNote(text: string, what: string): ExportNote {
  if (text.length > MAX_EXPORT_NOTE_CHARS) throw new PathSpecError(`${what} has an embedded path larger than ${MAX_EXPORT_NOTE_CHARS / 2 ** 20} MB`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new PathSpecError(`${what} has an embedded path that is not valid JSON`);
  }
  const record = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (record.format !== EXPORT_NOTE_FORMAT) throw new PathSpecError(`${what} has an embedded note that is not a Latentscape path`);
  if (typeof record.version === 'number' && record.version > EXPORT_NOTE_VERSION) {
    throw new PathSpecError(`${what} has an embedded path of version ${record.version}, newer than this Latentscape reads (${EXPORT_NOTE_VERSION})`);
  }
  const parsed = NoteSchema.safeParse(value);
  if (!parsed.success || parsed.data.version !== EXPORT_NOTE_VERSION) {
    const issue = parsed.success ? null : parsed.error.issues[0];
    const where = issue ? issue.path.map(String).join('.') || '(top level)' : 'version';
    throw new PathSpecError(`${what} has a malformed embedded path (${where}: ${issue?.message ?? `unsupported version ${String(record.version)}`})`);
  }
  const path = parsePathSpec(parsed.data.path, undefined, `the path embedded in ${what}`);
  if (path.latentDim !== parsed.data.model.latentDim) {
    throw new PathSpecError(`${what} has a malformed embedded path (its keyframes have ${path.latentDim} numbers, its model ${parsed.data.model.latentDim})`);
  }
  return { model: parsed.data.model, path };
}
