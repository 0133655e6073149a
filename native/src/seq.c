/*
 * Fused recurrent kernels: one call runs a whole sequence (one layer, one direction),
 * forward or backward, with the semantics of src/kernels/recurrent/{lstm,gru,rnn}.ts.
 *
 * Design (NG gates per hidden unit, G = NG·H):
 *  - The recurrence runs inside ONE rc_parallel call for the whole sequence. The hidden
 *    units are split among the threads in blocks of nb = rc_sgemm_nr() units; a thread owns
 *    its units for every gate. The weights are packed once per call with their rows
 *    permuted so that a range's gate columns are contiguous (block of units u0…u0+w: the w
 *    rows of gate 0, then of gate 1, …), so each step is, per range, one gemm over its own
 *    columns of the packed weights (hot in that core's cache across steps) followed by the
 *    gate nonlinearities and the cell update of its units on the gemm's output while it is
 *    still in cache (the epilogue). Steps are phases of a scheduler (sched_run) in which
 *    each range is claimed once; step t+1 starts when every range of step t is done.
 *  - LSTM forward: the input side is computed by chunks of steps into a ring of
 *    pre-activation tiles (see the LSTM forward section); the gates are written only when
 *    saved for backward. GRU and RNN forwards: the input side of all steps is one
 *    multi-threaded gemm into `gates` before the loop; with a batch ≤ 4 on AVX-512 the step
 *    product is dot products on W_hh's rows.
 *  - Backward: per step, the pointwise gate gradients of the thread's units, then
 *    ∂L/∂h_{t−1} for the thread's units (columns of W_hh, packed once); the weight
 *    gradients are batched over all steps into large gemms after the loop.
 * No allocation per step: the scratch is a grow-only arena (rc_seq_scratch_bytes).
 * The addon serialises calls (one at a time per process), so the arena needs no lock.
 */
#include "seq.h"
#include "rc.h"
#include "vmath.h"

#include <stdlib.h>
#include <string.h>

#define MAX_THREADS 64

/* -DRC_SEQ_PROF: cycles per thread in each part of the LSTM forward (native/test/bench_seq). */
#ifdef RC_SEQ_PROF
#include <x86intrin.h>
unsigned long long rc_prof[MAX_THREADS][4]; /* input chunk, step product, epilogue, waiting */
#define PROF_T(v) unsigned long long v = __rdtsc()
#define PROF_ADD(tid, i, t0) (rc_prof[tid][i] += __rdtsc() - (t0))
#else
#define PROF_T(v) (void)0
#define PROF_ADD(tid, i, t0) (void)0
#endif

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
/* Pointwise loops without calls: let GCC build AVX-512/AVX2 clones chosen at load time. */
#define CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define CLONES
#endif

/* ---- scratch arena ------------------------------------------------------------------ */

static char *arena = NULL;
static size_t arenaCap = 0;

size_t rc_seq_scratch_bytes(void) { return arenaCap; }

/* Reserves `bytes` (64-byte aligned pieces handed out by carve); returns 0 when out of memory. */
static int arena_reserve(size_t bytes) {
  if (bytes <= arenaCap) return 1;
  void *p = rc_alloc(bytes);
  if (!p) return 0;
  rc_free(arena);
  arena = p;
  arenaCap = bytes;
  return 1;
}

static size_t up64(size_t n) { return (n + 63) & ~(size_t)63; }

typedef struct {
  size_t used;
} carver;

static void *carve(carver *c, size_t bytes) {
  void *p = arena + c->used;
  c->used += up64(bytes);
  if (c->used > arenaCap) abort(); /* a reservation that does not match the carving: a bug here, never input */
  return p;
}

/* ---- partition of the hidden units among threads ------------------------------------ */

typedef struct {
  int n;                 /* threads */
  int nb;                /* block of units (a multiple of the gemm's panel width) */
  int u0[MAX_THREADS];   /* first unit of each thread (a multiple of nb) */
  int u1[MAX_THREADS];   /* one past its last unit */
} split;

/* Multiply-adds of one step below which a single thread is faster (a barrier per step
 * costs about a microsecond). */
#define PARALLEL_STEP_MACS (48 * 1024)

static void make_split(split *s, int H, int stepMacs) {
  int nb = rc_sgemm_nr();
  int blocks = (H + nb - 1) / nb;
  int n = rc_threads();
  if (n > MAX_THREADS) n = MAX_THREADS;
  if (n > blocks) n = blocks;
  if (stepMacs < PARALLEL_STEP_MACS || rc_in_parallel()) n = 1;
  if (n < 1) n = 1;
  s->n = n;
  s->nb = nb;
  for (int t = 0; t < n; t++) {
    int b0 = (int)((long)blocks * t / n), b1 = (int)((long)blocks * (t + 1) / n);
    s->u0[t] = b0 * nb < H ? b0 * nb : H;
    s->u1[t] = b1 * nb < H ? b1 * nb : H;
  }
}

/* ---- step scheduling ---------------------------------------------------------------------
 * The recurrence is a chain of phases (a time step forward; in backward a step's matrix
 * product followed by the previous step's gate gradients), each split into the ranges of
 * hidden units of the split. A phase may start once every range of the previous phase is
 * done. Each thread first claims its own range — so a range normally stays on the same
 * core, its slice of the packed weights hot in that core's cache — then any range nobody
 * has claimed yet: a descheduled thread (a busy machine) does not stall the others, whose
 * threads do its share instead of waiting at a barrier. A range is claimed by one atomic
 * compare-and-swap of its last claimed phase, so it runs exactly once per phase. */

#include <sched.h>
#include <stdatomic.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define cpu_relax() _mm_pause()
#else
#define cpu_relax() ((void)0)
#endif

typedef void (*phase_fn)(void *ctx, int phase, int range, int tid);

typedef struct {
  atomic_int claimed[MAX_THREADS]; /* last phase claimed, per range */
  atomic_int ready[MAX_THREADS];   /* last phase whose `after` work is done, per range */
  atomic_long completed;           /* ranges completed, all phases */
  int nranges, nphases;
  phase_fn after; /* or NULL: work of a range that the next phase of the OTHER ranges does not wait for */
} sched_t;

static void sched_init(sched_t *s, int nranges, int nphases, phase_fn after) {
  for (int r = 0; r < nranges; r++) atomic_init(&s->claimed[r], -1), atomic_init(&s->ready[r], -1);
  atomic_init(&s->completed, 0);
  s->nranges = nranges;
  s->nphases = nphases;
  s->after = after;
}

/* A range's `after` work of phase ph runs once the range counts as completed (the other
 * ranges may go on to phase ph+1), and the range itself is claimable for ph+1 only once it
 * is done (its thread does it before looking for the next phase, so normally it keeps it). */
