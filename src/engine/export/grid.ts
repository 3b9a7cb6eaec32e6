/** Tiles n uint8 HWC images into a near-square grid, each upscaled ×scale (nearest). */
export function tileImages(
  pixels: Uint8Array,
  n: number,
  width: number,
  height: number,
  channels: number,
  scale = 1,
  columns = Math.ceil(Math.sqrt(n)),
): { pixels: Uint8Array; width: number; height: number } {
  const rows = Math.ceil(n / columns);
  const cw = width * scale;
  const ch = height * scale;
  const W = columns * cw;
  const H = rows * ch;
  const out = new Uint8Array(W * H * channels);
  for (let i = 0; i < n; i++) {
    const ox = (i % columns) * cw;
    const oy = Math.floor(i / columns) * ch;
    const base = i * width * height * channels;
    for (let y = 0; y < ch; y++) {
      const sy = Math.floor(y / scale);
      for (let x = 0; x < cw; x++) {
        const sx = Math.floor(x / scale);
        const src = base + (sy * width + sx) * channels;
        const dst = ((oy + y) * W + ox + x) * channels;
        for (let c = 0; c < channels; c++) out[dst + c] = pixels[src + c];
      }
    }
  }
  return { pixels: out, width: W, height: H };
}
