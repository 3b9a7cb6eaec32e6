/**
 * The scene's GLSL: round, shaded point sprites that morph between two layouts on the GPU (so a
 * glide costs one uniform per frame, not a buffer upload), and the ring sprites of path keyframes.
 * Each point carries a mark (0 normal, 1 dimmed, 2 highlighted: state/point-marks.ts): search
 * matches and selected points are drawn larger with a white rim, the rest of a search dimmed — one
 * attribute, no second draw of the cloud.
 */

export const POINT_VERTEX = /* glsl */ `
attribute vec3 positionTo;
attribute vec3 aColor;
attribute float aHidden;
attribute float aMark;
uniform float uMix;
uniform float uSize;
flat varying vec3 vColor;
flat varying float vMark;
void main() {
  vec3 p = mix(position, positionTo, uMix);
  vec4 mv = modelViewMatrix * vec4(p, 1.0);
  gl_Position = aHidden > 0.5 ? vec4(2.0, 2.0, 2.0, 1.0) : projectionMatrix * mv;
  // Slightly larger up close, never below the base size.
  float markSize = aMark > 1.5 ? 1.7 : (aMark > 0.5 ? 0.8 : 1.0);
  gl_PointSize = uSize * markSize * clamp(3.0 / -mv.z, 1.0, 2.5);
  vColor = aColor;
  vMark = aMark;
}`;

export const POINT_FRAGMENT = /* glsl */ `
flat varying vec3 vColor;
flat varying float vMark;
void main() {
  vec2 c = gl_PointCoord - 0.5;
  float r2 = dot(c, c);
  if (r2 > 0.25) discard;
  // A soft rim gives each sprite a little volume.
  float rim = smoothstep(0.10, 0.25, r2);
  vec3 col = vColor * (1.0 - 0.38 * rim) + 0.10 * (1.0 - rim);
  if (vMark > 1.5) col = mix(col, vec3(1.0), smoothstep(0.13, 0.19, r2));
  else if (vMark > 0.5) col = mix(vec3(0.063, 0.071, 0.09), col, 0.22);
  gl_FragColor = vec4(col, 1.0);
}`;

export const RING_VERTEX = /* glsl */ `
uniform float uSize;
void main() {
  gl_Position = projectionMatrix * modelViewMatrix * vec4(position, 1.0);
  gl_PointSize = uSize;
}`;

export const RING_FRAGMENT = /* glsl */ `
uniform vec3 uColor;
uniform float uFill;
void main() {
  vec2 c = gl_PointCoord - 0.5;
  float r = length(c);
  if (r > 0.5) discard;
  float ring = smoothstep(0.30, 0.36, r) * (1.0 - smoothstep(0.44, 0.5, r));
  float dark = smoothstep(0.36, 0.30, r) * smoothstep(0.22, 0.28, r);
  float alpha = max(ring, max(dark * 0.6, uFill * step(r, 0.22)));
  if (alpha < 0.02) discard;
  vec3 col = mix(vec3(0.05), uColor, max(ring, uFill * step(r, 0.22)));
  gl_FragColor = vec4(col, alpha);
}`;

/**
 * The mosaic: each point as its thumbnail, a square sprite cut from one layer of the atlas texture
 * array (`aCell` is its column, row and layer). A thumbnail is drawn only within uRadius of the
 * camera and where it is at least uMinPx wide (mosaic-lod.ts computes both on the CPU the same way);
 * elsewhere the vertex is put outside the clip volume and the point cloud's dot shows. Hidden points
 * are never gathered into the mosaic's buffers, so no hidden flag is needed here.
 */
export const MOSAIC_VERTEX = /* glsl */ `
attribute vec3 positionTo;
attribute vec3 aCell;
uniform float uMix;
uniform float uWorld;
uniform float uPxPerUnit;
uniform float uMinPx;
uniform float uMaxPx;
uniform float uRadius;
flat varying vec3 vCell;
void main() {
  vec3 p = mix(position, positionTo, uMix);
  vec4 mv = modelViewMatrix * vec4(p, 1.0);
  float distance = length(mv.xyz);
  float px = -mv.z > 0.0 ? uWorld * uPxPerUnit / distance : 0.0;
  bool shown = distance <= uRadius && px >= uMinPx;
  gl_Position = shown ? projectionMatrix * mv : vec4(2.0, 2.0, 2.0, 1.0);
  // A hair nearer than its own dot, which is drawn after it and so fails the depth test there.
  gl_Position.z -= 1e-5 * gl_Position.w;
  gl_PointSize = shown ? min(px, uMaxPx) : 0.0;
  vCell = aCell;
}`;

export const MOSAIC_FRAGMENT = /* glsl */ `
uniform sampler2DArray uAtlas;
uniform float uThumb;
uniform float uGray;
flat varying vec3 vCell;
void main() {
  vec2 texel = vCell.xy * uThumb + min(floor(gl_PointCoord * uThumb), uThumb - 1.0);
  vec4 t = texelFetch(uAtlas, ivec3(texel, vCell.z), 0);
  gl_FragColor = vec4(uGray > 0.5 ? vec3(t.r) : t.rgb, 1.0);
}`;
