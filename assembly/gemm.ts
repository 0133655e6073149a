// Single-precision gemm for WebAssembly SIMD (AssemblyScript), row-major, BLAS contract:
//   C[M×N] = alpha · op(A)[M×K] · op(B)[K×N] + beta · C   (beta = 0: C is overwritten)
// Structure (Goto/BLIS): for each NC-column block of C and KC-deep slice of K, op(B) is
// packed into NR-wide column panels (k-major, zero-padded); for each MC-row block, op(A)
// (times alpha) into MR-tall row panels; a register-blocked MR×NR micro-kernel then adds
// panel products into C. Every pointer is a byte address in linear memory; `work` is a
// scratch area of gemmScratchBytes() bytes owned by the caller.

// Micro-tile: MR rows × NR columns = 4 × 8 floats = 8 v128 accumulators, and the kernel is
// inlined into sgemm. Measured on V8 11 (Node 20, x86-64): 4×8 inlined ≈ 46 GFLOP/s on one
// core at n = 512; 6×8 (12 accumulators, which V8's register allocator spills) ≈ 25;
// 4×8 as a separate function 25–37 depending on tier-up. Re-measure when changing it.
const MR: i32 = 4;
const NR: i32 = 8;
const KC: i32 = 256;
const MC: i32 = 64; // multiple of MR
const NC: i32 = 2048; // multiple of NR

export function gemmScratchBytes(): i32 {
  return (KC * NC + MC * KC + MR * NR) << 2;
}

// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** 1 when this build uses relaxed SIMD fused multiply-add. */
export function relaxedSimd(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}

// Packs op(B)[pc:pc+kc, jc:jc+nc] into panels: panel p (columns p·NR…) at dst + p·kc·NR,
// element (k, j) at k·NR + j; columns past nc are zero.
function packB(transB: bool, B: usize, ldb: i32, pc: i32, jc: i32, kc: i32, nc: i32, dst: usize): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = min(NR, nc - jr);
    const panel = dst + (<usize>(jr * kc) << 2);
    if (!transB) {
      // op(B)[k][n] = B[k·ldb + n]: rows of the panel are contiguous in B.
      if (nr == NR) {
        for (let k = 0; k < kc; k++) {
          const src = B + (<usize>((pc + k) * ldb + jc + jr) << 2);
          const d = panel + (<usize>(k * NR) << 2);
          v128.store(d, v128.load(src));
          v128.store(d, v128.load(src, 16), 16);
        }
      } else {
        for (let k = 0; k < kc; k++) {
          const src = B + (<usize>((pc + k) * ldb + jc + jr) << 2);
          const d = panel + (<usize>(k * NR) << 2);
          for (let j = 0; j < NR; j++) store<f32>(d + (<usize>j << 2), j < nr ? load<f32>(src + (<usize>j << 2)) : 0);
        }
      }
    } else {
      // op(B)[k][n] = B[n·ldb + k]: each panel column is contiguous in B.
      for (let j = 0; j < NR; j++) {
        const d = panel + (<usize>j << 2);
        if (j < nr) {
          const src = B + (<usize>((jc + jr + j) * ldb + pc) << 2);
          for (let k = 0; k < kc; k++) store<f32>(d + (<usize>(k * NR) << 2), load<f32>(src + (<usize>k << 2)));
        } else {
          for (let k = 0; k < kc; k++) store<f32>(d + (<usize>(k * NR) << 2), 0);
        }
      }
    }
  }
}

// Packs alpha·op(A)[ic:ic+mc, pc:pc+kc] into panels: panel p (rows p·MR…) at dst + p·kc·MR,
// element (k, i) at k·MR + i; rows past mc are zero.
function packA(transA: bool, A: usize, lda: i32, ic: i32, pc: i32, mc: i32, kc: i32, alpha: f32, dst: usize): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const mr = min(MR, mc - ir);
    const panel = dst + (<usize>(ir * kc) << 2);
    if (!transA) {
      // op(A)[m][k] = A[m·lda + k]: each panel row is contiguous in A.
      for (let i = 0; i < MR; i++) {
        const d = panel + (<usize>i << 2);
        if (i < mr) {
          const src = A + (<usize>((ic + ir + i) * lda + pc) << 2);
          for (let k = 0; k < kc; k++) store<f32>(d + (<usize>(k * MR) << 2), alpha * load<f32>(src + (<usize>k << 2)));
        } else {
          for (let k = 0; k < kc; k++) store<f32>(d + (<usize>(k * MR) << 2), 0);
        }
      }
    } else {
      // op(A)[m][k] = A[k·lda + m]: the MR values of one k are contiguous in A.
      for (let k = 0; k < kc; k++) {
        const src = A + (<usize>((pc + k) * lda + ic + ir) << 2);
        const d = panel + (<usize>(k * MR) << 2);
        for (let i = 0; i < MR; i++) store<f32>(d + (<usize>i << 2), i < mr ? alpha * load<f32>(src + (<usize>i << 2)) : 0);
      }
    }
  }
}

