/*
 * Single-precision GEMM for the native backend (row-major, see rc.h).
 *
 * Design (GotoBLAS/BLIS): C is computed in mr x NR tiles by a register-blocked
 * micro-kernel that reads
 *   - op(A) packed into "micro-panels" of m rows, k-major (A[k*m + i]): each k step
 *     broadcasts m scalars, streamed from L2;
 *   - op(B) packed into NR = 32 column panels, k-major (B[k*32 + j]), zero-padded to 32:
 *     each k step loads 32 contiguous floats; the kc x 32 micro-panel stays in L1 while
 *     every A micro-panel of the mc-row block passes over it.
 * Loops, outermost first: jc (NC columns: the packed B block, kc x nc, lives in L3),
 * pc (KC: the depth of one pass), ic (MC rows: the packed A block, mc x kc, in L2),
 * jr (one B micro-panel), ir (one A micro-panel) -> micro-kernel.
 *
 * NR is 32 for every kernel family, so a B packed by rc_sgemm_pack_b stays valid if
 * the family changes (rc_force_isa) and the addon can pack without asking which one is
 * active. The families differ in mr and in the micro-kernel:
 *   avx512  14 x 32  (28 zmm accumulators + 2 B vectors; A broadcast from memory)
 *   avx2     6 x 32  (run as two 6 x 16 halves: 12 ymm accumulators + 2 B + 1 A)
 *   generic  4 x 32  (4 x 8 or 4 x 16 slices in GCC vector extensions: SSE, NEON)
 * Edges: a short last A micro-panel (m < mr) gets its own fully unrolled kernel
 * instance; a short last B panel (n < 32) is zero-padded and only the C loads/stores
 * are masked. beta is applied on the first pc pass only, and beta == 0 never reads C.
 *
 * Skinny products (the recurrent step, M = batch): with one row block (M <= mc) each B
 * panel is packed just before use into an L1-sized slot; with M <= 4 and B transposed
 * (h * W^T) nothing is packed and each C element is a dot product of two rows.
 *
 * Threads (rc_sgemm, rc_sgemm_packed): above RC_MT_MIN_FLOPS per thread the product is
 * split so that no operand is packed twice: one row block -> column chunks claimed
 * dynamically, A packed once for all; several row blocks -> row shares over a B that is
 * pre-packed (the caller's) or packed first by the whole team. Shares a worker has not
 * started when the caller is done are run by the caller (rc_parallel_shares).
 */
#define _POSIX_C_SOURCE 200809L /* posix_memalign under -std=c11 */
#include "rc.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* RC_NO_X86 builds what a non-x86 target gets (the generic family only), for testing. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(RC_NO_X86)
#define RC_X86 1
#include <immintrin.h>
#endif

int rc_isa_level(void); /* isa.c: 0 generic, 1 avx2, 2 avx512 */
/* pool.c: rc_parallel for independent shares; the caller runs the ones not started. */
void rc_parallel_shares(rc_task fn, void *ctx, int nthreads);

#define NR 32

/* Blocking. KC: the B micro-panel (KC x 32 floats = 32 KiB at 256) must stay in the
 * 48 KiB L1d next to the streaming A micro-panel. MC: the packed A block (MC x KC) takes
 * about a quarter of the 1.25 MiB L2, leaving room for the B panels passing through.
 * NC: the packed B block (KC x NC = 2 MiB) in L3; larger buys nothing measurable, as A is
 * repacked only once per NC columns. Overridable at compile time for tuning; KC 192,
 * 256, 384 x MC 168, 336, 672 measured within noise of each other (and of OpenBLAS) on
 * square 1024, one thread. */
#ifndef RC_KC
#define RC_KC 256
#endif
#ifndef RC_MC512
#define RC_MC512 (14 * 24)
#endif
#ifndef RC_MC256
#define RC_MC256 (6 * 48)
#endif
#ifndef RC_MCGEN
#define RC_MCGEN (4 * 32)
#endif
#ifndef RC_NC
#define RC_NC 2048
#endif
#define MC_MAX (RC_MC512 > RC_MC256 ? (RC_MC512 > RC_MCGEN ? RC_MC512 : RC_MCGEN) \
                                    : (RC_MC256 > RC_MCGEN ? RC_MC256 : RC_MCGEN))

/* Multi-threading pays only above this many flops per thread (2*M*N*K / threads).
 * Measured with `make -C native/test threshold` (rc_sgemm_st against rc_sgemm on two
 * threads, back to back, machine quiet): square n = 48 (0.2 MFLOP) 0.93x, 64 (0.5)
 * 1.06x, 96 (1.8) 1.12x, 128 (4.2) 1.28x, 256 1.55x. Set a little above the break-even,
 * as on a busy machine a second thread pays later (or never). */
#ifndef RC_MT_MIN_FLOPS
#define RC_MT_MIN_FLOPS (1 << 20)
#endif
#ifndef RC_MT_MIN_BYTES
#define RC_MT_MIN_BYTES (384 << 10) /* of B per thread, for M <= 8: see mt_threads */
#endif

/* Micro-kernel: C[0:m, 0:n] = alpha * A(m x kc) * B(kc x 32) + beta * C. */
typedef void (*ukernel_fn)(int m, int n, int kc, float alpha, const float *A,
                           const float *B, float beta, float *C, int ldc);
/* Panel packer: dst[k*W + i] = S(i, k) for i < w, 0 for w <= i < W, where
 * S(i, k) = src[k*ld + i] (strided == 0) or src[i*ld + k] (strided == 1). */
typedef void (*pack_fn)(int strided, int w, int W, int kc, const float *src, int ld,
                        float *dst);

typedef struct {
  int mr, mc, kc, nc;
  ukernel_fn kernel;
  pack_fn pack;
} family;

/* ================================ generic ======================================== */

static void pack_generic(int strided, int w, int W, int kc, const float *src, int ld,
                         float *dst) {
  for (int k = 0; k < kc; k++) {
    float *d = dst + (size_t)k * W;
    if (strided)
      for (int i = 0; i < w; i++) d[i] = src[(size_t)i * ld + k];
    else
      memcpy(d, src + (size_t)k * ld, (size_t)w * sizeof(float));
    for (int i = w; i < W; i++) d[i] = 0.0f;
  }
}