static void sched_run(sched_t *s, phase_fn fn, void *ctx, int tid) {
  const int n = s->nranges;
  for (int ph = 0; ph < s->nphases; ph++) {
    const long need = (long)ph * n;
    PROF_T(w0);
    for (int i = 0; atomic_load_explicit(&s->completed, memory_order_acquire) < need; i++) {
      if (i < 2000) cpu_relax();
      else sched_yield();
    }
    PROF_ADD(tid, 3, w0);
    for (int k = 0; k < n; k++) {
      int r = (tid + k) % n;
      int expect = ph - 1;
      if (atomic_load_explicit(&s->claimed[r], memory_order_relaxed) != expect) continue;
      if (s->after && atomic_load_explicit(&s->ready[r], memory_order_acquire) != expect) continue;
      if (!atomic_compare_exchange_strong(&s->claimed[r], &expect, ph)) continue;
      fn(ctx, ph, r, tid);
      atomic_fetch_add_explicit(&s->completed, 1, memory_order_acq_rel);
      if (s->after) {
        s->after(ctx, ph, r, tid);
        atomic_store_explicit(&s->ready[r], ph, memory_order_release);
      }
    }
  }
}

/* Rows of W (G×K, gate-major: row g·H + u) permuted so that block [ua, ua+w) of units
 * has its NG·w rows together: row NG·ua + g·w + k ← row g·H + ua + k. */
static void permute_rows(float *dst, const float *W, int NG, int H, int K, int nb) {
  for (int ua = 0; ua < H; ua += nb) {
    int w = H - ua < nb ? H - ua : nb;
    for (int g = 0; g < NG; g++)
      for (int k = 0; k < w; k++)
        memcpy(dst + (size_t)(NG * ua + g * w + k) * K, W + (size_t)(g * H + ua + k) * K, (size_t)K * sizeof(float));
  }
}

static inline int active(const int32_t *len, int b, int t) { return len == NULL || t < len[b]; }

/* seg[k] = (seg[k] + b1[k]) + b2[k] (either may be NULL): the input-side biases of one row's
 * units, added in the step's phase while the row is in cache (in the order of addBiasRows in
 * kernels/recurrent/common.ts, without a pass over all T·B rows). */
CLONES static void bias_seg(float *seg, const float *b1, const float *b2, int w) {
  if (b1 && b2)
    for (int k = 0; k < w; k++) seg[k] = (seg[k] + b1[k]) + b2[k];
  else if (b1 || b2) {
    const float *b = b1 ? b1 : b2;
    for (int k = 0; k < w; k++) seg[k] += b[k];
  }
}

/* db[j] += Σ_r d[r, j], float64 accumulators (as colSumAcc in common.ts). */
static void col_sum_acc(float *db, const float *d, long rows, int G, double *acc) {
  memset(acc, 0, (size_t)G * sizeof(double));
  for (long r = 0; r < rows; r++) {
    const float *o = d + r * G;
    for (int j = 0; j < G; j++) acc[j] += o[j];
  }
  for (int j = 0; j < G; j++) db[j] = (float)((double)db[j] + acc[j]);
}

/* db1[j] += Σ_r d[r, j] and db2[j] += the same sum (both biases of a gate get the same
 * gradient): one pass over d. Either may be NULL. */
static void col_sum2(float *db1, float *db2, const float *d, long rows, int G, double *acc) {
  if (!db1 && !db2) return;
  memset(acc, 0, (size_t)G * sizeof(double));
  for (long r = 0; r < rows; r++) {
    const float *o = d + r * G;
    for (int j = 0; j < G; j++) acc[j] += o[j];
  }
  for (int j = 0; j < G; j++) {
    if (db1) db1[j] = (float)((double)db1[j] + acc[j]);
    if (db2) db2[j] = (float)((double)db2[j] + acc[j]);
  }
}

CLONES static void add_into(float *dst, const float *src, int n) {
  for (int i = 0; i < n; i++) dst[i] += src[i];
}

/* Columns [n0, n1) of tile = h·Wᵀ for one step. With a handful of rows (batch ≤ 4) on
 * AVX-512 each column is a dot product of contiguous rows of W (no packing, B read once
 * per step with independent accumulators); otherwise the weights packed once per call. */
static void step_product(int dot, int B, int G, int K, const float *h, const float *rows, const void *packed,
                         int n0, int n1, float *tile, void *work) {
  if (dot) rc_sgemm_st(0, 1, B, n1 - n0, K, 1.0f, h, K, rows + (size_t)n0 * K, K, 0.0f, tile + n0, G, work);
  else rc_sgemm_packed_cols(0, B, G, K, 1.0f, h, K, packed, n0, n1, 0.0f, tile, G, work);
}

/* The hidden side of NG gates for units [u0, u1) of one step. Packed weights: columns
 * [NG·u0, NG·u1) of the permuted layout (gate q of the block at ua: tile + NG·ua + q·w).
 * Few rows (dot): each gate's columns in the original layout straight from W_hh's rows
 * (gate q of unit u: tile + q·H + u), with no permuted copy of W_hh at all. */
static void gates_product(int dot, int NG, int B, int G, int H, const float *h, const float *wHH, const void *packed,
                          int u0, int u1, float *tile, void *work) {
  if (dot) {
    for (int q = 0; q < NG; q++)
      rc_sgemm_st(0, 1, B, u1 - u0, H, 1.0f, h, H, wHH + ((size_t)q * H + u0) * H, H, 0.0f, tile + (size_t)q * H + u0, G, work);
  } else {
    rc_sgemm_packed_cols(0, B, G, H, 1.0f, h, H, packed, NG * u0, NG * u1, 0.0f, tile, G, work);
  }
}

/* Few rows: the dot-product path of the sgemm (AVX-512 only; elsewhere packing wins). */
static int use_dot(int B) { return B <= 4 && strcmp(rc_isa(), "avx512") == 0; }

/* The hidden side of a GRU forward, prepared once per call: with a few rows (dot) W_hh is read
 * as given; otherwise its rows are permuted by blocks of units (into perm) and packed.
 * Returns dot. */
static int prepare_hidden(int NG, int B, int H, const float *wHH, int nb, float *perm, void *packed) {
  const int dot = use_dot(B);
  if (!dot) {
    permute_rows(perm, wHH, NG, H, H, nb);
    rc_sgemm_pack_b(1, H, NG * H, perm, H, packed);
  }
  return dot;
}

/* Bytes of the scratch the GRU forward carves: perm (G×H), packed W_hh, the step tile
 * (B×G), and per thread the sgemm work area and a block-wide temporary. */
static size_t forward_bytes(int B, int G, int H, const split *sp) {
  return up64((size_t)G * H * 4) + up64(rc_sgemm_packed_bytes(H, G)) + up64((size_t)B * G * 4) +
         (size_t)sp->n * (up64(rc_sgemm_work_bytes()) + up64((size_t)sp->nb * 4));
}

/* ---- LSTM pointwise pieces (units of one row) --------------------------------------- */

CLONES static void lstm_bwd_units(float *dg, int H, float *dc, const float *dm, const float *g,
                                  const float *tc, const float *cPrev, int w) {
  const float *gi = g, *gf = g + H, *gg = g + 2 * H, *go = g + 3 * H;
  for (int k = 0; k < w; k++) {
    float i = gi[k], f = gf[k], gv = gg[k], o = go[k], t = tc[k], d = dm[k];
    float dct = dc[k] + d * o * (1.0f - t * t);
    dg[k] = dct * gv * i * (1.0f - i);
    dg[H + k] = dct * cPrev[k] * f * (1.0f - f);
    dg[2 * H + k] = dct * i * (1.0f - gv * gv);
    dg[3 * H + k] = d * t * o * (1.0f - o);
    dc[k] = dct * f;
  }
}

