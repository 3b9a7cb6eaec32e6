#!/usr/bin/env python3
"""The reference for `latentscape bench`'s ingest_vs_pillow: decode every JPEG of a folder to SIZE x SIZE
RGB with Pillow, as the app's ingest does (cover: centre square, then an area average). Pillow's
Image.draft() lets libjpeg decode at a reduced DCT scale first (256 -> 64 decodes 1/4 of the size), then
a BOX resize (the area-average family of the app's last step) makes the exact size. Prints one JSON line.

  python3 scripts/reference/pillow_ingest_bench.py --dir DIR [--size 64] [--processes N]

The time runs from before the process pool starts to the last image decoded (the app's ingest figure
counts its workers' start too). Files are read in name order.
"""
import argparse
import json
import os
import time

# Before anything loads a BLAS library: one thread per process (Pillow itself uses none).
import bound_threads  # noqa: F401

from PIL import Image, __version__ as pillow_version  # noqa: E402

BOX = getattr(getattr(Image, 'Resampling', Image), 'BOX')


def decode(job):
    path, size = job
    with Image.open(path) as img:
        img.draft('RGB', (size, size))
        img = img.convert('RGB')
        w, h = img.size
        side = min(w, h)
        left, top = (w - side) // 2, (h - side) // 2
        out = img.resize((size, size), BOX, box=(left, top, left + side, top + side))
        data = out.tobytes()
    return len(data), sum(data[::97])


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--dir', required=True)
    p.add_argument('--size', type=int, default=64)
    p.add_argument('--processes', type=int, default=1)
    p.add_argument('--threads', type=int, default=1, help='BLAS threads per process (bound_threads reads it)')
    a = p.parse_args()
    files = sorted(os.path.join(a.dir, f) for f in os.listdir(a.dir) if f.lower().endswith(('.jpg', '.jpeg')))
    jobs = [(f, a.size) for f in files]
    started = time.perf_counter()
    if a.processes > 1:
        from multiprocessing import Pool
        with Pool(a.processes) as pool:
            results = pool.map(decode, jobs, chunksize=max(1, len(jobs) // (a.processes * 8)))
    else:
        results = [decode(j) for j in jobs]
    seconds = time.perf_counter() - started
    expected = a.size * a.size * 3
    decoded = sum(1 for n, _ in results if n == expected)
    print(json.dumps({
        'images_per_s': decoded / seconds if seconds > 0 else 0,
        'images': decoded,
        'files': len(files),
        'seconds': seconds,
        'processes': a.processes,
        'size': a.size,
        'checksum': sum(c for _, c in results),
        'pillow': pillow_version,
    }))


if __name__ == '__main__':
    main()
