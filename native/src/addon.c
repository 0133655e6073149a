/*
 * The Node-API face of the native kernels: argument checking and zero-copy access to
 * JavaScript typed arrays. Every array argument is checked for its type and for holding
 * every element the kernel will touch (computed in 64-bit from the sizes, offsets and
 * strides) BEFORE any kernel runs; a bad argument throws a TypeError/RangeError naming
 * the function, the argument, what was expected and what was received. Kernels then
 * work directly on the arrays' memory (no copy).
 *
 * Calls are serialised by one process-wide mutex: the pool and the scratch arena are
 * shared, and worker_threads may load this addon too.
 */
#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
#include <node_api.h>

#include <pthread.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <math.h>

#include "rc.h"
#include "seq.h"
#include "vmath.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned locked_fp; /* the caller's floating-point state, saved by kernel_begin */

/* A kernel call: takes the process-wide lock and applies the flush-to-zero mode. */
static void kernel_begin(void) {
  pthread_mutex_lock(&lock);
  locked_fp = rc_fp_enter();
}
static void kernel_end(void) {
  rc_fp_leave(locked_fp);
  pthread_mutex_unlock(&lock);
}

/* ---- argument helpers ---------------------------------------------------------------- */

typedef struct {
  napi_env env;
  const char *fn;
  napi_value argv[32];
  size_t argc;
  int failed;
} args_t;

/* Throws (once) a TypeError, or a RangeError when range, "<fn>: <message>". */
static void fail(args_t *a, int range, const char *fmt, ...) {
  if (a->failed) return;
  char msg[400];
  int n = snprintf(msg, sizeof msg, "%s: ", a->fn);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
  va_end(ap);
  if (range) napi_throw_range_error(a->env, "ERR_NATIVE_ARG", msg);
  else napi_throw_type_error(a->env, "ERR_NATIVE_ARG", msg);
  a->failed = 1;
}

static int get_args(args_t *a, napi_callback_info info, size_t n) {
  a->argc = 32;
  if (napi_get_cb_info(a->env, info, &a->argc, a->argv, NULL, NULL) != napi_ok) return 0;
  if (a->argc < n) {
    fail(a, 0, "expected %zu arguments, got %zu", n, a->argc);
    return 0;
  }
  return 1;
}

/* A non-negative integer ≤ 2^31 − 1. */
static int64_t get_int(args_t *a, size_t i, const char *name) {
  if (a->failed) return 0;
  double v;
  if (napi_get_value_double(a->env, a->argv[i], &v) != napi_ok) {
    fail(a, 0, "argument '%s' must be a number", name);
    return 0;
  }
  if (!(v >= 0 && v <= 2147483647.0) || v != (double)(int64_t)v) {
    fail(a, 1, "argument '%s' must be an integer in [0, 2147483647], got %g", name, v);
    return 0;
  }
  return (int64_t)v;
}

static double get_num(args_t *a, size_t i, const char *name) {
  if (a->failed) return 0;
  double v;
  if (napi_get_value_double(a->env, a->argv[i], &v) != napi_ok) {
    fail(a, 0, "argument '%s' must be a number", name);
    return 0;
  }
  return v;
}

static int get_bool(args_t *a, size_t i, const char *name) {
  if (a->failed) return 0;
  bool v;
  if (napi_get_value_bool(a->env, a->argv[i], &v) != napi_ok) {
    fail(a, 0, "argument '%s' must be a boolean", name);
    return 0;
  }
  return v ? 1 : 0;
}

static int is_null(args_t *a, size_t i) {
  napi_valuetype t;
  if (napi_typeof(a->env, a->argv[i], &t) != napi_ok) return 0;
  return t == napi_null || t == napi_undefined;
}

/* A typed array of the given type holding at least `need` elements (need < 0: any length;
 * nullable: null/undefined gives NULL). */
static void *get_array(args_t *a, size_t i, const char *name, napi_typedarray_type type, int64_t need, int nullable) {
  if (a->failed) return NULL;
  if (nullable && is_null(a, i)) return NULL;
  const char *tname = type == napi_float32_array ? "a Float32Array" : "an Int32Array";
  bool isTa = false;
  napi_is_typedarray(a->env, a->argv[i], &isTa);
  if (!isTa) {
    fail(a, 0, "argument '%s' must be %s%s", name, tname, nullable ? " or null" : "");
    return NULL;
  }
  napi_typedarray_type got;
  size_t len;
  void *data;
  napi_value buf;
  size_t off;
  if (napi_get_typedarray_info(a->env, a->argv[i], &got, &len, &data, &buf, &off) != napi_ok) {
    fail(a, 0, "argument '%s' is not readable", name);
    return NULL;
  }
  if (got != type) {
    if (type == napi_float32_array)
      fail(a, 0, "argument '%s' must be a Float32Array%s (float64 work runs on the reference backend)", name, nullable ? " or null" : "");
    else
      fail(a, 0, "argument '%s' must be an Int32Array%s", name, nullable ? " or null" : "");
    return NULL;
  }
  if (need >= 0 && (int64_t)len < need) {
    fail(a, 1, "argument '%s' must hold at least %lld elements, got %zu", name, (long long)need, len);
    return NULL;
  }
  if (data == NULL && len > 0) {
    fail(a, 0, "argument '%s' has no memory (detached buffer?)", name);
    return NULL;
  }
  return data;
}