/* Plain C, but written in GCC/Clang vector extensions so that the fallback (arm64 in
 * particular) still gets 128-bit SIMD. The 32-wide panel is run in slices of GEN_W
 * columns: 4 x 16 (16 accumulators) where there are 32 vector registers, 4 x 8 on
 * x86-64's 16, where 16 accumulators would spill. */
#define MR_GEN 4
#if defined(__x86_64__) || defined(__i386__)
#define GEN_W 8
#else
#define GEN_W 16
#endif
#define GEN_V (GEN_W / 4)
typedef float v4f __attribute__((vector_size(16)));

static inline v4f v4_load(const float *p) {
  v4f v;
  memcpy(&v, p, sizeof v);
  return v;
}

static inline __attribute__((always_inline)) void kernel_generic_slice(
    const int m, int n, int kc, float alpha, const float *A, const float *B, float beta,
    float *C, int ldc) {
  v4f acc[MR_GEN][GEN_V];
  const v4f zero = {0, 0, 0, 0};
#pragma GCC unroll 4
  for (int i = 0; i < m; i++)
#pragma GCC unroll 4
    for (int v = 0; v < GEN_V; v++) acc[i][v] = zero;
  for (int k = 0; k < kc; k++) {
    const float *b = B + (size_t)k * NR;
    v4f bv[GEN_V];
#pragma GCC unroll 4
    for (int v = 0; v < GEN_V; v++) bv[v] = v4_load(b + 4 * v);
#pragma GCC unroll 4
    for (int i = 0; i < m; i++) {
      float a = A[(size_t)k * m + i];
#pragma GCC unroll 4
      for (int v = 0; v < GEN_V; v++) acc[i][v] += a * bv[v];
    }
  }
#pragma GCC unroll 4
  for (int i = 0; i < m; i++) {
    float *c = C + (size_t)i * ldc;
    if (beta == 0.0f)
      for (int j = 0; j < n; j++) c[j] = alpha * acc[i][j >> 2][j & 3];
    else
      for (int j = 0; j < n; j++) c[j] = alpha * acc[i][j >> 2][j & 3] + beta * c[j];
  }
}

/* One instance per row count, so the accumulators live in registers. */
static void kernel_generic_s(int m, int n, int kc, float alpha, const float *A,
                             const float *B, float beta, float *C, int ldc) {
  switch (m) {
    case 1: kernel_generic_slice(1, n, kc, alpha, A, B, beta, C, ldc); break;
    case 2: kernel_generic_slice(2, n, kc, alpha, A, B, beta, C, ldc); break;
    case 3: kernel_generic_slice(3, n, kc, alpha, A, B, beta, C, ldc); break;
    case 4: kernel_generic_slice(4, n, kc, alpha, A, B, beta, C, ldc); break;
  }
}

static void kernel_generic(int m, int n, int kc, float alpha, const float *A,
                           const float *B, float beta, float *C, int ldc) {
  for (int j = 0; j < n; j += GEN_W)
    kernel_generic_s(m, n - j < GEN_W ? n - j : GEN_W, kc, alpha, A, B + j, beta, C + j,
                     ldc);
}

/* ================================ x86: AVX2 ====================================== */
#ifdef RC_X86
#define T256 __attribute__((target("avx2,fma")))
#define T512 __attribute__((target("avx512f,avx512vl,avx512dq,fma")))
#define INLINE static inline __attribute__((always_inline))

static const int32_t lane_mask_tab[16] = {-1, -1, -1, -1, -1, -1, -1, -1,
                                          0,  0,  0,  0,  0,  0,  0,  0};
/* Integer mask selecting the first h (0..8) of 8 lanes, for maskload/maskstore. */
INLINE T256 __m256i mask8(int h) {
  return _mm256_loadu_si256((const __m256i *)(lane_mask_tab + 8 - h));
}

/* In-register 8 x 8 transpose of r0..r7 (a macro, not a function over an array: GCC
 * kept such an array on the stack, tripling the packing time). */
#define TRANSPOSE8(r0, r1, r2, r3, r4, r5, r6, r7)                                \
  do {                                                                            \
    __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);     \
    __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);     \
    __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);     \
    __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);     \
    __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE); \
    __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE); \
    __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE); \
    __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE); \
    r0 = _mm256_permute2f128_ps(u0, u4, 0x20);                                    \
    r1 = _mm256_permute2f128_ps(u1, u5, 0x20);                                    \
    r2 = _mm256_permute2f128_ps(u2, u6, 0x20);                                    \
    r3 = _mm256_permute2f128_ps(u3, u7, 0x20);                                    \
    r4 = _mm256_permute2f128_ps(u0, u4, 0x31);                                    \
    r5 = _mm256_permute2f128_ps(u1, u5, 0x31);                                    \
    r6 = _mm256_permute2f128_ps(u2, u6, 0x31);                                    \
    r7 = _mm256_permute2f128_ps(u3, u7, 0x31);                                    \
  } while (0)

/* The strided case is a transpose, which element by element costs ~1 cycle per float
 * and dominates skinny products (M = 32 with B transposed: packing B would take as long
 * as multiplying); 8 x 8 register transposes bring it to ~0.4 cycle. */
