/*
 * recurrent native kernels: the C interface shared by the addon (addon.c), the fused
 * recurrent sequence loops (lstm.c, gru.c, rnn.c), the sgemm (sgemm.c) and the thread
 * pool (pool.c). All matrices are row-major float32; sizes and strides in elements.
 * Nothing here validates arguments: the addon does, once, before any pointer is touched.
 */
#ifndef RC_H
#define RC_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- CPU features, chosen once at load ------------------------------------------- */

/* "avx512", "avx2" or "generic": the kernels in use (after rc_init / rc_force_isa). */
const char *rc_isa(void);
/* Forces a kernel family ("avx512", "avx2", "generic"); returns 0 if this CPU lacks it. */
int rc_force_isa(const char *isa);

/* ---- thread pool (pool.c) ---------------------------------------------------------- */

/* Threads that run kernels, the caller included (1 = no workers). Workers are created
 * once and reused (never respawned per call); rc_set_threads(n) resizes the pool. */
int rc_threads(void);
void rc_set_threads(int n);

/* Flush-to-zero mode (as torch.set_flush_denormal): when on, every kernel runs with
 * subnormal float inputs read as zero and subnormal results written as zero (x86: the
 * MXCSR DAZ and FTZ bits, set on entry and restored on exit, in the caller and in the
 * workers), which removes the 10-100x slowdown of arithmetic on subnormals. Off by
 * default (IEEE arithmetic). rc_set_flush_denormal returns 0 where unsupported. */
int rc_set_flush_denormal(int on);
int rc_flush_denormal(void);
/* Enter/leave a kernel: applies the mode above to this thread; returns/takes the thread's
 * previous floating-point control state. */
unsigned rc_fp_enter(void);
void rc_fp_leave(unsigned saved);

/* Runs fn(ctx, tid, nthreads) on min(nthreads, rc_threads()) threads — the caller is
 * tid 0 — and returns when every one has returned. nthreads <= 1 runs fn inline.
 * Not reentrant: fn must not call rc_parallel (kernels check rc_in_parallel()). */
typedef void (*rc_task)(void *ctx, int tid, int nthreads);
void rc_parallel(rc_task fn, void *ctx, int nthreads);
int rc_in_parallel(void);

/* A barrier among the nthreads threads of one rc_parallel call (spins briefly, then
 * yields). Initialise with rc_barrier_init(&b, nthreads) before rc_parallel. */
typedef struct {
  volatile int count;
  volatile int phase;
  int n;
} rc_barrier;
void rc_barrier_init(rc_barrier *b, int n);
void rc_barrier_wait(rc_barrier *b);

/* ---- sgemm (sgemm.c) --------------------------------------------------------------- */

/* C = alpha·op(A)·op(B) + beta·C; op(A) is M×K, op(B) is K×N, C is M×N.
 * beta == 0 ignores C's contents (NaN included). Multi-threaded over the pool when the
 * product is large enough; single-threaded when called inside rc_parallel. */
void rc_sgemm(int transA, int transB, int M, int N, int K, float alpha,
              const float *A, int lda, const float *B, int ldb,
              float beta, float *C, int ldc);

/* Same, never multi-threaded (for use inside a task). work: rc_sgemm_work_bytes()
 * bytes, 64-byte aligned, private to the calling thread. */
void rc_sgemm_st(int transA, int transB, int M, int N, int K, float alpha,
                 const float *A, int lda, const float *B, int ldb,
                 float beta, float *C, int ldc, void *work);
size_t rc_sgemm_work_bytes(void);

/* A B operand packed once and reused by many products (the recurrent weights across
 * time steps). The packed layout is private to sgemm.c; its column panels are
 * rc_sgemm_nr() wide. */
int rc_sgemm_nr(void);
size_t rc_sgemm_packed_bytes(int K, int N);
void rc_sgemm_pack_b(int transB, int K, int N, const float *B, int ldb, void *packed);

/* Columns [n0, n1) of C = alpha·op(A)·Bp + beta·C, where Bp = op(B) packed (K×N) by
 * rc_sgemm_pack_b; n0 is a multiple of rc_sgemm_nr() (n1 may be N). Single-threaded;
 * C points at column 0 of C. work as for rc_sgemm_st. */
void rc_sgemm_packed_cols(int transA, int M, int N, int K, float alpha,
                          const float *A, int lda, const void *packed, int n0, int n1,
                          float beta, float *C, int ldc, void *work);

/* Multi-threaded over the pool (splits the columns): C = alpha·op(A)·Bp + beta·C. */
void rc_sgemm_packed(int transA, int M, int N, int K, float alpha,
                     const float *A, int lda, const void *packed,
                     float beta, float *C, int ldc);

/* 64-byte aligned allocation (free with rc_free); NULL on failure. */
void *rc_alloc(size_t bytes);
void rc_free(void *p);

#ifdef __cplusplus
}
#endif
#endif