#define F32(i, name, need) ((float *)get_array(&a, i, name, napi_float32_array, need, 0))
#define F32N(i, name, need) ((float *)get_array(&a, i, name, napi_float32_array, need, 1))
#define I32N(i, name, need) ((int32_t *)get_array(&a, i, name, napi_int32_array, need, 1))

static napi_value undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

/* Elements a rows×cols matrix with leading dimension ld, starting at off, needs (−1: ld < cols). */
static int64_t extent(int64_t off, int64_t rows, int64_t cols, int64_t ld) {
  if (rows == 0 || cols == 0) return off;
  if (ld < cols) return -1;
  return off + (rows - 1) * ld + cols;
}

/* ---- info ------------------------------------------------------------------------------ */

static napi_value js_info(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value o, v;
  napi_create_object(env, &o);
  pthread_mutex_lock(&lock);
  napi_create_string_utf8(env, rc_isa(), NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, o, "isa", v);
  napi_create_int32(env, rc_threads(), &v);
  napi_set_named_property(env, o, "threads", v);
  napi_create_int32(env, rc_sgemm_nr(), &v);
  napi_set_named_property(env, o, "nr", v);
  napi_create_double(env, (double)rc_seq_scratch_bytes(), &v);
  napi_set_named_property(env, o, "scratchBytes", v);
  napi_get_boolean(env, rc_flush_denormal() != 0, &v);
  napi_set_named_property(env, o, "flushDenormal", v);
  pthread_mutex_unlock(&lock);
  return o;
}

static napi_value js_set_threads(napi_env env, napi_callback_info info) {
  args_t a = {env, "setThreads", {0}, 0, 0};
  if (!get_args(&a, info, 1)) return NULL;
  int64_t n = get_int(&a, 0, "threads");
  if (a.failed) return NULL;
  if (n < 1 || n > 256) {
    fail(&a, 1, "argument 'threads' must be in [1, 256], got %lld", (long long)n);
    return NULL;
  }
  pthread_mutex_lock(&lock);
  rc_set_threads((int)n);
  pthread_mutex_unlock(&lock);
  return undefined(env);
}

static napi_value js_force_isa(napi_env env, napi_callback_info info) {
  args_t a = {env, "forceIsa", {0}, 0, 0};
  if (!get_args(&a, info, 1)) return NULL;
  char name[32];
  size_t len;
  if (napi_get_value_string_utf8(env, a.argv[0], name, sizeof name, &len) != napi_ok) {
    napi_throw_type_error(env, "ERR_NATIVE_ARG", "forceIsa: argument 'isa' must be a string");
    return NULL;
  }
  pthread_mutex_lock(&lock);
  int ok = rc_force_isa(name);
  pthread_mutex_unlock(&lock);
  napi_value r;
  napi_get_boolean(env, ok != 0, &r);
  return r;
}

/* setFlushDenormal(on): the flush-to-zero mode of every later kernel; returns whether this
 * CPU/build supports it (false: the mode stays off). */
static napi_value js_set_flush_denormal(napi_env env, napi_callback_info info) {
  args_t a = {env, "setFlushDenormal", {0}, 0, 0};
  if (!get_args(&a, info, 1)) return NULL;
  int on = get_bool(&a, 0, "enabled");
  if (a.failed) return NULL;
  pthread_mutex_lock(&lock);
  int ok = rc_set_flush_denormal(on);
  pthread_mutex_unlock(&lock);
  napi_value r;
  napi_get_boolean(env, ok != 0, &r);
  return r;
}

/* ---- gemm ------------------------------------------------------------------------------ */

static napi_value js_sgemm(napi_env env, napi_callback_info info) {
  args_t a = {env, "sgemm", {0}, 0, 0};
  if (!get_args(&a, info, 16)) return NULL;
  int tA = get_bool(&a, 0, "transA"), tB = get_bool(&a, 1, "transB");
  int64_t M = get_int(&a, 2, "M"), N = get_int(&a, 3, "N"), K = get_int(&a, 4, "K");
  double alpha = get_num(&a, 5, "alpha");
  int64_t aOff = get_int(&a, 7, "aOff"), lda = get_int(&a, 8, "lda");
  int64_t bOff = get_int(&a, 10, "bOff"), ldb = get_int(&a, 11, "ldb");
  double beta = get_num(&a, 12, "beta");
  int64_t cOff = get_int(&a, 14, "cOff"), ldc = get_int(&a, 15, "ldc");
  if (a.failed) return NULL;
  int64_t needA = extent(aOff, tA ? K : M, tA ? M : K, lda);
  int64_t needB = extent(bOff, tB ? N : K, tB ? K : N, ldb);
  int64_t needC = extent(cOff, M, N, ldc);
  if (needA < 0) fail(&a, 1, "argument 'lda' must be at least %lld (the columns of A's storage), got %lld", (long long)(tA ? M : K), (long long)lda);
  if (needB < 0) fail(&a, 1, "argument 'ldb' must be at least %lld (the columns of B's storage), got %lld", (long long)(tB ? K : N), (long long)ldb);
  if (needC < 0) fail(&a, 1, "argument 'ldc' must be at least N = %lld, got %lld", (long long)N, (long long)ldc);
  float *A = F32(6, "A", needA), *B = F32(9, "B", needB), *C = F32(13, "C", needC);
  if (a.failed) return NULL;
  if (M == 0 || N == 0) return undefined(env);
  kernel_begin();
  rc_sgemm(tA, tB, (int)M, (int)N, (int)K, (float)alpha, A + aOff, (int)lda, B + bOff, (int)ldb, (float)beta, C + cOff, (int)ldc);
  kernel_end();
  return undefined(env);
}