static T256 void pack_avx2(int strided, int w, int W, int kc, const float *src, int ld,
                           float *dst) {
  if (!strided) {
    if (w == NR && W == NR) {
      for (int k = 0; k < kc; k++) {
        const float *s = src + (size_t)k * ld;
        float *d = dst + (size_t)k * NR;
        __m256 a = _mm256_loadu_ps(s), b = _mm256_loadu_ps(s + 8);
        __m256 c = _mm256_loadu_ps(s + 16), e = _mm256_loadu_ps(s + 24);
        _mm256_storeu_ps(d, a);
        _mm256_storeu_ps(d + 8, b);
        _mm256_storeu_ps(d + 16, c);
        _mm256_storeu_ps(d + 24, e);
      }
      return;
    }
    pack_generic(0, w, W, kc, src, ld, dst);
    return;
  }
  for (int i0 = 0; i0 < w; i0 += 8) {
    int h = w - i0 < 8 ? w - i0 : 8;
    const float *s = src + (size_t)i0 * ld;
    __m256i msk = mask8(h);
    int k = 0;
    const size_t L = (size_t)ld;
    for (; k + 8 <= kc; k += 8) {
      const float *p = s + k;
      float *d = dst + (size_t)k * W + i0;
      __m256 r0, r1, r2, r3, r4, r5, r6, r7;
      if (h == 8) {
        r0 = _mm256_loadu_ps(p), r1 = _mm256_loadu_ps(p + L);
        r2 = _mm256_loadu_ps(p + 2 * L), r3 = _mm256_loadu_ps(p + 3 * L);
        r4 = _mm256_loadu_ps(p + 4 * L), r5 = _mm256_loadu_ps(p + 5 * L);
        r6 = _mm256_loadu_ps(p + 6 * L), r7 = _mm256_loadu_ps(p + 7 * L);
        TRANSPOSE8(r0, r1, r2, r3, r4, r5, r6, r7);
        _mm256_storeu_ps(d, r0), _mm256_storeu_ps(d + W, r1);
        _mm256_storeu_ps(d + 2 * W, r2), _mm256_storeu_ps(d + 3 * W, r3);
        _mm256_storeu_ps(d + 4 * W, r4), _mm256_storeu_ps(d + 5 * W, r5);
        _mm256_storeu_ps(d + 6 * W, r6), _mm256_storeu_ps(d + 7 * W, r7);
      } else {
        const __m256 z = _mm256_setzero_ps();
        r0 = _mm256_loadu_ps(p);
        r1 = h > 1 ? _mm256_loadu_ps(p + L) : z;
        r2 = h > 2 ? _mm256_loadu_ps(p + 2 * L) : z;
        r3 = h > 3 ? _mm256_loadu_ps(p + 3 * L) : z;
        r4 = h > 4 ? _mm256_loadu_ps(p + 4 * L) : z;
        r5 = h > 5 ? _mm256_loadu_ps(p + 5 * L) : z;
        r6 = h > 6 ? _mm256_loadu_ps(p + 6 * L) : z;
        r7 = z;
        TRANSPOSE8(r0, r1, r2, r3, r4, r5, r6, r7);
        _mm256_maskstore_ps(d, msk, r0), _mm256_maskstore_ps(d + W, msk, r1);
        _mm256_maskstore_ps(d + 2 * W, msk, r2), _mm256_maskstore_ps(d + 3 * W, msk, r3);
        _mm256_maskstore_ps(d + 4 * W, msk, r4), _mm256_maskstore_ps(d + 5 * W, msk, r5);
        _mm256_maskstore_ps(d + 6 * W, msk, r6), _mm256_maskstore_ps(d + 7 * W, msk, r7);
      }
    }
    for (; k < kc; k++)
      for (int q = 0; q < h; q++) dst[(size_t)k * W + i0 + q] = s[(size_t)q * ld + k];
  }
  if (w < W)
    for (int k = 0; k < kc; k++)
      for (int i = w; i < W; i++) dst[(size_t)k * W + i] = 0.0f;
}

/* 6 x 16 tile over one half of a 32-wide B panel (B row stride NR). With few rows the
 * FMA latency (4 cycles) would bound a single accumulator chain, so small m keeps U
 * independent partial sums over interleaved k and adds them at the end. */
#define MR_256 6
INLINE T256 void kernel256_half(const int m, int n, int kc, float alpha,
                                const float *A, const float *B, float beta, float *C,
                                int ldc) {
  const int U = m == 1 ? 4 : (m <= 3 ? 2 : 1);
  __m256 c0[4][MR_256], c1[4][MR_256];
#pragma GCC unroll 4
  for (int u = 0; u < U; u++)
#pragma GCC unroll 6
    for (int i = 0; i < m; i++) c0[u][i] = c1[u][i] = _mm256_setzero_ps();
  int k = 0;
  for (; k + U <= kc; k += U) {
#pragma GCC unroll 4
    for (int u = 0; u < U; u++) {
      const float *b = B + (size_t)(k + u) * NR, *a = A + (size_t)(k + u) * m;
      __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
#pragma GCC unroll 6
      for (int i = 0; i < m; i++) {
        __m256 ai = _mm256_broadcast_ss(a + i);
        c0[u][i] = _mm256_fmadd_ps(ai, b0, c0[u][i]);
        c1[u][i] = _mm256_fmadd_ps(ai, b1, c1[u][i]);
      }
    }
  }
  for (; k < kc; k++) {
    const float *b = B + (size_t)k * NR, *a = A + (size_t)k * m;
    __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
#pragma GCC unroll 6
    for (int i = 0; i < m; i++) {
      __m256 ai = _mm256_broadcast_ss(a + i);
      c0[0][i] = _mm256_fmadd_ps(ai, b0, c0[0][i]);
      c1[0][i] = _mm256_fmadd_ps(ai, b1, c1[0][i]);
    }
  }
#pragma GCC unroll 4
  for (int u = 1; u < U; u++)
#pragma GCC unroll 6
    for (int i = 0; i < m; i++) {
      c0[0][i] = _mm256_add_ps(c0[0][i], c0[u][i]);
      c1[0][i] = _mm256_add_ps(c1[0][i], c1[u][i]);
    }
  const __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
  if (n >= 16) {
#pragma GCC unroll 6
    for (int i = 0; i < m; i++) {
      float *c = C + (size_t)i * ldc;
      __m256 r0 = _mm256_mul_ps(va, c0[0][i]), r1 = _mm256_mul_ps(va, c1[0][i]);
      if (beta != 0.0f) {
        r0 = _mm256_fmadd_ps(vb, _mm256_loadu_ps(c), r0);
        r1 = _mm256_fmadd_ps(vb, _mm256_loadu_ps(c + 8), r1);
      }
      _mm256_storeu_ps(c, r0);
      _mm256_storeu_ps(c + 8, r1);
    }
  } else {
    const __m256i k0 = mask8(n >= 8 ? 8 : n), k1 = mask8(n > 8 ? n - 8 : 0);
#pragma GCC unroll 6
    for (int i = 0; i < m; i++) {
      float *c = C + (size_t)i * ldc;
      __m256 r0 = _mm256_mul_ps(va, c0[0][i]), r1 = _mm256_mul_ps(va, c1[0][i]);
      if (beta != 0.0f) {
        r0 = _mm256_fmadd_ps(vb, _mm256_maskload_ps(c, k0), r0);
        r1 = _mm256_fmadd_ps(vb, _mm256_maskload_ps(c + 8, k1), r1);
      }
      _mm256_maskstore_ps(c, k0, r0);
      _mm256_maskstore_ps(c + 8, k1, r1);
    }
  }
}

