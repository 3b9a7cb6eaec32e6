/**
 * Video to share (issue 27 item 4): the export's timeline options (hold frames, loop count,
 * equal-change spacing, WebM quality), the MP4 the page encodes (its frames from the engine, its
 * bytes written by the service), and reading the path back out of an exported file.
 *
 * Imports only zod and other files of src/shared that do not import contract.ts: contract.ts
 * spreads `videoCalls` into its table.
 */
import { z } from 'zod';
import { AbsolutePath, ImagesSchema, Uint8ArraySchema } from './base-schemas';
import { MAX_ENCODE_IMAGE_BYTES, MAX_KEYFRAMES, MAX_LABEL_CHARS } from './limits';
import { MAX_HOLD_FRAMES, MAX_REPEATS } from './frame-spacing';
import { KeyframeSourceSchema, PathDocSchema, PathShape } from './view-schemas';

const int = z.number().int();
const count = int.nonnegative();

/** The bytes of one MP4 the page hands the service to write (one call frame carries them). */
export const MAX_VIDEO_BYTES = MAX_ENCODE_IMAGE_BYTES;
/** Bytes of an exported file read back for its path (its note sits in the first few kB or at the end). */
export const MAX_PATH_SOURCE_BYTES = MAX_ENCODE_IMAGE_BYTES;
/** Frames × pixels the engine hands the page for one MP4 (the page upscales and encodes them). */
export const MAX_VIDEO_FRAME_BYTES = 64 * 1024 * 1024;

/** How the exported frames are laid out in time, on top of the path's own frames. */
export const ExportTimelineShape = {
  /** Extra copies of each frame that sits at a keyframe (0: none). */
  hold: int.min(0).max(MAX_HOLD_FRAMES).optional(),
  /** Times it plays: a GIF's loop field (0: forever); video and frames repeat the path (0 counts as 1). */
  loops: int.min(0).max(MAX_REPEATS).optional(),
  /** Frames spaced by equal change of the decoded image instead of equal steps along the path. */
  equalChange: z.boolean().optional(),
  /** WebM's libwebp quality 1–100 (default 92). */
  quality: int.min(1).max(100).optional(),
  /** Where each keyframe came from, for the path embedded in the file. */
  sources: z.array(KeyframeSourceSchema.nullable()).max(MAX_KEYFRAMES).optional(),
};

/** What names the model a path was made with, inside an exported file (never its folder: the file may be shared). */
export const NoteModelSchema = z.strictObject({
  name: z.string().max(MAX_LABEL_CHARS),
  latentDim: int.min(1).max(4096),
  datasetFingerprint: z.string().max(MAX_LABEL_CHARS).nullable(),
});
export type NoteModel = z.infer<typeof NoteModelSchema>;

export const VideoFramesSchema = z.strictObject({
  images: ImagesSchema,
  /** The path as the note to embed (shared/export-path-note.ts), made by the service. */
  note: z.string(),
});

export const PathFromExportSchema = z.strictObject({
  doc: PathDocSchema,
  /** The model the file names. */
  model: NoteModelSchema,
  /** Said to the user when the path opens but was made with another model (null: the open one). */
  warning: z.string().nullable(),
});

export const videoCalls = {
  /**
   * The frames of an export, decoded, in the order they are shown (hold frames and repeats applied),
   * and the path as a note: what the page encodes into an MP4. Progress comes as exportProgress
   * events (stage 'decode'); exportCancel stops it.
   */
  exportFrames: {
    input: z.strictObject({ ...PathShape, ...ExportTimelineShape }),
    output: VideoFramesSchema,
  },
  /** Writes an MP4 the page encoded to `path` (a .mp4 file; refused inside the dataset's folder unless confirmed). */
  exportVideo: {
    input: z.strictObject({
      path: AbsolutePath,
      bytes: Uint8ArraySchema.refine((b) => !(b instanceof Uint8Array) || b.byteLength <= MAX_VIDEO_BYTES, {
        message: `the video is larger than ${MAX_VIDEO_BYTES / 2 ** 20} MB: lower the bitrate, the scale or the frames`,
      }),
      insideDataset: z.literal(true).optional(),
    }),
    output: z.strictObject({ path: z.string(), bytes: count, files: count }),
  },
  /** The path embedded in an exported file (MP4, WebM, GIF, PNG) dropped or chosen by the user. */
  pathFromExport: {
    input: z.strictObject({
      name: z.string().min(1).max(255),
      bytes: Uint8ArraySchema.refine((b) => !(b instanceof Uint8Array) || b.byteLength <= MAX_PATH_SOURCE_BYTES, {
        message: `the file is larger than ${MAX_PATH_SOURCE_BYTES / 2 ** 20} MB, more than an exported path is read from`,
      }),
    }),
    output: PathFromExportSchema,
  },
} as const;