/* ---- sequence kernels ------------------------------------------------------------------ */

/* T, B, I, H at argv[i..i+3], checked so that every product below fits comfortably. */
static int get_dims(args_t *a, size_t i, int64_t *T, int64_t *B, int64_t *I, int64_t *H) {
  *T = get_int(a, i, "T");
  *B = get_int(a, i + 1, "B");
  *I = get_int(a, i + 2, "I");
  *H = get_int(a, i + 3, "H");
  if (a->failed) return 0;
  if ((*T) * (*B) > 2147483647LL / 4 || 4 * (*H) * ((*H) > (*I) ? (*H) : (*I)) > 2147483647LL ||
      (*T) * (*B) * 4 * (*H) > (1LL << 40)) {
    fail(a, 1, "sizes T·B = %lld, H = %lld, I = %lld are too large", (long long)((*T) * (*B)), (long long)*H, (long long)*I);
    return 0;
  }
  return 1;
}

static napi_value js_lstm_forward(napi_env env, napi_callback_info info) {
  args_t a = {env, "lstmForward", {0}, 0, 0};
  if (!get_args(&a, info, 16)) return NULL;
  int64_t T, B, I, H;
  if (!get_dims(&a, 11, &T, &B, &I, &H)) return NULL;
  int64_t G = 4 * H, TB = T * B;
  float *hs = F32(0, "hState", TB * H), *cs = F32(1, "cState", TB * H), *gates = F32(2, "gates", TB * G);
  float *x = F32(3, "x", TB * I), *h0 = F32(4, "h0", B * H), *c0 = F32(5, "c0", B * H);
  float *wIH = F32(6, "wIH", G * I), *wHH = F32(7, "wHH", G * H);
  float *bIH = F32N(8, "bIH", G), *bHH = F32N(9, "bHH", G);
  int32_t *len = I32N(10, "lengths", B);
  int save = get_bool(&a, 15, "saveGates");
  if (a.failed) return NULL;
  kernel_begin();
  int rc = rc_lstm_forward(hs, cs, gates, x, h0, c0, wIH, wHH, bIH, bHH, len, (int)T, (int)B, (int)I, (int)H, save);
  kernel_end();
  if (rc != 0) {
    fail(&a, 1, "out of memory for the scratch of T = %lld, B = %lld, H = %lld", (long long)T, (long long)B, (long long)H);
    return NULL;
  }
  return undefined(env);
}

static napi_value js_lstm_backward(napi_env env, napi_callback_info info) {
  args_t a = {env, "lstmBackward", {0}, 0, 0};
  if (!get_args(&a, info, 24)) return NULL;
  int64_t T, B, I, H;
  if (!get_dims(&a, 20, &T, &B, &I, &H)) return NULL;
  int64_t G = 4 * H, TB = T * B;
  float *dx = F32(0, "dx", TB * I), *dh0 = F32(1, "dh0", B * H), *dc0 = F32(2, "dc0", B * H);
  float *dwIH = F32(3, "dwIH", G * I), *dwHH = F32(4, "dwHH", G * H);
  float *dbIH = F32N(5, "dbIH", G), *dbHH = F32N(6, "dbHH", G), *dhSteps = F32N(7, "dhSteps", TB * H);
  float *dhOut = F32N(8, "dhOut", TB * H), *dhN = F32N(9, "dhN", B * H), *dcN = F32N(10, "dcN", B * H);
  float *hs = F32(11, "hState", TB * H), *cs = F32(12, "cState", TB * H), *gates = F32(13, "gates", TB * G);
  float *x = F32(14, "x", TB * I), *h0 = F32(15, "h0", B * H), *c0 = F32(16, "c0", B * H);
  float *wIH = F32(17, "wIH", G * I), *wHH = F32(18, "wHH", G * H);
  int32_t *len = I32N(19, "lengths", B);
  if (a.failed) return NULL;
  kernel_begin();
  int rc = rc_lstm_backward(dx, dh0, dc0, dwIH, dwHH, dbIH, dbHH, dhSteps, dhOut, dhN, dcN, hs, cs, gates, x, h0, c0, wIH, wHH,
                   len, (int)T, (int)B, (int)I, (int)H);
  kernel_end();
  if (rc != 0) {
    fail(&a, 1, "out of memory for the scratch of T = %lld, B = %lld, H = %lld", (long long)T, (long long)B, (long long)H);
    return NULL;
  }
  return undefined(env);
}