static T256 void kernel256_h(int m, int n, int kc, float alpha, const float *A,
                             const float *B, float beta, float *C, int ldc) {
  switch (m) {
#define CASE(M) \
  case M: kernel256_half(M, n, kc, alpha, A, B, beta, C, ldc); break;
    CASE(1) CASE(2) CASE(3) CASE(4) CASE(5) CASE(6)
#undef CASE
  }
}

static T256 void kernel_avx2(int m, int n, int kc, float alpha, const float *A,
                             const float *B, float beta, float *C, int ldc) {
  kernel256_h(m, n < 16 ? n : 16, kc, alpha, A, B, beta, C, ldc);
  if (n > 16) kernel256_h(m, n - 16, kc, alpha, A, B + 16, beta, C + 16, ldc);
}

/* =============================== x86: AVX-512 ==================================== */

/* 14 x 32 tile: 28 zmm accumulators, 2 B vectors, and the A scalar broadcast folded
 * into the FMA's memory operand: per k, 28 FMAs against 16 loads, so the two FMA
 * ports, not the two load ports, are the limit. */
#define MR_512 14
#ifndef PF_DIST
#define PF_DIST 16 /* k steps of B prefetched ahead by the few-row kernels (2 KiB) */
#endif
INLINE T512 void kernel512_m(const int m, int n, int kc, float alpha, const float *A,
                             const float *B, float beta, float *C, int ldc) {
  const int U = m == 1 ? 4 : (m <= 3 ? 2 : 1);
  __m512 c0[4][MR_512], c1[4][MR_512];
#pragma GCC unroll 16
  for (int i = 0; i < m; i++) {
    _mm_prefetch((const char *)(C + (size_t)i * ldc), _MM_HINT_T0);
    _mm_prefetch((const char *)(C + (size_t)i * ldc + 31), _MM_HINT_T0);
  }
#pragma GCC unroll 4
  for (int u = 0; u < U; u++)
#pragma GCC unroll 16
    for (int i = 0; i < m; i++) c0[u][i] = c1[u][i] = _mm512_setzero_ps();
  int k = 0;
  for (; k + U <= kc; k += U) {
#pragma GCC unroll 4
    for (int u = 0; u < U; u++) {
      const float *b = B + (size_t)(k + u) * NR, *a = A + (size_t)(k + u) * m;
      if (m <= 4) {
        /* Few rows: B streams from L2 at 1-2 FMAs per load and nothing hides the miss
         * latency, so fetch it ahead (with many rows the panel sits in L1 anyway). */
        _mm_prefetch((const char *)(b + PF_DIST * NR), _MM_HINT_T0);
        _mm_prefetch((const char *)(b + PF_DIST * NR + 16), _MM_HINT_T0);
      }
      __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);
#pragma GCC unroll 16
      for (int i = 0; i < m; i++) {
        __m512 ai = _mm512_set1_ps(a[i]);
        c0[u][i] = _mm512_fmadd_ps(ai, b0, c0[u][i]);
        c1[u][i] = _mm512_fmadd_ps(ai, b1, c1[u][i]);
      }
    }
  }
  for (; k < kc; k++) {
    const float *b = B + (size_t)k * NR, *a = A + (size_t)k * m;
    __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);
#pragma GCC unroll 16
    for (int i = 0; i < m; i++) {
      __m512 ai = _mm512_set1_ps(a[i]);
      c0[0][i] = _mm512_fmadd_ps(ai, b0, c0[0][i]);
      c1[0][i] = _mm512_fmadd_ps(ai, b1, c1[0][i]);
    }
  }
#pragma GCC unroll 4
  for (int u = 1; u < U; u++)
#pragma GCC unroll 16
    for (int i = 0; i < m; i++) {
      c0[0][i] = _mm512_add_ps(c0[0][i], c0[u][i]);
      c1[0][i] = _mm512_add_ps(c1[0][i], c1[u][i]);
    }
  /* Masked loads/stores cost the same as plain ones and never touch masked-off lanes,
   * so the n < 32 edge needs no separate path. */
  const __mmask16 k0 = n >= 16 ? 0xFFFF : (__mmask16)((1u << n) - 1);
  const __mmask16 k1 = n >= 32 ? 0xFFFF : n > 16 ? (__mmask16)((1u << (n - 16)) - 1) : 0;
  const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
#pragma GCC unroll 16
  for (int i = 0; i < m; i++) {
    float *c = C + (size_t)i * ldc;
    __m512 r0 = _mm512_mul_ps(va, c0[0][i]), r1 = _mm512_mul_ps(va, c1[0][i]);
    if (beta != 0.0f) {
      r0 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(k0, c), r0);
      r1 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(k1, c + 16), r1);
    }
    _mm512_mask_storeu_ps(c, k0, r0);
    _mm512_mask_storeu_ps(c + 16, k1, r1);
  }
}

static T512 void kernel_avx512(int m, int n, int kc, float alpha, const float *A,
                               const float *B, float beta, float *C, int ldc) {
  switch (m) {
#define CASE(M) \
  case M: kernel512_m(M, n, kc, alpha, A, B, beta, C, ldc); break;
    CASE(1) CASE(2) CASE(3) CASE(4) CASE(5) CASE(6) CASE(7)
    CASE(8) CASE(9) CASE(10) CASE(11) CASE(12) CASE(13) CASE(14)
#undef CASE
  }
}

/* Few rows times a transposed B (C = h * W^T for one or a handful of sequences): every
 * C element is a dot product of two contiguous rows, so B is read once, straight from
 * the caller's matrix. Packing it instead (a transpose of all of B) would cost several
 * times the multiplication, which for M <= 4 is only 2-8 flops per B element. */