/* ---- LSTM forward ------------------------------------------------------------------- *
 * W_ih and W_hh are both permuted and packed by ranges of units, in phase 0 by the range's
 * thread. The pre-activations of a step are a tile (B × G) in a ring of `chunk` tiles: the
 * input side x_t·W_ihᵀ of `chunk` steps at once (chunk·B ≥ 32 rows, so that a small batch
 * still makes an efficient product; one step for B ≥ 32) with the biases, then per step the
 * hidden side h_{t−1}·W_hhᵀ accumulated on the step's tile (beta = 1). The pre-activations
 * never leave the core's cache; `gates` is written only with the activations, and only when
 * they are saved for backward. A range's next input chunk is computed in the scheduler's
 * `after` slot, while the other ranges may still be in the step (it does not depend on
 * them). The epilogue is one pass of vm.lstm_cell per row and block of units. */

typedef struct {
  int T, B, H, G, I;
  const int32_t *len;
  float *hs, *cs, *gates;
  int save; /* write the activations (pre-activations on inactive rows) to gates */
  const float *h0, *c0, *bIH, *bHH;
  const float *x, *wIH, *wHH;
  float *perm[MAX_THREADS];  /* per range: a partial block's permuted rows (scratch of the packing) */
  void *packedIH, *packedHH; /* both operands, packed by ranges of units in phase 0 */
  float *ring;               /* chunk tiles of B × G pre-activations */
  int chunk;
  split sp;
  sched_t sch;
  vm_kernels vm;
  void *work[MAX_THREADS];
} lstm_fwd_ctx;

/* Rows of W (NG·H × K) for the units [u0, u1) packed as the B operand of
 * rc_sgemm_packed_cols in the permuted layout of permute_rows: columns [NG·u0, NG·u1).
 * u0 is a multiple of nb = the packing's panel width, so a full block's gate is exactly one
 * panel, packed straight from W's rows; a partial last block goes through perm. */
static void pack_range(float *perm, void *packed, const float *W, int NG, int H, int K, int nb, int u0, int u1) {
  for (int ua = u0; ua < u1; ua += nb) {
    int w = H - ua < nb ? H - ua : nb;
    float *dst = (float *)packed + (size_t)NG * ua * K;
    if (w == nb) {
      for (int g = 0; g < NG; g++) rc_sgemm_pack_b(1, K, w, W + (size_t)(g * H + ua) * K, K, dst + (size_t)g * w * K);
      continue;
    }
    for (int g = 0; g < NG; g++)
      for (int k = 0; k < w; k++)
        memcpy(perm + (size_t)(g * w + k) * K, W + (size_t)(g * H + ua + k) * K, (size_t)K * sizeof(float));
    rc_sgemm_pack_b(1, K, NG * w, perm, K, dst);
  }
}

static float *lstm_tile(const lstm_fwd_ctx *x, int t) { return x->ring + (size_t)(t % x->chunk) * x->B * x->G; }

/* The input side of steps [t0, t0 + chunk) for units [u0, u1), with the biases, into their tiles. */
static void lstm_input_chunk(lstm_fwd_ctx *x, int t0, int u0, int u1, int tid) {
  const int B = x->B, G = x->G, H = x->H, nb = x->sp.nb;
  const int rows = (x->T - t0 < x->chunk ? x->T - t0 : x->chunk) * B;
  float *tile = lstm_tile(x, t0);
  if (x->I > 0)
    rc_sgemm_packed_cols(0, rows, G, x->I, 1.0f, x->x + (size_t)t0 * B * x->I, x->I, x->packedIH, 4 * u0, 4 * u1, 0.0f,
                         tile, G, x->work[tid]);
  else
    for (int i = 0; i < rows; i++) memset(tile + (size_t)i * G + 4 * u0, 0, (size_t)4 * (u1 - u0) * 4);
  if (!x->bIH && !x->bHH) return;
  for (int i = 0; i < rows; i++)
    for (int ua = u0; ua < u1; ua += nb) {
      int w = u1 - ua < nb ? u1 - ua : nb;
      for (int q = 0; q < 4; q++)
        bias_seg(tile + (size_t)i * G + 4 * ua + q * w, x->bIH ? x->bIH + q * H + ua : NULL,
                 x->bHH ? x->bHH + q * H + ua : NULL, w);
    }
}

static void lstm_fwd_phase(void *p, int t, int r, int tid) {
  lstm_fwd_ctx *x = p;
  const int B = x->B, H = x->H, G = x->G, nb = x->sp.nb;
  const int u0 = x->sp.u0[r], u1 = x->sp.u1[r];
  if (u1 <= u0) return;
  PROF_T(p0);
  if (t == 0) {
    if (x->I > 0) pack_range(x->perm[r], x->packedIH, x->wIH, 4, H, x->I, nb, u0, u1);
    pack_range(x->perm[r], x->packedHH, x->wHH, 4, H, H, nb, u0, u1);
    lstm_input_chunk(x, 0, u0, u1, tid);
  }
  PROF_ADD(tid, 0, p0);
  const float *hp = t ? x->hs + (size_t)(t - 1) * B * H : x->h0;
  const float *cp = t ? x->cs + (size_t)(t - 1) * B * H : x->c0;
  float *tile = lstm_tile(x, t);
  PROF_T(p1);
  rc_sgemm_packed_cols(0, B, G, H, 1.0f, hp, H, x->packedHH, 4 * u0, 4 * u1, 1.0f, tile, G, x->work[tid]);
  PROF_ADD(tid, 1, p1);
  PROF_T(p2);
  for (int b = 0; b < B; b++) {
    float *g = x->gates + ((size_t)t * B + b) * G;
    const float *tr = tile + (size_t)b * G;
    float *c = x->cs + ((size_t)t * B + b) * H, *h = x->hs + ((size_t)t * B + b) * H;
    const float *cpr = cp + (size_t)b * H, *hpr = hp + (size_t)b * H;
    if (!active(x->len, b, t)) {
      /* The state is carried; the pre-activations are saved (as the step-by-step loop leaves them). */
      if (x->save)
        for (int ua = u0; ua < u1; ua += nb) {
          int w = u1 - ua < nb ? u1 - ua : nb;
          for (int q = 0; q < 4; q++) memcpy(g + q * H + ua, tr + 4 * ua + q * w, (size_t)w * 4);
        }
      memcpy(c + u0, cpr + u0, (size_t)(u1 - u0) * sizeof(float));
      memcpy(h + u0, hpr + u0, (size_t)(u1 - u0) * sizeof(float));
      continue;
    }
    for (int ua = u0; ua < u1; ua += nb) {
      int w = u1 - ua < nb ? u1 - ua : nb;
      x->vm.lstm_cell(tr + 4 * ua, w, NULL, 0, cpr + ua, c + ua, h + ua, x->save ? g + ua : NULL, H, w);
    }
  }
  PROF_ADD(tid, 2, p2);
}

