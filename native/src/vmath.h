/* Array sigmoid and tanh for the gate epilogues (vmath.c). */
#ifndef RC_VMATH_H
#define RC_VMATH_H

/* y[i] = f(a[i] + b[i]) (b may be NULL: f(a[i])); y may alias a or b. */
typedef void (*vm_fn)(float *y, const float *a, const float *b, int n);

typedef struct {
  vm_fn sigmoid;
  vm_fn tanh;
} vm_kernels;

/* The implementation for the kernel family rc_isa() names. */
void vm_select(vm_kernels *k);

#endif
