/**
 * Paths through latent space (interpolation) and what a project remembers of the view: the camera,
 * the saved paths and the bookmarks. Part of the contract (contract.ts re-exports it); imports only
 * zod, the limits, the vocabulary and the explorer's projection kinds, so contract.ts can import it.
 */
import { z } from 'zod';
import { ProjectionKindSchema } from './explorer-schemas';
import { ProjectMetadataSchema } from './metadata-schemas';
import { keptViewFields } from './kept-view-schemas';
import {
  MAX_BOOKMARK_SELECTION,
  MAX_BOOKMARKS,
  MAX_DRAFT_KEYFRAMES,
  MAX_KEYFRAME_FLOATS,
  MAX_KEYFRAMES,
  MAX_LABEL_CHARS,
  MAX_LATENT,
  MAX_VIEW_KEYFRAME_FLOATS,
  MAX_VIEW_KEYFRAMES,
  MAX_VIEW_PATHS,
  boundedFloat32Array,
} from './limits';
import { EasingSchema, LoopSchema, MAX_FRAMES, MIN_FRAMES, PathModeSchema, SpacingSchema } from './vocabulary';

const int = z.number().int();
const count = int.nonnegative();

/** Frames one `interpolate` call decodes at most (a preview, not an export). */
export const MAX_PREVIEW_FRAMES = 1000;

/** How a path goes through its keyframes: one mode for all segments or one per segment. */
export const PathShape = {
  /** k × d keyframes. */
  keyframes: boundedFloat32Array(MAX_KEYFRAME_FLOATS, 'keyframes'),
  frames: int.min(MIN_FRAMES).max(MAX_FRAMES),
  mode: z.union([PathModeSchema, z.array(PathModeSchema).min(1).max(999)]).optional(),
  easing: EasingSchema.optional(),
  loop: LoopSchema.optional(),
  spacing: SpacingSchema.optional(),
};

export const KeyframeSourceSchema = z.strictObject({ index: count.optional(), label: z.string().max(MAX_LABEL_CHARS).optional() });

/** A saved path (the app's form of the path JSON file): reopens exactly. */
export const PathDocSchema = z.strictObject({
  latentDim: int.min(1).max(4096),
  /** k × latentDim keyframes. */
  keyframes: boundedFloat32Array(MAX_KEYFRAME_FLOATS, 'keyframes'),
  /** Where each keyframe came from (null: a spot of the space), one per keyframe. */
  sources: z.array(KeyframeSourceSchema.nullable()).max(MAX_KEYFRAMES),
  /** One mode per segment (k − 1). */
  segments: z.array(PathModeSchema).max(999),
  frames: int.min(MIN_FRAMES).max(MAX_FRAMES),
  easing: EasingSchema,
  loop: LoopSchema,
  spacing: SpacingSchema,
  fps: z.number().positive().max(120).optional(),
});
export type PathDoc = z.infer<typeof PathDocSchema>;

const Vec3 = z.tuple([z.number(), z.number(), z.number()]);
export const CameraSchema = z.strictObject({ position: Vec3, target: Vec3, up: Vec3.optional(), zoom: z.number().positive().optional() });
export type Camera = z.infer<typeof CameraSchema>;

/**
 * A named view of the explorer (a bookmark): restoring it glides the camera back and brings back
 * the projection, colouring, search, selection (as dataset image numbers) and decoded latent.
 * Plain JSON values: it is saved as it is in project.json.
 */
export const BookmarkSchema = z.strictObject({
  name: z.string().min(1).max(MAX_LABEL_CHARS),
  camera: CameraSchema,
  projection: ProjectionKindSchema,
  colorMode: z.enum(['label', 'recon', 'kl', 'cluster']),
  search: z.string().max(MAX_LABEL_CHARS),
  selection: z.array(count).max(MAX_BOOKMARK_SELECTION),
  decoded: z.array(z.number()).max(MAX_LATENT).nullable(),
});
export type Bookmark = z.infer<typeof BookmarkSchema>;

/** How the view colours its points, as a project and a reload keep it. */
export const ViewColorModeSchema = z.enum(['label', 'recon', 'kl']);
export type ViewColorMode = z.infer<typeof ViewColorModeSchema>;

/** The keyframes being edited and not yet kept with "Keep path" (one keyframe is enough). */
export const DraftKeyframesSchema = z
  .strictObject({
    latentDim: int.min(1).max(MAX_LATENT),
    /** k × latentDim numbers. */
    keyframes: boundedFloat32Array(MAX_DRAFT_KEYFRAMES * MAX_LATENT, 'draft keyframes'),
    sources: z.array(KeyframeSourceSchema.nullable()).min(1).max(MAX_DRAFT_KEYFRAMES),
    /** One mode per segment (k − 1). */
    segments: z.array(PathModeSchema).max(MAX_DRAFT_KEYFRAMES),
  })
  .refine((d) => d.keyframes.length === d.sources.length * d.latentDim && d.segments.length === d.sources.length - 1, {
    message: 'draft: latentDim numbers and one source per keyframe, one mode per segment',
  });
export type DraftKeyframes = z.infer<typeof DraftKeyframesSchema>;

/** What a project remembers of the session besides the data and the model. */
export const ProjectViewSchema = z.strictObject({
  camera: CameraSchema.nullable(),
  paths: z
    .array(PathDocSchema)
    .max(MAX_VIEW_PATHS)
    .refine(
      (paths) => paths.reduce((n, p) => n + p.keyframes.length, 0) <= MAX_VIEW_KEYFRAME_FLOATS,
      `paths: at most ${MAX_VIEW_KEYFRAME_FLOATS} keyframe numbers in all`,
    )
    .refine((paths) => paths.reduce((n, p) => n + p.sources.length, 0) <= MAX_VIEW_KEYFRAMES, `paths: at most ${MAX_VIEW_KEYFRAMES} keyframes in all`),
  /** Which of `paths` the interpolation panel shows (null: none). */
  activePath: count.nullable(),
  bookmarks: z.array(BookmarkSchema).max(MAX_BOOKMARKS).optional(),
  /** The imported metadata, its colouring and filters (metadata-schemas.ts). */
  metadata: ProjectMetadataSchema.optional(),
  /** How the points were coloured. */
  colorMode: ViewColorModeSchema.optional(),
  /** Keyframes not yet kept as a path. */
  draft: DraftKeyframesSchema.optional(),
  /** The custom axis and the dropped images (kept-view-schemas.ts). */
  ...keptViewFields,
});
export type ProjectView = z.infer<typeof ProjectViewSchema>;