/* After a range's step t: the input side of its next chunk when one starts at t+1. */
static void lstm_fwd_after(void *p, int t, int r, int tid) {
  lstm_fwd_ctx *x = p;
  if (t + 1 >= x->T || (t + 1) % x->chunk != 0 || x->sp.u1[r] <= x->sp.u0[r]) return;
  PROF_T(p3);
  lstm_input_chunk(x, t + 1, x->sp.u0[r], x->sp.u1[r], tid);
  PROF_ADD(tid, 0, p3);
}

static void lstm_fwd_task(void *p, int tid, int nt) {
  (void)nt;
  sched_run(&((lstm_fwd_ctx *)p)->sch, lstm_fwd_phase, p, tid);
}

int rc_lstm_forward(float *hState, float *cState, float *gates, const float *x,
                     const float *h0, const float *c0, const float *wIH, const float *wHH,
                     const float *bIH, const float *bHH, const int32_t *lengths,
                     int T, int B, int I, int H, int saveGates) {
  const int G = 4 * H;
  if (T == 0 || B == 0 || H == 0) return 0;
  lstm_fwd_ctx c;
  memset(&c, 0, sizeof c);
  make_split(&c.sp, H, B * G * H);
  /* Steps per input chunk: at least 32 rows for the input product. */
  c.chunk = B >= 32 ? 1 : (32 + B - 1) / B;
  if (c.chunk > T) c.chunk = T;
  size_t wb = up64(rc_sgemm_work_bytes());
  size_t pb = up64((size_t)4 * c.sp.nb * (I > H ? I : H) * 4);
  size_t need = up64((size_t)c.chunk * B * G * 4) + (size_t)c.sp.n * (wb + pb) + up64(rc_sgemm_packed_bytes(I, G)) +
                up64(rc_sgemm_packed_bytes(H, G));
  if (!arena_reserve(need)) return -1; /* out of memory: the caller throws */
  carver cv = {0};
  c.ring = carve(&cv, (size_t)c.chunk * B * G * 4);
  for (int t = 0; t < c.sp.n; t++) c.work[t] = carve(&cv, wb), c.perm[t] = carve(&cv, pb);
  c.packedIH = carve(&cv, rc_sgemm_packed_bytes(I, G));
  c.packedHH = carve(&cv, rc_sgemm_packed_bytes(H, G));
  c.T = T; c.B = B; c.H = H; c.G = G; c.I = I; c.len = lengths;
  c.hs = hState; c.cs = cState; c.gates = gates; c.save = saveGates;
  c.h0 = h0; c.c0 = c0; c.bIH = bIH; c.bHH = bHH;
  c.x = x; c.wIH = wIH; c.wHH = wHH;
  vm_select(&c.vm);
  sched_init(&c.sch, c.sp.n, T, lstm_fwd_after);
  rc_parallel(lstm_fwd_task, &c, c.sp.n);
  return 0;
}

/* ---- LSTM backward ------------------------------------------------------------------ */

typedef struct {
  int T, B, H, G;
  const int32_t *len;
  float *dh, *dc, *dG, *dhPrev, *dhSteps;
  const float *dhOut, *gates, *cs, *c0;
  const void *packedW; /* W_hh (G×H) packed as the B operand (K = G, N = H) */
  split sp;
  sched_t sch;
  vm_kernels vm;
  void *work[MAX_THREADS];
  float *tmp[MAX_THREADS];
} lstm_bwd_ctx;

static void lstm_bwd_phase(void *p, int j, int r, int tid) {
  lstm_bwd_ctx *x = p;
  const int B = x->B, H = x->H, G = x->G;
  const int u0 = x->sp.u0[r], u1 = x->sp.u1[r], w = u1 - u0;
  if (j >= 1) { /* ∂L/∂h_{t−1} of step t = T − j for this range of units */
    const int t = x->T - j;
    if (w > 0) {
      rc_sgemm_packed_cols(0, B, H, G, 1.0f, x->dG + (size_t)t * B * G, G, x->packedW, u0, u1, 0.0f, x->dhPrev, H, x->work[tid]);
      for (int b = 0; b < B; b++)
        if (active(x->len, b, t)) memcpy(x->dh + (size_t)b * H + u0, x->dhPrev + (size_t)b * H + u0, (size_t)w * 4);
    }
  }
  if (j <= x->T - 1) { /* gate gradients of step t = T − 1 − j for this range */
    const int t = x->T - 1 - j;
    const float *cp = t ? x->cs + (size_t)(t - 1) * B * H : x->c0;
    for (int b = 0; b < B; b++) {
      int on = active(x->len, b, t);
      float *dh = x->dh + (size_t)b * H + u0;
      size_t row = (size_t)t * B + b;
      if (x->dhOut && on) add_into(dh, x->dhOut + row * H + u0, w);
      if (x->dhSteps) {
        if (on) memcpy(x->dhSteps + row * H + u0, dh, (size_t)w * 4);
        else memset(x->dhSteps + row * H + u0, 0, (size_t)w * 4);
      }
      float *dg = x->dG + row * G + u0;
      if (!on) {
        for (int q = 0; q < 4; q++) memset(dg + q * H, 0, (size_t)w * 4);
        continue;
      }
      x->vm.tanh(x->tmp[tid], x->cs + row * H + u0, NULL, w);
      lstm_bwd_units(dg, H, x->dc + (size_t)b * H + u0, dh, x->gates + row * G + u0, x->tmp[tid], cp + (size_t)b * H + u0, w);
    }
  }
}

static void lstm_bwd_task(void *p, int tid, int nt) {
  (void)nt;
  sched_run(&((lstm_bwd_ctx *)p)->sch, lstm_bwd_phase, p, tid);
}

