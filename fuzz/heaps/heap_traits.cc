// The printed forms of heap_traits.h's choices.
#include "fuzz/heaps/heap_traits.h"

#include <cerrno>
#include <cstring>

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

std::string profile_value(const BehaviourProfile& profile, ProfileField field) {
  switch (field) {
    case ProfileField::kMallocZero:
      return std::string(zero_malloc_name(profile.malloc_zero));
    case ProfileField::kReallocZero:
      return std::string(realloc_zero_name(profile.realloc_zero));
    case ProfileField::kMemalignBad:
      return std::string(bad_alignment_name(profile.memalign_bad));
    case ProfileField::kAlignedAllocBad:
      return std::string(bad_alignment_name(profile.aligned_alloc_bad));
    case ProfileField::kPosixMemalignBad:
      return std::string(bad_alignment_name(profile.posix_memalign_bad));
    case ProfileField::kRefusalErrno: {
      if (profile.refusal_errno == 0) return "unset";
      const char* name = strerrorname_np(profile.refusal_errno);
      return name != nullptr ? name : std::to_string(profile.refusal_errno);
    }
    case ProfileField::kUsableGranularity:
      return profile.usable_granularity == 0 ? "size classes"
                                             : std::to_string(profile.usable_granularity);
  }
  return "?";
}

std::string profile_line(const BehaviourProfile& profile, ProfileField field) {
  return std::string(kProfileFields[static_cast<size_t>(field)].label) + ": " +
         profile_value(profile, field);
}

}  // namespace allocfuzz