#define DOT_MAX_M 4

/* [sum a, sum b, sum c, sum d] */
INLINE T512 __m128 hsum4(__m512 a, __m512 b, __m512 c, __m512 d) {
  __m256 a8 = _mm256_add_ps(_mm512_castps512_ps256(a), _mm512_extractf32x8_ps(a, 1));
  __m256 b8 = _mm256_add_ps(_mm512_castps512_ps256(b), _mm512_extractf32x8_ps(b, 1));
  __m256 c8 = _mm256_add_ps(_mm512_castps512_ps256(c), _mm512_extractf32x8_ps(c, 1));
  __m256 d8 = _mm256_add_ps(_mm512_castps512_ps256(d), _mm512_extractf32x8_ps(d, 1));
  __m256 abcd = _mm256_hadd_ps(_mm256_hadd_ps(a8, b8), _mm256_hadd_ps(c8, d8));
  return _mm_add_ps(_mm256_castps256_ps128(abcd), _mm256_extractf128_ps(abcd, 1));
}

INLINE T512 void dot512_m(const int m, int N, int K, float alpha, const float *A,
                          int lda, const float *B, int ldb, float beta, float *C,
                          int ldc) {
  const int K16 = K & ~15;
  const __mmask16 kt = (__mmask16)((1u << (K & 15)) - 1);
  const __m128 va = _mm_set1_ps(alpha), vb = _mm_set1_ps(beta);
  int j = 0;
  for (; j + 4 <= N; j += 4) {
    const float *b0 = B + (size_t)j * ldb, *b1 = b0 + ldb, *b2 = b1 + ldb, *b3 = b2 + ldb;
    __m512 acc[DOT_MAX_M][4];
#pragma GCC unroll 4
    for (int i = 0; i < m; i++)
      acc[i][0] = acc[i][1] = acc[i][2] = acc[i][3] = _mm512_setzero_ps();
    for (int k = 0; k <= K16; k += 16) {
      /* the last pass is the masked tail (empty when 16 divides K) */
      const __mmask16 km = k < K16 ? (__mmask16)0xFFFF : kt;
      if (!km) break;
      __m512 x0 = _mm512_maskz_loadu_ps(km, b0 + k), x1 = _mm512_maskz_loadu_ps(km, b1 + k);
      __m512 x2 = _mm512_maskz_loadu_ps(km, b2 + k), x3 = _mm512_maskz_loadu_ps(km, b3 + k);
#pragma GCC unroll 4
      for (int i = 0; i < m; i++) {
        __m512 a = _mm512_maskz_loadu_ps(km, A + (size_t)i * lda + k);
        acc[i][0] = _mm512_fmadd_ps(a, x0, acc[i][0]);
        acc[i][1] = _mm512_fmadd_ps(a, x1, acc[i][1]);
        acc[i][2] = _mm512_fmadd_ps(a, x2, acc[i][2]);
        acc[i][3] = _mm512_fmadd_ps(a, x3, acc[i][3]);
      }
    }
#pragma GCC unroll 4
    for (int i = 0; i < m; i++) {
      float *c = C + (size_t)i * ldc + j;
      __m128 r = _mm_mul_ps(va, hsum4(acc[i][0], acc[i][1], acc[i][2], acc[i][3]));
      if (beta != 0.0f) r = _mm_fmadd_ps(vb, _mm_loadu_ps(c), r);
      _mm_storeu_ps(c, r);
    }
  }
  for (; j < N; j++) {
    const float *b = B + (size_t)j * ldb;
#pragma GCC unroll 4
    for (int i = 0; i < m; i++) {
      __m512 acc = _mm512_setzero_ps();
      for (int k = 0; k < K; k += 16) {
        __mmask16 km = K - k >= 16 ? (__mmask16)0xFFFF : kt;
        acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(km, A + (size_t)i * lda + k),
                              _mm512_maskz_loadu_ps(km, b + k), acc);
      }
      float *c = C + (size_t)i * ldc + j;
      float r = alpha * _mm512_reduce_add_ps(acc);
      *c = beta != 0.0f ? r + beta * *c : r;
    }
  }
}

static T512 void dot_avx512(int m, int N, int K, float alpha, const float *A, int lda,
                            const float *B, int ldb, float beta, float *C, int ldc) {
  switch (m) {
#define CASE(M) \
  case M: dot512_m(M, N, K, alpha, A, lda, B, ldb, beta, C, ldc); break;
    CASE(1) CASE(2) CASE(3) CASE(4)
#undef CASE
  }
}
#endif /* RC_X86 */

/* ============================== blocked driver =================================== */

static const family fam_generic = {MR_GEN, RC_MCGEN, RC_KC, RC_NC, kernel_generic,
                                   pack_generic};
#ifdef RC_X86
static const family fam_avx2 = {MR_256, RC_MC256, RC_KC, RC_NC, kernel_avx2, pack_avx2};
static const family fam_avx512 = {MR_512, RC_MC512, RC_KC, RC_NC, kernel_avx512,
                                  pack_avx2};
#endif

static const family *current_family(void) {
#ifdef RC_X86
  switch (rc_isa_level()) {
    case 2: return &fam_avx512;
    case 1: return &fam_avx2;
  }
#endif
  return &fam_generic;
}

int rc_sgemm_nr(void) { return NR; }

#define ALIGN_FLOATS(n) (((n) + 15) & ~(size_t)15)

size_t rc_sgemm_work_bytes(void) {
  return (ALIGN_FLOATS((size_t)MC_MAX * RC_KC) + (size_t)RC_KC * RC_NC) * sizeof(float);
}

void *rc_alloc(size_t bytes) {
  void *p = NULL;
  if (bytes == 0) bytes = 64;
  if (posix_memalign(&p, 64, (bytes + 63) & ~(size_t)63)) return NULL;
  return p;
}

void rc_free(void *p) { free(p); }