int rc_lstm_backward(float *dx, float *dh0, float *dc0, float *dwIH, float *dwHH,
                      float *dbIH, float *dbHH, float *dhSteps, const float *dhOut,
                      const float *dhN, const float *dcN, const float *hState,
                      const float *cState, const float *gates, const float *x,
                      const float *h0, const float *c0, const float *wIH, const float *wHH,
                      const int32_t *lengths, int T, int B, int I, int H) {
  const int G = 4 * H;
  lstm_bwd_ctx c;
  memset(&c, 0, sizeof c);
  make_split(&c.sp, H, B * G * H);
  size_t wb = up64(rc_sgemm_work_bytes());
  size_t need = 2 * up64((size_t)B * H * 4) + up64((size_t)T * B * G * 4) + up64((size_t)B * H * 4) +
                up64(rc_sgemm_packed_bytes(G, H)) + up64((size_t)G * 8) + (size_t)c.sp.n * (wb + up64((size_t)H * 4));
  if (!arena_reserve(need)) return -1; /* out of memory: the caller throws */
  carver cv = {0};
  c.dh = carve(&cv, (size_t)B * H * 4);
  c.dc = carve(&cv, (size_t)B * H * 4);
  c.dG = carve(&cv, (size_t)T * B * G * 4);
  c.dhPrev = carve(&cv, (size_t)B * H * 4);
  void *packedW = carve(&cv, rc_sgemm_packed_bytes(G, H));
  double *acc = carve(&cv, (size_t)G * 8);
  for (int t = 0; t < c.sp.n; t++) {
    c.work[t] = carve(&cv, wb);
    c.tmp[t] = carve(&cv, (size_t)H * 4);
  }
  if (dhN) memcpy(c.dh, dhN, (size_t)B * H * 4); else memset(c.dh, 0, (size_t)B * H * 4);
  if (dcN) memcpy(c.dc, dcN, (size_t)B * H * 4); else memset(c.dc, 0, (size_t)B * H * 4);
  if (T > 0 && B > 0 && H > 0) {
    rc_sgemm_pack_b(0, G, H, wHH, H, packedW);
    c.T = T; c.B = B; c.H = H; c.G = G; c.len = lengths;
    c.dhSteps = dhSteps; c.dhOut = dhOut; c.gates = gates; c.cs = cState; c.c0 = c0; c.packedW = packedW;
    vm_select(&c.vm);
    sched_init(&c.sch, c.sp.n, T + 1, NULL);
    rc_parallel(lstm_bwd_task, &c, c.sp.n);
    const long TB = (long)T * B;
    rc_sgemm(1, 0, G, I, (int)TB, 1.0f, c.dG, G, x, I, 1.0f, dwIH, I);
    rc_sgemm(1, 0, G, H, B, 1.0f, c.dG, G, h0, H, 1.0f, dwHH, H);
    if (T > 1) rc_sgemm(1, 0, G, H, (T - 1) * B, 1.0f, c.dG + (size_t)B * G, G, hState, H, 1.0f, dwHH, H);
    col_sum2(dbIH, dbHH, c.dG, TB, G, acc);
    rc_sgemm(0, 0, (int)TB, I, G, 1.0f, c.dG, G, wIH, I, 1.0f, dx, I);
  } else if (T > 0 && B > 0 && dhSteps) {
    /* H = 0: nothing to compute. */
  }
  add_into(dh0, c.dh, B * H);
  add_into(dc0, c.dc, B * H);
  return 0;
}

/* ---- GRU ------------------------------------------------------------------------------ */

/* r, z = σ(gx + gh), hn = gh_n, n = tanh(gx_n + r·hn), h = (1 − z)·n + z·hPrev, for w units.
 * g: gates row at unit ua (gate q at g + q·H; holds gx on entry); gh: gate q at gh + q·ghStride. */
CLONES static void gru_mix(float *h, float *ghnOut, float *npre, const float *r, const float *gxn,
                           const float *hn, int w, int phase, const float *z, const float *n, const float *hPrev) {
  if (phase == 0) {
    for (int k = 0; k < w; k++) {
      ghnOut[k] = hn[k];
      npre[k] = gxn[k] + r[k] * hn[k];
    }
  } else {
    for (int k = 0; k < w; k++) h[k] = (1.0f - z[k]) * n[k] + z[k] * hPrev[k];
  }
}

static void gru_fwd_units(const vm_kernels *vm, float *g, int H, const float *gh, int ghStride,
                          float *ghnOut, float *h, const float *hPrev, int w, float *tmp) {
  vm->sigmoid(g, g, gh, w);
  vm->sigmoid(g + H, g + H, gh + ghStride, w);
  gru_mix(h, ghnOut, tmp, g, g + 2 * H, gh + 2 * ghStride, w, 0, NULL, NULL, NULL);
  vm->tanh(g + 2 * H, tmp, NULL, w);
  gru_mix(h, ghnOut, tmp, g, g + 2 * H, gh + 2 * ghStride, w, 1, g + H, g + 2 * H, hPrev);
}

CLONES static void gru_bwd_units(float *dgx, float *dgh, float *dhDirect, const float *dh, const float *g, int H,
                                 const float *ghn, const float *hPrev, int w) {
  for (int k = 0; k < w; k++) {
    float r = g[k], z = g[H + k], n = g[2 * H + k], d = dh[k];
    float dnPre = d * (1.0f - z) * (1.0f - n * n);
    float dzPre = d * (hPrev[k] - n) * z * (1.0f - z);
    float drPre = dnPre * ghn[k] * r * (1.0f - r);
    dgx[k] = drPre;
    dgx[H + k] = dzPre;
    dgx[2 * H + k] = dnPre;
    dgh[k] = drPre;
    dgh[H + k] = dzPre;
    dgh[2 * H + k] = dnPre * r;
    dhDirect[k] = d * z;
  }
}

typedef struct {
  int T, B, H, G;
  const int32_t *len;
  float *hs, *gates, *ghn, *tile;
  const float *h0, *bIH, *bHH;
  const void *packed;
  const float *rows; /* W_hh (G×H) as given, for the few-rows product */
  int dot;           /* few rows: dot products against `rows` instead of the packed weights */
  split sp;
  sched_t sch;
  vm_kernels vm;
  void *work[MAX_THREADS];
  float *tmp[MAX_THREADS];
} gru_fwd_ctx;

static void gru_fwd_phase(void *p, int t, int r, int tid) {
  gru_fwd_ctx *x = p;
  const int B = x->B, H = x->H, G = x->G, nb = x->sp.nb;
  const int u0 = x->sp.u0[r], u1 = x->sp.u1[r];
  const float *hp = t ? x->hs + (size_t)(t - 1) * B * H : x->h0;
  if (u1 > u0)
    gates_product(x->dot, 3, B, G, H, hp, x->rows, x->packed, u0, u1, x->tile, x->work[tid]);
  for (int b = 0; b < B; b++) {
    size_t row = (size_t)t * B + b;
    float *g = x->gates + row * G, *h = x->hs + row * H;
    float *tr = x->tile + (size_t)b * G;
    if (x->bIH)
      for (int q = 0; q < 3; q++) bias_seg(g + q * H + u0, x->bIH + q * H + u0, NULL, u1 - u0);
    const float *hpr = hp + (size_t)b * H;
    if (!active(x->len, b, t)) {
      memcpy(h + u0, hpr + u0, (size_t)(u1 - u0) * sizeof(float));
      continue;
    }
    for (int ua = u0; ua < u1; ua += nb) {
      int w = u1 - ua < nb ? u1 - ua : nb;
      if (x->bHH)
        for (int q = 0; q < 3; q++) add_into((x->dot ? tr + ua + q * H : tr + 3 * ua + q * w), x->bHH + q * H + ua, w);
      gru_fwd_units(&x->vm, g + ua, H, x->dot ? tr + ua : tr + 3 * ua, x->dot ? H : w, x->ghn + row * H + ua, h + ua, hpr + ua, w, x->tmp[tid]);
    }
  }
}

static void gru_fwd_task(void *p, int tid, int nt) {
  (void)nt;
  sched_run(&((gru_fwd_ctx *)p)->sch, gru_fwd_phase, p, tid);
}

