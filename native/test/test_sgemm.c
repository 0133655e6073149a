/*
 * Correctness tests for native/src/sgemm.c, isa.c and pool.c against a double-precision
 * triple loop. Built with a tiny multi-threading threshold (see the Makefile) so the
 * work-splitting code runs on small shapes too.
 *
 *   make -C native/test test
 */
#define _GNU_SOURCE
#include "../src/rc.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures, checks;

/* pool.c, internal (used by sgemm.c): the caller also runs shares not yet started. */
void rc_parallel_shares(rc_task fn, void *ctx, int nthreads);

/* xorshift: reproducible operands in [-1, 1). */
static unsigned long long rng = 88172645463325252ULL;
static float frand(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (float)((rng >> 40) * (1.0 / (1 << 24)) * 2.0 - 1.0);
}
static int irand(int n) {
  frand();
  return (int)((rng >> 33) % (unsigned long long)n);
}

#define SENTINEL 12345.0f

typedef struct {
  int tA, tB, M, N, K, lda, ldb, ldc;
  float alpha, beta;
  float *A, *B, *C0, *C;
} problem;

static void make(problem *p, int tA, int tB, int M, int N, int K, float alpha,
                 float beta, int pad) {
  p->tA = tA, p->tB = tB, p->M = M, p->N = N, p->K = K, p->alpha = alpha, p->beta = beta;
  int ar = tA ? K : M, ac = tA ? M : K, br = tB ? N : K, bc = tB ? K : N;
  p->lda = ac + (pad ? irand(5) : 0);
  p->ldb = bc + (pad ? irand(5) : 0);
  p->ldc = N + (pad ? 1 + irand(5) : 0);
  if (p->lda < 1) p->lda = 1;
  if (p->ldb < 1) p->ldb = 1;
  if (p->ldc < 1) p->ldc = 1;
  size_t na = (size_t)ar * p->lda + 1, nb = (size_t)br * p->ldb + 1,
         nc = (size_t)M * p->ldc + 1;
  p->A = malloc(na * 4), p->B = malloc(nb * 4);
  p->C0 = malloc(nc * 4), p->C = malloc(nc * 4);
  for (size_t i = 0; i < na; i++) p->A[i] = frand();
  for (size_t i = 0; i < nb; i++) p->B[i] = frand();
  for (size_t i = 0; i < nc; i++) p->C0[i] = SENTINEL;
  for (int i = 0; i < M; i++)
    for (int j = 0; j < N; j++)
      p->C0[(size_t)i * p->ldc + j] = beta == 0.0f ? NAN : frand();
}

static void reset(problem *p) {
  memcpy(p->C, p->C0, ((size_t)p->M * p->ldc + 1) * 4);
}

static void drop(problem *p) { free(p->A), free(p->B), free(p->C0), free(p->C); }

static float opA(const problem *p, int i, int k) {
  return p->tA ? p->A[(size_t)k * p->lda + i] : p->A[(size_t)i * p->lda + k];
}
static float opB(const problem *p, int k, int j) {
  return p->tB ? p->B[(size_t)j * p->ldb + k] : p->B[(size_t)k * p->ldb + j];
}

/* Checks C[:, n0:n1] against the reference and everything else against C0. */
static void check(const problem *p, int n0, int n1, const char *what) {
  double tol = 1e-5 * sqrt(p->K > 0 ? p->K : 1) + 1e-6;
  int bad = 0;
  for (int i = 0; i < p->M && bad < 3; i++)
    for (int j = 0; j < p->ldc && bad < 3; j++) {
      float got = p->C[(size_t)i * p->ldc + j], c0 = p->C0[(size_t)i * p->ldc + j];
      if (j < n0 || j >= n1) {
        if (!(got == c0 || (isnan(got) && isnan(c0)))) {
          printf("FAIL %s: C[%d][%d] outside the product changed (%g -> %g)\n", what, i,
                 j, c0, got);
          bad++;
        }
        continue;
      }
      double s = 0, mag = 0;
      for (int k = 0; k < p->K; k++) {
        double t = (double)opA(p, i, k) * opB(p, k, j);
        s += t, mag += fabs(t);
      }
      double ref = p->alpha * s, scale = fabs(p->alpha) * mag;
      if (p->beta != 0.0f) ref += (double)p->beta * c0, scale += fabs(p->beta * c0);
      if (!(fabs(got - ref) <= tol * scale + 1e-30)) {
        printf("FAIL %s: tA=%d tB=%d M=%d N=%d K=%d alpha=%g beta=%g lda=%d ldb=%d "
               "ldc=%d cols [%d,%d): C[%d][%d] = %.8g, expected %.8g\n",
               what, p->tA, p->tB, p->M, p->N, p->K, p->alpha, p->beta, p->lda, p->ldb,
               p->ldc, n0, n1, i, j, got, ref);
        bad++;
      }
    }
  for (int j = p->M * p->ldc; j < p->M * p->ldc + 1; j++)
    if (p->C[j] != SENTINEL) printf("FAIL %s: wrote past C\n", what), bad++;
  checks++;
  if (bad) failures++;
}

