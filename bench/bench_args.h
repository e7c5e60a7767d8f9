// The command line every bench program takes: `--seed N` and `--ops N`, and how it fails
// (usage errors exit 2 with the usage line, other errors exit 1). Header-only: each program
// is one translation unit.
#ifndef ALLOCFUZZ_BENCH_BENCH_ARGS_H_
#define ALLOCFUZZ_BENCH_BENCH_ARGS_H_

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace allocfuzz::bench {

struct SeedAndOps {
  uint64_t seed;
  uint64_t ops;
};

[[noreturn]] inline void die(const char* program, const char* what) {
  std::fprintf(stderr, "%s: %s\n", program, what);
  std::exit(1);
}

[[noreturn]] inline void usage_error(const char* program, const char* what) {
  std::fprintf(stderr, "%s: %s\nusage: %s [--seed N] [--ops N]\n", program, what, program);
  std::exit(2);
}

// A decimal number with no sign that fits in 64 bits.
inline bool parse_u64(const char* text, uint64_t* out) {
  if (text == nullptr || *text == '\0' || *text == '-') return false;
  errno = 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(text, &end, 10);
  if (errno != 0 || *end != '\0') return false;
  *out = v;
  return true;
}

// Parses `--seed N` and `--ops N` over `defaults`; --ops must be 1 .. max_ops.
inline SeedAndOps parse_seed_and_ops(int argc, char** argv, const char* program,
                                     SeedAndOps defaults, uint64_t max_ops) {
  SeedAndOps o = defaults;
  for (int i = 1; i < argc; i += 2) {
    uint64_t* target = nullptr;
    if (std::strcmp(argv[i], "--seed") == 0) {
      target = &o.seed;
    } else if (std::strcmp(argv[i], "--ops") == 0) {
      target = &o.ops;
    } else {
      usage_error(program, "unknown argument");
    }
    if (i + 1 >= argc || !parse_u64(argv[i + 1], target)) usage_error(program, "expected a number");
  }
  if (o.ops == 0 || o.ops > max_ops) usage_error(program, "--ops is out of range");
  return o;
}

}  // namespace allocfuzz::bench

#endif  // ALLOCFUZZ_BENCH_BENCH_ARGS_H_
