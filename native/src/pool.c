/*
 * Thread pool for the native kernels.
 *
 * Workers are created once (lazily, at the first rc_parallel) and parked between tasks.
 * Each worker has its own mailbox (task + generation counter on its own cache line), so
 * a call wakes exactly the workers it needs and a lagging worker can never read a task
 * meant for a later call. A parked worker first spins on its generation counter for
 * spin_ns (a task issued right after the previous one — the common case in a training
 * loop, or the next request of an inference loop — then starts in well under a
 * microsecond instead of the tens of microseconds a wake-up takes in a VM), then sleeps
 * on a condition variable so an idle pool burns no CPU. The caller runs tid 0 itself and spins on a shared
 * "pending" counter for the others, since they are running by then.
 *
 * Calls from a second OS thread while the pool is busy, and calls from inside a task,
 * run inline on one thread instead of waiting (no deadlock, no oversubscription).
 */
#define _GNU_SOURCE
#include "rc.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define cpu_relax() _mm_pause()
#elif defined(__aarch64__)
#define cpu_relax() __asm__ __volatile__("yield" ::: "memory")
#else
#define cpu_relax() ((void)0)
#endif

#define RC_MAX_THREADS 64
#define RC_DEFAULT_MAX 8
/* How long an idle worker spins before sleeping: long enough to bridge the gap between
 * back-to-back kernels (the JavaScript of a layer's forward between two sequences is
 * 0.1-0.5 ms), short enough not to steal a core for long from other work. 0.5 ms by
 * default; RECURRENT_SPIN_US overrides it (0: sleep at once). */
#define SPIN_NS_DEFAULT 500000L
static long spin_ns = -1;

static long spin_setting(void) {
  const char *env = getenv("RECURRENT_SPIN_US");
  if (env && *env) {
    long us = atol(env);
    if (us >= 0) return (us > 1000000L ? 1000000L : us) * 1000L;
  }
  return SPIN_NS_DEFAULT;
}
/* How long a thread waiting for its team (end of rc_parallel, barriers) spins between
 * sched_yield calls. */
#define WAIT_SPIN_NS 20000L

typedef struct {
  _Alignas(64) atomic_uint gen; /* bumped by the caller once the task below is written */
  atomic_int sleeping;          /* 1 while the worker is (about to be) in cond_wait */
  atomic_int claimed;           /* 0 once posted; set to 1 by whoever runs the share */
  rc_task fn;
  void *ctx;
  int nthreads;
  int quit;
  int tid;
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cv;
} worker_t;

static pthread_mutex_t call_lock = PTHREAD_MUTEX_INITIALIZER; /* one team at a time */
static worker_t *workers[RC_MAX_THREADS];
static int nworkers;                     /* started workers (tids 1..nworkers) */
static atomic_int target_threads;        /* 0 until first use, then rc_threads() */
static _Alignas(64) atomic_int pending;  /* workers of the current call not done yet */

/* Size of the team the current thread is running a task in (0 outside any task). The
 * barrier reads it so a barrier sized for more threads than the team really got (an
 * inline fallback, a smaller pool) cannot deadlock. */
static _Thread_local int tls_team;

static long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static int default_threads(void) {
  const char *env = getenv("RECURRENT_THREADS");
  if (env && *env) {
    int n = atoi(env);
    if (n >= 1) return n > RC_MAX_THREADS ? RC_MAX_THREADS : n;
  }
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  if (n < 1) n = 1;
  return n > RC_DEFAULT_MAX ? RC_DEFAULT_MAX : (int)n;
}

/* Waits for *v == 0: spins (a pause is ~40 ns on recent Intel) for WAIT_SPIN_NS, then
 * interleaves sched_yield so a descheduled worker can get this CPU. */
static void spin_until_zero(atomic_int *v) {
  while (atomic_load_explicit(v, memory_order_acquire) != 0) {
    long deadline = now_ns() + WAIT_SPIN_NS;
    for (int i = 0; atomic_load_explicit(v, memory_order_acquire) != 0; i++) {
      cpu_relax();
      if ((i & 31) == 31 && now_ns() > deadline) {
        sched_yield();
        break;
      }
    }
  }
}

int rc_threads(void) {
  int n = atomic_load_explicit(&target_threads, memory_order_relaxed);
  if (n == 0) {
    int expected = 0;
    n = default_threads();
    if (!atomic_compare_exchange_strong(&target_threads, &expected, n)) n = expected;
  }
  return n;
}