static napi_value js_gru_forward(napi_env env, napi_callback_info info) {
  args_t a = {env, "gruForward", {0}, 0, 0};
  if (!get_args(&a, info, 14)) return NULL;
  int64_t T, B, I, H;
  if (!get_dims(&a, 10, &T, &B, &I, &H)) return NULL;
  int64_t G = 3 * H, TB = T * B;
  float *hs = F32(0, "hState", TB * H), *gates = F32(1, "gates", TB * G), *ghn = F32(2, "ghn", TB * H);
  float *x = F32(3, "x", TB * I), *h0 = F32(4, "h0", B * H);
  float *wIH = F32(5, "wIH", G * I), *wHH = F32(6, "wHH", G * H);
  float *bIH = F32N(7, "bIH", G), *bHH = F32N(8, "bHH", G);
  int32_t *len = I32N(9, "lengths", B);
  if (a.failed) return NULL;
  kernel_begin();
  int rc = rc_gru_forward(hs, gates, ghn, x, h0, wIH, wHH, bIH, bHH, len, (int)T, (int)B, (int)I, (int)H);
  kernel_end();
  if (rc != 0) {
    fail(&a, 1, "out of memory for the scratch of T = %lld, B = %lld, H = %lld", (long long)T, (long long)B, (long long)H);
    return NULL;
  }
  return undefined(env);
}

static napi_value js_gru_backward(napi_env env, napi_callback_info info) {
  args_t a = {env, "gruBackward", {0}, 0, 0};
  if (!get_args(&a, info, 21)) return NULL;
  int64_t T, B, I, H;
  if (!get_dims(&a, 17, &T, &B, &I, &H)) return NULL;
  int64_t G = 3 * H, TB = T * B;
  float *dx = F32(0, "dx", TB * I), *dh0 = F32(1, "dh0", B * H);
  float *dwIH = F32(2, "dwIH", G * I), *dwHH = F32(3, "dwHH", G * H);
  float *dbIH = F32N(4, "dbIH", G), *dbHH = F32N(5, "dbHH", G), *dhSteps = F32N(6, "dhSteps", TB * H);
  float *dhOut = F32N(7, "dhOut", TB * H), *dhN = F32N(8, "dhN", B * H);
  float *hs = F32(9, "hState", TB * H), *gates = F32(10, "gates", TB * G), *ghn = F32(11, "ghn", TB * H);
  float *x = F32(12, "x", TB * I), *h0 = F32(13, "h0", B * H);
  float *wIH = F32(14, "wIH", G * I), *wHH = F32(15, "wHH", G * H);
  int32_t *len = I32N(16, "lengths", B);
  if (a.failed) return NULL;
  kernel_begin();
  int rc = rc_gru_backward(dx, dh0, dwIH, dwHH, dbIH, dbHH, dhSteps, dhOut, dhN, hs, gates, ghn, x, h0, wIH, wHH, len,
                  (int)T, (int)B, (int)I, (int)H);
  kernel_end();
  if (rc != 0) {
    fail(&a, 1, "out of memory for the scratch of T = %lld, B = %lld, H = %lld", (long long)T, (long long)B, (long long)H);
    return NULL;
  }
  return undefined(env);
}

static napi_value js_rnn_forward(napi_env env, napi_callback_info info) {
  args_t a = {env, "rnnForward", {0}, 0, 0};
  if (!get_args(&a, info, 13)) return NULL;
  int64_t T, B, I, H;
  if (!get_dims(&a, 9, &T, &B, &I, &H)) return NULL;
  int64_t TB = T * B;
  float *hs = F32(0, "hState", TB * H), *x = F32(1, "x", TB * I), *h0 = F32(2, "h0", B * H);
  float *wIH = F32(3, "wIH", H * I), *wHH = F32(4, "wHH", H * H);
  float *bIH = F32N(5, "bIH", H), *bHH = F32N(6, "bHH", H);
  int relu = get_bool(&a, 7, "relu");
  int32_t *len = I32N(8, "lengths", B);
  if (a.failed) return NULL;
  kernel_begin();
  int rc = rc_rnn_forward(hs, x, h0, wIH, wHH, bIH, bHH, relu, len, (int)T, (int)B, (int)I, (int)H);
  kernel_end();
  if (rc != 0) {
    fail(&a, 1, "out of memory for the scratch of T = %lld, B = %lld, H = %lld", (long long)T, (long long)B, (long long)H);
    return NULL;
  }
  return undefined(env);
}

static napi_value js_rnn_backward(napi_env env, napi_callback_info info) {
  args_t a = {env, "rnnBackward", {0}, 0, 0};
  if (!get_args(&a, info, 20)) return NULL;
  int64_t T, B, I, H;
  if (!get_dims(&a, 16, &T, &B, &I, &H)) return NULL;
  int64_t TB = T * B;
  float *dx = F32(0, "dx", TB * I), *dh0 = F32(1, "dh0", B * H);
  float *dwIH = F32(2, "dwIH", H * I), *dwHH = F32(3, "dwHH", H * H);
  float *dbIH = F32N(4, "dbIH", H), *dbHH = F32N(5, "dbHH", H), *dhSteps = F32N(6, "dhSteps", TB * H);
  float *dhOut = F32N(7, "dhOut", TB * H), *dhN = F32N(8, "dhN", B * H);
  float *hs = F32(9, "hState", TB * H), *x = F32(10, "x", TB * I), *h0 = F32(11, "h0", B * H);
  float *wIH = F32(12, "wIH", H * I), *wHH = F32(13, "wHH", H * H);
  int relu = get_bool(&a, 14, "relu");
  int32_t *len = I32N(15, "lengths", B);
  if (a.failed) return NULL;
  kernel_begin();
  int rc = rc_rnn_backward(dx, dh0, dwIH, dwHH, dbIH, dbHH, dhSteps, dhOut, dhN, hs, x, h0, wIH, wHH, relu, len,
                  (int)T, (int)B, (int)I, (int)H);
  kernel_end();
  if (rc != 0) {
    fail(&a, 1, "out of memory for the scratch of T = %lld, B = %lld, H = %lld", (long long)T, (long long)B, (long long)H);
    return NULL;
  }
  return undefined(env);
}

