/**
 * The page's start, as performance marks: the renderer sets each once (src/renderer/lib/start-marks.ts)
 * and `latentscape bench` reads them for first_view_ms (src/cli/first-view-bench.ts). Their times are
 * the page's clock, which starts at the navigation.
 */
export const START_MARK_PREFIX = 'latentscape:';

/**
 * In the order they usually happen on a first start: `layout` is the scene given its first points,
 * `first-cloud` right after the first frame that draws them (its JavaScript), `cloud-shown` at the start
 * of the next animation frame. The page cannot see when a frame reaches the screen; the next frame is
 * the nearest it can: the compositor starts one only once the GPU has taken the last. In four Chrome
 * traces on SwiftShader the swap of the frame with the points ended 5–9 ms before `cloud-shown`, 112–291 ms
 * after `first-cloud`; and in 3 of 8 first views the page's first contentful paint came 367–432 ms after
 * `first-cloud` (docs/PERFORMANCE.md, session 18).
 */
export const START_STEPS = ['app-mounted', 'scene-built', 'status', 'embeddings', 'layout', 'first-cloud', 'cloud-shown'] as const;

export type StartStep = (typeof START_STEPS)[number];

export const FIRST_CLOUD_MARK = `${START_MARK_PREFIX}first-cloud`;
export const CLOUD_SHOWN_MARK = `${START_MARK_PREFIX}cloud-shown`;