// C[0:MR, 0:NR] += Apanel · Bpanel over kc; C rows ldc floats apart. The products are
// summed from zero and added to C at the end, so every element of C gets
// C + Σ_k (in k order) whether it lies in a full tile or an edge tile: results do not
// depend on how the columns or rows are split into tiles or between threads.
// @ts-ignore: decorator
@inline function kernel(kc: i32, ap: usize, bp: usize, c: usize, ldc: i32): void {
  const z = f32x4.splat(0);
  let a00 = z, a01 = z, a10 = z, a11 = z, a20 = z, a21 = z;
  let a30 = z, a31 = z;
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    a00 = madd(a, b0, a00); a01 = madd(a, b1, a01);
    a = v128.load32_splat(ap, 4);
    a10 = madd(a, b0, a10); a11 = madd(a, b1, a11);
    a = v128.load32_splat(ap, 8);
    a20 = madd(a, b0, a20); a21 = madd(a, b1, a21);
    a = v128.load32_splat(ap, 12);
    a30 = madd(a, b0, a30); a31 = madd(a, b1, a31);
    ap += <usize>(MR << 2);
    bp += <usize>(NR << 2);
  }
  const rs = <usize>ldc << 2;
  let r = c;
  v128.store(r, f32x4.add(v128.load(r), a00)); v128.store(r, f32x4.add(v128.load(r, 16), a01), 16); r += rs;
  v128.store(r, f32x4.add(v128.load(r), a10)); v128.store(r, f32x4.add(v128.load(r, 16), a11), 16); r += rs;
  v128.store(r, f32x4.add(v128.load(r), a20)); v128.store(r, f32x4.add(v128.load(r, 16), a21), 16); r += rs;
  v128.store(r, f32x4.add(v128.load(r), a30)); v128.store(r, f32x4.add(v128.load(r, 16), a31), 16);
}

/** Bytes of packFullB's output for op(B) of K × N. */
export function packedBBytes(K: i32, N: i32): i32 {
  let total = 0;
  for (let jc = 0; jc < N; jc += NC) {
    const nc = min(NC, N - jc);
    total += K * (((nc + NR - 1) / NR) * NR);
  }
  return total << 2;
}

/**
 * Packs all of op(B) (K × N) in the order sgemm consumes it — NC-column blocks, KC-deep
 * slices, NR-wide panels — so a B used by many products (a recurrent weight, once per
 * time step) is packed once. Block (jc, pc) starts at dst + (jc·K + pc·ncPadded)·4.
 */
export function packFullB(transB: i32, B: usize, ldb: i32, K: i32, N: i32, dst: usize): void {
  for (let jc = 0; jc < N; jc += NC) {
    const nc = min(NC, N - jc);
    const ncp = ((nc + NR - 1) / NR) * NR;
    for (let pc = 0; pc < K; pc += KC) {
      const kc = min(KC, K - pc);
      packB(transB != 0, B, ldb, pc, jc, kc, nc, dst + (<usize>(jc * K + pc * ncp) << 2));
    }
  }
}

/**
 * C = alpha·op(A)·op(B) + beta·C. B is either a matrix (packed = 0) or, when packed = 1,
 * the output of packFullB for the same transB, K and N (then transB and ldb are unused).
 */
export function sgemm(
  transA: i32, transB: i32, M: i32, N: i32, K: i32, alpha: f32,
  A: usize, lda: i32, B: usize, ldb: i32,
  beta: f32, C: usize, ldc: i32, work: usize, packed: i32,
): void {
  if (M <= 0 || N <= 0) return;
  if (beta != 1) {
    for (let i = 0; i < M; i++) {
      const row = C + (<usize>(i * ldc) << 2);
      if (beta == 0) memory.fill(row, 0, <usize>N << 2);
      else for (let j = 0; j < N; j++) store<f32>(row + (<usize>j << 2), beta * load<f32>(row + (<usize>j << 2)));
    }
  }
  if (alpha == 0 || K <= 0) return;
  const Ap = work + (<usize>(KC * NC) << 2);
  const tile = Ap + (<usize>(MC * KC) << 2);
  for (let jc = 0; jc < N; jc += NC) {
    const nc = min(NC, N - jc);
    const ncp = ((nc + NR - 1) / NR) * NR;
    for (let pc = 0; pc < K; pc += KC) {
      const kc = min(KC, K - pc);
      let Bp = work;
      if (packed) Bp = B + (<usize>(jc * K + pc * ncp) << 2);
      else packB(transB != 0, B, ldb, pc, jc, kc, nc, Bp);
      for (let ic = 0; ic < M; ic += MC) {
        const mc = min(MC, M - ic);
        packA(transA != 0, A, lda, ic, pc, mc, kc, alpha, Ap);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const bp = Bp + (<usize>(jr * kc) << 2);
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(MR, mc - ir);
            const ap = Ap + (<usize>(ir * kc) << 2);
            const c = C + (<usize>((ic + ir) * ldc + jc + jr) << 2);
            if (mr == MR && nr == NR) {
              kernel(kc, ap, bp, c, ldc);
            } else {
              // Edge tile: compute into a zeroed MR×NR buffer, add the valid part.
              memory.fill(tile, 0, <usize>(MR * NR) << 2);
              kernel(kc, ap, bp, tile, NR);
              for (let i = 0; i < mr; i++) {
                const cr = c + (<usize>(i * ldc) << 2);
                const tr = tile + (<usize>(i * NR) << 2);
                for (let j = 0; j < nr; j++) {
                  const p = cr + (<usize>j << 2);
                  store<f32>(p, load<f32>(p) + load<f32>(tr + (<usize>j << 2)));
                }
              }
            }
          }
        }
      }
    }
  }
}
