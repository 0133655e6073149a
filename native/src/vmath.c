/*
 * Vectorised exp-based sigmoid and tanh over arrays, for the gate epilogues of the fused
 * recurrent kernels. One algorithm in three widths (AVX-512, AVX2, scalar) so that every
 * element is computed alike whatever its position (tails go through a full vector):
 *   exp x: x clamped to [−87.3, 88.3] (NaN passes through), x = n·ln2 + r with |r| ≤ ln2/2
 *   (ln2 split in a high and a low part), e^r by its degree-6 Taylor polynomial (relative
 *   truncation error < r⁷/7! ≈ 1.2e-7), 2^n assembled in the exponent bits.
 *   σ(x) = 1 / (1 + e^−x);  tanh x = 1 − 2 / (e^{2x} + 1).
 * The same approximation as the WebAssembly kernels (assembly/vmath.ts); the AVX-512 width
 * replaces the division by a refined reciprocal (results within an ulp of the others).
 */
#include "vmath.h"
#include "rc.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define RC_X86 1
#endif

#define LOG2E 1.44269504088896341f
#define LN2_HI 0.693359375f
#define LN2_LO -2.12194440e-4f
#define X_LO -87.3f
#define X_HI 88.3f

/* ---- scalar ------------------------------------------------------------------------ */

static inline float s_exp(float x) {
  if (x != x) return x;
  x = x < X_LO ? X_LO : (x > X_HI ? X_HI : x);
  float n = nearbyintf(x * LOG2E);
  float r = x - n * LN2_HI;
  r = r - n * LN2_LO;
  float p = (1.0f / 720.0f) * r + (1.0f / 120.0f);
  p = p * r + (1.0f / 24.0f);
  p = p * r + (1.0f / 6.0f);
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  int32_t bits = ((int32_t)n + 127) << 23;
  float pow2;
  memcpy(&pow2, &bits, sizeof pow2);
  return p * pow2;
}

static void sigmoid_generic(float *y, const float *a, const float *b, int n) {
  for (int i = 0; i < n; i++) {
    float x = b ? a[i] + b[i] : a[i];
    y[i] = 1.0f / (1.0f + s_exp(-x));
  }
}

static void tanh_generic(float *y, const float *a, const float *b, int n) {
  for (int i = 0; i < n; i++) {
    float x = b ? a[i] + b[i] : a[i];
    float e = s_exp(x + x);
    y[i] = 1.0f - 2.0f / (e + 1.0f);
  }
}

/* The LSTM cell of w units in one pass (see vmath.h): pre-activations a (+ b) of gates
 * i, f, g, o at a + q·as (b + q·bs); the activations go to save + q·ss if save is given
 * (save may alias a). The same operations, in the same order, in every width. */
/* libm's tanhf (the portable and AVX2 element-wise tanh; within an ulp or two). */
static void tanh_precise_generic(float *y, const float *a, const float *b, int n) {
  for (int i = 0; i < n; i++) y[i] = tanhf(b ? a[i] + b[i] : a[i]);
}

static void lstm_cell_generic(const float *a, int as, const float *b, int bs, const float *cPrev,
                              float *c, float *h, float *save, int ss, int w) {
  for (int k = 0; k < w; k++) {
    float xi = a[k], xf = a[as + k], xg = a[2 * as + k], xo = a[3 * as + k];
    if (b) xi += b[k], xf += b[bs + k], xg += b[2 * bs + k], xo += b[3 * bs + k];
    float gi = 1.0f / (1.0f + s_exp(-xi)), gf = 1.0f / (1.0f + s_exp(-xf)), go = 1.0f / (1.0f + s_exp(-xo));
    float e = s_exp(xg + xg), gg = 1.0f - 2.0f / (e + 1.0f);
    float cn = __builtin_fmaf(gi, gg, gf * cPrev[k]);
    float et = s_exp(cn + cn), tc = 1.0f - 2.0f / (et + 1.0f);
    c[k] = cn;
    h[k] = go * tc;
    if (save) save[k] = gi, save[ss + k] = gf, save[2 * ss + k] = gg, save[3 * ss + k] = go;
  }
}

#ifdef RC_X86
/* ---- AVX2 + FMA (8 lanes) -------------------------------------------------------- */

#define T_AVX2 __attribute__((target("avx2,fma")))