/* Every entry point on one problem. */
static void run_all(problem *p, void *work) {
  char what[64];
  snprintf(what, sizeof what, "rc_sgemm[%s,%dt]", rc_isa(), rc_threads());
  reset(p);
  rc_sgemm(p->tA, p->tB, p->M, p->N, p->K, p->alpha, p->A, p->lda, p->B, p->ldb,
           p->beta, p->C, p->ldc);
  check(p, 0, p->N, what);

  snprintf(what, sizeof what, "rc_sgemm_st[%s]", rc_isa());
  reset(p);
  rc_sgemm_st(p->tA, p->tB, p->M, p->N, p->K, p->alpha, p->A, p->lda, p->B, p->ldb,
              p->beta, p->C, p->ldc, work);
  check(p, 0, p->N, what);

  void *packed = rc_alloc(rc_sgemm_packed_bytes(p->K, p->N));
  /* Poison the packed buffer: padding must be written by the packer, not assumed. */
  memset(packed, 0xff, rc_sgemm_packed_bytes(p->K, p->N));
  rc_sgemm_pack_b(p->tB, p->K, p->N, p->B, p->ldb, packed);

  snprintf(what, sizeof what, "rc_sgemm_packed[%s,%dt]", rc_isa(), rc_threads());
  reset(p);
  rc_sgemm_packed(p->tA, p->M, p->N, p->K, p->alpha, p->A, p->lda, packed, p->beta,
                  p->C, p->ldc);
  check(p, 0, p->N, what);

  int nr = rc_sgemm_nr();
  snprintf(what, sizeof what, "rc_sgemm_packed_cols[%s]", rc_isa());
  for (int n0 = 0; n0 < p->N; n0 += nr) {
    /* n1: the end, and one short range (also not a multiple of nr) */
    int ends[2] = {p->N, n0 + 1 + irand(2 * nr)};
    for (int e = 0; e < 2; e++) {
      int n1 = ends[e] > p->N ? p->N : ends[e];
      reset(p);
      rc_sgemm_packed_cols(p->tA, p->M, p->N, p->K, p->alpha, p->A, p->lda, packed, n0,
                           n1, p->beta, p->C, p->ldc, work);
      check(p, n0, n1, what);
    }
  }
  rc_free(packed);
}

static const int sizes[] = {0, 1, 2, 3, 5, 7, 13, 15, 16, 17, 31, 33, 63, 65, 100, 127, 129, 257};
#define NSIZES (int)(sizeof sizes / sizeof *sizes)
static const float ab[][2] = {{1, 0}, {1, 1}, {0.5f, -1.5f}, {0, 2}, {-2, 0}, {1.25f, 1}, {0, 0}};
#define NAB (int)(sizeof ab / sizeof *ab)