int rc_gru_forward(float *hState, float *gates, float *ghn, const float *x, const float *h0,
                    const float *wIH, const float *wHH, const float *bIH, const float *bHH,
                    const int32_t *lengths, int T, int B, int I, int H) {
  const int G = 3 * H;
  if (T == 0 || B == 0) return 0;
  rc_sgemm(0, 1, T * B, G, I, 1.0f, x, I, wIH, I, 0.0f, gates, G);
  if (H == 0) return 0;
  gru_fwd_ctx c;
  memset(&c, 0, sizeof c);
  make_split(&c.sp, H, B * G * H);
  size_t wb = up64(rc_sgemm_work_bytes());
  size_t need = forward_bytes(B, G, H, &c.sp);
  if (!arena_reserve(need)) return -1; /* out of memory: the caller throws */
  carver cv = {0};
  float *perm = carve(&cv, (size_t)G * H * 4);
  void *packed = carve(&cv, rc_sgemm_packed_bytes(H, G));
  c.tile = carve(&cv, (size_t)B * G * 4);
  for (int t = 0; t < c.sp.n; t++) {
    c.work[t] = carve(&cv, wb);
    c.tmp[t] = carve(&cv, (size_t)c.sp.nb * 4);
  }
  c.dot = prepare_hidden(3, B, H, wHH, c.sp.nb, perm, packed);
  c.rows = wHH;
  c.T = T; c.B = B; c.H = H; c.G = G; c.len = lengths;
  c.hs = hState; c.gates = gates; c.ghn = ghn; c.h0 = h0; c.bIH = bIH; c.bHH = bHH; c.packed = packed;
  vm_select(&c.vm);
  sched_init(&c.sch, c.sp.n, T, NULL);
  rc_parallel(gru_fwd_task, &c, c.sp.n);
  return 0;
}

typedef struct {
  int T, B, H, G;
  const int32_t *len;
  float *dh, *dGx, *dGh, *dhDirect, *dhPrev, *dhSteps;
  const float *dhOut, *gates, *ghn, *hs, *h0;
  const void *packedW;
  split sp;
  sched_t sch;
  void *work[MAX_THREADS];
} gru_bwd_ctx;

static void gru_bwd_phase(void *p, int j, int r, int tid) {
  gru_bwd_ctx *x = p;
  const int B = x->B, H = x->H, G = x->G;
  const int u0 = x->sp.u0[r], u1 = x->sp.u1[r], w = u1 - u0;
  if (j >= 1) { /* ∂L/∂h_{t−1} of step t = T − j for this range of units */
    const int t = x->T - j;
    if (w > 0) {
      rc_sgemm_packed_cols(0, B, H, G, 1.0f, x->dGh + (size_t)t * B * G, G, x->packedW, u0, u1, 0.0f, x->dhPrev, H, x->work[tid]);
      for (int b = 0; b < B; b++) {
        float *dh = x->dh + (size_t)b * H + u0;
        const float *dd = x->dhDirect + (size_t)b * H + u0, *dp = x->dhPrev + (size_t)b * H + u0;
        for (int k = 0; k < w; k++) dh[k] = dd[k] + dp[k];
      }
    }
  }
  if (j <= x->T - 1) { /* gate gradients of step t = T − 1 − j for this range */
    const int t = x->T - 1 - j;
    const float *hp = t ? x->hs + (size_t)(t - 1) * B * H : x->h0;
    for (int b = 0; b < B; b++) {
      int on = active(x->len, b, t);
      size_t row = (size_t)t * B + b;
      float *dh = x->dh + (size_t)b * H + u0;
      if (x->dhOut && on) add_into(dh, x->dhOut + row * H + u0, w);
      if (x->dhSteps) {
        if (on) memcpy(x->dhSteps + row * H + u0, dh, (size_t)w * 4);
        else memset(x->dhSteps + row * H + u0, 0, (size_t)w * 4);
      }
      float *dgx = x->dGx + row * G + u0, *dgh = x->dGh + row * G + u0;
      if (!on) {
        for (int q = 0; q < 3; q++) {
          memset(dgx + q * H, 0, (size_t)w * 4);
          memset(dgh + q * H, 0, (size_t)w * 4);
        }
        memcpy(x->dhDirect + (size_t)b * H + u0, dh, (size_t)w * 4);
        continue;
      }
      gru_bwd_units(dgx, dgh, x->dhDirect + (size_t)b * H + u0, dh, x->gates + row * G + u0, H,
                    x->ghn + row * H + u0, hp + (size_t)b * H + u0, w);
    }
  }
}

static void gru_bwd_task(void *p, int tid, int nt) {
  (void)nt;
  sched_run(&((gru_bwd_ctx *)p)->sch, gru_bwd_phase, p, tid);
}

int rc_gru_backward(float *dx, float *dh0, float *dwIH, float *dwHH, float *dbIH,
                     float *dbHH, float *dhSteps, const float *dhOut, const float *dhN,
                     const float *hState, const float *gates, const float *ghn,
                     const float *x, const float *h0, const float *wIH, const float *wHH,
                     const int32_t *lengths, int T, int B, int I, int H) {
  const int G = 3 * H;
  gru_bwd_ctx c;
  memset(&c, 0, sizeof c);
  make_split(&c.sp, H, B * G * H);
  size_t wb = up64(rc_sgemm_work_bytes());
  size_t need = 3 * up64((size_t)B * H * 4) + 2 * up64((size_t)T * B * G * 4) +
                up64(rc_sgemm_packed_bytes(G, H)) + up64((size_t)G * 8) + (size_t)c.sp.n * wb;
  if (!arena_reserve(need)) return -1; /* out of memory: the caller throws */
  carver cv = {0};
  c.dh = carve(&cv, (size_t)B * H * 4);
  c.dhDirect = carve(&cv, (size_t)B * H * 4);
  c.dhPrev = carve(&cv, (size_t)B * H * 4);
  c.dGx = carve(&cv, (size_t)T * B * G * 4);
  c.dGh = carve(&cv, (size_t)T * B * G * 4);
  void *packedW = carve(&cv, rc_sgemm_packed_bytes(G, H));
  double *acc = carve(&cv, (size_t)G * 8);
  for (int t = 0; t < c.sp.n; t++) c.work[t] = carve(&cv, wb);
  if (dhN) memcpy(c.dh, dhN, (size_t)B * H * 4); else memset(c.dh, 0, (size_t)B * H * 4);
  if (T > 0 && B > 0 && H > 0) {
    rc_sgemm_pack_b(0, G, H, wHH, H, packedW);
    c.T = T; c.B = B; c.H = H; c.G = G; c.len = lengths;
    c.dhSteps = dhSteps; c.dhOut = dhOut; c.gates = gates; c.ghn = ghn; c.hs = hState; c.h0 = h0; c.packedW = packedW;
    sched_init(&c.sch, c.sp.n, T + 1, NULL);
    rc_parallel(gru_bwd_task, &c, c.sp.n);
    const long TB = (long)T * B;
    rc_sgemm(1, 0, G, I, (int)TB, 1.0f, c.dGx, G, x, I, 1.0f, dwIH, I);
    rc_sgemm(1, 0, G, H, B, 1.0f, c.dGh, G, h0, H, 1.0f, dwHH, H);
    if (T > 1) rc_sgemm(1, 0, G, H, (T - 1) * B, 1.0f, c.dGh + (size_t)B * G, G, hState, H, 1.0f, dwHH, H);
    if (dbIH) col_sum_acc(dbIH, c.dGx, TB, G, acc);
    if (dbHH) col_sum_acc(dbHH, c.dGh, TB, G, acc);
    rc_sgemm(0, 0, (int)TB, I, G, 1.0f, c.dGx, G, wIH, I, 1.0f, dx, I);
  }
  add_into(dh0, c.dh, B * H);
  return 0;
}

