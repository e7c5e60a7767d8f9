// What the harness reports: a finding, with its kind from the violation vocabulary
// (fuzz/oracle/finding_kind.h), the oracle that saw it and the operation.
#ifndef ALLOCFUZZ_FUZZ_FINDING_H_
#define ALLOCFUZZ_FUZZ_FINDING_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/oracle/finding_kind.h"

namespace allocfuzz {

struct Finding {
  FindingKind kind;  // overlap, heap-invariant:free-tag, crash:SIGSEGV, ...
  Oracle oracle = Oracle::kShadow;
  size_t op_index = 0;       // the operation during or right after which it was seen
  std::string message;       // one line, region offsets only
  size_t offset = SIZE_MAX;  // where to centre the heap map, or SIZE_MAX
  // For signals and sanitizer reports: the innermost frame inside the heap under test,
  // "FILE:LINE in FUNCTION" (basename, no address), "?" when it could not be symbolized;
  // empty for every other oracle. Part of the finding's signature (signature.h).
  std::string frame;
};

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_FINDING_H_