/* C[0:M, 0:N] *= beta (beta == 0 stores zeros, whatever C held). */
static void scale_c(int M, int N, float beta, float *C, int ldc) {
  if (beta == 1.0f) return;
  for (int i = 0; i < M; i++) {
    float *c = C + (size_t)i * ldc;
    if (beta == 0.0f)
      memset(c, 0, (size_t)N * sizeof(float));
    else
      for (int j = 0; j < N; j++) c[j] *= beta;
  }
}

/* Packs op(A)[i0 : i0+mc, p0 : p0+kc] into micro-panels of f->mr rows. */
static void pack_a_block(const family *f, int transA, int mc, int kc, const float *A,
                         int lda, int i0, int p0, float *dst) {
  for (int i = 0; i < mc; i += f->mr) {
    int m = mc - i < f->mr ? mc - i : f->mr;
    const float *src = transA ? A + (size_t)p0 * lda + (i0 + i)
                              : A + (size_t)(i0 + i) * lda + p0;
    f->pack(!transA, m, m, kc, src, lda, dst + (size_t)i * kc);
  }
}

/* Packs op(B)[p0 : p0+kc, j0 : j0+nc] into 32-wide panels, panel_stride floats apart. */
static void pack_b_block(const family *f, int transB, int kc, int nc, const float *B,
                         int ldb, int p0, int j0, float *dst, size_t panel_stride) {
  for (int j = 0; j < nc; j += NR) {
    int w = nc - j < NR ? nc - j : NR;
    const float *src = transB ? B + (size_t)(j0 + j) * ldb + p0
                              : B + (size_t)p0 * ldb + (j0 + j);
    f->pack(transB, w, NR, kc, src, ldb, dst + (size_t)(j / NR) * panel_stride);
  }
}

/* All of op(A) (M <= mc rows), pass by pass: the block of pass pc starts at M * pc. */
static void pack_a_all(const family *f, int transA, int M, int K, const float *A, int lda,
                       float *dst) {
  for (int pc = 0; pc < K; pc += f->kc) {
    int kc = K - pc < f->kc ? K - pc : f->kc;
    pack_a_block(f, transA, M, kc, A, lda, 0, pc, dst + (size_t)M * pc);
  }
}

/* One thread's product. Either B (packed here, block by block) or Bp (packed by
 * rc_sgemm_pack_b for a K-deep operand; points at the first panel used) is given.
 * Ap, if not NULL, is all of op(A) already packed by pack_a_all (only when M <= mc),
 * shared by the threads that split the columns. M, N > 0, K > 0 and alpha != 0 are the
 * caller's business. */
static void gemm_st(const family *f, int transA, int transB, int M, int N, int K,
                    float alpha, const float *A, int lda, const float *B, int ldb,
                    const float *Bp, const float *Ap, float beta, float *C, int ldc,
                    float *work) {
  float *abuf = work;
  float *bbuf = work + ALIGN_FLOATS((size_t)MC_MAX * RC_KC);
#ifdef RC_X86
  if (!Bp && transB && M <= DOT_MAX_M && f == &fam_avx512 &&
      (!transA || (size_t)M * K <= (size_t)MC_MAX * RC_KC)) {
    if (transA) { /* the few columns of A become contiguous rows */
      for (int i = 0; i < M; i++)
        for (int k = 0; k < K; k++) abuf[(size_t)i * K + k] = A[(size_t)k * lda + i];
      A = abuf, lda = K;
    }
    dot_avx512(M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    return;
  }
#endif
  const int NCb = Bp ? N : f->nc;
  for (int jc = 0; jc < N; jc += NCb) {
    int nc = N - jc < NCb ? N - jc : NCb;
    for (int pc = 0; pc < K; pc += f->kc) {
      int kc = K - pc < f->kc ? K - pc : f->kc;
      float beta_p = pc == 0 ? beta : 1.0f;
      const float *bpan;
      size_t bstride;
      if (!Bp && M <= f->mc) {
        /* One row block: each B panel is used by this block only, so pack it right
         * before use into an L1-sized slot instead of packing all kc x nc first and
         * reading it back from L2/L3 (for M = 32 that round trip cost as much as the
         * multiplication). */
        const float *ap = abuf;
        if (Ap)
          ap = Ap + (size_t)M * pc;
        else
          pack_a_block(f, transA, M, kc, A, lda, 0, pc, abuf);
        for (int jr = 0; jr < nc; jr += NR) {
          int n = nc - jr < NR ? nc - jr : NR;
          const float *src = transB ? B + (size_t)(jc + jr) * ldb + pc
                                    : B + (size_t)pc * ldb + (jc + jr);
          f->pack(transB, n, NR, kc, src, ldb, bbuf);
          float *cc = C + jc + jr;
          for (int ir = 0; ir < M; ir += f->mr) {
            int m = M - ir < f->mr ? M - ir : f->mr;
            f->kernel(m, n, kc, alpha, ap + (size_t)ir * kc, bbuf, beta_p,
                      cc + (size_t)ir * ldc, ldc);
          }
        }
        continue;
      }
      if (Bp) {
        bpan = Bp + (size_t)(jc / NR) * K * NR + (size_t)pc * NR;
        bstride = (size_t)K * NR;
      } else {
        pack_b_block(f, transB, kc, nc, B, ldb, pc, jc, bbuf, (size_t)kc * NR);
        bpan = bbuf;
        bstride = (size_t)kc * NR;
      }
      for (int ic = 0; ic < M; ic += f->mc) {
        int mc = M - ic < f->mc ? M - ic : f->mc;
        const float *ap = abuf;
        if (Ap && mc == M)
          ap = Ap + (size_t)M * pc;
        else
          pack_a_block(f, transA, mc, kc, A, lda, ic, pc, abuf);
        for (int jr = 0; jr < nc; jr += NR) {
          int n = nc - jr < NR ? nc - jr : NR;
          const float *b = bpan + (size_t)(jr / NR) * bstride;
          float *cc = C + (size_t)ic * ldc + jc + jr;
          for (int ir = 0; ir < mc; ir += f->mr) {
            int m = mc - ir < f->mr ? mc - ir : f->mr;
            f->kernel(m, n, kc, alpha, ap + (size_t)ir * kc, b, beta_p,
                      cc + (size_t)ir * ldc, ldc);
          }
        }
      }
    }
  }
}

/* Per-OS-thread work buffer for rc_sgemm: allocated on a thread's first multi-threaded
 * (or plain) call, kept for the thread's lifetime, freed by the key's destructor. */
static pthread_key_t work_key;
static pthread_once_t work_once = PTHREAD_ONCE_INIT;
static void work_key_init(void) { pthread_key_create(&work_key, rc_free); }
static float *thread_work(void) {
  pthread_once(&work_once, work_key_init);
  float *w = pthread_getspecific(work_key);
  if (!w) {
    w = rc_alloc(rc_sgemm_work_bytes());
    if (w) pthread_setspecific(work_key, w);
  }
  return w;
}

/* Per-OS-thread buffer for all of op(B), packed by the team before a row-split product
 * (see sgemm_dispatch); grown when a larger B comes, never shrunk or freed per call. */
typedef struct {
  float *p;
  size_t bytes;
} grow_buf;
static pthread_key_t bfull_key;
static pthread_once_t bfull_once = PTHREAD_ONCE_INIT;
static void bfull_free(void *b) {
  rc_free(((grow_buf *)b)->p);
  free(b);
}
static void bfull_key_init(void) { pthread_key_create(&bfull_key, bfull_free); }
static float *thread_bfull(size_t bytes) {
  pthread_once(&bfull_once, bfull_key_init);
  grow_buf *b = pthread_getspecific(bfull_key);
  if (!b) {
    if (!(b = calloc(1, sizeof *b))) return NULL;
    pthread_setspecific(bfull_key, b);
  }
  if (b->bytes < bytes) {
    rc_free(b->p);
    b->bytes = 0;
    if (!(b->p = rc_alloc(bytes))) return NULL;
    b->bytes = bytes;
  }
  return b->p;
}

void rc_sgemm_st(int transA, int transB, int M, int N, int K, float alpha,
                 const float *A, int lda, const float *B, int ldb, float beta, float *C,
                 int ldc, void *work) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0 || alpha == 0.0f) {
    scale_c(M, N, beta, C, ldc);
    return;
  }
  gemm_st(current_family(), transA, transB, M, N, K, alpha, A, lda, B, ldb, NULL, NULL,
          beta, C, ldc, work);
}