static void sgemm_tests(void *work) {
  /* Every (M, N) pair over all transposes, K cycling through the sizes. */
  int kk = 0;
  for (int mi = 0; mi < NSIZES; mi++)
    for (int ni = 0; ni < NSIZES; ni++) {
      int M = sizes[mi], N = sizes[ni], K = sizes[kk++ % NSIZES];
      /* Keep the O(M N K) reference affordable: no 257^3 in every combination. */
      if ((long)M * N * K > 4000000) K = sizes[irand(10)];
      for (int t = 0; t < 4; t++) {
        const float *x = ab[irand(NAB)];
        problem p;
        make(&p, t & 1, t >> 1, M, N, K, x[0], x[1], irand(2));
        run_all(&p, work);
        drop(&p);
      }
    }
  /* Every K against a few awkward (M, N), crossing the KC block boundary (256). */
  for (int ki = 0; ki < NSIZES; ki++)
    for (int t = 0; t < 4; t++) {
      problem p;
      const float *x = ab[irand(NAB)];
      make(&p, t & 1, t >> 1, 17, 33, sizes[ki], x[0], x[1], 1);
      run_all(&p, work);
      drop(&p);
      make(&p, t & 1, t >> 1, 29, 65, sizes[ki] + 256, x[0], x[1], 1);
      run_all(&p, work);
      drop(&p);
    }
  /* The recurrent-network shapes. */
  static const int rnn[][5] = {/* M, N, K, tA, tB */
                               {32, 1024, 256, 0, 1},  {1, 1024, 256, 0, 1},
                               {32, 1024, 256, 0, 0},  {2048, 1024, 128, 0, 1},
                               {1024, 128, 2048, 1, 0}, {2048, 128, 1024, 0, 0},
                               {400, 600, 520, 1, 1}};
  for (int r = 0; r < (int)(sizeof rnn / sizeof *rnn); r++) {
    problem p;
    make(&p, rnn[r][3], rnn[r][4], rnn[r][0], rnn[r][1], rnn[r][2], 1.0f, 1.0f, 0);
    /* Only the plain and packed products: packed_cols over every n0 is covered above. */
    char what[64];
    snprintf(what, sizeof what, "rnn rc_sgemm[%s,%dt]", rc_isa(), rc_threads());
    reset(&p);
    rc_sgemm(p.tA, p.tB, p.M, p.N, p.K, 1.0f, p.A, p.lda, p.B, p.ldb, 1.0f, p.C, p.ldc);
    check(&p, 0, p.N, what);
    void *packed = rc_alloc(rc_sgemm_packed_bytes(p.K, p.N));
    rc_sgemm_pack_b(p.tB, p.K, p.N, p.B, p.ldb, packed);
    snprintf(what, sizeof what, "rnn rc_sgemm_packed[%s,%dt]", rc_isa(), rc_threads());
    reset(&p);
    rc_sgemm_packed(p.tA, p.M, p.N, p.K, 1.0f, p.A, p.lda, packed, 1.0f, p.C, p.ldc);
    check(&p, 0, p.N, what);
    rc_free(packed);
    drop(&p);
  }
}

/* ------------------------------------ pool -------------------------------------- */

static atomic_int hits[64];
static atomic_int bad_team;

static void count_task(void *ctx, int tid, int nt) {
  int want = *(int *)ctx;
  if (nt != want || !rc_in_parallel()) atomic_fetch_add(&bad_team, 1);
  atomic_fetch_add(&hits[tid], 1);
}

typedef struct {
  rc_barrier bar;
  int rounds;
  volatile int slots[64];
  atomic_int errors;
} bar_ctx;

/* Each round every thread writes its slot, waits, then checks all the others'. */
static void barrier_task(void *p, int tid, int nt) {
  bar_ctx *c = p;
  for (int r = 1; r <= c->rounds; r++) {
    c->slots[tid] = r;
    rc_barrier_wait(&c->bar);
    for (int t = 0; t < nt; t++)
      if (c->slots[t] < r) atomic_fetch_add(&c->errors, 1);
    rc_barrier_wait(&c->bar);
  }
}

static atomic_int nested_ok;
static void inner_task(void *p, int tid, int nt) {
  (void)p;
  if (tid == 0 && nt == 1) atomic_fetch_add(&nested_ok, 1);
}
static void outer_task(void *p, int tid, int nt) {
  (void)p, (void)tid, (void)nt;
  rc_parallel(inner_task, NULL, 2); /* must run inline, not deadlock */
}

static void *other_caller(void *p) {
  int n = *(int *)p;
  for (int i = 0; i < 20000; i++) {
    int one = rc_threads();
    (void)one;
    rc_parallel(outer_task, NULL, n);
  }
  return NULL;
}

