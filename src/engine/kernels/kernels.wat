;; Hot loops of the training step for the tfjs wasm backend, as WebAssembly (SIMD + bulk memory).
;;
;; Why: the same loops in JavaScript run 5-10x slower than tfjs's own wasm kernels (V8 computes
;; typed-array float32 arithmetic in scalar float64), which made a fused Adam slower than tfjs's
;; 12 separate kernels. This module imports tfjs's own wasm memory, so it reads and writes tensors in
;; place, at the byte offsets tfjs keeps for them: no copies in or out.
;;
;; Compiled by src/engine/kernels/build-wasm.ts (wabt) into kernels-wasm.ts; a unit test checks the
;; embedded bytes still match this source. All pointers are byte offsets of float32 arrays; images
;; are NHWC; see patches.ts for the geometry and adam.ts for the update's definition.
(module
  (import "env" "memory" (memory 0))

  ;; Adam, elementwise over n floats, rounding exactly as tfjs's separate float32 kernels do:
  ;; m' = m*b1 + g*c1; v' = v*b2 + (g*g)*c2; value' = ((m'/d1) / (sqrt(v'/d2) + eps)) * negLr + value
  (func (export "adam")
    (param $value i32) (param $grad i32) (param $m i32) (param $v i32)
    (param $outValue i32) (param $outM i32) (param $outV i32) (param $n i32)
    (param $b1 f32) (param $c1 f32) (param $b2 f32) (param $c2 f32)
    (param $eps f32) (param $negLr f32) (param $d1 f32) (param $d2 f32)
    (local $i i32) (local $end i32) (local $end4 i32)
    (local $g v128) (local $m1 v128) (local $v1 v128)
    (local $gs f32) (local $m1s f32) (local $v1s f32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $end4 (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $done4
      (loop $next4
        (br_if $done4 (i32.ge_u (local.get $i) (local.get $end4)))
        (local.set $g (v128.load (i32.add (local.get $grad) (local.get $i))))
        (local.set $m1
          (f32x4.add
            (f32x4.mul (v128.load (i32.add (local.get $m) (local.get $i))) (f32x4.splat (local.get $b1)))
            (f32x4.mul (local.get $g) (f32x4.splat (local.get $c1)))))
        (local.set $v1
          (f32x4.add
            (f32x4.mul (v128.load (i32.add (local.get $v) (local.get $i))) (f32x4.splat (local.get $b2)))
            (f32x4.mul (f32x4.mul (local.get $g) (local.get $g)) (f32x4.splat (local.get $c2)))))
        (v128.store (i32.add (local.get $outValue) (local.get $i))
          (f32x4.add
            (f32x4.mul
              (f32x4.div
                (f32x4.div (local.get $m1) (f32x4.splat (local.get $d1)))
                (f32x4.add
                  (f32x4.sqrt (f32x4.div (local.get $v1) (f32x4.splat (local.get $d2))))
                  (f32x4.splat (local.get $eps))))
              (f32x4.splat (local.get $negLr)))
            (v128.load (i32.add (local.get $value) (local.get $i)))))
        (v128.store (i32.add (local.get $outM) (local.get $i)) (local.get $m1))
        (v128.store (i32.add (local.get $outV) (local.get $i)) (local.get $v1))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next4)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $gs (f32.load (i32.add (local.get $grad) (local.get $i))))
        (local.set $m1s
          (f32.add
            (f32.mul (f32.load (i32.add (local.get $m) (local.get $i))) (local.get $b1))
            (f32.mul (local.get $gs) (local.get $c1))))
        (local.set $v1s
          (f32.add
            (f32.mul (f32.load (i32.add (local.get $v) (local.get $i))) (local.get $b2))
            (f32.mul (f32.mul (local.get $gs) (local.get $gs)) (local.get $c2))))
        (f32.store (i32.add (local.get $outValue) (local.get $i))
          (f32.add
            (f32.mul
              (f32.div
                (f32.div (local.get $m1s) (local.get $d1))
                (f32.add (f32.sqrt (f32.div (local.get $v1s) (local.get $d2))) (local.get $eps)))
              (local.get $negLr))
            (f32.load (i32.add (local.get $value) (local.get $i)))))
        (f32.store (i32.add (local.get $outM) (local.get $i)) (local.get $m1s))
        (f32.store (i32.add (local.get $outV) (local.get $i)) (local.get $v1s))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $next))))

  ;; im2col: dst[(b, oy, ox), (ky, kx, c)] = src[b, oy*s + ky - padTop, ox*s + kx - padLeft, c] or 0.
  ;; For one (b, oy, ox, ky) the taps kx0..kx1 that fall inside the image are one contiguous run in
  ;; both arrays: one memory.copy, and memory.fill for the padding on either side.
  (func (export "im2col")
    (param $src i32) (param $dst i32) (param $batch i32) (param $C i32)
    (param $k i32) (param $s i32) (param $padTop i32) (param $padLeft i32)
    (param $H i32) (param $W i32) (param $oh i32) (param $ow i32)
    (local $b i32) (local $oy i32) (local $ox i32) (local $ky i32)
    (local $iy i32) (local $ix0 i32) (local $kx0 i32) (local $kx1 i32)
    (local $cBytes i32) (local $rowBytes i32) (local $image i32) (local $d i32)
    (local.set $cBytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $rowBytes (i32.mul (local.get $k) (local.get $cBytes)))
    (local.set $d (local.get $dst))
    (local.set $b (i32.const 0))
    (block $bDone (loop $bNext
      (br_if $bDone (i32.ge_s (local.get $b) (local.get $batch)))
      (local.set $image
        (i32.add (local.get $src)
          (i32.mul (local.get $b) (i32.mul (i32.mul (local.get $H) (local.get $W)) (local.get $cBytes)))))
      (local.set $oy (i32.const 0))
      (block $oyDone (loop $oyNext
        (br_if $oyDone (i32.ge_s (local.get $oy) (local.get $oh)))
        (local.set $ox (i32.const 0))
        (block $oxDone (loop $oxNext
          (br_if $oxDone (i32.ge_s (local.get $ox) (local.get $ow)))
          ;; taps kx in [kx0, kx1) are inside the image: 0 <= ix0 + kx < W
          (local.set $ix0 (i32.sub (i32.mul (local.get $ox) (local.get $s)) (local.get $padLeft)))
          (local.set $kx0 (select (i32.sub (i32.const 0) (local.get $ix0)) (i32.const 0) (i32.lt_s (local.get $ix0) (i32.const 0))))
          (local.set $kx1 (i32.sub (local.get $W) (local.get $ix0)))
          (if (i32.gt_s (local.get $kx1) (local.get $k)) (then (local.set $kx1 (local.get $k))))
          (if (i32.lt_s (local.get $kx1) (local.get $kx0)) (then (local.set $kx1 (local.get $kx0))))
          (local.set $ky (i32.const 0))
          (block $kyDone (loop $kyNext
            (br_if $kyDone (i32.ge_s (local.get $ky) (local.get $k)))
            (local.set $iy (i32.sub (i32.add (i32.mul (local.get $oy) (local.get $s)) (local.get $ky)) (local.get $padTop)))
            (if (i32.or (i32.lt_s (local.get $iy) (i32.const 0)) (i32.ge_s (local.get $iy) (local.get $H)))
              (then (memory.fill (local.get $d) (i32.const 0) (local.get $rowBytes)))
              (else
                (if (i32.gt_s (local.get $kx0) (i32.const 0))
                  (then (memory.fill (local.get $d) (i32.const 0) (i32.mul (local.get $kx0) (local.get $cBytes)))))
                (memory.copy
                  (i32.add (local.get $d) (i32.mul (local.get $kx0) (local.get $cBytes)))
                  (i32.add (local.get $image)
                    (i32.mul
                      (i32.add (i32.mul (local.get $iy) (local.get $W)) (i32.add (local.get $ix0) (local.get $kx0)))
                      (local.get $cBytes)))
                  (i32.mul (i32.sub (local.get $kx1) (local.get $kx0)) (local.get $cBytes)))
                (if (i32.lt_s (local.get $kx1) (local.get $k))
                  (then
                    (memory.fill
                      (i32.add (local.get $d) (i32.mul (local.get $kx1) (local.get $cBytes)))
                      (i32.const 0)
                      (i32.mul (i32.sub (local.get $k) (local.get $kx1)) (local.get $cBytes)))))))
            (local.set $d (i32.add (local.get $d) (local.get $rowBytes)))
            (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
            (br $kyNext)))
          (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
          (br $oxNext)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $oyNext)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bNext))))

  ;; im2colT: im2col transposed, dst[(ky, kx, c), (b, oy, ox)], so that a weight gradient is a matMul
  ;; whose big operand comes first (XNNPACK packs the second operand on every call). One output row
  ;; (fixed tap and channel) is written contiguously, reading the image with a stride of s·C floats.
  (func (export "im2colT")
    (param $src i32) (param $dst i32) (param $batch i32) (param $C i32)
    (param $k i32) (param $s i32) (param $padTop i32) (param $padLeft i32)
    (param $H i32) (param $W i32) (param $oh i32) (param $ow i32)
    (local $b i32) (local $ky i32) (local $kx i32) (local $c i32) (local $oy i32) (local $ox i32)
    (local $iy i32) (local $ox0 i32) (local $ox1 i32) (local $rows i32) (local $image i32)
    (local $d i32) (local $p i32) (local $step i32) (local $cBytes i32)
    (local.set $rows (i32.mul (local.get $batch) (i32.mul (local.get $oh) (local.get $ow))))
    (local.set $cBytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $step (i32.mul (local.get $s) (local.get $cBytes)))
    (local.set $b (i32.const 0))
    (block $bDone (loop $bNext
      (br_if $bDone (i32.ge_s (local.get $b) (local.get $batch)))
      (local.set $image
        (i32.add (local.get $src)
          (i32.mul (local.get $b) (i32.mul (i32.mul (local.get $H) (local.get $W)) (local.get $cBytes)))))
      (local.set $ky (i32.const 0))
      (block $kyDone (loop $kyNext
        (br_if $kyDone (i32.ge_s (local.get $ky) (local.get $k)))
        (local.set $kx (i32.const 0))
        (block $kxDone (loop $kxNext
          (br_if $kxDone (i32.ge_s (local.get $kx) (local.get $k)))
          ;; columns ox in [ox0, ox1) read inside the image: 0 <= ox*s + kx - padLeft < W
          (local.set $ox0 (i32.const 0))
          (block $lo (loop $loNext
            (br_if $lo (i32.ge_s (local.get $ox0) (local.get $ow)))
            (br_if $lo (i32.ge_s (i32.sub (i32.add (i32.mul (local.get $ox0) (local.get $s)) (local.get $kx)) (local.get $padLeft)) (i32.const 0)))
            (local.set $ox0 (i32.add (local.get $ox0) (i32.const 1)))
            (br $loNext)))
          (local.set $ox1 (local.get $ow))
          (block $hi (loop $hiNext
            (br_if $hi (i32.le_s (local.get $ox1) (local.get $ox0)))
            (br_if $hi (i32.lt_s
              (i32.sub (i32.add (i32.mul (i32.sub (local.get $ox1) (i32.const 1)) (local.get $s)) (local.get $kx)) (local.get $padLeft))
              (local.get $W)))
            (local.set $ox1 (i32.sub (local.get $ox1) (i32.const 1)))
            (br $hiNext)))
          (local.set $c (i32.const 0))
          (block $cDone (loop $cNext
            (br_if $cDone (i32.ge_s (local.get $c) (local.get $C)))
            (local.set $d
              (i32.add (local.get $dst)
                (i32.shl
                  (i32.add
                    (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $ky) (local.get $k)) (local.get $kx)) (local.get $C)) (local.get $c)) (local.get $rows))
                    (i32.mul (local.get $b) (i32.mul (local.get $oh) (local.get $ow))))
                  (i32.const 2))))
            (local.set $oy (i32.const 0))
            (block $oyDone (loop $oyNext
              (br_if $oyDone (i32.ge_s (local.get $oy) (local.get $oh)))
              (local.set $iy (i32.sub (i32.add (i32.mul (local.get $oy) (local.get $s)) (local.get $ky)) (local.get $padTop)))
              (if (i32.or (i32.lt_s (local.get $iy) (i32.const 0)) (i32.ge_s (local.get $iy) (local.get $H)))
                (then (memory.fill (local.get $d) (i32.const 0) (i32.shl (local.get $ow) (i32.const 2))))
                (else
                  ;; (bulk-memory calls cost more than a few scalar stores: only when needed)
                  (if (i32.gt_s (local.get $ox0) (i32.const 0))
                    (then (memory.fill (local.get $d) (i32.const 0) (i32.shl (local.get $ox0) (i32.const 2)))))
                  ;; p = &image[iy, ox0*s + kx - padLeft, c]
                  (local.set $p
                    (i32.add (local.get $image)
                      (i32.add
                        (i32.mul
                          (i32.add (i32.mul (local.get $iy) (local.get $W))
                            (i32.sub (i32.add (i32.mul (local.get $ox0) (local.get $s)) (local.get $kx)) (local.get $padLeft)))
                          (local.get $cBytes))
                        (i32.shl (local.get $c) (i32.const 2)))))
                  (local.set $ox (local.get $ox0))
                  (block $oxDone (loop $oxNext
                    (br_if $oxDone (i32.ge_s (local.get $ox) (local.get $ox1)))
                    (f32.store (i32.add (local.get $d) (i32.shl (local.get $ox) (i32.const 2))) (f32.load (local.get $p)))
                    (local.set $p (i32.add (local.get $p) (local.get $step)))
                    (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
                    (br $oxNext)))
                  (if (i32.lt_s (local.get $ox1) (local.get $ow))
                    (then
                      (memory.fill
                        (i32.add (local.get $d) (i32.shl (local.get $ox1) (i32.const 2)))
                        (i32.const 0)
                        (i32.shl (i32.sub (local.get $ow) (local.get $ox1)) (i32.const 2)))))))
              (local.set $d (i32.add (local.get $d) (i32.shl (local.get $ow) (i32.const 2))))
              (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
              (br $oyNext)))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $cNext)))
          (local.set $kx (i32.add (local.get $kx) (i32.const 1)))
          (br $kxNext)))
        (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
        (br $kyNext)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bNext))))

  ;; col2im, the adjoint of im2col: dst is zeroed, then each patch row's inside runs are added back,
  ;; in row order (the same summation order as the JavaScript loop, hence the same floats).
  (func (export "col2im")
    (param $cols i32) (param $dst i32) (param $batch i32) (param $C i32)
    (param $k i32) (param $s i32) (param $padTop i32) (param $padLeft i32)
    (param $H i32) (param $W i32) (param $oh i32) (param $ow i32)
    (local $b i32) (local $oy i32) (local $ox i32) (local $ky i32)
    (local $iy i32) (local $ix0 i32) (local $kx0 i32) (local $kx1 i32)
    (local $cBytes i32) (local $rowBytes i32) (local $image i32) (local $r i32)
    (local $p i32) (local $q i32) (local $end i32) (local $end4 i32)
    (local.set $cBytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $rowBytes (i32.mul (local.get $k) (local.get $cBytes)))
    (memory.fill (local.get $dst) (i32.const 0)
      (i32.mul (local.get $batch) (i32.mul (i32.mul (local.get $H) (local.get $W)) (local.get $cBytes))))
    (local.set $r (local.get $cols))
    (local.set $b (i32.const 0))
    (block $bDone (loop $bNext
      (br_if $bDone (i32.ge_s (local.get $b) (local.get $batch)))
      (local.set $image
        (i32.add (local.get $dst)
          (i32.mul (local.get $b) (i32.mul (i32.mul (local.get $H) (local.get $W)) (local.get $cBytes)))))
      (local.set $oy (i32.const 0))
      (block $oyDone (loop $oyNext
        (br_if $oyDone (i32.ge_s (local.get $oy) (local.get $oh)))
        (local.set $ox (i32.const 0))
        (block $oxDone (loop $oxNext
          (br_if $oxDone (i32.ge_s (local.get $ox) (local.get $ow)))
          (local.set $ix0 (i32.sub (i32.mul (local.get $ox) (local.get $s)) (local.get $padLeft)))
          (local.set $kx0 (select (i32.sub (i32.const 0) (local.get $ix0)) (i32.const 0) (i32.lt_s (local.get $ix0) (i32.const 0))))
          (local.set $kx1 (i32.sub (local.get $W) (local.get $ix0)))
          (if (i32.gt_s (local.get $kx1) (local.get $k)) (then (local.set $kx1 (local.get $k))))
          (if (i32.lt_s (local.get $kx1) (local.get $kx0)) (then (local.set $kx1 (local.get $kx0))))
          (local.set $ky (i32.const 0))
          (block $kyDone (loop $kyNext
            (br_if $kyDone (i32.ge_s (local.get $ky) (local.get $k)))
            (local.set $iy (i32.sub (i32.add (i32.mul (local.get $oy) (local.get $s)) (local.get $ky)) (local.get $padTop)))
            (if (i32.and (i32.ge_s (local.get $iy) (i32.const 0)) (i32.lt_s (local.get $iy) (local.get $H)))
              (then
                ;; dst run p.. += cols run q.., (kx1 - kx0)·C floats
                (local.set $p
                  (i32.add (local.get $image)
                    (i32.mul
                      (i32.add (i32.mul (local.get $iy) (local.get $W)) (i32.add (local.get $ix0) (local.get $kx0)))
                      (local.get $cBytes))))
                (local.set $q (i32.add (local.get $r) (i32.mul (local.get $kx0) (local.get $cBytes))))
                (local.set $end (i32.add (local.get $p) (i32.mul (i32.sub (local.get $kx1) (local.get $kx0)) (local.get $cBytes))))
                (local.set $end4 (i32.sub (local.get $end) (i32.const 12)))
                (block $done4 (loop $next4
                  (br_if $done4 (i32.ge_u (local.get $p) (local.get $end4)))
                  (v128.store (local.get $p) (f32x4.add (v128.load (local.get $p)) (v128.load (local.get $q))))
                  (local.set $p (i32.add (local.get $p) (i32.const 16)))
                  (local.set $q (i32.add (local.get $q) (i32.const 16)))
                  (br $next4)))
                (block $done1 (loop $next1
                  (br_if $done1 (i32.ge_u (local.get $p) (local.get $end)))
                  (f32.store (local.get $p) (f32.add (f32.load (local.get $p)) (f32.load (local.get $q))))
                  (local.set $p (i32.add (local.get $p) (i32.const 4)))
                  (local.set $q (i32.add (local.get $q) (i32.const 4)))
                  (br $next1)))))
            (local.set $r (i32.add (local.get $r) (local.get $rowBytes)))
            (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
            (br $kyNext)))
          (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
          (br $oxNext)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $oyNext)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bNext))))

  ;; ReLU's gradient: out[i] = y[i] > 0 ? dy[i] : 0, with y the layer's output (the mask tfjs's own
  ;; Relu gradient uses, step(y)), in one pass instead of tfjs's Step and Multiply kernels.
  (func (export "reluGrad")
    (param $dy i32) (param $y i32) (param $out i32) (param $n i32)
    (local $i i32) (local $end i32) (local $end4 i32) (local $v i32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $end4 (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $done4 (loop $next4
      (br_if $done4 (i32.ge_u (local.get $i) (local.get $end4)))
      (v128.store (i32.add (local.get $out) (local.get $i))
        (v128.and
          (v128.load (i32.add (local.get $dy) (local.get $i)))
          (f32x4.gt (v128.load (i32.add (local.get $y) (local.get $i))) (f32x4.splat (f32.const 0)))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $next4)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
      (f32.store (i32.add (local.get $out) (local.get $i))
        (select
          (f32.load (i32.add (local.get $dy) (local.get $i)))
          (f32.const 0)
          (f32.gt (f32.load (i32.add (local.get $y) (local.get $i))) (f32.const 0))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $next))))

  ;; Column sums of a [rows, cols] matrix (a bias gradient): dst[c] = Σ_r src[r, c], rows added in
  ;; order. tfjs's Sum over axis 0 transposes the whole matrix first; this reads it once, in place.
  (func (export "columnSum")
    (param $src i32) (param $dst i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $p i32) (local $q i32) (local $end i32) (local $end4 i32)
    (memory.fill (local.get $dst) (i32.const 0) (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $cols) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $dst) (i32.shl (i32.and (local.get $cols) (i32.const -4)) (i32.const 2))))
    (local.set $p (local.get $src))
    (block $rDone (loop $rNext
      (br_if $rDone (i32.ge_s (local.get $r) (local.get $rows)))
      (local.set $q (local.get $dst))
      (block $done4 (loop $next4
        (br_if $done4 (i32.ge_u (local.get $q) (local.get $end4)))
        (v128.store (local.get $q) (f32x4.add (v128.load (local.get $q)) (v128.load (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))
        (br $next4)))
      (block $done1 (loop $next1
        (br_if $done1 (i32.ge_u (local.get $q) (local.get $end)))
        (f32.store (local.get $q) (f32.add (f32.load (local.get $q)) (f32.load (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (local.set $q (i32.add (local.get $q) (i32.const 4)))
        (br $next1)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rNext))))

  ;; A [rows, cols] matrix transposed: dst[c, r] = src[r, c]. Whole 4×4 blocks are four loads, eight
  ;; lane shuffles and four stores; the edges (rows or cols not a multiple of 4) go one float at a
  ;; time. tfjs's wasm Transpose walks every element through n-d index arithmetic, ~10× slower.
  (func (export "transpose2d")
    (param $src i32) (param $dst i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $c i32) (local $rows4 i32) (local $cols4 i32)
    (local $rowBytes i32) (local $colBytes i32) (local $p i32) (local $q i32)
    (local $a v128) (local $b v128) (local $e v128) (local $f v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $rows4 (i32.and (local.get $rows) (i32.const -4)))
    (local.set $cols4 (i32.and (local.get $cols) (i32.const -4)))
    ;; bytes between src rows; bytes between dst rows (a dst row is a src column)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $colBytes (i32.shl (local.get $rows) (i32.const 2)))
    (local.set $r (i32.const 0))
    (block $rDone (loop $rNext
      (br_if $rDone (i32.ge_s (local.get $r) (local.get $rows4)))
      (local.set $c (i32.const 0))
      (block $cDone (loop $cNext
        (br_if $cDone (i32.ge_s (local.get $c) (local.get $cols4)))
        ;; p = &src[r, c]; q = &dst[c, r]
        (local.set $p (i32.add (local.get $src)
          (i32.shl (i32.add (i32.mul (local.get $r) (local.get $cols)) (local.get $c)) (i32.const 2))))
        (local.set $q (i32.add (local.get $dst)
          (i32.shl (i32.add (i32.mul (local.get $c) (local.get $rows)) (local.get $r)) (i32.const 2))))
        (local.set $a (v128.load (local.get $p)))
        (local.set $b (v128.load (i32.add (local.get $p) (local.get $rowBytes))))
        (local.set $e (v128.load (i32.add (local.get $p) (i32.shl (local.get $rowBytes) (i32.const 1)))))
        (local.set $f (v128.load (i32.add (local.get $p) (i32.mul (local.get $rowBytes) (i32.const 3)))))
        ;; t0 = a0 b0 a1 b1, t1 = a2 b2 a3 b3, t2 = e0 f0 e1 f1, t3 = e2 f2 e3 f3
        (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a) (local.get $b)))
        (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a) (local.get $b)))
        (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $e) (local.get $f)))
        (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $e) (local.get $f)))
        ;; column j of the block = (a_j b_j e_j f_j)
        (v128.store (local.get $q)
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
        (v128.store (i32.add (local.get $q) (local.get $colBytes))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
        (v128.store (i32.add (local.get $q) (i32.shl (local.get $colBytes) (i32.const 1)))
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
        (v128.store (i32.add (local.get $q) (i32.mul (local.get $colBytes) (i32.const 3)))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $cNext)))
      (local.set $r (i32.add (local.get $r) (i32.const 4)))
      (br $rNext)))
    ;; the right edge: columns cols4.. of rows 0..rows4
    (local.set $r (i32.const 0))
    (block $erDone (loop $erNext
      (br_if $erDone (i32.ge_s (local.get $r) (local.get $rows4)))
      (local.set $c (local.get $cols4))
      (block $ecDone (loop $ecNext
        (br_if $ecDone (i32.ge_s (local.get $c) (local.get $cols)))
        (f32.store
          (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $c) (local.get $rows)) (local.get $r)) (i32.const 2)))
          (f32.load (i32.add (local.get $src) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $cols)) (local.get $c)) (i32.const 2)))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $ecNext)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $erNext)))
    ;; the bottom edge: rows rows4.., every column
    (local.set $r (local.get $rows4))
    (block $brDone (loop $brNext
      (br_if $brDone (i32.ge_s (local.get $r) (local.get $rows)))
      (local.set $c (i32.const 0))
      (block $bcDone (loop $bcNext
        (br_if $bcDone (i32.ge_s (local.get $c) (local.get $cols)))
        (f32.store
          (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $c) (local.get $rows)) (local.get $r)) (i32.const 2)))
          (f32.load (i32.add (local.get $src) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $cols)) (local.get $c)) (i32.const 2)))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $bcNext)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $brNext))))

  ;; im2colT for C a multiple of 4 (the conv VAE's hidden layers): the same output as im2colT, but four
  ;; channels and four patch columns at a time. Four v128 loads (4 channels at 4 columns ox..ox+3), a 4×4
  ;; transpose by lane shuffles, and four v128 stores (4 columns of 4 channel rows) replace 16 scalar
  ;; loads and stores; the columns left over at the image edge go one at a time.
  (func (export "im2colT4")
    (param $src i32) (param $dst i32) (param $batch i32) (param $C i32)
    (param $k i32) (param $s i32) (param $padTop i32) (param $padLeft i32)
    (param $H i32) (param $W i32) (param $oh i32) (param $ow i32)
    (local $b i32) (local $ky i32) (local $kx i32) (local $c i32) (local $oy i32) (local $ox i32)
    (local $iy i32) (local $ox0 i32) (local $ox1 i32) (local $rows i32) (local $image i32)
    (local $d i32) (local $p i32) (local $step i32) (local $cBytes i32) (local $rb i32) (local $j i32)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $rows (i32.mul (local.get $batch) (i32.mul (local.get $oh) (local.get $ow))))
    (local.set $rb (i32.shl (local.get $rows) (i32.const 2)))
    (local.set $cBytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $step (i32.mul (local.get $s) (local.get $cBytes)))
    (local.set $b (i32.const 0))
    (block $bDone (loop $bNext
      (br_if $bDone (i32.ge_s (local.get $b) (local.get $batch)))
      (local.set $image
        (i32.add (local.get $src)
          (i32.mul (local.get $b) (i32.mul (i32.mul (local.get $H) (local.get $W)) (local.get $cBytes)))))
      (local.set $ky (i32.const 0))
      (block $kyDone (loop $kyNext
        (br_if $kyDone (i32.ge_s (local.get $ky) (local.get $k)))
        (local.set $kx (i32.const 0))
        (block $kxDone (loop $kxNext
          (br_if $kxDone (i32.ge_s (local.get $kx) (local.get $k)))
          ;; columns ox in [ox0, ox1) read inside the image: 0 <= ox*s + kx - padLeft < W
          (local.set $ox0 (i32.const 0))
          (block $lo (loop $loNext
            (br_if $lo (i32.ge_s (local.get $ox0) (local.get $ow)))
            (br_if $lo (i32.ge_s (i32.sub (i32.add (i32.mul (local.get $ox0) (local.get $s)) (local.get $kx)) (local.get $padLeft)) (i32.const 0)))
            (local.set $ox0 (i32.add (local.get $ox0) (i32.const 1)))
            (br $loNext)))
          (local.set $ox1 (local.get $ow))
          (block $hi (loop $hiNext
            (br_if $hi (i32.le_s (local.get $ox1) (local.get $ox0)))
            (br_if $hi (i32.lt_s
              (i32.sub (i32.add (i32.mul (i32.sub (local.get $ox1) (i32.const 1)) (local.get $s)) (local.get $kx)) (local.get $padLeft))
              (local.get $W)))
            (local.set $ox1 (i32.sub (local.get $ox1) (i32.const 1)))
            (br $hiNext)))
          (local.set $c (i32.const 0))
          (block $cDone (loop $cNext
            (br_if $cDone (i32.ge_s (local.get $c) (local.get $C)))
            ;; d = &dst[(ky, kx, c), b·oh·ow]: the segment of channel c's row; channel c+j's is j·rb further
            (local.set $d
              (i32.add (local.get $dst)
                (i32.shl
                  (i32.add
                    (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $ky) (local.get $k)) (local.get $kx)) (local.get $C)) (local.get $c)) (local.get $rows))
                    (i32.mul (local.get $b) (i32.mul (local.get $oh) (local.get $ow))))
                  (i32.const 2))))
            (local.set $oy (i32.const 0))
            (block $oyDone (loop $oyNext
              (br_if $oyDone (i32.ge_s (local.get $oy) (local.get $oh)))
              (local.set $iy (i32.sub (i32.add (i32.mul (local.get $oy) (local.get $s)) (local.get $ky)) (local.get $padTop)))
              (if (i32.or (i32.lt_s (local.get $iy) (i32.const 0)) (i32.ge_s (local.get $iy) (local.get $H)))
                (then
                  ;; the whole segment is padding, in each of the four rows
                  (local.set $j (i32.const 0))
                  (block $zDone (loop $zNext
                    (br_if $zDone (i32.ge_s (local.get $j) (i32.const 4)))
                    (memory.fill (i32.add (local.get $d) (i32.mul (local.get $j) (local.get $rb))) (i32.const 0) (i32.shl (local.get $ow) (i32.const 2)))
                    (local.set $j (i32.add (local.get $j) (i32.const 1)))
                    (br $zNext))))
                (else
                  ;; padding columns before ox0 and from ox1 on, in each of the four rows
                  (local.set $ox (i32.const 0))
                  (block $padLoDone (loop $padLoNext
                    (br_if $padLoDone (i32.ge_s (local.get $ox) (local.get $ox0)))
                    (local.set $j (i32.const 0))
                    (block $zlDone (loop $zlNext
                      (br_if $zlDone (i32.ge_s (local.get $j) (i32.const 4)))
                      (f32.store (i32.add (i32.add (local.get $d) (i32.mul (local.get $j) (local.get $rb))) (i32.shl (local.get $ox) (i32.const 2))) (f32.const 0))
                      (local.set $j (i32.add (local.get $j) (i32.const 1)))
                      (br $zlNext)))
                    (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
                    (br $padLoNext)))
                  (local.set $ox (local.get $ox1))
                  (block $padHiDone (loop $padHiNext
                    (br_if $padHiDone (i32.ge_s (local.get $ox) (local.get $ow)))
                    (local.set $j (i32.const 0))
                    (block $zhDone (loop $zhNext
                      (br_if $zhDone (i32.ge_s (local.get $j) (i32.const 4)))
                      (f32.store (i32.add (i32.add (local.get $d) (i32.mul (local.get $j) (local.get $rb))) (i32.shl (local.get $ox) (i32.const 2))) (f32.const 0))
                      (local.set $j (i32.add (local.get $j) (i32.const 1)))
                      (br $zhNext)))
                    (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
                    (br $padHiNext)))
                  ;; p = &image[iy, ox0*s + kx - padLeft, c]
                  (local.set $p
                    (i32.add (local.get $image)
                      (i32.add
                        (i32.mul
                          (i32.add (i32.mul (local.get $iy) (local.get $W))
                            (i32.sub (i32.add (i32.mul (local.get $ox0) (local.get $s)) (local.get $kx)) (local.get $padLeft)))
                          (local.get $cBytes))
                        (i32.shl (local.get $c) (i32.const 2)))))
                  (local.set $ox (local.get $ox0))
                  (block $ox4Done (loop $ox4Next
                    (br_if $ox4Done (i32.gt_s (i32.add (local.get $ox) (i32.const 4)) (local.get $ox1)))
                    ;; v_i = channels c..c+3 at column ox+i
                    (local.set $v0 (v128.load (local.get $p)))
                    (local.set $v1 (v128.load (i32.add (local.get $p) (local.get $step))))
                    (local.set $v2 (v128.load (i32.add (local.get $p) (i32.shl (local.get $step) (i32.const 1)))))
                    (local.set $v3 (v128.load (i32.add (local.get $p) (i32.mul (local.get $step) (i32.const 3)))))
                    (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v0) (local.get $v1)))
                    (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v0) (local.get $v1)))
                    (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v2) (local.get $v3)))
                    (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v2) (local.get $v3)))
                    ;; channel c+j's row gets columns ox..ox+3
                    (v128.store (i32.add (local.get $d) (i32.shl (local.get $ox) (i32.const 2)))
                      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
                    (v128.store (i32.add (i32.add (local.get $d) (local.get $rb)) (i32.shl (local.get $ox) (i32.const 2)))
                      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
                    (v128.store (i32.add (i32.add (local.get $d) (i32.shl (local.get $rb) (i32.const 1))) (i32.shl (local.get $ox) (i32.const 2)))
                      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
                    (v128.store (i32.add (i32.add (local.get $d) (i32.mul (local.get $rb) (i32.const 3))) (i32.shl (local.get $ox) (i32.const 2)))
                      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
                    (local.set $p (i32.add (local.get $p) (i32.shl (local.get $step) (i32.const 2))))
                    (local.set $ox (i32.add (local.get $ox) (i32.const 4)))
                    (br $ox4Next)))
                  (block $oxDone (loop $oxNext
                    (br_if $oxDone (i32.ge_s (local.get $ox) (local.get $ox1)))
                    (local.set $j (i32.const 0))
                    (block $jDone (loop $jNext
                      (br_if $jDone (i32.ge_s (local.get $j) (i32.const 4)))
                      (f32.store
                        (i32.add (i32.add (local.get $d) (i32.mul (local.get $j) (local.get $rb))) (i32.shl (local.get $ox) (i32.const 2)))
                        (f32.load (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 2)))))
                      (local.set $j (i32.add (local.get $j) (i32.const 1)))
                      (br $jNext)))
                    (local.set $p (i32.add (local.get $p) (local.get $step)))
                    (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
                    (br $oxNext)))))
              (local.set $d (i32.add (local.get $d) (i32.shl (local.get $ow) (i32.const 2))))
              (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
              (br $oyNext)))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $cNext)))
          (local.set $kx (i32.add (local.get $kx) (i32.const 1)))
          (br $kxNext)))
        (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
        (br $kyNext)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bNext))))

  ;; C[M, N] = act(A[M, K]·B[K, N] + bias), every matrix row-major and read in place; bias is optional
  ;; (flags bit 0) and act is ReLU (flags bit 1) or none.
  ;;
  ;; Why: XNNPACK packs a matMul's second operand into its own layout on every call (the layer weights
  ;; change every step, the gradients are new tensors), and for the training step's long-K products
  ;; (filter gradients: K = batch·positions; the encoder heads: K = 4,096) that packing costs more
  ;; than the arithmetic. This reads B's rows as they are: 4 rows of A × 8 columns of B per block, each
  ;; A value broadcast (load32_splat) against two v128 of a B row, 8 accumulators in registers. Sums
  ;; start at the bias (or 0) and run over k in order, so matmulInto (matmul.ts) gives the same floats.
  (func (export "matmul")
    (param $a i32) (param $b i32) (param $bias i32) (param $c i32) (param $M i32) (param $K i32) (param $N i32) (param $flags i32)
    (local $i i32) (local $j i32) (local $kb i32) (local $kEnd i32) (local $nb i32)
    (local $a0 i32) (local $a1 i32) (local $a2 i32) (local $a3 i32) (local $pb i32) (local $pc i32)
    (local $M4 i32) (local $N8 i32) (local $N4 i32)
    (local $x v128) (local $y v128) (local $s v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    (local $sum f32) (local $lo v128) (local $lo1 f32) (local $h0 v128) (local $h1 v128)
    (local.set $nb (i32.shl (local.get $N) (i32.const 2)))
    (local.set $kEnd (i32.shl (local.get $K) (i32.const 2)))
    (local.set $M4 (i32.and (local.get $M) (i32.const -4)))
    (local.set $N8 (i32.and (local.get $N) (i32.const -8)))
    (local.set $N4 (i32.and (local.get $N) (i32.const -4)))
    ;; outputs are max(sum, lo): lo = 0 for ReLU, -inf (no change, NaN kept) otherwise
    (local.set $lo1 (select (f32.const 0) (f32.const -inf) (i32.and (local.get $flags) (i32.const 2))))
    (local.set $lo (f32x4.splat (local.get $lo1)))
    ;; columns j..j+7
    (local.set $j (i32.const 0))
    (block $jDone (loop $jNext
      (br_if $jDone (i32.ge_s (local.get $j) (local.get $N8)))
      (local.set $h0 (v128.const i32x4 0 0 0 0))
      (local.set $h1 (v128.const i32x4 0 0 0 0))
      (if (i32.and (local.get $flags) (i32.const 1))
        (then
          (local.set $h0 (v128.load (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))))
          (local.set $h1 (v128.load offset=16 (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))))))
      ;; rows i..i+3
      (local.set $i (i32.const 0))
      (block $iDone (loop $iNext
        (br_if $iDone (i32.ge_s (local.get $i) (local.get $M4)))
        (local.set $a0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $kEnd))))
        (local.set $a1 (i32.add (local.get $a0) (local.get $kEnd)))
        (local.set $a2 (i32.add (local.get $a1) (local.get $kEnd)))
        (local.set $a3 (i32.add (local.get $a2) (local.get $kEnd)))
        (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $c00 (local.get $h0)) (local.set $c01 (local.get $h1))
        (local.set $c10 (local.get $h0)) (local.set $c11 (local.get $h1))
        (local.set $c20 (local.get $h0)) (local.set $c21 (local.get $h1))
        (local.set $c30 (local.get $h0)) (local.set $c31 (local.get $h1))
        (local.set $kb (i32.const 0))
        ;; four k at a time: one v128 load of each A row, its lanes broadcast by shuffles
        (block $k4Done (loop $k4Next
          (br_if $k4Done (i32.gt_u (i32.add (local.get $kb) (i32.const 16)) (local.get $kEnd)))
          (local.set $v0 (v128.load (i32.add (local.get $a0) (local.get $kb))))
          (local.set $v1 (v128.load (i32.add (local.get $a1) (local.get $kb))))
          (local.set $v2 (v128.load (i32.add (local.get $a2) (local.get $kb))))
          (local.set $v3 (v128.load (i32.add (local.get $a3) (local.get $kb))))
          (local.set $x (v128.load (local.get $pb)))
          (local.set $y (v128.load offset=16 (local.get $pb)))
          (local.set $s (i8x16.shuffle 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3 (local.get $v0) (local.get $v0)))
          (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $s) (local.get $x))))
          (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $s) (local.get $y))))
          (local.set $s (i8x16.shuffle 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3 (local.get $v1) (local.get $v1)))
          (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $s) (local.get $x))))
          (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $s) (local.get $y))))
          (local.set $s (i8x16.shuffle 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3 (local.get $v2) (local.get $v2)))
          (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $s) (local.get $x))))
          (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $s) (local.get $y))))
          (local.set $s (i8x16.shuffle 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3 (local.get $v3) (local.get $v3)))
          (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $s) (local.get $x))))
          (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $s) (local.get $y))))
          (local.set $pb (i32.add (local.get $pb) (local.get $nb)))
          (local.set $x (v128.load (local.get $pb)))
          (local.set $y (v128.load offset=16 (local.get $pb)))
          (local.set $s (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $v0) (local.get $v0)))
          (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $s) (local.get $x))))
          (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $s) (local.get $y))))
          (local.set $s (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $v1) (local.get $v1)))
          (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $s) (local.get $x))))
          (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $s) (local.get $y))))
          (local.set $s (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $v2) (local.get $v2)))
          (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $s) (local.get $x))))
          (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $s) (local.get $y))))
          (local.set $s (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $v3) (local.get $v3)))
          (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $s) (local.get $x))))
          (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $s) (local.get $y))))
          (local.set $pb (i32.add (local.get $pb) (local.get $nb)))
          (local.set $x (v128.load (local.get $pb)))
          (local.set $y (v128.load offset=16 (local.get $pb)))
          (local.set $s (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11 (local.get $v0) (local.get $v0)))
          (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $s) (local.get $x))))
          (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $s) (local.get $y))))
          (local.set $s (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11 (local.get $v1) (local.get $v1)))
          (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $s) (local.get $x))))
          (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $s) (local.get $y))))
          (local.set $s (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11 (local.get $v2) (local.get $v2)))
          (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $s) (local.get $x))))
          (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $s) (local.get $y))))
          (local.set $s (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11 (local.get $v3) (local.get $v3)))
          (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $s) (local.get $x))))
          (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $s) (local.get $y))))
          (local.set $pb (i32.add (local.get $pb) (local.get $nb)))
          (local.set $x (v128.load (local.get $pb)))
          (local.set $y (v128.load offset=16 (local.get $pb)))
          (local.set $s (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $v0) (local.get $v0)))
          (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $s) (local.get $x))))
          (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $s) (local.get $y))))
          (local.set $s (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $v1) (local.get $v1)))
          (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $s) (local.get $x))))
          (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $s) (local.get $y))))
          (local.set $s (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $v2) (local.get $v2)))
          (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $s) (local.get $x))))
          (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $s) (local.get $y))))
          (local.set $s (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $v3) (local.get $v3)))
          (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $s) (local.get $x))))
          (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $s) (local.get $y))))
          (local.set $pb (i32.add (local.get $pb) (local.get $nb)))
          (local.set $kb (i32.add (local.get $kb) (i32.const 16)))
          (br $k4Next)))
        ;; the last k, one at a time
        (block $kDone (loop $kNext
          (br_if $kDone (i32.ge_u (local.get $kb) (local.get $kEnd)))
          (local.set $x (v128.load (local.get $pb)))
          (local.set $y (v128.load offset=16 (local.get $pb)))
          (local.set $s (v128.load32_splat (i32.add (local.get $a0) (local.get $kb))))
          (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $s) (local.get $x))))
          (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $s) (local.get $y))))
          (local.set $s (v128.load32_splat (i32.add (local.get $a1) (local.get $kb))))
          (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $s) (local.get $x))))
          (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $s) (local.get $y))))
          (local.set $s (v128.load32_splat (i32.add (local.get $a2) (local.get $kb))))
          (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $s) (local.get $x))))
          (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $s) (local.get $y))))
          (local.set $s (v128.load32_splat (i32.add (local.get $a3) (local.get $kb))))
          (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $s) (local.get $x))))
          (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $s) (local.get $y))))
          (local.set $kb (i32.add (local.get $kb) (i32.const 4)))
          (local.set $pb (i32.add (local.get $pb) (local.get $nb)))
          (br $kNext)))
        (local.set $pc (i32.add (local.get $c) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $N)) (local.get $j)) (i32.const 2))))
        (v128.store (local.get $pc) (f32x4.max (local.get $c00) (local.get $lo)))
        (v128.store offset=16 (local.get $pc) (f32x4.max (local.get $c01) (local.get $lo)))
        (local.set $pc (i32.add (local.get $pc) (local.get $nb)))
        (v128.store (local.get $pc) (f32x4.max (local.get $c10) (local.get $lo)))
        (v128.store offset=16 (local.get $pc) (f32x4.max (local.get $c11) (local.get $lo)))
        (local.set $pc (i32.add (local.get $pc) (local.get $nb)))
        (v128.store (local.get $pc) (f32x4.max (local.get $c20) (local.get $lo)))
        (v128.store offset=16 (local.get $pc) (f32x4.max (local.get $c21) (local.get $lo)))
        (local.set $pc (i32.add (local.get $pc) (local.get $nb)))
        (v128.store (local.get $pc) (f32x4.max (local.get $c30) (local.get $lo)))
        (v128.store offset=16 (local.get $pc) (f32x4.max (local.get $c31) (local.get $lo)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $iNext)))
      ;; the rows left over, one at a time
      (block $rDone (loop $rNext
        (br_if $rDone (i32.ge_s (local.get $i) (local.get $M)))
        (local.set $a0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $kEnd))))
        (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $c00 (local.get $h0)) (local.set $c01 (local.get $h1))
        (local.set $kb (i32.const 0))
        (block $kDone (loop $kNext
          (br_if $kDone (i32.ge_u (local.get $kb) (local.get $kEnd)))
          (local.set $s (v128.load32_splat (i32.add (local.get $a0) (local.get $kb))))
          (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $s) (v128.load (local.get $pb)))))
          (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $s) (v128.load offset=16 (local.get $pb)))))
          (local.set $kb (i32.add (local.get $kb) (i32.const 4)))
          (local.set $pb (i32.add (local.get $pb) (local.get $nb)))
          (br $kNext)))
        (local.set $pc (i32.add (local.get $c) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $N)) (local.get $j)) (i32.const 2))))
        (v128.store (local.get $pc) (f32x4.max (local.get $c00) (local.get $lo)))
        (v128.store offset=16 (local.get $pc) (f32x4.max (local.get $c01) (local.get $lo)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rNext)))
      (local.set $j (i32.add (local.get $j) (i32.const 8)))
      (br $jNext)))
    ;; four more columns, when N mod 8 >= 4: every row against one v128 of B
    (if (i32.lt_s (local.get $j) (local.get $N4))
      (then
        (local.set $h0 (v128.const i32x4 0 0 0 0))
        (if (i32.and (local.get $flags) (i32.const 1))
          (then (local.set $h0 (v128.load (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))))))
        (local.set $i (i32.const 0))
        (block $rDone (loop $rNext
          (br_if $rDone (i32.ge_s (local.get $i) (local.get $M)))
          (local.set $a0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $kEnd))))
          (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
          (local.set $c00 (local.get $h0))
          (local.set $kb (i32.const 0))
          (block $kDone (loop $kNext
            (br_if $kDone (i32.ge_u (local.get $kb) (local.get $kEnd)))
            (local.set $c00 (f32x4.add (local.get $c00)
              (f32x4.mul (v128.load32_splat (i32.add (local.get $a0) (local.get $kb))) (v128.load (local.get $pb)))))
            (local.set $kb (i32.add (local.get $kb) (i32.const 4)))
            (local.set $pb (i32.add (local.get $pb) (local.get $nb)))
            (br $kNext)))
          (v128.store
            (i32.add (local.get $c) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $N)) (local.get $j)) (i32.const 2)))
            (f32x4.max (local.get $c00) (local.get $lo)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $rNext)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))))
    ;; the last columns, one float at a time
    (block $sjDone (loop $sjNext
      (br_if $sjDone (i32.ge_s (local.get $j) (local.get $N)))
      (local.set $i (i32.const 0))
      (block $siDone (loop $siNext
        (br_if $siDone (i32.ge_s (local.get $i) (local.get $M)))
        (local.set $a0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $kEnd))))
        (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $sum (f32.const 0))
        (if (i32.and (local.get $flags) (i32.const 1))
          (then (local.set $sum (f32.load (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))))))
        (local.set $kb (i32.const 0))
        (block $kDone (loop $kNext
          (br_if $kDone (i32.ge_u (local.get $kb) (local.get $kEnd)))
          (local.set $sum (f32.add (local.get $sum)
            (f32.mul (f32.load (i32.add (local.get $a0) (local.get $kb))) (f32.load (local.get $pb)))))
          (local.set $kb (i32.add (local.get $kb) (i32.const 4)))
          (local.set $pb (i32.add (local.get $pb) (local.get $nb)))
          (br $kNext)))
        (f32.store
          (i32.add (local.get $c) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $N)) (local.get $j)) (i32.const 2)))
          (f32.max (local.get $sum) (local.get $lo1)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $siNext)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $sjNext))))

  ;; A convolution's filter gradient, im2colT(x)·dy, without building im2colT: for C a multiple of 4 and
  ;; N (dy's columns) a multiple of 8. out[(ky, kx, c), n] = Σ over the patch positions (b, oy, ox) that
  ;; read inside the image of x[b, oy·s + ky − padTop, ox·s + kx − padLeft, c] · dy[(b, oy, ox), n].
  ;; Blocks of 4 channels × 8 columns: one v128 load of x (4 channels of one pixel), its lanes broadcast
  ;; by shuffles against two v128 of a dy row, 8 accumulators. Padding taps add nothing and are skipped.
  ;; One image at a time (b outermost after the tap): its x and dy rows (48 KB for the 32-channel
  ;; layers) stay in L1 while every block passes over them; the sums wait in `out` between images.
  ;; Why: the im2colT matrix (k·k·C × B·oh·ow, 2.4 MB for the 32-channel layers) costs a pass through
  ;; memory to write and one to read, and XNNPACK then packs dy on top (kernels.wat's matmul explains).
  ;; Sums run over (b, oy, ox) in order from 0, so filterGradInto (filter-grad.ts) gives the same floats.
  (func (export "filterGrad4")
    (param $x i32) (param $dy i32) (param $out i32) (param $batch i32) (param $C i32)
    (param $k i32) (param $s i32) (param $padTop i32) (param $padLeft i32)
    (param $H i32) (param $W i32) (param $oh i32) (param $ow i32) (param $N i32)
    (local $ky i32) (local $kx i32) (local $c i32) (local $j i32) (local $b i32) (local $oy i32)
    (local $oy0 i32) (local $oy1 i32) (local $ox0 i32) (local $ox1 i32) (local $t i32)
    (local $px i32) (local $pg i32) (local $xStep i32) (local $nb i32) (local $po i32)
    (local $v v128) (local $p v128) (local $q v128) (local $s0 v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128) (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $nb (i32.shl (local.get $N) (i32.const 2)))
    (local.set $xStep (i32.shl (i32.mul (local.get $s) (local.get $C)) (i32.const 2)))
    (memory.fill (local.get $out) (i32.const 0)
      (i32.shl (i32.mul (i32.mul (i32.mul (local.get $k) (local.get $k)) (local.get $C)) (local.get $N)) (i32.const 2)))
    (local.set $ky (i32.const 0))
    (block $kyDone (loop $kyNext
      (br_if $kyDone (i32.ge_s (local.get $ky) (local.get $k)))
      ;; rows oy in [oy0, oy1) read inside the image: 0 <= oy*s + ky - padTop < H
      (local.set $oy0 (i32.const 0))
      (block $lo (loop $loNext
        (br_if $lo (i32.ge_s (local.get $oy0) (local.get $oh)))
        (br_if $lo (i32.ge_s (i32.sub (i32.add (i32.mul (local.get $oy0) (local.get $s)) (local.get $ky)) (local.get $padTop)) (i32.const 0)))
        (local.set $oy0 (i32.add (local.get $oy0) (i32.const 1)))
        (br $loNext)))
      (local.set $oy1 (local.get $oh))
      (block $hi (loop $hiNext
        (br_if $hi (i32.le_s (local.get $oy1) (local.get $oy0)))
        (br_if $hi (i32.lt_s
          (i32.sub (i32.add (i32.mul (i32.sub (local.get $oy1) (i32.const 1)) (local.get $s)) (local.get $ky)) (local.get $padTop))
          (local.get $H)))
        (local.set $oy1 (i32.sub (local.get $oy1) (i32.const 1)))
        (br $hiNext)))
      (local.set $kx (i32.const 0))
      (block $kxDone (loop $kxNext
        (br_if $kxDone (i32.ge_s (local.get $kx) (local.get $k)))
        ;; columns ox in [ox0, ox1) read inside the image: 0 <= ox*s + kx - padLeft < W
        (local.set $ox0 (i32.const 0))
        (block $lo (loop $loNext
          (br_if $lo (i32.ge_s (local.get $ox0) (local.get $ow)))
          (br_if $lo (i32.ge_s (i32.sub (i32.add (i32.mul (local.get $ox0) (local.get $s)) (local.get $kx)) (local.get $padLeft)) (i32.const 0)))
          (local.set $ox0 (i32.add (local.get $ox0) (i32.const 1)))
          (br $loNext)))
        (local.set $ox1 (local.get $ow))
        (block $hi (loop $hiNext
          (br_if $hi (i32.le_s (local.get $ox1) (local.get $ox0)))
          (br_if $hi (i32.lt_s
            (i32.sub (i32.add (i32.mul (i32.sub (local.get $ox1) (i32.const 1)) (local.get $s)) (local.get $kx)) (local.get $padLeft))
            (local.get $W)))
          (local.set $ox1 (i32.sub (local.get $ox1) (i32.const 1)))
          (br $hiNext)))
        (local.set $b (i32.const 0))
        (block $bDone (loop $bNext
        (br_if $bDone (i32.ge_s (local.get $b) (local.get $batch)))
        (local.set $c (i32.const 0))
        (block $cDone (loop $cNext
          (br_if $cDone (i32.ge_s (local.get $c) (local.get $C)))
          (local.set $j (i32.const 0))
          (block $jDone (loop $jNext
            (br_if $jDone (i32.ge_s (local.get $j) (local.get $N)))
            ;; po = &out[(ky, kx, c), j]
            (local.set $po (i32.add (local.get $out) (i32.shl
              (i32.add
                (i32.mul
                  (i32.add (i32.mul (i32.add (i32.mul (local.get $ky) (local.get $k)) (local.get $kx)) (local.get $C)) (local.get $c))
                  (local.get $N))
                (local.get $j))
              (i32.const 2))))
            ;; the sums so far (of the images before b)
            (local.set $pg (local.get $po))
            (local.set $c00 (v128.load (local.get $po)))
            (local.set $c01 (v128.load offset=16 (local.get $po)))
            (local.set $pg (i32.add (local.get $pg) (local.get $nb)))
            (local.set $c10 (v128.load (local.get $pg)))
            (local.set $c11 (v128.load offset=16 (local.get $pg)))
            (local.set $pg (i32.add (local.get $pg) (local.get $nb)))
            (local.set $c20 (v128.load (local.get $pg)))
            (local.set $c21 (v128.load offset=16 (local.get $pg)))
            (local.set $pg (i32.add (local.get $pg) (local.get $nb)))
            (local.set $c30 (v128.load (local.get $pg)))
            (local.set $c31 (v128.load offset=16 (local.get $pg)))
            (local.set $oy (local.get $oy0))
              (block $oyDone (loop $oyNext
                (br_if $oyDone (i32.ge_s (local.get $oy) (local.get $oy1)))
                ;; px = &x[b, oy*s + ky - padTop, ox0*s + kx - padLeft, c]; pg = &dy[(b, oy, ox0), j]
                (local.set $px (i32.add (local.get $x) (i32.shl
                  (i32.add
                    (i32.mul
                      (i32.add
                        (i32.mul
                          (i32.add (i32.mul (local.get $b) (local.get $H))
                            (i32.sub (i32.add (i32.mul (local.get $oy) (local.get $s)) (local.get $ky)) (local.get $padTop)))
                          (local.get $W))
                        (i32.sub (i32.add (i32.mul (local.get $ox0) (local.get $s)) (local.get $kx)) (local.get $padLeft)))
                      (local.get $C))
                    (local.get $c))
                  (i32.const 2))))
                (local.set $pg (i32.add (local.get $dy) (i32.shl
                  (i32.add
                    (i32.mul
                      (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $oh)) (local.get $oy)) (local.get $ow)) (local.get $ox0))
                      (local.get $N))
                    (local.get $j))
                  (i32.const 2))))
                (local.set $t (i32.sub (local.get $ox1) (local.get $ox0)))
                (block $oxDone (loop $oxNext
                  (br_if $oxDone (i32.le_s (local.get $t) (i32.const 0)))
                  (local.set $p (v128.load (local.get $pg)))
                  (local.set $q (v128.load offset=16 (local.get $pg)))
                  (local.set $s0 (v128.load32_splat (local.get $px)))
                  (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $s0) (local.get $p))))
                  (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $s0) (local.get $q))))
                  (local.set $s0 (v128.load32_splat offset=4 (local.get $px)))
                  (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $s0) (local.get $p))))
                  (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $s0) (local.get $q))))
                  (local.set $s0 (v128.load32_splat offset=8 (local.get $px)))
                  (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $s0) (local.get $p))))
                  (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $s0) (local.get $q))))
                  (local.set $s0 (v128.load32_splat offset=12 (local.get $px)))
                  (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $s0) (local.get $p))))
                  (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $s0) (local.get $q))))
                  (local.set $px (i32.add (local.get $px) (local.get $xStep)))
                  (local.set $pg (i32.add (local.get $pg) (local.get $nb)))
                  (local.set $t (i32.sub (local.get $t) (i32.const 1)))
                  (br $oxNext)))
                (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
                (br $oyNext)))
            (v128.store (local.get $po) (local.get $c00))
            (v128.store offset=16 (local.get $po) (local.get $c01))
            (local.set $po (i32.add (local.get $po) (local.get $nb)))
            (v128.store (local.get $po) (local.get $c10))
            (v128.store offset=16 (local.get $po) (local.get $c11))
            (local.set $po (i32.add (local.get $po) (local.get $nb)))
            (v128.store (local.get $po) (local.get $c20))
            (v128.store offset=16 (local.get $po) (local.get $c21))
            (local.set $po (i32.add (local.get $po) (local.get $nb)))
            (v128.store (local.get $po) (local.get $c30))
            (v128.store offset=16 (local.get $po) (local.get $c31))
            (local.set $j (i32.add (local.get $j) (i32.const 8)))
            (br $jNext)))
          (local.set $c (i32.add (local.get $c) (i32.const 4)))
          (br $cNext)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $bNext)))
        (local.set $kx (i32.add (local.get $kx) (i32.const 1)))
        (br $kxNext)))
      (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
      (br $kyNext))))
)
