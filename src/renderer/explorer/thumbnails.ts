/**
 * The dataset's thumbnails, fetched a sprite atlas page at a time (1,024 thumbnails in one image)
 * and kept as canvases: a hover or a neighbour list draws a cell of a page, never one texture or
 * one request per image. The least recently used pages are dropped past `maxPages`.
 */
import { ATLAS_PAGE_SIZE, type Atlas } from '../../shared/contract';

interface Page {
  canvas: OffscreenCanvas;
  atlas: Omit<Atlas, 'pixels'>;
}

export class ThumbnailAtlas {
  private readonly pages = new Map<number, Promise<Page>>();

  constructor(
    private readonly fetchPage: (page: number) => Promise<Atlas>,
    private readonly maxPages = 24,
  ) {}

  private page(page: number): Promise<Page> {
    let p = this.pages.get(page);
    if (p) {
      // Most recently used last.
      this.pages.delete(page);
      this.pages.set(page, p);
      return p;
    }
    p = this.fetchPage(page).then((atlas) => {
      const width = atlas.cols * atlas.thumb;
      const height = atlas.rows * atlas.thumb;
      const rgba = new ImageData(width, height);
      const c = atlas.channels;
      for (let i = 0, n = width * height; i < n; i++) {
        const g = atlas.pixels[i * c];
        rgba.data[i * 4] = g;
        rgba.data[i * 4 + 1] = c === 3 ? atlas.pixels[i * c + 1] : g;
        rgba.data[i * 4 + 2] = c === 3 ? atlas.pixels[i * c + 2] : g;
        rgba.data[i * 4 + 3] = 255;
      }
      const canvas = new OffscreenCanvas(width, height);
      canvas.getContext('2d')!.putImageData(rgba, 0, 0);
      const { pixels: _pixels, ...info } = atlas;
      return { canvas, atlas: info };
    });
    p.catch(() => this.pages.delete(page));
    this.pages.set(page, p);
    while (this.pages.size > this.maxPages) this.pages.delete(this.pages.keys().next().value as number);
    return p;
  }

  /**
   * Draws image `index` into ctx's rectangle, crisp (nearest), unless `current()` says the request
   * went stale while its page loaded. False when it was not drawn.
   */
  async draw(
    ctx: CanvasRenderingContext2D,
    index: number,
    dx: number,
    dy: number,
    dw: number,
    dh: number,
    current: () => boolean = () => true,
  ): Promise<boolean> {
    try {
      const { canvas, atlas } = await this.page(Math.floor(index / ATLAS_PAGE_SIZE));
      const cell = index - atlas.first;
      if (cell < 0 || cell >= atlas.count || !current()) return false;
      const sx = (cell % atlas.cols) * atlas.thumb;
      const sy = Math.floor(cell / atlas.cols) * atlas.thumb;
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(canvas, sx, sy, atlas.thumb, atlas.thumb, dx, dy, dw, dh);
      return true;
    } catch {
      return false;
    }
  }

  /** Image `index`'s thumbnail as RGB bytes (thumb × thumb × 3), or null when its page cannot be had. */
  async pixels(index: number): Promise<Uint8Array | null> {
    try {
      const { canvas, atlas } = await this.page(Math.floor(index / ATLAS_PAGE_SIZE));
      const cell = index - atlas.first;
      if (cell < 0 || cell >= atlas.count) return null;
      const t = atlas.thumb;
      const rgba = canvas.getContext('2d')!.getImageData((cell % atlas.cols) * t, Math.floor(cell / atlas.cols) * t, t, t).data;
      const rgb = new Uint8Array(t * t * 3);
      for (let i = 0; i < t * t; i++) rgb.set(rgba.subarray(i * 4, i * 4 + 3), i * 3);
      return rgb;
    } catch {
      return null;
    }
  }

  clear(): void {
    this.pages.clear();
  }
}
