// The build's compile-time switches, each read once here and turned into a named constant.
// Code tests the constant (`if constexpr (kExpensiveChecks)`), never the macro, so that both
// sides of a switch are compiled in every build and a switch is found by one grep.
//
// Who sets what:
//   ALLOCFUZZ_EXPENSIVE_CHECKS, ALLOCFUZZ_DEFECTS, ALLOCFUZZ_FUZZ_BUILD
//       allocator/CMakeLists.txt, from the CMake options of the same name (ALLOCFUZZ_FUZZ for
//       the last) that the presets set; PUBLIC on allocfuzz_allocator, so every target that
//       links the allocator sees one value (no ODR split between a library and its users).
//   __has_feature(address_sanitizer), __has_feature(undefined_behavior_sanitizer)
//       the compiler, from -fsanitize=, which cmake/ sets per target (the fuzz preset puts
//       UBSan on allocator/ only).
#ifndef ALLOCFUZZ_ALLOCATOR_BASE_BUILD_CONFIG_H_
#define ALLOCFUZZ_ALLOCATOR_BASE_BUILD_CONFIG_H_

// The one preprocessor form of a switch, for what a constant cannot do: choosing between
// macros (tests/region/memory_access.h). 1 under AddressSanitizer, else 0.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ALLOCFUZZ_HAS_ASAN 1
#endif
#if __has_feature(undefined_behavior_sanitizer)
#define ALLOCFUZZ_HAS_UBSAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(ALLOCFUZZ_HAS_ASAN)
#define ALLOCFUZZ_HAS_ASAN 1
#endif
#if !defined(ALLOCFUZZ_HAS_ASAN)
#define ALLOCFUZZ_HAS_ASAN 0
#endif
#if !defined(ALLOCFUZZ_HAS_UBSAN)
#define ALLOCFUZZ_HAS_UBSAN 0
#endif

namespace allocfuzz {

// The dev preset: FreeArrayHeap runs the whole heap checker after every call it serves
// (O(n + e) per call; free_array/heap_checker.h).
inline constexpr bool kExpensiveChecks =
#if defined(ALLOCFUZZ_EXPENSIVE_CHECKS)
    true;
#else
    false;
#endif

// The dev and fuzz presets: FreeArrayHeap's historical defect switches exist
// (free_array/defects.h). Without them (release) every defect branch is compiled out.
inline constexpr bool kDefectsCompiledIn =
#if defined(ALLOCFUZZ_DEFECTS)
    true;
#else
    false;
#endif

// The fuzz and afl presets: the fuzz targets beside this build's allocfuzz are fuzzing-engine
// binaries; elsewhere they only replay files, so `run` and `cmin` refuse (repro/engines).
inline constexpr bool kFuzzBuild =
#if defined(ALLOCFUZZ_FUZZ_BUILD)
    true;
#else
    false;
#endif

// Sanitizers of the translation unit being compiled. Not `inline`: the flags are per target,
// so these may differ between translation units, and each one must see its own value.
constexpr bool kAddressSanitizer = ALLOCFUZZ_HAS_ASAN != 0;
constexpr bool kUndefinedBehaviorSanitizer = ALLOCFUZZ_HAS_UBSAN != 0;

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_ALLOCATOR_BASE_BUILD_CONFIG_H_
