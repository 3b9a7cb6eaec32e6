/**
 * The custom axis and the dropped images as project.json stores them (shared/kept-view-schemas.ts says
 * what they are): plain JSON, the images' pixels as base64. The file's schema bounds every array before
 * anything is decoded; the contract's schema (ProjectViewSchema) then checks that the sizes agree.
 */
import { z } from 'zod';
import {
  ENCODE_NEIGHBOURS,
  KeptCustomAxisSchema,
  MAX_KEPT_DROPPED,
  MAX_KEPT_IMAGE_BYTES,
  MAX_LATENT,
  type Images,
  type KeptDropped,
  type ProjectView,
} from '../shared/contract';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const side = z.number().int().positive().max(MAX_KEPT_IMAGE_BYTES);

const KeptImageJsonSchema = z.strictObject({
  height: side,
  width: side,
  channels: z.union([z.literal(1), z.literal(3)]),
  pixels: z
    .string()
    .max(Math.ceil(MAX_KEPT_IMAGE_BYTES / 3) * 4)
    .regex(BASE64, 'pixels must be base64'),
});

const numbers = (max: number) => z.array(z.number()).max(max);

const KeptDroppedJsonSchema = z.strictObject({
  name: z.string().min(1).max(255),
  mu: numbers(MAX_LATENT),
  sigma: numbers(MAX_LATENT),
  input: KeptImageJsonSchema,
  reconstruction: KeptImageJsonSchema,
  reconNats: z.number(),
  rmse: z.number().min(0),
  nearest: z.strictObject({ ids: z.array(z.number().int()).max(ENCODE_NEIGHBOURS), distances: numbers(ENCODE_NEIGHBOURS) }),
});
type KeptDroppedJson = z.infer<typeof KeptDroppedJsonSchema>;

/** The fields project.json's view has for them (spread into its schema). */
export const keptFileFields = {
  customAxis: KeptCustomAxisSchema.optional(),
  dropped: z.array(KeptDroppedJsonSchema).max(MAX_KEPT_DROPPED, `a project keeps at most ${MAX_KEPT_DROPPED} dropped images`).optional(),
};

type KeptFile = { customAxis?: z.infer<typeof KeptCustomAxisSchema>; dropped?: KeptDroppedJson[] };

const imageToJson = (image: Images): KeptDroppedJson['input'] => ({
  height: image.height,
  width: image.width,
  channels: image.channels as 1 | 3,
  pixels: Buffer.from(image.pixels.buffer, image.pixels.byteOffset, image.pixels.byteLength).toString('base64'),
});

const imageFromJson = (image: KeptDroppedJson['input']): Images => ({ count: 1, ...image, pixels: new Uint8Array(Buffer.from(image.pixels, 'base64')) });

/** The view's custom axis and dropped images, as project.json keeps them (absent when there are none). */
export function keptToFile(view: ProjectView): KeptFile {
  return {
    ...(view.customAxis ? { customAxis: view.customAxis } : {}),
    ...(view.dropped?.length
      ? {
          dropped: view.dropped.map((d: KeptDropped) => ({
            name: d.name,
            mu: Array.from(d.mu),
            sigma: Array.from(d.sigma),
            input: imageToJson(d.input),
            reconstruction: imageToJson(d.reconstruction),
            reconNats: d.reconNats,
            rmse: d.rmse,
            nearest: { ids: Array.from(d.nearest.ids), distances: Array.from(d.nearest.distances) },
          })),
        }
      : {}),
  };
}

/** What project.json keeps of them, as the contract carries them (checked by the caller against ProjectViewSchema). */
export function keptFromFile(file: KeptFile): Pick<ProjectView, 'customAxis' | 'dropped'> {
  return {
    ...(file.customAxis ? { customAxis: file.customAxis } : {}),
    ...(file.dropped?.length
      ? {
          dropped: file.dropped.map((d) => ({
            name: d.name,
            mu: Float32Array.from(d.mu),
            sigma: Float32Array.from(d.sigma),
            input: imageFromJson(d.input),
            reconstruction: imageFromJson(d.reconstruction),
            reconNats: d.reconNats,
            rmse: d.rmse,
            nearest: { ids: Int32Array.from(d.nearest.ids), distances: Float32Array.from(d.nearest.distances) },
          })),
        }
      : {}),
  };
}
