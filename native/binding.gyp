{
  "targets": [
    {
      "target_name": "recurrent_native",
      "sources": [
        "src/addon.c",
        "src/isa.c",
        "src/pool.c",
        "src/sgemm.c",
        "src/seq.c",
        "src/vmath.c"
      ],
      "cflags": ["-O3", "-std=gnu11", "-fno-math-errno", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "cflags!": ["-O2", "-O0"],
      "ldflags": ["-pthread"],
      "defines": ["NAPI_VERSION=8"],
      "xcode_settings": {
        "OTHER_CFLAGS": ["-O3", "-std=gnu11"]
      }
    }
  ]
}