/* ---- Elman RNN ------------------------------------------------------------------------ */

CLONES static void relu_units(float *h, const float *a, const float *b, int w) {
  for (int k = 0; k < w; k++) {
    float v = a[k] + b[k];
    h[k] = v > 0.0f ? v : 0.0f * v; /* 0·v keeps NaN */
  }
}

CLONES static void rnn_bwd_units(float *dpre, const float *dh, const float *h, int relu, int w) {
  if (relu) /* dh·[h > 0], as dh·1 or dh·0 (NaN in dh stays NaN, as in the reference) */
    for (int k = 0; k < w; k++) dpre[k] = dh[k] * (h[k] > 0.0f ? 1.0f : 0.0f);
  else
    for (int k = 0; k < w; k++) dpre[k] = dh[k] * (1.0f - h[k] * h[k]);
}

typedef struct {
  int T, B, H, relu;
  const int32_t *len;
  float *hs, *pre, *tile;
  const float *h0, *bIH, *bHH;
  const void *packed;
  const float *rows; /* W_hh (G×H) as given, for the few-rows product */
  int dot;           /* few rows: dot products against `rows` instead of the packed weights */
  split sp;
  sched_t sch;
  vm_kernels vm;
  void *work[MAX_THREADS];
} rnn_fwd_ctx;

static void rnn_fwd_phase(void *p, int t, int r, int tid) {
  rnn_fwd_ctx *x = p;
  const int B = x->B, H = x->H;
  const int u0 = x->sp.u0[r], u1 = x->sp.u1[r], w = u1 - u0;
  const float *hp = t ? x->hs + (size_t)(t - 1) * B * H : x->h0;
  if (w > 0) step_product(x->dot, B, H, H, hp, x->rows, x->packed, u0, u1, x->tile, x->work[tid]);
  for (int b = 0; b < B; b++) {
    size_t row = (size_t)t * B + b;
    float *h = x->hs + row * H + u0;
    if (!active(x->len, b, t)) {
      memcpy(h, hp + (size_t)b * H + u0, (size_t)w * 4);
      continue;
    }
    float *a = x->pre + row * H + u0;
    const float *g = x->tile + (size_t)b * H + u0;
    bias_seg(a, x->bIH ? x->bIH + u0 : NULL, x->bHH ? x->bHH + u0 : NULL, w);
    if (x->relu) relu_units(h, a, g, w);
    else x->vm.tanh(h, a, g, w);
  }
}

static void rnn_fwd_task(void *p, int tid, int nt) {
  (void)nt;
  sched_run(&((rnn_fwd_ctx *)p)->sch, rnn_fwd_phase, p, tid);
}

int rc_rnn_forward(float *hState, const float *x, const float *h0, const float *wIH,
                    const float *wHH, const float *bIH, const float *bHH, int relu,
                    const int32_t *lengths, int T, int B, int I, int H) {
  if (T == 0 || B == 0 || H == 0) return 0;
  rnn_fwd_ctx c;
  memset(&c, 0, sizeof c);
  make_split(&c.sp, H, B * H * H);
  size_t wb = up64(rc_sgemm_work_bytes());
  size_t need = up64((size_t)T * B * H * 4) + up64(rc_sgemm_packed_bytes(H, H)) + up64((size_t)B * H * 4) + (size_t)c.sp.n * wb;
  if (!arena_reserve(need)) return -1; /* out of memory: the caller throws */
  carver cv = {0};
  c.pre = carve(&cv, (size_t)T * B * H * 4);
  void *packed = carve(&cv, rc_sgemm_packed_bytes(H, H));
  c.tile = carve(&cv, (size_t)B * H * 4);
  for (int t = 0; t < c.sp.n; t++) c.work[t] = carve(&cv, wb);
  rc_sgemm(0, 1, T * B, H, I, 1.0f, x, I, wIH, I, 0.0f, c.pre, H);
  c.dot = use_dot(B);
  if (!c.dot) rc_sgemm_pack_b(1, H, H, wHH, H, packed);
  c.rows = wHH;
  c.T = T; c.B = B; c.H = H; c.relu = relu; c.len = lengths; c.hs = hState; c.h0 = h0; c.packed = packed;
  c.bIH = bIH; c.bHH = bHH;
  vm_select(&c.vm);
  sched_init(&c.sch, c.sp.n, T, NULL);
  rc_parallel(rnn_fwd_task, &c, c.sp.n);
  return 0;
}

typedef struct {
  int T, B, H, relu;
  const int32_t *len;
  float *dh, *dPre, *dhPrev, *dhSteps;
  const float *dhOut, *hs;
  const void *packedW;
  split sp;
  sched_t sch;
  void *work[MAX_THREADS];
} rnn_bwd_ctx;

static void rnn_bwd_phase(void *p, int j, int r, int tid) {
  rnn_bwd_ctx *x = p;
  const int B = x->B, H = x->H;
  const int u0 = x->sp.u0[r], u1 = x->sp.u1[r], w = u1 - u0;
  if (j >= 1) { /* ∂L/∂h_{t−1} of step t = T − j for this range of units */
    const int t = x->T - j;
    if (w > 0) {
      rc_sgemm_packed_cols(0, B, H, H, 1.0f, x->dPre + (size_t)t * B * H, H, x->packedW, u0, u1, 0.0f, x->dhPrev, H, x->work[tid]);
      for (int b = 0; b < B; b++)
        if (active(x->len, b, t)) memcpy(x->dh + (size_t)b * H + u0, x->dhPrev + (size_t)b * H + u0, (size_t)w * 4);
    }
  }
  if (j <= x->T - 1) { /* gate gradients of step t = T − 1 − j for this range */
    const int t = x->T - 1 - j;
    for (int b = 0; b < B; b++) {
      int on = active(x->len, b, t);
      size_t row = (size_t)t * B + b;
      float *dh = x->dh + (size_t)b * H + u0;
      if (x->dhOut && on) add_into(dh, x->dhOut + row * H + u0, w);
      if (x->dhSteps) {
        if (on) memcpy(x->dhSteps + row * H + u0, dh, (size_t)w * 4);
        else memset(x->dhSteps + row * H + u0, 0, (size_t)w * 4);
      }
      if (on) rnn_bwd_units(x->dPre + row * H + u0, dh, x->hs + row * H + u0, x->relu, w);
      else memset(x->dPre + row * H + u0, 0, (size_t)w * 4);
    }
  }
}

static void rnn_bwd_task(void *p, int tid, int nt) {
  (void)nt;
  sched_run(&((rnn_bwd_ctx *)p)->sch, rnn_bwd_phase, p, tid);
}

