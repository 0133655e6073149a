/* Array sigmoid and tanh for the gate epilogues (vmath.c). */
#ifndef RC_VMATH_H
#define RC_VMATH_H

/* y[i] = f(a[i] + b[i]) (b may be NULL: f(a[i])); y may alias a or b. */
typedef void (*vm_fn)(float *y, const float *a, const float *b, int n);

/* The LSTM cell of w units in one pass: with pre-activations x_q = a[q·as + k] (+ b[q·bs + k]
 * if b) of gates q = i, f, g, o: i, f, o = σ, g = tanh; c[k] = i·g + f·cPrev[k];
 * h[k] = o·tanh(c[k]); if save, the activations to save[q·ss + k] (save may alias a). */
typedef void (*vm_lstm_fn)(const float *a, int as, const float *b, int bs, const float *cPrev,
                           float *c, float *h, float *save, int ss, int w);

typedef struct {
  vm_fn sigmoid;
  vm_fn tanh;
  vm_lstm_fn lstm_cell;
  /* tanh accurate near 0 too (the element-wise op; the gates use `tanh`). */
  vm_fn tanh_precise;
} vm_kernels;

/* The implementation for the kernel family rc_isa() names. */
void vm_select(vm_kernels *k);

#endif
