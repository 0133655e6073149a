/* Times the fused sequence forwards on the benchmark shapes (bench/workloads.ts), without
 * Node in the way: ms per call, median of many. For tuning seq.c.
 *   make -C native/test bench_seq && ./native/test/bench_seq [threads] [B] [T] [I] [H] [save] */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "../src/rc.h"
#include "../src/seq.h"
#ifdef RC_SEQ_PROF
extern unsigned long long rc_prof[64][4];
#endif

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}
static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}
static float *rnd(size_t n, float s) {
  float *p = malloc(n * sizeof *p);
  for (size_t i = 0; i < n; i++) p[i] = s * ((float)rand() / RAND_MAX * 2 - 1);
  return p;
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 2;
  int B = argc > 2 ? atoi(argv[2]) : 32, T = argc > 3 ? atoi(argv[3]) : 64;
  int I = argc > 4 ? atoi(argv[4]) : 128, H = argc > 5 ? atoi(argv[5]) : 256;
  int save = argc > 6 ? atoi(argv[6]) : 0; /* 1: save the gates (training), 0: inference */
  rc_set_threads(threads);
  float *x = rnd((size_t)T * B * I, 1), *h0 = rnd((size_t)B * H, 0.5f), *c0 = rnd((size_t)B * H, 0.5f);
  float *wIH = rnd((size_t)4 * H * I, 0.06f), *wHH = rnd((size_t)4 * H * H, 0.06f);
  float *bIH = rnd(4 * H, 0.06f), *bHH = rnd(4 * H, 0.06f);
  float *hs = rnd((size_t)T * B * H, 0), *cs = rnd((size_t)T * B * H, 0);
  float *gates = rnd((size_t)T * B * 4 * H, 0), *ghn = rnd((size_t)T * B * H, 0);
  enum { N = 300 };
  double t[N];
  for (int kind = 0; kind < 2; kind++) {
    for (int rep = 0; rep < 3; rep++) {
      for (int i = 0; i < N; i++) {
        double t0 = now_ms();
        if (kind == 0) rc_lstm_forward(hs, cs, gates, x, h0, c0, wIH, wHH, bIH, bHH, NULL, T, B, I, H, save);
        else rc_gru_forward(hs, gates, ghn, x, h0, wIH, wHH, bIH, bHH, NULL, T, B, I, H);
        t[i] = now_ms() - t0;
      }
      qsort(t, N, sizeof *t, cmp);
#ifdef RC_SEQ_PROF
      if (kind == 0) {
        for (int th = 0; th < threads; th++) {
          printf("  thread %d: input %.3f  product %.3f  epilogue %.3f  wait %.3f ms/call (at 2.8 GHz)\n", th,
                 rc_prof[th][0] / 2.8e6 / N, rc_prof[th][1] / 2.8e6 / N, rc_prof[th][2] / 2.8e6 / N, rc_prof[th][3] / 2.8e6 / N);
          for (int q = 0; q < 4; q++) rc_prof[th][q] = 0;
        }
      }
#endif
      printf("%s forward T=%d B=%d I=%d H=%d, %d threads (%s): median %.3f ms, min %.3f p10 %.3f p25 %.3f p75 %.3f\n",
             kind ? "gru " : "lstm", T, B, I, H, threads, rc_isa(), t[N / 2], t[0], t[N / 10], t[N / 4], t[3 * N / 4]);
    }
  }
  return 0;
}