int rc_in_parallel(void) { return tls_team > 0; }

static atomic_int flush_denormal;

#if defined(__x86_64__) || defined(__i386__)
#define RC_FTZ_DAZ 0x8040u /* MXCSR: FTZ (bit 15) | DAZ (bit 6) */
int rc_set_flush_denormal(int on) {
  atomic_store(&flush_denormal, on != 0);
  return 1;
}
unsigned rc_fp_enter(void) {
  unsigned saved = _mm_getcsr();
  unsigned want = atomic_load_explicit(&flush_denormal, memory_order_relaxed) ? (saved | RC_FTZ_DAZ) : (saved & ~RC_FTZ_DAZ);
  if (want != saved) _mm_setcsr(want);
  return saved;
}
void rc_fp_leave(unsigned saved) {
  if (_mm_getcsr() != saved) _mm_setcsr(saved);
}
#else
int rc_set_flush_denormal(int on) {
  atomic_store(&flush_denormal, 0);
  return on == 0;
}
unsigned rc_fp_enter(void) { return 0; }
void rc_fp_leave(unsigned saved) { (void)saved; }
#endif
int rc_flush_denormal(void) { return atomic_load(&flush_denormal); }

static void *worker_main(void *arg) {
  worker_t *w = arg;
  /* Not a fresh load: a task may have been posted before this thread first ran. */
  unsigned seen = 0;
  for (;;) {
    /* Wait for a new generation: spin first, then sleep. */
    if (atomic_load_explicit(&w->gen, memory_order_acquire) == seen) {
      long deadline = now_ns() + spin_ns;
      int i = 0;
      while (atomic_load_explicit(&w->gen, memory_order_acquire) == seen) {
        cpu_relax();
        if ((++i & 63) == 0 && now_ns() > deadline) {
          pthread_mutex_lock(&w->mu);
          /* seq_cst store/load pair with rc_parallel's gen store/sleeping load: either
           * the caller sees sleeping == 1 and signals, or we see its new gen here. */
          atomic_store(&w->sleeping, 1);
          while (atomic_load(&w->gen) == seen) pthread_cond_wait(&w->cv, &w->mu);
          atomic_store(&w->sleeping, 0);
          pthread_mutex_unlock(&w->mu);
          break;
        }
      }
    }
    seen = atomic_load_explicit(&w->gen, memory_order_acquire);
    if (w->quit) break;
    /* The caller may have run this share itself (rc_parallel_shares) and moved on;
     * the task fields are read only after winning the claim. */
    if (atomic_exchange_explicit(&w->claimed, 1, memory_order_acq_rel) != 0) continue;
    tls_team = w->nthreads;
    unsigned fp = rc_fp_enter(); /* the caller's flush-to-zero mode */
    w->fn(w->ctx, w->tid, w->nthreads);
    rc_fp_leave(fp);
    tls_team = 0;
    atomic_fetch_sub_explicit(&pending, 1, memory_order_release);
  }
  return NULL;
}

static void post(worker_t *w) {
  atomic_fetch_add(&w->gen, 1); /* seq_cst: see worker_main */
  if (atomic_load(&w->sleeping)) {
    pthread_mutex_lock(&w->mu);
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
  }
}

/* Called with call_lock held: brings the started workers to exactly n - 1. */
static void resize_locked(int n) {
  while (nworkers > n - 1) {
    worker_t *w = workers[nworkers - 1];
    w->quit = 1;
    post(w);
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w);
    workers[--nworkers] = NULL;
  }
  if (spin_ns < 0) spin_ns = spin_setting(); /* read before the first worker starts */
  while (nworkers < n - 1) {
    worker_t *w;
    if (posix_memalign((void **)&w, 64, sizeof *w)) return;
    atomic_init(&w->gen, 0);
    atomic_init(&w->sleeping, 0);
    atomic_init(&w->claimed, 1);
    w->quit = 0;
    w->tid = nworkers + 1;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    if (pthread_create(&w->thread, NULL, worker_main, w)) {
      pthread_mutex_destroy(&w->mu);
      pthread_cond_destroy(&w->cv);
      free(w);
      return; /* run with fewer threads rather than fail */
    }
    workers[nworkers++] = w;
  }
}

