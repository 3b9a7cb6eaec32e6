/**
 * The search box's language, as a pure function over the points (tested in Node):
 *  - a label name (any case) matches that label's points: `7` in MNIST is the 7,293 sevens;
 *  - `#123` is image 123, `#100-199` a range; a bare number that is no label name is an image number;
 *  - other text matches label names and file paths that contain it (any case);
 *  - `/regex/flags` is tested against each point's label name, file path and `#number`.
 */

export interface QueryablePoints {
  count: number;
  /** Dataset index of each point. */
  ids: Int32Array;
  labels: Int32Array;
  labelNames: string[];
  /** Per dataset index, its file path (folders only). */
  files?: readonly string[] | null;
}

export type QueryResult = { mask: Uint8Array; count: number; error: null } | { mask: null; count: 0; error: string };

function result(mask: Uint8Array): QueryResult {
  let count = 0;
  for (let i = 0; i < mask.length; i++) count += mask[i];
  return { mask, count, error: null };
}

/** Points matching `query`; null for an empty query (no search). */
export function queryPoints(points: QueryablePoints, query: string): QueryResult | null {
  const q = query.trim();
  if (!q) return null;
  const { count, ids, labels, labelNames, files } = points;
  const mask = new Uint8Array(count);
  const fileOf = (i: number): string => files?.[ids[i]] ?? '';

  const regex = /^\/(.+)\/([a-z]*)$/.exec(q);
  if (regex) {
    let re: RegExp;
    try {
      re = new RegExp(regex[1], regex[2].replace(/[gy]/g, ''));
    } catch (err) {
      return { mask: null, count: 0, error: `not a regular expression: ${(err as Error).message}` };
    }
    // Each label name is tested once, not once per point.
    const labelHit = labelNames.map((name) => re.test(name));
    for (let i = 0; i < count; i++) {
      const l = labels[i];
      if ((l >= 0 && labelHit[l]) || (files && re.test(fileOf(i))) || re.test(`#${ids[i]}`)) mask[i] = 1;
    }
    return result(mask);
  }

  const numbers = /^#?(\d+)(?:\s*-\s*(\d+))?$/.exec(q);
  const exactLabel = labelNames.findIndex((name) => name.toLowerCase() === q.toLowerCase());
  if (numbers && (q.startsWith('#') || exactLabel < 0)) {
    const from = Number(numbers[1]);
    const to = numbers[2] === undefined ? from : Number(numbers[2]);
    for (let i = 0; i < count; i++) if (ids[i] >= from && ids[i] <= to) mask[i] = 1;
    return result(mask);
  }
  if (exactLabel >= 0) {
    for (let i = 0; i < count; i++) if (labels[i] === exactLabel) mask[i] = 1;
    return result(mask);
  }
  const needle = q.toLowerCase();
  const labelHit = labelNames.map((name) => name.toLowerCase().includes(needle));
  for (let i = 0; i < count; i++) {
    const l = labels[i];
    if ((l >= 0 && labelHit[l]) || (files && fileOf(i).toLowerCase().includes(needle))) mask[i] = 1;
  }
  return result(mask);
}
