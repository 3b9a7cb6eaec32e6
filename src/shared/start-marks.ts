/**
 * The page's start, as performance marks: the renderer sets each once (src/renderer/lib/start-marks.ts)
 * and `latentscape bench` reads them for first_view_ms (src/cli/first-view-bench.ts). Their times are
 * the page's clock, which starts at the navigation.
 */
export const START_MARK_PREFIX = 'latentscape:';

/**
 * In the order they usually happen on a first start: `layout` is the scene given its first points,
 * `first-cloud` right after the first frame that draws them.
 */
export const START_STEPS = ['app-mounted', 'scene-built', 'status', 'embeddings', 'layout', 'first-cloud'] as const;

export type StartStep = (typeof START_STEPS)[number];

export const FIRST_CLOUD_MARK = `${START_MARK_PREFIX}first-cloud`;
