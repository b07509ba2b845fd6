;; Kindling's wasm SIMD passes: the elementwise and per-channel loops of the engine's fused kernels (batch norm in
;; training, ReLU6's gradient, the depthwise filter gradient, im2col's transpose), four float32 lanes at a time.
;;
;; Assembled at build time by `npm run simd` (scripts/simd.ts, wabt with SIMD enabled) into simd-module.ts, which
;; kernels/simd.ts instantiates once per wasm backend. Edit this file, then run `npm run simd` and commit both;
;; tests/unit/engine/simd-module.test.ts fails when simd-module.ts is not what this file assembles to.
;;
;; Conventions, for every function:
;; - The memory is imported: it is the TF.js wasm backend's own heap, so the loops read and write tensors in place.
;;   Pointers are byte offsets into it (from the backend's data map), 4-byte aligned at least, hence `align=4`.
;; - Counts are in groups of 4 floats (one v128), so a tensor's channels must be a multiple of 4 (the callers check,
;;   and keep their JavaScript loops otherwise).
;; - Loops are count-downs: `block / (counter = 0: out) / loop / body / counter -= 1 / (counter != 0: again)`, so a
;;   count of 0 does nothing.
;; - Pointer parameters are advanced in place as the loops go (parameters are locals in WebAssembly).
(module
  (import "env" "memory" (memory 0))

  ;; dx = dy where lo < x ≤ hi, else +0 (ReLU6 and ClipByValue's gradients: Relu6 is 0 < x ≤ 6).
  ;; The mask of the two comparisons is and-ed into dy, so a NaN x gives 0, as the CPU backend's select does.
  (func $maskStrict (export "maskStrict")
    (param $dy i32) (param $x i32) (param $dx i32) (param $groups i32) (param $lo f32) (param $hi f32)
    (local $vlo v128) (local $vhi v128)
    local.get $lo
    f32x4.splat
    local.set $vlo
    local.get $hi
    f32x4.splat
    local.set $vhi
    block $done
      local.get $groups
      i32.eqz
      br_if $done
      loop $group
        local.get $dx
        ;; dy & (x > lo) & (x ≤ hi)
        local.get $dy
        v128.load align=4
        local.get $x
        v128.load align=4
        local.get $vlo
        f32x4.gt
        local.get $x
        v128.load align=4
        local.get $vhi
        f32x4.le
        v128.and
        v128.and
        v128.store align=4
        ;; next 4 floats
        local.get $dy
        i32.const 16
        i32.add
        local.set $dy
        local.get $x
        i32.const 16
        i32.add
        local.set $x
        local.get $dx
        i32.const 16
        i32.add
        local.set $dx
        local.get $groups
        i32.const 1
        i32.sub
        local.tee $groups
        br_if $group
      end
    end)

  ;; dx = dy where lo ≤ x ≤ hi, else +0: as maskStrict with an inclusive lower bound (ClipByValue's gradient).
  (func $maskInclusive (export "maskInclusive")
    (param $dy i32) (param $x i32) (param $dx i32) (param $groups i32) (param $lo f32) (param $hi f32)
    (local $vlo v128) (local $vhi v128)
    local.get $lo
    f32x4.splat
    local.set $vlo
    local.get $hi
    f32x4.splat
    local.set $vhi
    block $done
      local.get $groups
      i32.eqz
      br_if $done
      loop $group
        local.get $dx
        ;; dy & (x ≥ lo) & (x ≤ hi)
        local.get $dy
        v128.load align=4
        local.get $x
        v128.load align=4
        local.get $vlo
        f32x4.ge
        local.get $x
        v128.load align=4
        local.get $vhi
        f32x4.le
        v128.and
        v128.and
        v128.store align=4
        ;; next 4 floats
        local.get $dy
        i32.const 16
        i32.add
        local.set $dy
        local.get $x
        i32.const 16
        i32.add
        local.set $x
        local.get $dx
        i32.const 16
        i32.add
        local.set $dx
        local.get $groups
        i32.const 1
        i32.sub
        local.tee $groups
        br_if $group
      end
    end)

  ;; Batch norm's forward write: out = (u − m)·a + b per channel, over `pixels` pixels of `groups`·4 channels.
  ;; coef holds three float32 rows of C = groups·4 values each: m, a, b (row k at coef + k·C·4 bytes).
  (func $affine (export "affine")
    (param $u i32) (param $out i32) (param $coef i32) (param $pixels i32) (param $groups i32)
    (local $g i32) (local $c i32) (local $cb i32)
    ;; cb = C·4, the bytes of one coefficient row
    local.get $groups
    i32.const 16
    i32.mul
    local.set $cb
    block $done
      local.get $pixels
      i32.eqz
      br_if $done
      loop $pixel
        ;; each pixel starts again at channel 0 of the coefficient rows
        local.get $groups
        local.set $g
        local.get $coef
        local.set $c
        block $pixelDone
          local.get $g
          i32.eqz
          br_if $pixelDone
          loop $group
            local.get $out
            ;; (u − m)·a + b
            local.get $u
            v128.load align=4
            local.get $c
            v128.load align=4
            f32x4.sub
            local.get $c
            local.get $cb
            i32.add
            v128.load align=4
            f32x4.mul
            local.get $c
            local.get $cb
            local.get $cb
            i32.add
            i32.add
            v128.load align=4
            f32x4.add
            v128.store align=4
            ;; next 4 channels
            local.get $u
            i32.const 16
            i32.add
            local.set $u
            local.get $out
            i32.const 16
            i32.add
            local.set $out
            local.get $c
            i32.const 16
            i32.add
            local.set $c
            local.get $g
            i32.const 1
            i32.sub
            local.tee $g
            br_if $group
          end
        end
        local.get $pixels
        i32.const 1
        i32.sub
        local.tee $pixels
        br_if $pixel
      end
    end)

  ;; Batch norm's gradient write: out = A·u + B·(v − m) + K per channel (u = dy, v = x), over `pixels` pixels of
  ;; `groups`·4 channels. coef holds four float32 rows of C = groups·4 values each: m, A, B, K.
  (func $affine2 (export "affine2")
    (param $u i32) (param $v i32) (param $out i32) (param $coef i32) (param $pixels i32) (param $groups i32)
    (local $g i32) (local $c i32) (local $cb i32)
    ;; cb = C·4, the bytes of one coefficient row
    local.get $groups
    i32.const 16
    i32.mul
    local.set $cb
    block $done
      local.get $pixels
      i32.eqz
      br_if $done
      loop $pixel
        local.get $groups
        local.set $g
        local.get $coef
        local.set $c
        block $pixelDone
          local.get $g
          i32.eqz
          br_if $pixelDone
          loop $group
            local.get $out
            ;; A·u  (row k of the coefficients at c + cb·k; k = 1 too, like rows 2 and 3)
            local.get $u
            v128.load align=4
            local.get $c
            local.get $cb
            i32.const 1
            i32.mul
            i32.add
            v128.load align=4
            f32x4.mul
            ;; + B·(v − m)
            local.get $v
            v128.load align=4
            local.get $c
            v128.load align=4
            f32x4.sub
            local.get $c
            local.get $cb
            i32.const 2
            i32.mul
            i32.add
            v128.load align=4
            f32x4.mul
            f32x4.add
            ;; + K
            local.get $c
            local.get $cb
            i32.const 3
            i32.mul
            i32.add
            v128.load align=4
            f32x4.add
            v128.store align=4
            ;; next 4 channels
            local.get $u
            i32.const 16
            i32.add
            local.set $u
            local.get $v
            i32.const 16
            i32.add
            local.set $v
            local.get $out
            i32.const 16
            i32.add
            local.set $out
            local.get $c
            i32.const 16
            i32.add
            local.set $c
            local.get $g
            i32.const 1
            i32.sub
            local.tee $g
            br_if $group
          end
        end
        local.get $pixels
        i32.const 1
        i32.sub
        local.tee $pixels
        br_if $pixel
      end
    end)

  ;; Batch norm's per-channel sums, into float64 accumulators: acc = [Σa (C float64), Σa·b (C float64)], C = groups·4,
  ;; over `pixels` pixels. Every float32 value and product is widened to float64 first (a product of two float32 is
  ;; exact in float64), so the sums are as accurate as the JavaScript ones. Each v128 of 4 floats is added as two
  ;; halves of 2 float64 lanes: the low half with f64x2.promote_low_f32x4, the high half after a shuffle moves it down.
  (func $sums (export "sums")
    (param $a i32) (param $b i32) (param $acc i32) (param $pixels i32) (param $groups i32)
    (local $g i32) (local $c i32) (local $cb i32) (local $va v128) (local $vb v128)
    ;; cb = C·8, the bytes of one accumulator row
    local.get $groups
    i32.const 32
    i32.mul
    local.set $cb
    block $done
      local.get $pixels
      i32.eqz
      br_if $done
      loop $pixel
        local.get $groups
        local.set $g
        local.get $acc
        local.set $c
        block $pixelDone
          local.get $g
          i32.eqz
          br_if $pixelDone
          loop $group
            local.get $a
            v128.load align=4
            local.set $va
            local.get $b
            v128.load align=4
            local.set $vb
            ;; Σa, channels 0–1 of the group
            local.get $c
            local.get $c
            v128.load align=4
            local.get $va
            f64x2.promote_low_f32x4
            f64x2.add
            v128.store align=4
            ;; Σa, channels 2–3
            local.get $c
            local.get $c
            v128.load offset=16 align=4
            local.get $va
            local.get $va
            i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 ;; the high two f32 lanes moved down
            f64x2.promote_low_f32x4
            f64x2.add
            v128.store offset=16 align=4
            ;; Σa·b, channels 0–1 (the second row, cb bytes on)
            local.get $c
            local.get $cb
            i32.add
            local.get $c
            local.get $cb
            i32.add
            v128.load align=4
            local.get $va
            f64x2.promote_low_f32x4
            local.get $vb
            f64x2.promote_low_f32x4
            f64x2.mul
            f64x2.add
            v128.store align=4
            ;; Σa·b, channels 2–3
            local.get $c
            local.get $cb
            i32.add
            local.get $c
            local.get $cb
            i32.add
            v128.load offset=16 align=4
            local.get $va
            local.get $va
            i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7
            f64x2.promote_low_f32x4
            local.get $vb
            local.get $vb
            i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7
            f64x2.promote_low_f32x4
            f64x2.mul
            f64x2.add
            v128.store offset=16 align=4
            ;; next 4 channels: 16 bytes of float32 in, 32 bytes of float64 accumulators
            local.get $a
            i32.const 16
            i32.add
            local.set $a
            local.get $b
            i32.const 16
            i32.add
            local.set $b
            local.get $c
            i32.const 32
            i32.add
            local.set $c
            local.get $g
            i32.const 1
            i32.sub
            local.tee $g
            br_if $group
          end
        end
        local.get $pixels
        i32.const 1
        i32.sub
        local.tee $pixels
        br_if $pixel
      end
    end)

  ;; The depthwise filter gradient's inner sweep (multiplier 1): one tap over one stretch of an output row, for every
  ;; group of 4 channels: acc[c] += Σ_j x[x0 + j·xStep][c] · dy[d0 + j·dStep][c], j < count (steps in bytes).
  ;; The products and the stretch's sum are float32 (the caller keeps stretches short: a 64-term float32 sum rounds
  ;; at ~1e-7 of itself); the accumulators are float64, 2 per v128.
  (func $depthwiseTap (export "depthwiseTap")
    (param $x0 i32) (param $d0 i32) (param $count i32) (param $xStep i32) (param $dStep i32) (param $acc i32)
    (param $groups i32)
    (local $j i32) (local $xi i32) (local $di i32) (local $total v128)
    block $done
      local.get $groups
      i32.eqz
      br_if $done
      loop $group
        v128.const i32x4 0 0 0 0
        local.set $total
        local.get $count
        local.set $j
        local.get $x0
        local.set $xi
        local.get $d0
        local.set $di
        block $stretchDone
          local.get $j
          i32.eqz
          br_if $stretchDone
          loop $column
            ;; total += x·dy
            local.get $total
            local.get $xi
            v128.load align=4
            local.get $di
            v128.load align=4
            f32x4.mul
            f32x4.add
            local.set $total
            local.get $xi
            local.get $xStep
            i32.add
            local.set $xi
            local.get $di
            local.get $dStep
            i32.add
            local.set $di
            local.get $j
            i32.const 1
            i32.sub
            local.tee $j
            br_if $column
          end
        end
        ;; acc[0..1] += total's low two lanes, widened
        local.get $acc
        local.get $acc
        v128.load align=4
        local.get $total
        f64x2.promote_low_f32x4
        f64x2.add
        v128.store align=4
        ;; acc[2..3] += its high two lanes, moved down and widened
        local.get $acc
        local.get $acc
        v128.load offset=16 align=4
        local.get $total
        local.get $total
        i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7
        f64x2.promote_low_f32x4
        f64x2.add
        v128.store offset=16 align=4
        ;; next 4 channels
        local.get $x0
        i32.const 16
        i32.add
        local.set $x0
        local.get $d0
        i32.const 16
        i32.add
        local.set $d0
        local.get $acc
        i32.const 32
        i32.add
        local.set $acc
        local.get $groups
        i32.const 1
        i32.sub
        local.tee $groups
        br_if $group
      end
    end)

  ;; Im2col's transpose for one output row and one tap: `quads` groups of 4 pixels (from x0, xStep bytes a pixel) ×
  ;; `groups` groups of 4 channels. Each 4×4 block (4 pixels × 4 channels) is transposed in registers, so that channel
  ;; c's 4 pixels land as a run in output row c (rows rowBytes apart, from out).
  (func $gatherQuads (export "gatherQuads")
    (param $x0 i32) (param $xStep i32) (param $out i32) (param $rowBytes i32) (param $quads i32) (param $groups i32)
    (local $g i32) (local $xi i32) (local $o i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    block $done
      local.get $quads
      i32.eqz
      br_if $done
      loop $quad
        local.get $groups
        local.set $g
        local.get $x0
        local.set $xi
        local.get $out
        local.set $o
        block $quadDone
          local.get $g
          i32.eqz
          br_if $quadDone
          loop $group
            ;; r_k = pixel k's 4 channels: rows of the block
            local.get $xi
            v128.load align=4
            local.set $r0
            local.get $xi
            local.get $xStep
            i32.const 1
            i32.mul
            i32.add
            v128.load align=4
            local.set $r1
            local.get $xi
            local.get $xStep
            i32.const 2
            i32.mul
            i32.add
            v128.load align=4
            local.set $r2
            local.get $xi
            local.get $xStep
            i32.const 3
            i32.mul
            i32.add
            v128.load align=4
            local.set $r3
            ;; interleave the lanes of row pairs: t0 = r0[0] r1[0] r0[1] r1[1], t1 = the same of r2, r3;
            ;; t2, t3 = the same with lanes 2 and 3
            local.get $r0
            local.get $r1
            i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23
            local.set $t0
            local.get $r2
            local.get $r3
            i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23
            local.set $t1
            local.get $r0
            local.get $r1
            i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31
            local.set $t2
            local.get $r2
            local.get $r3
            i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31
            local.set $t3
            ;; output row k = channel k of the 4 pixels: the low or high halves of a pair of t's
            local.get $o
            local.get $t0
            local.get $t1
            i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
            v128.store align=4
            local.get $o
            local.get $rowBytes
            i32.const 1
            i32.mul
            i32.add
            local.get $t0
            local.get $t1
            i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31
            v128.store align=4
            local.get $o
            local.get $rowBytes
            i32.const 2
            i32.mul
            i32.add
            local.get $t2
            local.get $t3
            i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
            v128.store align=4
            local.get $o
            local.get $rowBytes
            i32.const 3
            i32.mul
            i32.add
            local.get $t2
            local.get $t3
            i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31
            v128.store align=4
            ;; next 4 channels: 16 bytes on in the pixels, 4 rows on in the output
            local.get $xi
            i32.const 16
            i32.add
            local.set $xi
            local.get $o
            local.get $rowBytes
            i32.const 4
            i32.mul
            i32.add
            local.set $o
            local.get $g
            i32.const 1
            i32.sub
            local.tee $g
            br_if $group
          end
        end
        ;; next 4 pixels: 4 pixels on in the input, 16 bytes (4 floats) on in every output row
        local.get $x0
        local.get $xStep
        i32.const 4
        i32.mul
        i32.add
        local.set $x0
        local.get $out
        i32.const 16
        i32.add
        local.set $out
        local.get $quads
        i32.const 1
        i32.sub
        local.tee $quads
        br_if $quad
      end
    end)
)
