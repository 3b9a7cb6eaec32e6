;; Adam for the native TensorFlow backend (adam-staged.ts): kernels.wat's `adam`, flushing subnormal
;; numbers as TensorFlow does. Its own module so that kernels.wat, tfjs wasm's heap kernels, stays as it
;; is. Compiled by build-wasm.ts (wabt) into adam-flushed-wasm.ts; a unit test checks the embedded bytes.
(module
  (import "env" "memory" (memory 0))

  ;; Adam as native TensorFlow computes it: the same operations in the same order, but each input and
  ;; each intermediate result that is subnormal becomes a zero of its sign, as TensorFlow's CPU kernels
  ;; run with the processor's flush-to-zero and denormals-are-zero modes (wasm has neither). Besides the
  ;; same numbers, this keeps subnormal moments, which x86 computes ~100x slower, off the staging memory.
  ;;
  ;; Flushing every step costs ~3x the plain loop, so a block of 256 floats takes it only when it must
  ;; (a first pass over the block's inputs decides, without a branch per vector). With the constants in
  ;; the ranges below (Adam's usual ones are) and every input zero or not too small (a gradient of
  ;; magnitude ≥ 2^-53; m, v and value ≥ 2^-100), no product, quotient or root before the step can be
  ;; subnormal but m' (t1 + t2 can cancel); with |lr| ≤ 1 a step that is subnormal comes from a quotient
  ;; that was, or underflowed to zero: flushing m', the step and value' gives TensorFlow's numbers.
  ;; Large magnitudes need no check: overflow rounds alike with or without flushing.
  (func (export "adamFlushed")
    (param $value i32) (param $grad i32) (param $m i32) (param $v i32)
    (param $outValue i32) (param $outM i32) (param $outV i32) (param $n i32)
    (param $b1 f32) (param $c1 f32) (param $b2 f32) (param $c2 f32)
    (param $eps f32) (param $negLr f32) (param $d1 f32) (param $d2 f32)
    (local $i i32) (local $j i32) (local $blockEnd i32) (local $end i32) (local $end4 i32) (local $always i32)
    (local $g v128) (local $m1 v128) (local $v1 v128) (local $a v128) (local $b v128) (local $c v128)
    (local $lo v128) (local $outside v128)
    (local $sign v128) (local $magnitude v128) (local $largestSubnormal v128) (local $one v128)
    (local $gs f32) (local $m1s f32) (local $v1s f32) (local $as f32) (local $bs f32)
    (local.set $sign (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))
    (local.set $magnitude (v128.const i32x4 0x7fffffff 0x7fffffff 0x7fffffff 0x7fffffff))
    ;; The bits of the largest subnormal float32: a magnitude above it is normal (or inf, NaN). A
    ;; flushed value keeps those lanes and, elsewhere, only its sign bit: a zero of its sign.
    (local.set $largestSubnormal (v128.const i32x4 0x007fffff 0x007fffff 0x007fffff 0x007fffff))
    (local.set $one (v128.const i32x4 1 1 1 1))
    ;; Outside these ranges every lane takes the flushing path: β₁, β₂ ∈ [0.5, 1]; 1 − β₁, 1 − β₂, the
    ;; bias corrections d₁, d₂ ∈ [2^-20, 1]; ε ∈ [2^-30, 1]; |lr| ≤ 1.
    (local.set $always (i32.eqz (i32.and (i32.and
      (i32.and (i32.and (f32.ge (local.get $b1) (f32.const 0.5)) (f32.le (local.get $b1) (f32.const 1)))
               (i32.and (f32.ge (local.get $b2) (f32.const 0.5)) (f32.le (local.get $b2) (f32.const 1))))
      (i32.and (i32.and (f32.ge (local.get $c1) (f32.const 0x1p-20)) (f32.le (local.get $c1) (f32.const 1)))
               (i32.and (f32.ge (local.get $c2) (f32.const 0x1p-20)) (f32.le (local.get $c2) (f32.const 1)))))
      (i32.and
      (i32.and (i32.and (f32.ge (local.get $d1) (f32.const 0x1p-20)) (f32.le (local.get $d1) (f32.const 1)))
               (i32.and (f32.ge (local.get $d2) (f32.const 0x1p-20)) (f32.le (local.get $d2) (f32.const 1))))
      (i32.and (i32.and (f32.ge (local.get $eps) (f32.const 0x1p-30)) (f32.le (local.get $eps) (f32.const 1)))
               (f32.le (f32.abs (local.get $negLr)) (f32.const 1)))))))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $end4 (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $done4
      (loop $next4
        (br_if $done4 (i32.ge_u (local.get $i) (local.get $end4)))
        (local.set $blockEnd (i32.add (local.get $i) (i32.const 1024)))
        (if (i32.gt_u (local.get $blockEnd) (local.get $end4)) (then (local.set $blockEnd (local.get $end4))))
        (local.set $outside (v128.const i32x4 0 0 0 0))
        (local.set $j (local.get $i))
        (block $checked
          (loop $check
            (br_if $checked (i32.ge_u (local.get $j) (local.get $blockEnd)))
            (local.set $g (v128.load (i32.add (local.get $grad) (local.get $j))))
            (local.set $a (v128.load (i32.add (local.get $m) (local.get $j))))
            (local.set $b (v128.load (i32.add (local.get $v) (local.get $j))))
            (local.set $c (v128.load (i32.add (local.get $value) (local.get $j))))
            ;; The smallest magnitude of m, v and value, a zero counting as the largest (its bits minus
            ;; one wrap around: the bits of |x| are ordered as the magnitudes are).
            (local.set $lo (i32x4.min_u
              (i32x4.min_u (i32x4.sub (v128.and (local.get $a) (local.get $magnitude)) (local.get $one))
                           (i32x4.sub (v128.and (local.get $b) (local.get $magnitude)) (local.get $one)))
              (i32x4.sub (v128.and (local.get $c) (local.get $magnitude)) (local.get $one))))
            ;; Below 2^-53 (bits 0x25000000) a gradient's square times 1 - β₂ may be subnormal; below
            ;; 2^-100 (0x0d800000) m·β₁ or v·β₂ may be, and a value may be subnormal.
            (local.set $outside (v128.or (local.get $outside) (v128.or
              (i32x4.lt_u (i32x4.sub (v128.and (local.get $g) (local.get $magnitude)) (local.get $one))
                (v128.const i32x4 0x24ffffff 0x24ffffff 0x24ffffff 0x24ffffff))
              (i32x4.lt_u (local.get $lo) (v128.const i32x4 0x0d7fffff 0x0d7fffff 0x0d7fffff 0x0d7fffff)))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $check)))
        (if (i32.or (local.get $always) (v128.any_true (local.get $outside)))
          (then
            (local.set $j (local.get $i))
            (block $slowDone
              (loop $slowNext
                (br_if $slowDone (i32.ge_u (local.get $j) (local.get $blockEnd)))
                (local.set $g (v128.load (i32.add (local.get $grad) (local.get $j))))
                (local.set $a (v128.load (i32.add (local.get $m) (local.get $j))))
                (local.set $b (v128.load (i32.add (local.get $v) (local.get $j))))
                (local.set $c (v128.load (i32.add (local.get $value) (local.get $j))))
                (local.set $g (v128.and (local.get $g)
                  (v128.or (local.get $sign) (i32x4.gt_s (v128.and (local.get $g) (local.get $magnitude)) (local.get $largestSubnormal)))))
                (local.set $a (v128.and (local.get $a)
                  (v128.or (local.get $sign) (i32x4.gt_s (v128.and (local.get $a) (local.get $magnitude)) (local.get $largestSubnormal)))))
                (local.set $b (v128.and (local.get $b)
                  (v128.or (local.get $sign) (i32x4.gt_s (v128.and (local.get $b) (local.get $magnitude)) (local.get $largestSubnormal)))))
                (local.set $c (v128.and (local.get $c)
                  (v128.or (local.get $sign) (i32x4.gt_s (v128.and (local.get $c) (local.get $magnitude)) (local.get $largestSubnormal)))))
                (local.set $a (f32x4.mul (local.get $a) (f32x4.splat (local.get $b1))))
                (local.set $a (v128.and (local.get $a)
                  (v128.or (local.get $sign) (i32x4.gt_s (v128.and (local.get $a) (local.get $magnitude)) (local.get $largestSubnormal)))))
                (local.set $m1 (f32x4.mul (local.get $g) (f32x4.splat (local.get $c1))))
                (local.set $m1 (v128.and (local.get $m1)
                  (v128.or (local.get $sign) (i32x4.gt_s (v128.and (local.get $m1) (local.get $magnitude)) (local.get $largestSubnormal)))))
                (local.set $m1 (f32x4.add (local.get $a) (local.get $m1)))
                (local.set $m1 (v128.and (local.get $m1)
                  (v128.or (local.get $sign) (i32x4.gt_s (v128.and (local.get $m1) (local.get $magnitude)) (local.get $largestSubnormal)))))
                (local.set $a (f32x4.mul (local.get $b) (f32x4.splat (local.get $b2))))
                (local.set $a (v128.and (local.get $a)
                  (v128.or (local.get $sign) (i32x4.gt_s (v128.and (local.get $a) (local.get $magnitude)) (local.get $largestSubnormal)))))
                (local.set $v1 (f32x4.mul (local.get $g) (local.get $g)))
                (local.set $v1 (v128.and (local.get $v1)
                  (v128.or (local.get $sign) (i32x4.gt_s (v128.and (local.get $v1) (local.get $magnitude)) (local.get $largestSubnormal)))))
                (local.set $v1 (f32x4.mul (local.get $v1) (f32x4.splat (local.get $c2))))
                (local.set $v1 (v128.and (local.get $v1)
                  (v128.or (local.get $sign) (i32x4.gt_s (v128.and (local.get $v1) (local.get $magnitude)) (local.get $largestSubnormal)))))
                (local.set $v1 (f32x4.add (local.get $a) (local.get $v1)))
                (local.set $v1 (v128.and (local.get $v1)
                  (v128.or (local.get $sign) (i32x4.gt_s (v128.and (local.get $v1) (local.get $magnitude)) (local.get $largestSubnormal)))))
                (local.set $a (f32x4.div (local.get $m1) (f32x4.splat (local.get $d1))))
                (local.set $a (v128.and (local.get $a)
                  (v128.or (local.get $sign) (i32x4.gt_s (v128.and (local.get $a) (local.get $magnitude)) (local.get $largestSubnormal)))))
                (local.set $b (f32x4.div (local.get $v1) (f32x4.splat (local.get $d2))))
                (local.set $b (v128.and (local.get $b)
                  (v128.or (local.get $sign) (i32x4.gt_s (v128.and (local.get $b) (local.get $magnitude)) (local.get $largestSubnormal)))))
                ;; √ of a normal float or zero, plus ε, is never subnormal: no flush between them.
                (local.set $a (f32x4.div (local.get $a) (f32x4.add (f32x4.sqrt (local.get $b)) (f32x4.splat (local.get $eps)))))
                (local.set $a (v128.and (local.get $a)
                  (v128.or (local.get $sign) (i32x4.gt_s (v128.and (local.get $a) (local.get $magnitude)) (local.get $largestSubnormal)))))
                (local.set $a (f32x4.mul (local.get $a) (f32x4.splat (local.get $negLr))))
                (local.set $a (v128.and (local.get $a)
                  (v128.or (local.get $sign) (i32x4.gt_s (v128.and (local.get $a) (local.get $magnitude)) (local.get $largestSubnormal)))))
                (local.set $a (f32x4.add (local.get $a) (local.get $c)))
                (local.set $a (v128.and (local.get $a)
                  (v128.or (local.get $sign) (i32x4.gt_s (v128.and (local.get $a) (local.get $magnitude)) (local.get $largestSubnormal)))))
                (v128.store (i32.add (local.get $outValue) (local.get $j)) (local.get $a))
                (v128.store (i32.add (local.get $outM) (local.get $j)) (local.get $m1))
                (v128.store (i32.add (local.get $outV) (local.get $j)) (local.get $v1))
                (local.set $j (i32.add (local.get $j) (i32.const 16)))
                (br $slowNext)))
          )
          (else
            (local.set $j (local.get $i))
            (block $fastDone
              (loop $fastNext
                (br_if $fastDone (i32.ge_u (local.get $j) (local.get $blockEnd)))
                (local.set $g (v128.load (i32.add (local.get $grad) (local.get $j))))
                (local.set $a (v128.load (i32.add (local.get $m) (local.get $j))))
                (local.set $b (v128.load (i32.add (local.get $v) (local.get $j))))
                (local.set $c (v128.load (i32.add (local.get $value) (local.get $j))))
                (local.set $m1 (f32x4.add (f32x4.mul (local.get $a) (f32x4.splat (local.get $b1))) (f32x4.mul (local.get $g) (f32x4.splat (local.get $c1)))))
                (local.set $m1 (v128.and (local.get $m1)
                  (v128.or (local.get $sign) (i32x4.gt_s (v128.and (local.get $m1) (local.get $magnitude)) (local.get $largestSubnormal)))))
                (local.set $v1 (f32x4.add (f32x4.mul (local.get $b) (f32x4.splat (local.get $b2)))
                  (f32x4.mul (f32x4.mul (local.get $g) (local.get $g)) (f32x4.splat (local.get $c2)))))
                (local.set $a (f32x4.mul
                  (f32x4.div
                    (f32x4.div (local.get $m1) (f32x4.splat (local.get $d1)))
                    (f32x4.add (f32x4.sqrt (f32x4.div (local.get $v1) (f32x4.splat (local.get $d2)))) (f32x4.splat (local.get $eps))))
                  (f32x4.splat (local.get $negLr))))
                ;; The step may be subnormal (m̂ small against √v̂): flushed before it meets the value, whose
                ;; zero's sign then comes out as TensorFlow's.
                (local.set $a (v128.and (local.get $a)
                  (v128.or (local.get $sign) (i32x4.gt_s (v128.and (local.get $a) (local.get $magnitude)) (local.get $largestSubnormal)))))
                (local.set $a (f32x4.add (local.get $a) (local.get $c)))
                (local.set $a (v128.and (local.get $a)
                  (v128.or (local.get $sign) (i32x4.gt_s (v128.and (local.get $a) (local.get $magnitude)) (local.get $largestSubnormal)))))
                (v128.store (i32.add (local.get $outValue) (local.get $j)) (local.get $a))
                (v128.store (i32.add (local.get $outM) (local.get $j)) (local.get $m1))
                (v128.store (i32.add (local.get $outV) (local.get $j)) (local.get $v1))
                (local.set $j (i32.add (local.get $j) (i32.const 16)))
                (br $fastNext)))
          ))
        (local.set $i (local.get $blockEnd))
        (br $next4)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $gs (f32.load (i32.add (local.get $grad) (local.get $i))))
        (local.set $gs (select (local.get $gs) (f32.copysign (f32.const 0) (local.get $gs))
          (i32.gt_s (i32.and (i32.reinterpret_f32 (local.get $gs)) (i32.const 0x7fffffff)) (i32.const 0x007fffff))))
        (local.set $as (f32.load (i32.add (local.get $m) (local.get $i))))
        (local.set $as (select (local.get $as) (f32.copysign (f32.const 0) (local.get $as))
          (i32.gt_s (i32.and (i32.reinterpret_f32 (local.get $as)) (i32.const 0x7fffffff)) (i32.const 0x007fffff))))
        (local.set $as (f32.mul (local.get $as) (local.get $b1)))
        (local.set $as (select (local.get $as) (f32.copysign (f32.const 0) (local.get $as))
          (i32.gt_s (i32.and (i32.reinterpret_f32 (local.get $as)) (i32.const 0x7fffffff)) (i32.const 0x007fffff))))
        (local.set $bs (f32.mul (local.get $gs) (local.get $c1)))
        (local.set $bs (select (local.get $bs) (f32.copysign (f32.const 0) (local.get $bs))
          (i32.gt_s (i32.and (i32.reinterpret_f32 (local.get $bs)) (i32.const 0x7fffffff)) (i32.const 0x007fffff))))
        (local.set $m1s (f32.add (local.get $as) (local.get $bs)))
        (local.set $m1s (select (local.get $m1s) (f32.copysign (f32.const 0) (local.get $m1s))
          (i32.gt_s (i32.and (i32.reinterpret_f32 (local.get $m1s)) (i32.const 0x7fffffff)) (i32.const 0x007fffff))))
        (local.set $as (f32.load (i32.add (local.get $v) (local.get $i))))
        (local.set $as (select (local.get $as) (f32.copysign (f32.const 0) (local.get $as))
          (i32.gt_s (i32.and (i32.reinterpret_f32 (local.get $as)) (i32.const 0x7fffffff)) (i32.const 0x007fffff))))
        (local.set $as (f32.mul (local.get $as) (local.get $b2)))
        (local.set $as (select (local.get $as) (f32.copysign (f32.const 0) (local.get $as))
          (i32.gt_s (i32.and (i32.reinterpret_f32 (local.get $as)) (i32.const 0x7fffffff)) (i32.const 0x007fffff))))
        (local.set $bs (f32.mul (local.get $gs) (local.get $gs)))
        (local.set $bs (select (local.get $bs) (f32.copysign (f32.const 0) (local.get $bs))
          (i32.gt_s (i32.and (i32.reinterpret_f32 (local.get $bs)) (i32.const 0x7fffffff)) (i32.const 0x007fffff))))
        (local.set $bs (f32.mul (local.get $bs) (local.get $c2)))
        (local.set $bs (select (local.get $bs) (f32.copysign (f32.const 0) (local.get $bs))
          (i32.gt_s (i32.and (i32.reinterpret_f32 (local.get $bs)) (i32.const 0x7fffffff)) (i32.const 0x007fffff))))
        (local.set $v1s (f32.add (local.get $as) (local.get $bs)))
        (local.set $v1s (select (local.get $v1s) (f32.copysign (f32.const 0) (local.get $v1s))
          (i32.gt_s (i32.and (i32.reinterpret_f32 (local.get $v1s)) (i32.const 0x7fffffff)) (i32.const 0x007fffff))))
        (local.set $as (f32.div (local.get $m1s) (local.get $d1)))
        (local.set $as (select (local.get $as) (f32.copysign (f32.const 0) (local.get $as))
          (i32.gt_s (i32.and (i32.reinterpret_f32 (local.get $as)) (i32.const 0x7fffffff)) (i32.const 0x007fffff))))
        (local.set $bs (f32.div (local.get $v1s) (local.get $d2)))
        (local.set $bs (select (local.get $bs) (f32.copysign (f32.const 0) (local.get $bs))
          (i32.gt_s (i32.and (i32.reinterpret_f32 (local.get $bs)) (i32.const 0x7fffffff)) (i32.const 0x007fffff))))
        (local.set $as (f32.div (local.get $as) (f32.add (f32.sqrt (local.get $bs)) (local.get $eps))))
        (local.set $as (select (local.get $as) (f32.copysign (f32.const 0) (local.get $as))
          (i32.gt_s (i32.and (i32.reinterpret_f32 (local.get $as)) (i32.const 0x7fffffff)) (i32.const 0x007fffff))))
        (local.set $as (f32.mul (local.get $as) (local.get $negLr)))
        (local.set $as (select (local.get $as) (f32.copysign (f32.const 0) (local.get $as))
          (i32.gt_s (i32.and (i32.reinterpret_f32 (local.get $as)) (i32.const 0x7fffffff)) (i32.const 0x007fffff))))
        (local.set $bs (f32.load (i32.add (local.get $value) (local.get $i))))
        (local.set $bs (select (local.get $bs) (f32.copysign (f32.const 0) (local.get $bs))
          (i32.gt_s (i32.and (i32.reinterpret_f32 (local.get $bs)) (i32.const 0x7fffffff)) (i32.const 0x007fffff))))
        (local.set $as (f32.add (local.get $as) (local.get $bs)))
        (local.set $as (select (local.get $as) (f32.copysign (f32.const 0) (local.get $as))
          (i32.gt_s (i32.and (i32.reinterpret_f32 (local.get $as)) (i32.const 0x7fffffff)) (i32.const 0x007fffff))))
        (f32.store (i32.add (local.get $outValue) (local.get $i)) (local.get $as))
        (f32.store (i32.add (local.get $outM) (local.get $i)) (local.get $m1s))
        (f32.store (i32.add (local.get $outV) (local.get $i)) (local.get $v1s))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $next)))))
