/**
 * What a project keeps of issue 27's explorer besides paths and bookmarks: the custom axis on show and the
 * images the user brought in. view-schemas.ts adds both to the project view (optional: older projects
 * have neither); the service stores them in project.json (service/project-kept.ts).
 *
 * A dropped image is kept as what the model made of it (μ, σ, its errors, its nearest training images,
 * and two small images at the model's size: the input as the model saw it and its reconstruction), not as
 * the path of the file: opening a project never reads a file the user did not choose then, and a file
 * that moved or changed cannot make the project disagree with itself.
 *
 * Imports only zod, the limits, base-schemas and image-in-schemas, so view-schemas.ts can import it.
 */
import { z } from 'zod';
import { ImagesSchema } from './base-schemas';
import { EncodedImageSchema } from './image-in-schemas';
import { ENCODE_NEIGHBOURS, MAX_KEPT_DROPPED, MAX_KEPT_IMAGE_BYTES, MAX_LABEL_CHARS, MAX_LATENT } from './limits';

const finite = z.number().finite();

/**
 * The custom axis (renderer/explorer/directions/custom-axis.ts): the linear projection itself, so the
 * view comes back exactly as it was, whatever the principal axes of a later fit.
 */
export const KeptCustomAxisSchema = z
  .strictObject({
    /** How the panel named it ("local PC1", "A → B"). */
    what: z.string().min(1).max(MAX_LABEL_CHARS),
    latentDim: z.number().int().min(1).max(MAX_LATENT),
    mean: z.array(finite).max(MAX_LATENT),
    /** 3 rows of latentDim numbers: the view's x, y and z axes in latent space. */
    axes: z.array(z.array(finite).max(MAX_LATENT)).length(3),
    explained: z.array(finite).length(3),
  })
  .refine((a) => a.mean.length === a.latentDim && a.axes.every((row) => row.length === a.latentDim), {
    message: 'custom axis: the mean and each of the 3 axes need latentDim numbers',
  });
export type KeptCustomAxis = z.infer<typeof KeptCustomAxisSchema>;

const imageProblem = (what: string, image: z.infer<typeof ImagesSchema>): string | null => {
  const bytes = image.height * image.width * image.channels;
  if (image.count !== 1) return `${what} must be one image, not ${image.count}`;
  if (bytes > MAX_KEPT_IMAGE_BYTES)
    return `${what} is ${image.width}×${image.height}×${image.channels}: a kept image may have at most ${MAX_KEPT_IMAGE_BYTES} bytes`;
  if (image.pixels.length !== bytes) return `${what} has ${image.pixels.length} bytes for ${image.width}×${image.height}×${image.channels}`;
  return null;
};

/** One kept dropped image: the encoded image as the engine gave it, checked for sizes that agree. */
export const KeptDroppedSchema = EncodedImageSchema.superRefine((d, ctx) => {
  const problems = [
    d.mu.length < 1 || d.mu.length > MAX_LATENT ? `μ has ${d.mu.length} numbers (1 to ${MAX_LATENT})` : null,
    d.sigma.length !== d.mu.length ? `σ has ${d.sigma.length} numbers, μ ${d.mu.length}` : null,
    [...d.mu, ...d.sigma].some((v) => !Number.isFinite(v)) ? 'μ and σ must be finite numbers' : null,
    d.nearest.ids.length !== d.nearest.distances.length || d.nearest.ids.length > ENCODE_NEIGHBOURS
      ? `its neighbours: ${d.nearest.ids.length} images and ${d.nearest.distances.length} distances (at most ${ENCODE_NEIGHBOURS})`
      : null,
    imageProblem('its input image', d.input),
    imageProblem('its reconstruction', d.reconstruction),
  ];
  for (const message of problems) if (message) ctx.addIssue({ code: 'custom', message: `dropped image "${d.name}": ${message}` });
});
export type KeptDropped = z.infer<typeof KeptDroppedSchema>;

/** The project view's fields for them (spread into ProjectViewSchema). */
export const keptViewFields = {
  /** The custom axis on show when the project was saved. */
  customAxis: KeptCustomAxisSchema.optional(),
  /** The images brought into the view, oldest first, all of the project's model. */
  dropped: z
    .array(KeptDroppedSchema)
    .max(MAX_KEPT_DROPPED, `a project keeps at most ${MAX_KEPT_DROPPED} dropped images`)
    .refine((list) => list.every((d) => d.mu.length === list[0].mu.length), 'the dropped images must all have the same latent size')
    .optional(),
};