/* ---- per-step gate kernels ------------------------------------------------------------- */

/* (t, B, H) at argv[i..i+2]. */
static int get_step(args_t *a, size_t i, int64_t *t, int64_t *B, int64_t *H) {
  *t = get_int(a, i, "t");
  *B = get_int(a, i + 1, "B");
  *H = get_int(a, i + 2, "H");
  if (a->failed) return 0;
  if ((*B) * 4 * (*H) > 2147483647LL) {
    fail(a, 1, "sizes B = %lld, H = %lld are too large", (long long)*B, (long long)*H);
    return 0;
  }
  return 1;
}

static napi_value js_lstm_gates_forward(napi_env env, napi_callback_info info) {
  args_t a = {env, "lstmGatesForward", {0}, 0, 0};
  if (!get_args(&a, info, 12)) return NULL;
  int64_t t, B, H;
  if (!get_step(&a, 9, &t, &B, &H)) return NULL;
  int64_t gOff = get_int(&a, 1, "gOff"), cOff = get_int(&a, 3, "cOff"), mOff = get_int(&a, 5, "mOff"), pOff = get_int(&a, 7, "pOff");
  float *g = F32(0, "gates", gOff + B * 4 * H), *c = F32(2, "c", cOff + B * H), *m = F32(4, "m", mOff + B * H);
  float *cp = F32(6, "cPrev", pOff + B * H);
  int32_t *len = I32N(8, "lengths", B);
  if (a.failed) return NULL;
  kernel_begin();
  rc_lstm_gates_forward(g + gOff, c + cOff, m + mOff, cp + pOff, len, (int)t, (int)B, (int)H);
  kernel_end();
  return undefined(env);
}

static napi_value js_lstm_gates_backward(napi_env env, napi_callback_info info) {
  args_t a = {env, "lstmGatesBackward", {0}, 0, 0};
  if (!get_args(&a, info, 14)) return NULL;
  int64_t t, B, H;
  if (!get_step(&a, 11, &t, &B, &H)) return NULL;
  int64_t dgOff = get_int(&a, 1, "dgOff"), gOff = get_int(&a, 5, "gOff"), cOff = get_int(&a, 7, "cOff"), pOff = get_int(&a, 9, "pOff");
  float *dg = F32(0, "dgates", dgOff + B * 4 * H), *dc = F32(2, "dc", B * H), *dm = F32(3, "dm", B * H);
  float *g = F32(4, "gates", gOff + B * 4 * H), *c = F32(6, "c", cOff + B * H), *cp = F32(8, "cPrev", pOff + B * H);
  int32_t *len = I32N(10, "lengths", B);
  if (a.failed) return NULL;
  kernel_begin();
  rc_lstm_gates_backward(dg + dgOff, dc, dm, g + gOff, c + cOff, cp + pOff, len, (int)t, (int)B, (int)H);
  kernel_end();
  return undefined(env);
}

static napi_value js_gru_gates_forward(napi_env env, napi_callback_info info) {
  args_t a = {env, "gruGatesForward", {0}, 0, 0};
  if (!get_args(&a, info, 15)) return NULL;
  int64_t t, B, H;
  if (!get_step(&a, 12, &t, &B, &H)) return NULL;
  int64_t gOff = get_int(&a, 1, "gOff"), nOff = get_int(&a, 3, "nOff"), hOff = get_int(&a, 5, "hOff");
  int64_t xOff = get_int(&a, 7, "xOff"), pOff = get_int(&a, 10, "pOff");
  float *g = F32(0, "gates", gOff + B * 3 * H), *ghn = F32(2, "ghn", nOff + B * H), *h = F32(4, "h", hOff + B * H);
  float *gx = F32(6, "gx", xOff + B * 3 * H), *gh = F32(8, "gh", B * 3 * H), *hp = F32(9, "hPrev", pOff + B * H);
  int32_t *len = I32N(11, "lengths", B);
  if (a.failed) return NULL;
  kernel_begin();
  rc_gru_gates_forward(g + gOff, ghn + nOff, h + hOff, gx + xOff, gh, hp + pOff, len, (int)t, (int)B, (int)H);
  kernel_end();
  return undefined(env);
}