size_t rc_sgemm_packed_bytes(int K, int N) {
  size_t panels = (size_t)(N + NR - 1) / NR;
  size_t b = panels * NR * (size_t)(K > 0 ? K : 0) * sizeof(float);
  return b ? b : 64;
}

void rc_sgemm_pack_b(int transB, int K, int N, const float *B, int ldb, void *packed) {
  if (K <= 0 || N <= 0) return;
  pack_b_block(current_family(), transB, K, N, B, ldb, 0, 0, packed, (size_t)K * NR);
}

void rc_sgemm_packed_cols(int transA, int M, int N, int K, float alpha, const float *A,
                          int lda, const void *packed, int n0, int n1, float beta,
                          float *C, int ldc, void *work) {
  (void)N;
  if (M <= 0 || n1 <= n0) return;
  if (K <= 0 || alpha == 0.0f) {
    scale_c(M, n1 - n0, beta, C + n0, ldc);
    return;
  }
  const float *Bp = (const float *)packed + (size_t)(n0 / NR) * K * NR;
  gemm_st(current_family(), transA, 0, M, n1 - n0, K, alpha, A, lda, NULL, 0, Bp, NULL,
          beta, C + n0, ldc, work);
}

/* ============================== multi-threading ================================== */

typedef struct {
  const family *f;
  int transA, transB, M, N, K;
  float alpha, beta;
  const float *A, *B, *Bp;
  int lda, ldb, ldc;
  float *C;
  int split_m; /* 1: threads take row blocks of mr; 0: column panels of NR */
  const float *Ap; /* op(A) packed once for all threads (column split, M <= mc) */
  int chunks;      /* > 0: column chunks, a multiple of the threads, claimed below */
  atomic_uchar claimed[4 * 64];
} mt_args;

/* [u0, u1) of `units` for thread t of nt: contiguous, sizes differing by at most one. */
static void share(int units, int t, int nt, int *u0, int *u1) {
  *u0 = (int)((long long)units * t / nt);
  *u1 = (int)((long long)units * (t + 1) / nt);
}

/* Column panels [u0, u1) of the product. */
static void cols(const mt_args *a, int u0, int u1, float *work) {
  int j0 = u0 * NR, j1 = u1 * NR < a->N ? u1 * NR : a->N;
  if (j1 <= j0) return;
  const float *B = NULL, *Bp = NULL;
  if (a->Bp)
    Bp = a->Bp + (size_t)u0 * a->K * NR;
  else
    B = a->transB ? a->B + (size_t)j0 * a->ldb : a->B + j0;
  gemm_st(a->f, a->transA, a->transB, a->M, j1 - j0, a->K, a->alpha, a->A, a->lda, B,
          a->ldb, Bp, a->Ap, a->beta, a->C + j0, a->ldc, work);
}

static void mt_task(void *p, int tid, int nt) {
  const mt_args *a = p;
  float *work = thread_work();
  if (!work) return;
  int u0, u1;
  if (a->split_m) {
    int mr = a->f->mr, units = (a->M + mr - 1) / mr;
    share(units, tid, nt, &u0, &u1);
    int i0 = u0 * mr, i1 = u1 * mr < a->M ? u1 * mr : a->M;
    if (i1 <= i0) return;
    const float *A = a->transA ? a->A + i0 : a->A + (size_t)i0 * a->lda;
    gemm_st(a->f, a->transA, a->transB, i1 - i0, a->N, a->K, a->alpha, A, a->lda, a->B,
            a->ldb, a->Bp, NULL, a->beta, a->C + (size_t)i0 * a->ldc, a->ldc, work);
    return;
  }
  int units = (a->N + NR - 1) / NR;
  if (a->chunks) {
    /* Each thread first takes its own chunks, in order, so from call to call it reads
     * the same columns of B and finds them in its own L2; then it takes whatever chunks
     * of the others are still unclaimed, from their far end, so a descheduled or slow
     * thread (a shared machine) holds up at most the chunk it is in. */
    mt_args *w = (mt_args *)a;
    int per = a->chunks / nt;
    for (int o = 0; o < nt; o++) {
      int owner = (tid + o) % nt;
      for (int q = 0; q < per; q++) {
        int c = owner * per + (o == 0 ? q : per - 1 - q);
        if (atomic_exchange_explicit(&w->claimed[c], 1, memory_order_relaxed)) continue;
        share(units, c, a->chunks, &u0, &u1);
        cols(a, u0, u1, work);
      }
    }
    return;
  }
  share(units, tid, nt, &u0, &u1);
  cols(a, u0, u1, work);
}