T_AVX2 static inline __m256 v8_exp(__m256 x) {
  /* min/max return their second operand when either is NaN: constant first keeps NaN. */
  x = _mm256_max_ps(_mm256_set1_ps(X_LO), _mm256_min_ps(_mm256_set1_ps(X_HI), x));
  __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(LOG2E)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  /* Multiply then subtract (no FMA) as in the scalar twin, so the lanes agree with it. */
  __m256 r = _mm256_sub_ps(x, _mm256_mul_ps(n, _mm256_set1_ps(LN2_HI)));
  r = _mm256_sub_ps(r, _mm256_mul_ps(n, _mm256_set1_ps(LN2_LO)));
  __m256 p = _mm256_add_ps(_mm256_mul_ps(_mm256_set1_ps(1.0f / 720.0f), r), _mm256_set1_ps(1.0f / 120.0f));
  p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(1.0f / 24.0f));
  p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(1.0f / 6.0f));
  p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(0.5f));
  p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(1.0f));
  p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(1.0f));
  __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}

T_AVX2 static inline __m256 v8_load(const float *a, const float *b, int i) {
  __m256 x = _mm256_loadu_ps(a + i);
  return b ? _mm256_add_ps(x, _mm256_loadu_ps(b + i)) : x;
}

T_AVX2 static inline __m256 v8_sigmoid(__m256 x) {
  __m256 one = _mm256_set1_ps(1.0f);
  return _mm256_div_ps(one, _mm256_add_ps(one, v8_exp(_mm256_sub_ps(_mm256_setzero_ps(), x))));
}

T_AVX2 static inline __m256 v8_tanh(__m256 x) {
  __m256 e = v8_exp(_mm256_add_ps(x, x));
  return _mm256_sub_ps(_mm256_set1_ps(1.0f), _mm256_div_ps(_mm256_set1_ps(2.0f), _mm256_add_ps(e, _mm256_set1_ps(1.0f))));
}



/* y = f(a + b) over n floats, 8 at a time; the tail goes through a full vector too. */
#define ARRAY_AVX2(name, f)                                                              \
  T_AVX2 static void name(float *y, const float *a, const float *b, int n) {             \
    int i = 0;                                                                           \
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, f(v8_load(a, b, i)));             \
    if (i < n) {                                                                         \
      float ta[8] = {0}, tb[8] = {0}, ty[8];                                             \
      memcpy(ta, a + i, (size_t)(n - i) * sizeof(float));                                \
      if (b) memcpy(tb, b + i, (size_t)(n - i) * sizeof(float));                         \
      _mm256_storeu_ps(ty, f(v8_load(ta, b ? tb : NULL, 0)));                            \
      memcpy(y + i, ty, (size_t)(n - i) * sizeof(float));                                \
    }                                                                                    \
  }
ARRAY_AVX2(sigmoid_avx2, v8_sigmoid)
ARRAY_AVX2(tanh_avx2, v8_tanh)

T_AVX2 static inline void v8_lstm_cell(const float *a, int as, const float *b, int bs, const float *cPrev,
                                       float *c, float *h, float *save, int ss, int k) {
  __m256 gi = v8_sigmoid(v8_load(a, b, k)), gf = v8_sigmoid(v8_load(a + as, b ? b + bs : NULL, k));
  __m256 gg = v8_tanh(v8_load(a + 2 * as, b ? b + 2 * bs : NULL, k));
  __m256 go = v8_sigmoid(v8_load(a + 3 * as, b ? b + 3 * bs : NULL, k));
  __m256 cn = _mm256_fmadd_ps(gi, gg, _mm256_mul_ps(gf, _mm256_loadu_ps(cPrev + k)));
  _mm256_storeu_ps(c + k, cn);
  _mm256_storeu_ps(h + k, _mm256_mul_ps(go, v8_tanh(cn)));
  if (save) {
    _mm256_storeu_ps(save + k, gi);
    _mm256_storeu_ps(save + ss + k, gf);
    _mm256_storeu_ps(save + 2 * ss + k, gg);
    _mm256_storeu_ps(save + 3 * ss + k, go);
  }
}