void rc_set_threads(int n) {
  if (n < 1) n = 1;
  if (n > RC_MAX_THREADS) n = RC_MAX_THREADS;
  if (tls_team > 0) return; /* a task cannot resize the team it runs in */
  pthread_mutex_lock(&call_lock);
  atomic_store(&target_threads, n);
  /* Only trim here; missing workers are started by the next rc_parallel that needs them. */
  if (nworkers > n - 1) resize_locked(n);
  pthread_mutex_unlock(&call_lock);
}

static void run_team(rc_task fn, void *ctx, int nthreads, int steal) {
  int n = rc_threads();
  if (nthreads < n) n = nthreads;
  /* Nested, single-threaded, or another OS thread owns the pool: run inline. */
  if (n <= 1 || tls_team > 0 || pthread_mutex_trylock(&call_lock) != 0) {
    int saved = tls_team;
    tls_team = 1;
    if (steal)
      for (int t = 0; t < n; t++) fn(ctx, t, n);
    else
      fn(ctx, 0, 1);
    tls_team = saved;
    return;
  }
  if (nworkers < n - 1) resize_locked(rc_threads());
  if (n > nworkers + 1) n = nworkers + 1;
  atomic_store_explicit(&pending, n - 1, memory_order_relaxed);
  for (int t = 1; t < n; t++) {
    worker_t *w = workers[t - 1];
    w->fn = fn;
    w->ctx = ctx;
    w->nthreads = n;
    atomic_store_explicit(&w->claimed, 0, memory_order_release);
    post(w);
  }
  tls_team = n;
  fn(ctx, 0, n);
  /* Shares whose worker has not even started yet (asleep, or descheduled on a busy
   * machine) are cheaper to run here than to wait for. */
  if (steal)
    for (int t = 1; t < n; t++)
      if (atomic_exchange_explicit(&workers[t - 1]->claimed, 1, memory_order_acq_rel) == 0) {
        fn(ctx, t, n);
        atomic_fetch_sub_explicit(&pending, 1, memory_order_relaxed);
      }
  tls_team = 0;
  /* The others are running now: spin, but yield after a few microseconds, as a long
   * wait means they were descheduled and may need this very CPU. */
  spin_until_zero(&pending);
  pthread_mutex_unlock(&call_lock);
}

void rc_parallel(rc_task fn, void *ctx, int nthreads) { run_team(fn, ctx, nthreads, 0); }

/* Internal (declared in sgemm.c): like rc_parallel, for tasks whose tids are
 * independent shares of the work (no barriers, no tid-specific state): any share a
 * worker has not started by the time the caller finishes its own is run by the caller,
 * as is every share when the pool is unavailable. */
void rc_parallel_shares(rc_task fn, void *ctx, int nthreads) { run_team(fn, ctx, nthreads, 1); }

/* rc_barrier keeps rc.h's plain int fields; they are only ever accessed through these
 * atomic views (same size and alignment as int on every target we build for). */
_Static_assert(sizeof(atomic_int) == sizeof(int), "atomic_int must overlay int");

void rc_barrier_init(rc_barrier *b, int n) {
  atomic_store((atomic_int *)&b->count, 0);
  atomic_store((atomic_int *)&b->phase, 0);
  b->n = n;
}

void rc_barrier_wait(rc_barrier *b) {
  int n = b->n;
  if (tls_team > 0 && tls_team < n) n = tls_team;
  if (n <= 1) return;
  atomic_int *count = (atomic_int *)&b->count, *phase = (atomic_int *)&b->phase;
  int p = atomic_load_explicit(phase, memory_order_acquire);
  if (atomic_fetch_add_explicit(count, 1, memory_order_acq_rel) == n - 1) {
    /* Last to arrive: reset before releasing, so the next round counts from zero. */
    atomic_store_explicit(count, 0, memory_order_relaxed);
    atomic_store_explicit(phase, p + 1, memory_order_release);
    return;
  }
  while (atomic_load_explicit(phase, memory_order_acquire) == p) {
    long deadline = now_ns() + WAIT_SPIN_NS;
    for (int i = 0; atomic_load_explicit(phase, memory_order_acquire) == p; i++) {
      cpu_relax();
      if ((i & 31) == 31 && now_ns() > deadline) {
        sched_yield();
        break;
      }
    }
  }
}