/* Column panels [u0, u1) of op(B), all K rows, into the shared full-B buffer. */
typedef struct {
  const family *f;
  int transB, K, N, ldb;
  const float *B;
  float *dst;
} packb_args;

static void packb_task(void *p, int tid, int nt) {
  const packb_args *a = p;
  int u0, u1;
  share((a->N + NR - 1) / NR, tid, nt, &u0, &u1);
  int j0 = u0 * NR, j1 = u1 * NR < a->N ? u1 * NR : a->N;
  if (j1 > j0)
    pack_b_block(a->f, a->transB, a->K, j1 - j0, a->B, a->ldb, 0, j0,
                 a->dst + (size_t)u0 * a->K * NR, (size_t)a->K * NR);
}

/* Threads worth waking for this product (1 = stay on the caller). */
static int mt_threads(int M, int N, int K, int split_units) {
  if (rc_in_parallel()) return 1;
  int nt = rc_threads();
  if (nt <= 1) return 1;
  double flops = 2.0 * M * N * K;
  int want = (int)(flops / RC_MT_MIN_FLOPS);
  /* Few rows against a large B (batch 1: a few flops per B element) are bound by one
   * core's L2 bandwidth, not by flops: each thread streaming its own columns from its
   * own L2 pays well below the flop threshold (M = 1, K = 256, N = 1024, machine
   * quiet: 17 us on one thread, 8-11 us on two). */
  int by_bytes = (int)((double)K * N * sizeof(float) / RC_MT_MIN_BYTES);
  if (M <= 8 && by_bytes > want) want = by_bytes;
  if (want < nt) nt = want;
  if (split_units < nt) nt = split_units;
  return nt < 1 ? 1 : nt;
}

static void sgemm_dispatch(int transA, int transB, int M, int N, int K, float alpha,
                           const float *A, int lda, const float *B, int ldb,
                           const float *Bp, float beta, float *C, int ldc) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0 || alpha == 0.0f) {
    scale_c(M, N, beta, C, ldc);
    return;
  }
  const family *f = current_family();
  mt_args a = {f, transA, transB, M, N, K, alpha, beta, A, B, Bp, lda, ldb, ldc, C, 0,
               NULL, 0, {0}};
  int mu = (M + f->mr - 1) / f->mr, nu = (N + NR - 1) / NR;
  /* Which side to split, so that little or nothing is packed twice:
   * - A of one row block (M <= mc): columns; A is then packed once for everyone.
   * - else with a pre-packed B: rows; nothing is duplicated at all.
   * - else: the longer side; each thread packs all of the other operand, so the
   *   duplicated packing is the smaller one (rows on a tie: duplicating B's plain copy
   *   is cheaper than duplicating A's transpose).
   * Never split a side into fewer units than threads when the other side has enough. */
  int nt0 = rc_threads();
  if (M <= f->mc)
    a.split_m = 0;
  else if (Bp)
    a.split_m = 1;
  else
    a.split_m = M >= N;
  if (a.split_m && mu < nt0 && nu >= nt0) a.split_m = 0;
  if (!a.split_m && nu < nt0 && mu >= nt0) a.split_m = 1;
  int nt = mt_threads(M, N, K, a.split_m ? mu : nu);
  if (nt <= 1) {
    float *work = thread_work();
    if (work) {
      gemm_st(f, transA, transB, M, N, K, alpha, A, lda, B, ldb, Bp, NULL, beta, C, ldc,
              work);
      return;
    }
    /* Out of memory for the buffer: nothing sensible to do but leave C as is. */
    return;
  }
  /* Skinny products (one row block: the recurrent step) split the columns into a few
   * chunks per thread, claimed dynamically; A is packed once, here, into the caller's
   * buffer (read-only for all), instead of once per chunk. */
  int dot = 0;
#ifdef RC_X86
  dot = !Bp && transB && M <= DOT_MAX_M && f == &fam_avx512;
#endif
  if (!a.split_m && M <= f->mc && !dot && (size_t)M * K <= (size_t)MC_MAX * RC_KC) {
    float *work = thread_work();
    if (work) {
      pack_a_all(f, transA, M, K, A, lda, work);
      a.Ap = work;
      int per = nu / nt < 4 ? nu / nt : 4;
      a.chunks = per * nt;
      for (int c = 0; c < a.chunks; c++) atomic_init(&a.claimed[c], 0);
    }
  }
  /* Row split of a product whose B is not packed yet: rather than every thread packing
   * all of B for its rows, the team packs it once, each thread a share of the panels,
   * and then runs the pre-packed product (two fork-joins instead of a barrier). */
  if (a.split_m && !Bp) {
    float *bfull = thread_bfull(rc_sgemm_packed_bytes(K, N));
    if (bfull) {
      packb_args pb = {f, transB, K, N, ldb, B, bfull};
      rc_parallel_shares(packb_task, &pb, nt);
      a.Bp = bfull;
      a.B = NULL;
    }
  }
  rc_parallel_shares(mt_task, &a, nt);
}

void rc_sgemm(int transA, int transB, int M, int N, int K, float alpha, const float *A,
              int lda, const float *B, int ldb, float beta, float *C, int ldc) {
  sgemm_dispatch(transA, transB, M, N, K, alpha, A, lda, B, ldb, NULL, beta, C, ldc);
}

void rc_sgemm_packed(int transA, int M, int N, int K, float alpha, const float *A,
                     int lda, const void *packed, float beta, float *C, int ldc) {
  sgemm_dispatch(transA, 0, M, N, K, alpha, A, lda, NULL, 0, (const float *)packed, beta,
                 C, ldc);
}