T_AVX2 static void lstm_cell_avx2(const float *a, int as, const float *b, int bs, const float *cPrev,
                                  float *c, float *h, float *save, int ss, int w) {
  int k = 0;
  for (; k + 8 <= w; k += 8) v8_lstm_cell(a, as, b, bs, cPrev, c, h, save, ss, k);
  if (k < w) { /* the tail through a full vector, staged in 8-wide rows */
    const int n = w - k;
    float ta[4][8] = {{0}}, tb[4][8] = {{0}}, tp[8] = {0}, tcn[8], th[8], ts[4][8];
    for (int q = 0; q < 4; q++) {
      memcpy(ta[q], a + (size_t)q * as + k, (size_t)n * 4);
      if (b) memcpy(tb[q], b + (size_t)q * bs + k, (size_t)n * 4);
    }
    memcpy(tp, cPrev + k, (size_t)n * 4);
    v8_lstm_cell(ta[0], 8, b ? tb[0] : NULL, 8, tp, tcn, th, ts[0], 8, 0);
    memcpy(c + k, tcn, (size_t)n * 4);
    memcpy(h + k, th, (size_t)n * 4);
    if (save)
      for (int q = 0; q < 4; q++) memcpy(save + (size_t)q * ss + k, ts[q], (size_t)n * 4);
  }
}

/* ---- AVX-512 (16 lanes, masked tails) -------------------------------------------- */

#define T_AVX512 __attribute__((target("avx512f,avx512vl,avx512dq,fma")))

T_AVX512 static inline __m512 v16_exp(__m512 x) {
  x = _mm512_max_ps(_mm512_set1_ps(X_LO), _mm512_min_ps(_mm512_set1_ps(X_HI), x));
  __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(LOG2E)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_sub_ps(x, _mm512_mul_ps(n, _mm512_set1_ps(LN2_HI)));
  r = _mm512_sub_ps(r, _mm512_mul_ps(n, _mm512_set1_ps(LN2_LO)));
  __m512 p = _mm512_add_ps(_mm512_mul_ps(_mm512_set1_ps(1.0f / 720.0f), r), _mm512_set1_ps(1.0f / 120.0f));
  p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(1.0f / 24.0f));
  p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(1.0f / 6.0f));
  p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(0.5f));
  p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(1.0f));
  p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(1.0f));
  __m512i e = _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23);
  return _mm512_mul_ps(p, _mm512_castsi512_ps(e));
}

T_AVX512 static inline __m512 v16_load(const float *a, const float *b, int i, __mmask16 m) {
  __m512 x = _mm512_maskz_loadu_ps(m, a + i);
  return b ? _mm512_add_ps(x, _mm512_maskz_loadu_ps(m, b + i)) : x;
}

/* 1/d for d ≥ 1: the 14-bit estimate and one Newton step (≈ 28 bits, within an ulp of the
 * quotient), a third of the cost of a 16-lane division, which dominated the gate epilogue. */
T_AVX512 static inline __m512 v16_recip(__m512 d) {
  __m512 r = _mm512_rcp14_ps(d);
  return _mm512_mul_ps(r, _mm512_fnmadd_ps(d, r, _mm512_set1_ps(2.0f)));
}

T_AVX512 static inline __m512 v16_sigmoid(__m512 x) {
  __m512 one = _mm512_set1_ps(1.0f);
  return v16_recip(_mm512_add_ps(one, v16_exp(_mm512_sub_ps(_mm512_setzero_ps(), x))));
}

T_AVX512 static inline __m512 v16_tanh(__m512 x) {
  __m512 e = v16_exp(_mm512_add_ps(x, x));
  return _mm512_fnmadd_ps(_mm512_set1_ps(2.0f), v16_recip(_mm512_add_ps(e, _mm512_set1_ps(1.0f))), _mm512_set1_ps(1.0f));
}

/* tanh with a relative accuracy near 0 (the element-wise op, not the gates): the odd Taylor
 * polynomial to x^15 for |x| < 0.5 (truncation < 0.2 ulp there), 1 − 2/(e^{2x} + 1) above. */