static napi_value js_gru_gates_backward(napi_env env, napi_callback_info info) {
  /* dgx, dxOff, dgh, dhOff, dhDirect, dh, gates, gOff, ghn, nOff, hPrev, pOff, lengths, t, B, H */
  args_t a = {env, "gruGatesBackward", {0}, 0, 0};
  if (!get_args(&a, info, 16)) return NULL;
  int64_t t, B, H;
  if (!get_step(&a, 13, &t, &B, &H)) return NULL;
  int64_t dxOff = get_int(&a, 1, "dxOff"), dhOff = get_int(&a, 3, "dhOff"), gOff = get_int(&a, 7, "gOff");
  int64_t nOff = get_int(&a, 9, "nOff"), pOff = get_int(&a, 11, "pOff");
  float *dgx = F32(0, "dgx", dxOff + B * 3 * H), *dgh = F32(2, "dgh", dhOff + B * 3 * H);
  float *dhd = F32(4, "dhDirect", B * H), *dh = F32(5, "dh", B * H), *g = F32(6, "gates", gOff + B * 3 * H);
  float *ghn = F32(8, "ghn", nOff + B * H), *hp = F32(10, "hPrev", pOff + B * H);
  int32_t *len = I32N(12, "lengths", B);
  if (a.failed) return NULL;
  kernel_begin();
  rc_gru_gates_backward(dgx + dxOff, dgh + dhOff, dhd, dh, g + gOff, ghn + nOff, hp + pOff, len, (int)t, (int)B, (int)H);
  kernel_end();
  return undefined(env);
}

static napi_value js_rnn_act_forward(napi_env env, napi_callback_info info) {
  /* h, hOff, pre, pOff, relu, lengths, t, B, H */
  args_t a = {env, "rnnActForward", {0}, 0, 0};
  if (!get_args(&a, info, 9)) return NULL;
  int64_t t, B, H;
  if (!get_step(&a, 6, &t, &B, &H)) return NULL;
  int64_t hOff = get_int(&a, 1, "hOff"), pOff = get_int(&a, 3, "pOff");
  float *h = F32(0, "h", hOff + B * H), *pre = F32(2, "pre", pOff + B * H);
  int relu = get_bool(&a, 4, "relu");
  int32_t *len = I32N(5, "lengths", B);
  if (a.failed) return NULL;
  kernel_begin();
  rc_rnn_act_forward(h + hOff, pre + pOff, relu, len, (int)t, (int)B, (int)H);
  kernel_end();
  return undefined(env);
}

static napi_value js_rnn_act_backward(napi_env env, napi_callback_info info) {
  /* dpre, dOff, dh, h, hOff, relu, lengths, t, B, H */
  args_t a = {env, "rnnActBackward", {0}, 0, 0};
  if (!get_args(&a, info, 10)) return NULL;
  int64_t t, B, H;
  if (!get_step(&a, 7, &t, &B, &H)) return NULL;
  int64_t dOff = get_int(&a, 1, "dOff"), hOff = get_int(&a, 4, "hOff");
  float *dpre = F32(0, "dpre", dOff + B * H), *dh = F32(2, "dh", B * H), *h = F32(3, "h", hOff + B * H);
  int relu = get_bool(&a, 5, "relu");
  int32_t *len = I32N(6, "lengths", B);
  if (a.failed) return NULL;
  kernel_begin();
  rc_rnn_act_backward(dpre + dOff, dh, h + hOff, relu, len, (int)t, (int)B, (int)H);
  kernel_end();
  return undefined(env);
}

/* ---- reductions ------------------------------------------------------------------------ */

/* out[o, i] = Σ_k x[o, k, i], accumulated in float64 in k order (as the reference kernel,
 * so the result is the same to the last bit). */
static napi_value js_reduce_sum(napi_env env, napi_callback_info info) {
  args_t a = {env, "reduceSum", {0}, 0, 0};
  if (!get_args(&a, info, 5)) return NULL;
  int64_t outer = get_int(&a, 2, "outer"), n = get_int(&a, 3, "n"), inner = get_int(&a, 4, "inner");
  if (a.failed) return NULL;
  if (outer * inner > (1LL << 40) || outer * n * inner > (1LL << 40)) {
    fail(&a, 1, "sizes outer = %lld, n = %lld, inner = %lld are too large", (long long)outer, (long long)n, (long long)inner);
    return NULL;
  }
  float *out = F32(0, "out", outer * inner), *x = F32(1, "x", outer * n * inner);
  if (a.failed) return NULL;
  const unsigned fp = rc_fp_enter();
  if (inner == 1) {
    for (int64_t o = 0; o < outer; o++) {
      const float *xo = x + o * n;
      double acc = 0;
      for (int64_t k = 0; k < n; k++) acc += xo[k];
      out[o] = (float)acc;
    }
    rc_fp_leave(fp);
    return undefined(env);
  }
  double buf[512];
  for (int64_t o = 0; o < outer; o++) {
    for (int64_t i0 = 0; i0 < inner; i0 += 512) {
      int64_t w = inner - i0 < 512 ? inner - i0 : 512;
      for (int64_t i = 0; i < w; i++) buf[i] = 0;
      for (int64_t k = 0; k < n; k++) {
        const float *xk = x + (o * n + k) * inner + i0;
        for (int64_t i = 0; i < w; i++) buf[i] += xk[i];
      }
      for (int64_t i = 0; i < w; i++) out[o * inner + i0 + i] = (float)buf[i];
    }
  }
  rc_fp_leave(fp);
  return undefined(env);
}

