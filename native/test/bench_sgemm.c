/*
 * GFLOP/s of rc_sgemm (and rc_sgemm_packed) against OpenBLAS's cblas_sgemm, same
 * process, same operands, interleaved: each repetition times one batch of ours and then
 * one batch of OpenBLAS, and the table reports the medians over repetitions. A batch
 * repeats the call until it lasts ~20 ms, so microsecond-sized products are timed too.
 *
 * OpenBLAS's idle workers busy-wait for ~0.1 s after a call (THREAD_TIMEOUT 2^28
 * cycles); left alone they would steal the second core from our next batch on a 2-core
 * machine, so the bench sleeps 150 ms after each multi-threaded OpenBLAS batch. Our
 * workers spin 50 us, then sleep.
 *
 *   make -C native/test bench [BENCH_ARGS="reps [case-substring [threads]]"]
 *   make -C native/test threshold    1 vs 2 threads on small squares
 */
#define _GNU_SOURCE
#include "../src/rc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* OpenBLAS's CBLAS, declared here so no particular cblas.h is needed. */
enum { RowMajor = 101, NoTrans = 111, Trans = 112 };
void cblas_sgemm(int order, int transA, int transB, int M, int N, int K, float alpha,
                 const float *A, int lda, const float *B, int ldb, float beta, float *C,
                 int ldc);
void openblas_set_num_threads(int n);
char *openblas_get_config(void);

typedef struct {
  const char *name;
  int tA, tB, M, N, K;
  float beta;
  int packed; /* 1: ours via rc_sgemm_pack_b once + rc_sgemm_packed per call */
} bench_case;

static const bench_case cases[] = {
    {"square 256", 0, 0, 256, 256, 256, 0, 0},
    {"square 512", 0, 0, 512, 512, 512, 0, 0},
    {"square 1024", 0, 0, 1024, 1024, 1024, 0, 0},
    {"lstm step B32 H256 (tB)", 0, 1, 32, 1024, 256, 1, 0},
    {"lstm step B32 H256 packed", 0, 1, 32, 1024, 256, 1, 1},
    {"lstm step B1 H256 (tB)", 0, 1, 1, 1024, 256, 1, 0},
    {"lstm step B1 H256 packed", 0, 1, 1, 1024, 256, 1, 1},
    {"input proj 2048x1024x128 (tB)", 0, 1, 2048, 1024, 128, 0, 0},
    {"dW 1024x128x2048 (tA)", 1, 0, 1024, 128, 2048, 1, 0},
    {"dX 2048x128x1024", 0, 0, 2048, 128, 1024, 0, 0},
    {"big 6400x2048x512 (tB)", 0, 1, 6400, 2048, 512, 0, 0},
};

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

typedef struct {
  const bench_case *c;
  float *A, *B, *C;
  void *packed;
  int lda, ldb, ldc;
} operands;

static void ours(const operands *o) {
  const bench_case *c = o->c;
  if (c->packed)
    rc_sgemm_packed(c->tA, c->M, c->N, c->K, 1.0f, o->A, o->lda, o->packed, c->beta, o->C,
                    o->ldc);
  else
    rc_sgemm(c->tA, c->tB, c->M, c->N, c->K, 1.0f, o->A, o->lda, o->B, o->ldb, c->beta,
             o->C, o->ldc);
}

static void theirs(const operands *o) {
  const bench_case *c = o->c;
  cblas_sgemm(RowMajor, c->tA ? Trans : NoTrans, c->tB ? Trans : NoTrans, c->M, c->N, c->K,
              1.0f, o->A, o->lda, o->B, o->ldb, c->beta, o->C, o->ldc);
}

static double batch(void (*fn)(const operands *), const operands *o, int iters) {
  double t0 = now();
  for (int i = 0; i < iters; i++) fn(o);
  return now() - t0;
}

/* Where two threads start to beat one: square products, back to back (the worker
 * still spinning, as in a training loop). Only meaningful in the bench_threshold build,
 * whose RC_MT_MIN_FLOPS = 1 lets rc_sgemm split whatever it is given. */
