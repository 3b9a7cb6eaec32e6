/**
 * A minimal EBML (Matroska/WebM) reader for tests: walks elements, descending into the master
 * elements we care about, so a test can check a file's structure without trusting the muxer.
 */
export interface EbmlElement {
  id: number;
  /** Offset of the data (after id and size). */
  start: number;
  end: number;
  children?: EbmlElement[];
}

// EBML, Segment, SeekHead, Info, Tracks, TrackEntry, Video, Cluster, Cues, CuePoint, BlockGroup
const MASTER = new Set([0x1a45dfa3, 0x18538067, 0x114d9b74, 0x1549a966, 0x1654ae6b, 0xae, 0xe0, 0x1f43b675, 0x1c53bb6b, 0xbb, 0xa0]);

function readVint(buf: Uint8Array, at: number, keepMarker: boolean): { value: number; length: number; unknown: boolean } {
  const first = buf[at];
  if (first === 0 || first === undefined) throw new Error(`bad EBML variable-size integer at ${at}`);
  let length = 1;
  while (!(first & (0x80 >> (length - 1)))) length++;
  let value = keepMarker ? first : first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    value = value * 256 + buf[at + i];
    if (buf[at + i] !== 0xff) allOnes = false;
  }
  return { value, length, unknown: !keepMarker && allOnes };
}

export function parseEbml(buf: Uint8Array, from = 0, to = buf.length): EbmlElement[] {
  const out: EbmlElement[] = [];
  let at = from;
  while (at < to) {
    const id = readVint(buf, at, true);
    const size = readVint(buf, at + id.length, false);
    const start = at + id.length + size.length;
    const end = size.unknown ? to : start + size.value;
    if (end > to) throw new Error(`EBML element 0x${id.value.toString(16)} at ${at} runs past its parent (${end} > ${to})`);
    const el: EbmlElement = { id: id.value, start, end };
    if (MASTER.has(id.value)) el.children = parseEbml(buf, start, end);
    out.push(el);
    at = end;
  }
  return out;
}

export function find(elements: EbmlElement[], id: number): EbmlElement[] {
  return elements.filter((e) => e.id === id);
}

export function readUint(buf: Uint8Array, el: EbmlElement): number {
  let v = 0;
  for (let i = el.start; i < el.end; i++) v = v * 256 + buf[i];
  return v;
}

export function readFloat(buf: Uint8Array, el: EbmlElement): number {
  const view = new DataView(buf.buffer, buf.byteOffset + el.start, el.end - el.start);
  return el.end - el.start === 4 ? view.getFloat32(0) : view.getFloat64(0);
}

export function readString(buf: Uint8Array, el: EbmlElement): string {
  return new TextDecoder().decode(buf.subarray(el.start, el.end)).replace(/\0+$/, '');
}

export const IDS = {
  EBML: 0x1a45dfa3,
  DocType: 0x4282,
  Segment: 0x18538067,
  Info: 0x1549a966,
  TimecodeScale: 0x2ad7b1,
  Duration: 0x4489,
  Tracks: 0x1654ae6b,
  TrackEntry: 0xae,
  CodecID: 0x86,
  Video: 0xe0,
  PixelWidth: 0xb0,
  PixelHeight: 0xba,
  Cluster: 0x1f43b675,
  Timecode: 0xe7,
  SimpleBlock: 0xa3,
  BlockGroup: 0xa0,
  Block: 0xa1,
} as const;

/** The frame payloads of every SimpleBlock (and Block) in file order. */
export function blockPayloads(buf: Uint8Array, segment: EbmlElement): { payload: Uint8Array; keyframe: boolean }[] {
  const frames: { payload: Uint8Array; keyframe: boolean }[] = [];
  for (const cluster of find(segment.children ?? [], IDS.Cluster)) {
    for (const el of cluster.children ?? []) {
      const blocks = el.id === IDS.SimpleBlock ? [el] : el.id === IDS.BlockGroup ? find(el.children ?? [], IDS.Block) : [];
      for (const block of blocks) {
        const track = readVint(buf, block.start, false);
        const flags = buf[block.start + track.length + 2];
        frames.push({ payload: buf.subarray(block.start + track.length + 3, block.end), keyframe: el.id === IDS.SimpleBlock ? Boolean(flags & 0x80) : true });
      }
    }
  }
  return frames;
}