/* ---- element-wise -------------------------------------------------------------------- */

/* out = tanh(x) (op 0) or σ(x) (op 1), vectorised (vmath.c: tanh_precise and the gates'
 * sigmoid; within 6 ulps of the float64 reference rounded to float32). */
static napi_value js_unary(napi_env env, napi_callback_info info) {
  /* op, out, x, n */
  args_t a = {env, "unary", {0}, 0, 0};
  if (!get_args(&a, info, 4)) return NULL;
  int64_t op = get_int(&a, 0, "op"), n = get_int(&a, 3, "n");
  if (!a.failed && op > 1) fail(&a, 1, "argument 'op' must be 0 (tanh) or 1 (sigmoid), got %lld", (long long)op);
  float *out = F32(1, "out", n), *x = F32(2, "x", n);
  if (a.failed) return NULL;
  vm_kernels vm;
  vm_select(&vm);
  const unsigned fp = rc_fp_enter();
  (op == 0 ? vm.tanh_precise : vm.sigmoid)(out, x, NULL, (int)n);
  rc_fp_leave(fp);
  return undefined(env);
}

/* dx = dy·(1 − y²) (tanh, op 0) or dy·y(1 − y) (sigmoid, op 1), in float64 as the reference
 * kernel (the same to the last bit). */
static napi_value js_unary_backward(napi_env env, napi_callback_info info) {
  /* op, dx, dy, y, n */
  args_t a = {env, "unaryBackward", {0}, 0, 0};
  if (!get_args(&a, info, 5)) return NULL;
  int64_t op = get_int(&a, 0, "op"), n = get_int(&a, 4, "n");
  if (!a.failed && op > 1) fail(&a, 1, "argument 'op' must be 0 (tanh) or 1 (sigmoid), got %lld", (long long)op);
  float *dx = F32(1, "dx", n), *dy = F32(2, "dy", n), *y = F32(3, "y", n);
  if (a.failed) return NULL;
  const unsigned fp = rc_fp_enter();
  if (op == 0) for (int64_t i = 0; i < n; i++) dx[i] = (float)((double)dy[i] * (1 - (double)y[i] * (double)y[i]));
  else for (int64_t i = 0; i < n; i++) dx[i] = (float)((double)dy[i] * ((double)y[i] * (1 - (double)y[i])));
  rc_fp_leave(fp);
  return undefined(env);
}

/* out[k] = x[offset + Σ_d i_d·strides[d]] over the row-major index (i_0 … i_{r−1}) of shape,
 * for 4-byte elements (Float32Array or Int32Array, out and x of the same type). Every
 * element read is checked to lie in x before anything is copied. */
static napi_value js_copy_strided(napi_env env, napi_callback_info info) {
  /* out, x, offset, strides (Int32Array), shape (Int32Array) */
  args_t a = {env, "copyStrided", {0}, 0, 0};
  if (!get_args(&a, info, 5)) return NULL;
  int64_t offset = get_int(&a, 2, "offset");
  if (a.failed) return NULL;
  napi_typedarray_type tOut, tX, tS, tD;
  size_t nOut, nX, nS, nD, off;
  void *pOut, *pX, *pS, *pD;
  napi_value buf;
  bool ta[5] = {0};
  for (int i = 0; i < 5; i++) if (i != 2) napi_is_typedarray(env, a.argv[i], &ta[i]);
  if (!ta[0] || !ta[1] || !ta[3] || !ta[4]) {
    fail(&a, 0, "arguments 'out', 'x' must be typed arrays and 'strides', 'shape' Int32Arrays");
    return NULL;
  }
  napi_get_typedarray_info(env, a.argv[0], &tOut, &nOut, &pOut, &buf, &off);
  napi_get_typedarray_info(env, a.argv[1], &tX, &nX, &pX, &buf, &off);
  napi_get_typedarray_info(env, a.argv[3], &tS, &nS, &pS, &buf, &off);
  napi_get_typedarray_info(env, a.argv[4], &tD, &nD, &pD, &buf, &off);
  int four = (tOut == napi_float32_array || tOut == napi_int32_array);
  if (!four || tX != tOut) {
    fail(&a, 0, "arguments 'out' and 'x' must both be Float32Arrays or both Int32Arrays");
    return NULL;
  }
  if (tS != napi_int32_array || tD != napi_int32_array || nS != nD || nD > 16) {
    fail(&a, 0, "arguments 'strides' and 'shape' must be Int32Arrays of the same length ≤ 16, got %zu and %zu", nS, nD);
    return NULL;
  }
  const int32_t *st = pS, *sh = pD;
  int r = (int)nD;
  int64_t total = 1, lo = offset, hi = offset;
  for (int d = 0; d < r; d++) {
    if (sh[d] < 0) { fail(&a, 1, "argument 'shape' must hold sizes ≥ 0, got %d at %d", sh[d], d); return NULL; }
    total *= sh[d];
    if (total > 2147483647LL) { fail(&a, 1, "argument 'shape' holds more than 2^31 − 1 elements"); return NULL; }
  }
  if (total == 0) return undefined(env);
  for (int d = 0; d < r; d++) {
    int64_t span = (int64_t)(sh[d] - 1) * st[d];
    if (span < 0) lo += span; else hi += span;
  }
  if ((int64_t)nOut < total) { fail(&a, 1, "argument 'out' must hold at least %lld elements, got %zu", (long long)total, nOut); return NULL; }
  if (lo < 0 || hi >= (int64_t)nX) {
    fail(&a, 1, "argument 'x' must hold the elements %lld … %lld the strides reach, got length %zu", (long long)lo, (long long)hi, nX);
    return NULL;
  }
  uint32_t *o = pOut;
  const uint32_t *x = pX;
  if (r == 0) { o[0] = x[offset]; return undefined(env); }
  int64_t idx[16] = {0};
  const int64_t inner = sh[r - 1], sIn = st[r - 1];
  int64_t base = offset, k = 0;
  for (;;) {
    const uint32_t *xp = x + base;
    if (sIn == 1) { memcpy(o + k, xp, (size_t)inner * 4); }
    else for (int64_t i = 0; i < inner; i++) o[k + i] = xp[i * sIn];
    k += inner;
    int d = r - 2;
    for (; d >= 0; d--) {
      base += st[d];
      if (++idx[d] < sh[d]) break;
      base -= (int64_t)st[d] * sh[d];
      idx[d] = 0;
    }
    if (d < 0) break;
  }
  return undefined(env);
}

