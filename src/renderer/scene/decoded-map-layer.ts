/**
 * The decoded map: tiles of decoded images laid on their plane (map-plane.ts: z = 0 in the flat
 * view, a backdrop behind the cloud in 3D). Each tile is one textured quad; finer tiles are drawn
 * over coarser ones (render order by level), and the whole map before the cloud with no depth test,
 * so the points always stay in front. Which tiles exist and what they show is the caller's
 * (explorer/mosaic); this only draws them.
 */
import { DataTexture, Matrix4, Mesh, MeshBasicMaterial, NearestFilter, PlaneGeometry, RGBAFormat, SRGBColorSpace, UnsignedByteType, Vector3 } from 'three';
import { planePoint, type MapPlane } from './map-plane';
import type { Stage } from './stage';
import type { Vec3 } from './types';

/** One tile: its square in its plane's coordinates (view units) and its image (row-major HWC, rows from the top). */
export interface MapTile {
  key: string;
  level: number;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  plane: MapPlane;
  image: { width: number; height: number; channels: number; pixels: Uint8Array };
}

export interface DecodedMapLayer {
  /** The tiles to draw (an empty list clears the map); tiles with a known key are kept as they are. */
  setTiles(tiles: readonly MapTile[]): void;
  /** How many tiles are drawn, and the finest level among them (−1: none). */
  readonly stats: { tiles: number; level: number };
  /** The drawn tiles' corners in view space, read back from their meshes (how far behind the cloud the map is). */
  corners(): Vec3[];
  dispose(): void;
}

function tileTexture(image: MapTile['image']): DataTexture {
  const { width, height, channels, pixels } = image;
  const rgba = new Uint8Array(width * height * 4);
  // A texture's first row is its bottom: flip the image's rows.
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = ((height - 1 - y) * width + x) * channels;
      const to = (y * width + x) * 4;
      rgba[to] = pixels[from];
      rgba[to + 1] = pixels[from + (channels === 3 ? 1 : 0)];
      rgba[to + 2] = pixels[from + (channels === 3 ? 2 : 0)];
      rgba[to + 3] = 255;
    }
  }
  const texture = new DataTexture(rgba, width, height, RGBAFormat, UnsignedByteType);
  texture.magFilter = NearestFilter;
  texture.minFilter = NearestFilter;
  texture.generateMipmaps = false;
  // The decoded bytes are sRGB already: declared so, they reach the screen unchanged.
  texture.colorSpace = SRGBColorSpace;
  texture.needsUpdate = true;
  return texture;
}

export function createDecodedMapLayer(stage: Stage): DecodedMapLayer {
  const meshes = new Map<string, Mesh<PlaneGeometry, MeshBasicMaterial>>();
  const stats = { tiles: 0, level: -1 };

  function remove(key: string): void {
    const mesh = meshes.get(key);
    if (!mesh) return;
    stage.scene.remove(mesh);
    mesh.geometry.dispose();
    mesh.material.map?.dispose();
    mesh.material.dispose();
    meshes.delete(key);
  }

  return {
    setTiles(tiles) {
      const keep = new Set(tiles.map((t) => t.key));
      for (const key of [...meshes.keys()]) if (!keep.has(key)) remove(key);
      for (const t of tiles) {
        if (meshes.has(t.key)) continue;
        const material = new MeshBasicMaterial({ map: tileTexture(t.image), depthTest: false, depthWrite: false });
        const mesh = new Mesh(new PlaneGeometry(t.x1 - t.x0, t.y1 - t.y0), material);
        const { u, v, normal } = t.plane;
        mesh.quaternion.setFromRotationMatrix(new Matrix4().makeBasis(new Vector3(...u), new Vector3(...v), new Vector3(...normal)));
        mesh.position.set(...planePoint(t.plane, (t.x0 + t.x1) / 2, (t.y0 + t.y1) / 2));
        mesh.renderOrder = -100 + t.level;
        mesh.frustumCulled = false;
        stage.scene.add(mesh);
        meshes.set(t.key, mesh);
      }
      stats.tiles = meshes.size;
      stats.level = tiles.reduce((m, t) => Math.max(m, t.level), -1);
      stage.requestRender();
    },
    stats,
    corners() {
      const out: Vec3[] = [];
      for (const mesh of meshes.values()) {
        mesh.updateMatrixWorld();
        const position = mesh.geometry.getAttribute('position');
        for (let k = 0; k < position.count; k++) {
          const p = new Vector3().fromBufferAttribute(position, k).applyMatrix4(mesh.matrixWorld);
          out.push([p.x, p.y, p.z]);
        }
      }
      return out;
    },
    dispose() {
      for (const key of [...meshes.keys()]) remove(key);
    },
  };
}