T_AVX512 static inline __m512 v16_tanh_precise(__m512 x) {
  const __m512 x2 = _mm512_mul_ps(x, x);
  __m512 p = _mm512_set1_ps(-929569.0f / 638512875.0f);
  p = _mm512_fmadd_ps(p, x2, _mm512_set1_ps(21844.0f / 6081075.0f));
  p = _mm512_fmadd_ps(p, x2, _mm512_set1_ps(-1382.0f / 155925.0f));
  p = _mm512_fmadd_ps(p, x2, _mm512_set1_ps(62.0f / 2835.0f));
  p = _mm512_fmadd_ps(p, x2, _mm512_set1_ps(-17.0f / 315.0f));
  p = _mm512_fmadd_ps(p, x2, _mm512_set1_ps(2.0f / 15.0f));
  p = _mm512_fmadd_ps(p, x2, _mm512_set1_ps(-1.0f / 3.0f));
  p = _mm512_fmadd_ps(_mm512_mul_ps(p, x2), x, x);
  const __mmask16 small = _mm512_cmp_ps_mask(_mm512_abs_ps(x), _mm512_set1_ps(0.5f), _CMP_LT_OQ);
  return _mm512_mask_blend_ps(small, v16_tanh(x), p);
}

/* y = f(a + b) over n floats, 16 at a time, the tail masked. */
#define ARRAY_AVX512(name, f)                                                            \
  T_AVX512 static void name(float *y, const float *a, const float *b, int n) {           \
    for (int i = 0; i < n; i += 16) {                                                    \
      __mmask16 m = n - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - i)) - 1);  \
      _mm512_mask_storeu_ps(y + i, m, f(v16_load(a, b, i, m)));                          \
    }                                                                                    \
  }
ARRAY_AVX512(sigmoid_avx512, v16_sigmoid)
ARRAY_AVX512(tanh_avx512, v16_tanh)
ARRAY_AVX512(tanh_precise_avx512, v16_tanh_precise)

T_AVX512 static void lstm_cell_avx512(const float *a, int as, const float *b, int bs, const float *cPrev,
                                      float *c, float *h, float *save, int ss, int w) {
  for (int k = 0; k < w; k += 16) {
    const __mmask16 m = w - k >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (w - k)) - 1);
    __m512 gi = v16_sigmoid(v16_load(a, b, k, m));
    __m512 gf = v16_sigmoid(v16_load(a + as, b ? b + bs : NULL, k, m));
    __m512 gg = v16_tanh(v16_load(a + 2 * as, b ? b + 2 * bs : NULL, k, m));
    __m512 go = v16_sigmoid(v16_load(a + 3 * as, b ? b + 3 * bs : NULL, k, m));
    __m512 cn = _mm512_fmadd_ps(gi, gg, _mm512_mul_ps(gf, _mm512_maskz_loadu_ps(m, cPrev + k)));
    _mm512_mask_storeu_ps(c + k, m, cn);
    _mm512_mask_storeu_ps(h + k, m, _mm512_mul_ps(go, v16_tanh(cn)));
    if (save) {
      _mm512_mask_storeu_ps(save + k, m, gi);
      _mm512_mask_storeu_ps(save + ss + k, m, gf);
      _mm512_mask_storeu_ps(save + 2 * ss + k, m, gg);
      _mm512_mask_storeu_ps(save + 3 * ss + k, m, go);
    }
  }
}
#endif

/* ---- dispatch ---------------------------------------------------------------------- */

static vm_fn pick(const char *isa, vm_fn generic, vm_fn avx2, vm_fn avx512) {
  (void)avx2;
  (void)avx512;
#ifdef RC_X86
  if (strcmp(isa, "avx512") == 0) return avx512;
  if (strcmp(isa, "avx2") == 0) return avx2;
#endif
  (void)isa;
  return generic;
}

void vm_select(vm_kernels *k) {
  const char *isa = rc_isa();
#ifdef RC_X86
  k->sigmoid = pick(isa, sigmoid_generic, sigmoid_avx2, sigmoid_avx512);
  k->tanh = pick(isa, tanh_generic, tanh_avx2, tanh_avx512);
  k->lstm_cell = strcmp(isa, "avx512") == 0 ? lstm_cell_avx512 : strcmp(isa, "avx2") == 0 ? lstm_cell_avx2 : lstm_cell_generic;
  k->tanh_precise = strcmp(isa, "avx512") == 0 ? tanh_precise_avx512 : tanh_precise_generic;
#else
  k->tanh_precise = tanh_precise_generic;
  k->lstm_cell = lstm_cell_generic;
  k->sigmoid = pick(isa, sigmoid_generic, NULL, NULL);
  k->tanh = pick(isa, tanh_generic, NULL, NULL);
#endif
}