/* ---- optimiser updates ----------------------------------------------------------------- */

/* Adam's (and AdamW's) update without AMSGrad or maximize, in place on p, m, v, computed in
 * float64 in the reference kernel's order (kernels/ref/optim.ts), so the result is the
 * same to the last bit (this file is built without FMA contraction):
 *   m = b1·m + (1 − b1)·g;  v = b2·v + (1 − b2)·g²;  p = p·shrink (rounded);  p = p − stepSize·m / (√v / bc2Sqrt + eps) */
static napi_value js_adam_update(napi_env env, napi_callback_info info) {
  /* p, grad, m, v, n, b1, b2, eps, stepSize, bc2Sqrt, shrink */
  args_t a = {env, "adamUpdate", {0}, 0, 0};
  if (!get_args(&a, info, 11)) return NULL;
  int64_t n = get_int(&a, 4, "n");
  double b1 = get_num(&a, 5, "b1"), b2 = get_num(&a, 6, "b2"), eps = get_num(&a, 7, "eps");
  double stepSize = get_num(&a, 8, "stepSize"), bc2Sqrt = get_num(&a, 9, "bc2Sqrt"), shrink = get_num(&a, 10, "shrink");
  float *p = F32(0, "p", n), *g = F32(1, "grad", n), *m = F32(2, "m", n), *v = F32(3, "v", n);
  if (a.failed) return NULL;
  const double c1 = 1 - b1, c2 = 1 - b2;
  const unsigned fp = rc_fp_enter();
  for (int64_t i = 0; i < n; i++) {
    const double gi = g[i];
    const float mi = (float)(b1 * m[i] + c1 * gi);
    const float vi = (float)(b2 * v[i] + c2 * gi * gi);
    m[i] = mi;
    v[i] = vi;
    const float pi = shrink != 1 ? (float)((double)p[i] * shrink) : p[i]; /* AdamW's decay, rounded first */
    p[i] = (float)((double)pi - stepSize * ((double)mi / (sqrt((double)vi) / bc2Sqrt + eps)));
  }
  rc_fp_leave(fp);
  return undefined(env);
}

/* ---- module ---------------------------------------------------------------------------- */

#define EXPORT(name, fn)                                                     \
  do {                                                                       \
    napi_value f;                                                            \
    napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, NULL, &f);         \
    napi_set_named_property(env, exports, name, f);                          \
  } while (0)

NAPI_MODULE_INIT() {
  EXPORT("info", js_info);
  EXPORT("setThreads", js_set_threads);
  EXPORT("forceIsa", js_force_isa);
  EXPORT("setFlushDenormal", js_set_flush_denormal);
  EXPORT("sgemm", js_sgemm);
  EXPORT("reduceSum", js_reduce_sum);
  EXPORT("adamUpdate", js_adam_update);
  EXPORT("unary", js_unary);
  EXPORT("unaryBackward", js_unary_backward);
  EXPORT("copyStrided", js_copy_strided);
  EXPORT("lstmForward", js_lstm_forward);
  EXPORT("lstmBackward", js_lstm_backward);
  EXPORT("gruForward", js_gru_forward);
  EXPORT("gruBackward", js_gru_backward);
  EXPORT("rnnForward", js_rnn_forward);
  EXPORT("rnnBackward", js_rnn_backward);
  EXPORT("lstmGatesForward", js_lstm_gates_forward);
  EXPORT("lstmGatesBackward", js_lstm_gates_backward);
  EXPORT("gruGatesForward", js_gru_gates_forward);
  EXPORT("gruGatesBackward", js_gru_gates_backward);
  EXPORT("rnnActForward", js_rnn_act_forward);
  EXPORT("rnnActBackward", js_rnn_act_backward);
  return exports;
}
