;; The ingest's commonest resample as WebAssembly SIMD: an RGB image averaged over 2×2 or 4×4 blocks
;; (256² → 64², 128² → 64², the 64² → 32² thumbnail), rounded exactly as resample.mjs's JavaScript
;; does it: (sum + area/2) / area, a shift here since the area is a power of two.
;;
;; Why: the JavaScript box sum (resample.mjs's boxWordsInto, already four bytes per add) cost a quarter
;; of an image's ingest time; 16 bytes per add and shuffles for the horizontal sums cost a third of it.
;;
;; Compiled by build-box-wasm.ts (wabt) into box-simd-wasm.mjs; a unit test checks that the embedded
;; bytes still match this source. All pointers are byte offsets into the exported memory.
(module
  (memory (export "memory") 1)

  ;; src: the first byte of the block grid's first row (stride bytes per source row); the grid is
  ;; outW × outH blocks of k × k RGB pixels (k = 2 or 4). sums: scratch for one row of column sums
  ;; (outW·k·3 u16, + 32 bytes). dst: outH rows of outW·3 bytes, packed. Reads up to 15 bytes past the
  ;; last source row's block span and up to 16 past a row of sums: the caller leaves that much room.
  (func (export "boxRgb")
    (param $src i32) (param $stride i32) (param $outW i32) (param $outH i32) (param $k i32)
    (param $sums i32) (param $dst i32)
    (local $j i32) (local $row i32) (local $span i32) (local $q i32) (local $t i32) (local $p i32)
    (local $i i32) (local $s i32) (local $d i32) (local $shift i32)
    (local $lo v128) (local $hi v128) (local $v v128) (local $x0 v128) (local $x1 v128) (local $sum v128) (local $half v128)
    (local.set $span (i32.mul (i32.mul (local.get $outW) (local.get $k)) (i32.const 3)))
    ;; area 4 → shift 2, area 16 → shift 4; the rounding half is area/2.
    (local.set $shift (select (i32.const 4) (i32.const 2) (i32.eq (local.get $k) (i32.const 4))))
    (local.set $half (i16x8.splat (i32.shl (i32.const 1) (i32.sub (local.get $shift) (i32.const 1)))))
    (local.set $d (local.get $dst))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $j) (local.get $outH)))
        (local.set $row (i32.add (local.get $src) (i32.mul (i32.mul (local.get $j) (local.get $k)) (local.get $stride))))
        ;; Vertical: the k rows summed per byte column, 16 columns at a time, into u16 lanes.
        (local.set $q (i32.const 0))
        (block $colsDone
          (loop $cols
            (br_if $colsDone (i32.ge_u (local.get $q) (local.get $span)))
            (local.set $lo (v128.const i64x2 0 0))
            (local.set $hi (v128.const i64x2 0 0))
            (local.set $p (i32.add (local.get $row) (local.get $q)))
            (local.set $t (i32.const 0))
            (block $tapsDone
              (loop $taps
                (br_if $tapsDone (i32.ge_u (local.get $t) (local.get $k)))
                (local.set $v (v128.load (local.get $p)))
                (local.set $lo (i16x8.add (local.get $lo) (i16x8.extend_low_i8x16_u (local.get $v))))
                (local.set $hi (i16x8.add (local.get $hi) (i16x8.extend_high_i8x16_u (local.get $v))))
                (local.set $p (i32.add (local.get $p) (local.get $stride)))
                (local.set $t (i32.add (local.get $t) (i32.const 1)))
                (br $taps)))
            (local.set $s (i32.add (local.get $sums) (i32.shl (local.get $q) (i32.const 1))))
            (v128.store (local.get $s) (local.get $lo))
            (v128.store offset=16 (local.get $s) (local.get $hi))
            (local.set $q (i32.add (local.get $q) (i32.const 16)))
            (br $cols)))
        ;; Horizontal: k neighbouring pixels per output pixel; lanes 0-2 of $sum end up as R, G, B.
        (local.set $s (local.get $sums))
        (local.set $i (i32.const 0))
        (block $pixelsDone
          (loop $pixels
            (br_if $pixelsDone (i32.ge_u (local.get $i) (local.get $outW)))
            (local.set $x0 (v128.load (local.get $s)))
            (if (i32.eq (local.get $k) (i32.const 4))
              (then
                ;; lanes of x0: R0 G0 B0 R1 G1 B1 R2 G2; of x1: B2 R3 G3 B3 …
                (local.set $x1 (v128.load offset=16 (local.get $s)))
                (local.set $sum
                  (i16x8.add
                    (i16x8.add
                      (local.get $x0)
                      (i8x16.shuffle 6 7 8 9 10 11 0 0 0 0 0 0 0 0 0 0 (local.get $x0) (local.get $x1)))
                    (i16x8.add
                      (i8x16.shuffle 12 13 14 15 16 17 0 0 0 0 0 0 0 0 0 0 (local.get $x0) (local.get $x1))
                      (i8x16.shuffle 18 19 20 21 22 23 0 0 0 0 0 0 0 0 0 0 (local.get $x0) (local.get $x1)))))
                (local.set $s (i32.add (local.get $s) (i32.const 24))))
              (else
                ;; k = 2: lanes R0 G0 B0 R1 G1 B1 …
                (local.set $sum
                  (i16x8.add
                    (local.get $x0)
                    (i8x16.shuffle 6 7 8 9 10 11 0 0 0 0 0 0 0 0 0 0 (local.get $x0) (local.get $x0))))
                (local.set $s (i32.add (local.get $s) (i32.const 12)))))
            (local.set $sum (i16x8.shr_u (i16x8.add (local.get $sum) (local.get $half)) (local.get $shift)))
            (local.set $sum (i8x16.narrow_i16x8_u (local.get $sum) (local.get $sum)))
            (i32.store16 (local.get $d) (i16x8.extract_lane_u 0 (local.get $sum)))
            (i32.store8 offset=2 (local.get $d) (i8x16.extract_lane_u 2 (local.get $sum)))
            (local.set $d (i32.add (local.get $d) (i32.const 3)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $pixels)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $rows))))
)
