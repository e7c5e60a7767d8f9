// The printed forms of heap_traits.h's choices.
#include "fuzz/heaps/heap_traits.h"

namespace allocfuzz {

std::string_view bad_alignment_name(BadAlignment b) {
  switch (b) {
    case BadAlignment::kEinval:
      return "EINVAL";
    case BadAlignment::kRoundsUp:
      return "rounds-up";
    case BadAlignment::kNotAsked:
      return "not-asked";
  }
  return "?";
}

std::string_view zero_malloc_name(ZeroMalloc z) {
  return z == ZeroMalloc::kUniqueBlock ? "block" : "NULL";
}

std::string_view realloc_zero_name(ReallocZero r) {
  return r == ReallocZero::kFrees ? "frees" : "block";
}

}  // namespace allocfuzz