static void pool_tests(void) {
  int fails0 = failures;
  for (int nt = 1; nt <= 4; nt++) {
    rc_set_threads(nt);
    if (rc_threads() != nt) printf("FAIL rc_set_threads(%d): rc_threads() = %d\n", nt, rc_threads()), failures++;
    for (int i = 0; i < 64; i++) atomic_store(&hits[i], 0);
    atomic_store(&bad_team, 0);
    const int calls = 100000;
    for (int i = 0; i < calls; i++) rc_parallel(count_task, &nt, nt);
    for (int t = 0; t < nt; t++)
      if (atomic_load(&hits[t]) != calls)
        printf("FAIL pool %d threads: tid %d ran %d of %d\n", nt, t, atomic_load(&hits[t]), calls), failures++;
    if (atomic_load(&bad_team)) printf("FAIL pool: wrong team size\n"), failures++;

    /* shares: every tid's share runs exactly once, whoever runs it; an idle gap in
     * between lets the worker fall asleep so the caller takes its share sometimes */
    for (int i = 0; i < 64; i++) atomic_store(&hits[i], 0);
    atomic_store(&bad_team, 0);
    for (int i = 0; i < 20000; i++) {
      rc_parallel_shares(count_task, &nt, nt);
      if (i % 1000 == 0) usleep(200);
    }
    for (int t = 0; t < nt; t++)
      if (atomic_load(&hits[t]) != 20000)
        printf("FAIL shares %d threads: tid %d ran %d times\n", nt, t, atomic_load(&hits[t])), failures++;

    /* asking for more threads than the pool has gets the pool */
    int want = nt;
    for (int i = 0; i < 64; i++) atomic_store(&hits[i], 0);
    for (int i = 0; i < 1000; i++) rc_parallel(count_task, &want, 16);
    if (atomic_load(&hits[0]) != 1000) printf("FAIL pool: oversized request\n"), failures++;

    bar_ctx bc = {.rounds = 20000};
    rc_barrier_init(&bc.bar, nt);
    atomic_init(&bc.errors, 0);
    rc_parallel(barrier_task, &bc, nt);
    if (atomic_load(&bc.errors)) printf("FAIL barrier %d threads: %d errors\n", nt, atomic_load(&bc.errors)), failures++;

    /* a barrier sized for more threads than the team must not hang */
    bc.rounds = 10;
    rc_barrier_init(&bc.bar, nt + 3);
    rc_parallel(barrier_task, &bc, nt + 3);

    atomic_store(&nested_ok, 0);
    rc_parallel(outer_task, NULL, nt);
    if (atomic_load(&nested_ok) != nt) printf("FAIL nested rc_parallel (%d threads)\n", nt), failures++;
  }
  /* Two OS threads calling at once: one gets the pool, the other runs inline. */
  rc_set_threads(2);
  int two = 2;
  pthread_t th;
  pthread_create(&th, NULL, other_caller, &two);
  other_caller(&two);
  pthread_join(th, NULL);
  /* Resizing back and forth must not leak threads (checked in /proc below). */
  for (int i = 0; i < 200; i++) {
    rc_set_threads(1 + i % 4);
    int n = rc_threads();
    rc_parallel(count_task, &n, n);
  }
  rc_set_threads(2);
  int n2 = 2;
  rc_parallel(count_task, &n2, 2);
  FILE *f = fopen("/proc/self/status", "r");
  if (f) {
    char line[256];
    while (fgets(line, sizeof line, f))
      if (!strncmp(line, "Threads:", 8)) {
        int th_count = atoi(line + 8);
        /* main + one worker (+ nothing else) */
        if (th_count != 2) printf("FAIL pool: %d OS threads alive, expected 2\n", th_count), failures++;
      }
    fclose(f);
  }
  checks++;
  printf("pool: %s\n", failures == fails0 ? "ok" : "FAILED");
}

int main(int argc, char **argv) {
  void *work = rc_alloc(rc_sgemm_work_bytes());
  printf("default isa %s, threads %d, nr %d, work %zu bytes\n", rc_isa(), rc_threads(),
         rc_sgemm_nr(), rc_sgemm_work_bytes());
  pool_tests();
  if (argc > 1 && !strcmp(argv[1], "pool")) return failures != 0; /* pool only */
  static const char *isas[] = {"avx512", "avx2", "generic"};
  for (int i = 0; i < 3; i++) {
    if (!rc_force_isa(isas[i])) {
      printf("%s: not available on this CPU, skipped\n", isas[i]);
      continue;
    }
    for (int t = 1; t <= 2; t++) {
      rc_set_threads(t);
      int f0 = failures, c0 = checks;
      sgemm_tests(work);
      printf("sgemm %s, %d thread%s: %d checks, %s\n", rc_isa(), t, t > 1 ? "s" : "",
             checks - c0, failures == f0 ? "ok" : "FAILED");
    }
  }
  if (rc_force_isa("bogus")) printf("FAIL rc_force_isa accepted a bogus name\n"), failures++;
  rc_free(work);
  printf("%s: %d of %d checks failed\n", failures ? "FAILED" : "PASSED", failures, checks);
  return failures != 0;
}
