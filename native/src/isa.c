/*
 * Kernel-family dispatch: one process-wide choice among "avx512", "avx2" and "generic",
 * made at first use from the CPU's features (or RECURRENT_NATIVE_ISA) and changeable
 * with rc_force_isa. sgemm.c reads it through rc_isa_level() on every call, so a forced
 * change takes effect for the next product without any re-initialisation.
 */
#include "rc.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Internal to the native backend (declared again in sgemm.c): 0 generic, 1 avx2, 2 avx512. */
int rc_isa_level(void);

enum { ISA_UNSET = -1, ISA_GENERIC = 0, ISA_AVX2 = 1, ISA_AVX512 = 2 };

static atomic_int isa_level = ISA_UNSET;

/* The best family this CPU (and OS: libgcc checks XCR0 for the ymm/zmm state) runs. */
static int isa_best(void) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(RC_NO_X86)
  __builtin_cpu_init();
  /* The AVX-512 kernels use F (zmm arithmetic), VL/DQ (masked ymm/xmm forms the
   * compiler may pick) and FMA; Skylake-SP and later all have the four. */
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("fma"))
    return ISA_AVX512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return ISA_AVX2;
#endif
  return ISA_GENERIC;
}

static int isa_parse(const char *s) {
  if (!s) return ISA_UNSET;
  if (!strcmp(s, "avx512")) return ISA_AVX512;
  if (!strcmp(s, "avx2")) return ISA_AVX2;
  if (!strcmp(s, "generic")) return ISA_GENERIC;
  return ISA_UNSET;
}

int rc_isa_level(void) {
  int l = atomic_load_explicit(&isa_level, memory_order_relaxed);
  if (l != ISA_UNSET) return l;
  /* First use: racing threads compute the same answer, so a plain store is enough. */
  int best = isa_best();
  int want = isa_parse(getenv("RECURRENT_NATIVE_ISA"));
  l = (want != ISA_UNSET && want <= best) ? want : best;
  int expected = ISA_UNSET;
  /* A concurrent rc_force_isa wins over the default. */
  if (!atomic_compare_exchange_strong(&isa_level, &expected, l)) l = expected;
  return l;
}

const char *rc_isa(void) {
  switch (rc_isa_level()) {
    case ISA_AVX512: return "avx512";
    case ISA_AVX2: return "avx2";
    default: return "generic";
  }
}

int rc_force_isa(const char *isa) {
  int want = isa_parse(isa);
  if (want == ISA_UNSET || want > isa_best()) return 0;
  atomic_store(&isa_level, want);
  return 1;
}