static int threshold_mode(int reps) {
  static const int ns[] = {24, 32, 40, 48, 64, 80, 96, 128, 160, 192, 256};
  printf("%6s %12s %9s %9s %7s\n", "n", "2n^3 flops", "1 thr", "2 thr", "2t/1t");
  for (size_t s = 0; s < sizeof ns / sizeof *ns; s++) {
    int n = ns[s];
    bench_case c = {"sq", 0, 0, n, n, n, 0, 0};
    operands o = {&c, rc_alloc((size_t)n * n * 4), rc_alloc((size_t)n * n * 4),
                  rc_alloc((size_t)n * n * 4), 0, n, n, n};
    for (int i = 0; i < n * n; i++) o.A[i] = o.B[i] = 0.5f, o.C[i] = 0;
    double flops = 2.0 * n * n * n, g[2][64];
    int iters = (int)(0.02 / (flops / 50e9)) + 1, nr = reps > 64 ? 64 : reps;
    /* One thread: rc_sgemm_st, so the pool keeps its (spinning) worker throughout. */
    rc_set_threads(2);
    static void *work;
    if (!work) work = rc_alloc(rc_sgemm_work_bytes());
    for (int r = 0; r < nr; r++) {
      double t0 = now();
      for (int i = 0; i < iters; i++)
        rc_sgemm_st(0, 0, n, n, n, 1.0f, o.A, n, o.B, n, 0.0f, o.C, n, work);
      g[0][r] = flops * iters / (now() - t0) * 1e-9;
      g[1][r] = flops * iters / batch(ours, &o, iters) * 1e-9;
    }
    qsort(g[0], nr, sizeof(double), cmp_double);
    qsort(g[1], nr, sizeof(double), cmp_double);
    printf("%6d %12.0f %9.1f %9.1f %6.0f%%\n", n, flops, g[0][nr / 2], g[1][nr / 2],
           100 * g[1][nr / 2] / g[0][nr / 2]);
    rc_free(o.A), rc_free(o.B), rc_free(o.C);
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc > 1 && !strcmp(argv[1], "threshold")) return threshold_mode(argc > 2 ? atoi(argv[2]) : 9);
  int reps = argc > 1 ? atoi(argv[1]) : 9;
  const char *only = argc > 2 && *argv[2] ? argv[2] : NULL;
  int tfirst = 1, tlast = 2; /* argv[3]: only this thread count */
  if (argc > 3) tfirst = tlast = atoi(argv[3]);
  if (reps < 1) reps = 1;
  printf("isa %s, OpenBLAS %s\n", rc_isa(), openblas_get_config());
  printf("%-32s %3s %9s %9s %7s\n", "case (M x N x K)", "thr", "ours", "openblas",
         "ratio");
  for (size_t ci = 0; ci < sizeof cases / sizeof *cases; ci++) {
    const bench_case *c = &cases[ci];
    if (only && !strstr(c->name, only)) continue;
    operands o = {c, 0, 0, 0, 0, 0, 0, 0};
    int ar = c->tA ? c->K : c->M, br = c->tB ? c->N : c->K;
    o.lda = c->tA ? c->M : c->K;
    o.ldb = c->tB ? c->K : c->N;
    o.ldc = c->N;
    o.A = rc_alloc((size_t)ar * o.lda * 4);
    o.B = rc_alloc((size_t)br * o.ldb * 4);
    o.C = rc_alloc((size_t)c->M * o.ldc * 4);
    for (size_t i = 0; i < (size_t)ar * o.lda; i++) o.A[i] = (float)rand() / RAND_MAX - 0.5f;
    for (size_t i = 0; i < (size_t)br * o.ldb; i++) o.B[i] = (float)rand() / RAND_MAX - 0.5f;
    memset(o.C, 0, (size_t)c->M * o.ldc * 4);
    if (c->packed) {
      o.packed = rc_alloc(rc_sgemm_packed_bytes(c->K, c->N));
      rc_sgemm_pack_b(c->tB, c->K, c->N, o.B, o.ldb, o.packed);
    }
    double flops = 2.0 * c->M * c->N * c->K;
    for (int t = tfirst; t <= tlast; t++) {
      rc_set_threads(t);
      openblas_set_num_threads(t);
      /* Warm up both and size the batch to ~20 ms of the faster one. */
      ours(&o), theirs(&o);
      double t1 = batch(ours, &o, 3) / 3, t2 = batch(theirs, &o, 3) / 3;
      double tmin = t1 < t2 ? t1 : t2;
      int iters = (int)(0.02 / tmin) + 1;
      double g1[64], g2[64];
      int n = reps > 64 ? 64 : reps;
      for (int r = 0; r < n; r++) {
        g1[r] = flops * iters / batch(ours, &o, iters) * 1e-9;
        g2[r] = flops * iters / batch(theirs, &o, iters) * 1e-9;
        if (t > 1) usleep(150000);
      }
      qsort(g1, n, sizeof *g1, cmp_double);
      qsort(g2, n, sizeof *g2, cmp_double);
      double m1 = g1[n / 2], m2 = g2[n / 2];
      char label[64];
      snprintf(label, sizeof label, "%s", c->name);
      printf("%-32s %3d %9.1f %9.1f %6.0f%%\n", label, t, m1, m2, 100.0 * m1 / m2);
      fflush(stdout);
    }
    rc_free(o.A), rc_free(o.B), rc_free(o.C), rc_free(o.packed);
  }
  return 0;
}