int rc_rnn_backward(float *dx, float *dh0, float *dwIH, float *dwHH, float *dbIH,
                     float *dbHH, float *dhSteps, const float *dhOut, const float *dhN,
                     const float *hState, const float *x, const float *h0,
                     const float *wIH, const float *wHH, int relu,
                     const int32_t *lengths, int T, int B, int I, int H) {
  rnn_bwd_ctx c;
  memset(&c, 0, sizeof c);
  make_split(&c.sp, H, B * H * H);
  size_t wb = up64(rc_sgemm_work_bytes());
  size_t need = 2 * up64((size_t)B * H * 4) + up64((size_t)T * B * H * 4) + up64(rc_sgemm_packed_bytes(H, H)) +
                up64((size_t)H * 8) + (size_t)c.sp.n * wb;
  if (!arena_reserve(need)) return -1; /* out of memory: the caller throws */
  carver cv = {0};
  c.dh = carve(&cv, (size_t)B * H * 4);
  c.dhPrev = carve(&cv, (size_t)B * H * 4);
  c.dPre = carve(&cv, (size_t)T * B * H * 4);
  void *packedW = carve(&cv, rc_sgemm_packed_bytes(H, H));
  double *acc = carve(&cv, (size_t)H * 8);
  for (int t = 0; t < c.sp.n; t++) c.work[t] = carve(&cv, wb);
  if (dhN) memcpy(c.dh, dhN, (size_t)B * H * 4); else memset(c.dh, 0, (size_t)B * H * 4);
  if (T > 0 && B > 0 && H > 0) {
    rc_sgemm_pack_b(0, H, H, wHH, H, packedW);
    c.T = T; c.B = B; c.H = H; c.relu = relu; c.len = lengths;
    c.dhSteps = dhSteps; c.dhOut = dhOut; c.hs = hState; c.packedW = packedW;
    sched_init(&c.sch, c.sp.n, T + 1, NULL);
    rc_parallel(rnn_bwd_task, &c, c.sp.n);
    const long TB = (long)T * B;
    rc_sgemm(1, 0, H, I, (int)TB, 1.0f, c.dPre, H, x, I, 1.0f, dwIH, I);
    rc_sgemm(1, 0, H, H, B, 1.0f, c.dPre, H, h0, H, 1.0f, dwHH, H);
    if (T > 1) rc_sgemm(1, 0, H, H, (T - 1) * B, 1.0f, c.dPre + (size_t)B * H, H, hState, H, 1.0f, dwHH, H);
    col_sum2(dbIH, dbHH, c.dPre, TB, H, acc);
    rc_sgemm(0, 0, (int)TB, I, H, 1.0f, c.dPre, H, wIH, I, 1.0f, dx, I);
  }
  add_into(dh0, c.dh, B * H);
  return 0;
}

/* ---- per-step gate kernels (Backend interface) --------------------------------------- */

static vm_kernels step_vm(void) {
  vm_kernels k;
  vm_select(&k);
  return k;
}

void rc_lstm_gates_forward(float *gates, float *c, float *m, const float *cPrev,
                           const int32_t *lengths, int t, int B, int H) {
  vm_kernels vm = step_vm();
  for (int b = 0; b < B; b++) {
    if (!active(lengths, b, t)) continue;
    float *g = gates + (size_t)b * 4 * H;
    vm.lstm_cell(g, H, NULL, 0, cPrev + (size_t)b * H, c + (size_t)b * H, m + (size_t)b * H, g, H, H);
  }
}

void rc_lstm_gates_backward(float *dgates, float *dc, const float *dm, const float *gates,
                            const float *c, const float *cPrev, const int32_t *lengths,
                            int t, int B, int H) {
  vm_kernels vm = step_vm();
  float tmp[256];
  for (int b = 0; b < B; b++) {
    if (!active(lengths, b, t)) {
      memset(dgates + (size_t)b * 4 * H, 0, (size_t)4 * H * 4);
      continue;
    }
    for (int ua = 0; ua < H; ua += 256) {
      int w = H - ua < 256 ? H - ua : 256;
      vm.tanh(tmp, c + (size_t)b * H + ua, NULL, w);
      lstm_bwd_units(dgates + (size_t)b * 4 * H + ua, H, dc + (size_t)b * H + ua, dm + (size_t)b * H + ua,
                     gates + (size_t)b * 4 * H + ua, tmp, cPrev + (size_t)b * H + ua, w);
    }
  }
}

void rc_gru_gates_forward(float *gates, float *ghn, float *h, const float *gx, const float *gh,
                          const float *hPrev, const int32_t *lengths, int t, int B, int H) {
  vm_kernels vm = step_vm();
  float tmp[256];
  const int G = 3 * H;
  for (int b = 0; b < B; b++) {
    if (!active(lengths, b, t)) continue;
    float *g = gates + (size_t)b * G;
    /* gates may alias gx; otherwise start from gx. */
    if (g != gx + (size_t)b * G) memcpy(g, gx + (size_t)b * G, (size_t)G * 4);
    for (int ua = 0; ua < H; ua += 256) {
      int w = H - ua < 256 ? H - ua : 256;
      gru_fwd_units(&vm, g + ua, H, gh + (size_t)b * G + ua, H, ghn + (size_t)b * H + ua, h + (size_t)b * H + ua,
                    hPrev + (size_t)b * H + ua, w, tmp);
    }
  }
}

void rc_gru_gates_backward(float *dgx, float *dgh, float *dhDirect, const float *dh,
                           const float *gates, const float *ghn, const float *hPrev,
                           const int32_t *lengths, int t, int B, int H) {
  const int G = 3 * H;
  for (int b = 0; b < B; b++) {
    if (!active(lengths, b, t)) {
      memset(dgx + (size_t)b * G, 0, (size_t)G * 4);
      memset(dgh + (size_t)b * G, 0, (size_t)G * 4);
      memcpy(dhDirect + (size_t)b * H, dh + (size_t)b * H, (size_t)H * 4);
      continue;
    }
    gru_bwd_units(dgx + (size_t)b * G, dgh + (size_t)b * G, dhDirect + (size_t)b * H, dh + (size_t)b * H,
                  gates + (size_t)b * G, H, ghn + (size_t)b * H, hPrev + (size_t)b * H, H);
  }
}

void rc_rnn_act_forward(float *h, const float *pre, int relu, const int32_t *lengths,
                        int t, int B, int H) {
  vm_kernels vm = step_vm();
  static const float zeros[256];
  for (int b = 0; b < B; b++) {
    if (!active(lengths, b, t)) continue;
    for (int ua = 0; ua < H; ua += 256) {
      int w = H - ua < 256 ? H - ua : 256;
      float *hr = h + (size_t)b * H + ua;
      const float *pr = pre + (size_t)b * H + ua;
      if (relu) relu_units(hr, pr, zeros, w);
      else vm.tanh(hr, pr, NULL, w);
    }
  }
}

void rc_rnn_act_backward(float *dpre, const float *dh, const float *h, int relu,
                         const int32_t *lengths, int t, int B, int H) {
  for (int b = 0; b < B; b++) {
    if (!active(lengths, b, t)) {
      memset(dpre + (size_t)b * H, 0, (size_t)H * 4);
      continue;
    }
    rnn_bwd_units(dpre + (size_t)b * H, dh + (size_t)b * H, h + (size_t)b * H, relu, H);
  }
}
