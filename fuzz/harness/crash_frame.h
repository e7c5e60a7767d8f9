// The innermost frame inside the heap under test, for a finding that a signal or a sanitizer
// report made: "FILE:LINE in FUNCTION", the file's basename, never an address, so that the same
// bug names the same frame in every build tree and on every run (it is part of the finding's
// signature, fuzz/oracle/signature.h).
//
// Which frames are the heap's: walking from the innermost outwards, the first frame with a
// source file that is none of the harness's (fuzz/program, fuzz/oracle, fuzz/harness,
// fuzz/targets, the adapters directly in fuzz/heaps, repro/ and tests/support code is the
// harness; allocator/, plugins/, fuzz/heaps/wrong/ and any file outside this repository are
// heaps), nor the sanitizer runtime's or the system's (/usr/..., compiler-rt), nor the heap's
// reporting function heap_fatal (its caller is where the heap found itself broken). When no
// frame is the heap's (the harness itself touched a bad block), the innermost frame of the
// harness.
// Without a symbolizer (a build without sanitizers, or no llvm-symbolizer on the PATH), "?".
//
// Runs from signal handlers and sanitizer callbacks: the unwinder and symbolizer are the
// sanitizers' and the C library's (backtrace(3), loaded by warm_up_crash_frames beforehand);
// nothing here allocates from the heap under test.
#ifndef ALLOCFUZZ_FUZZ_HARNESS_CRASH_FRAME_H_
#define ALLOCFUZZ_FUZZ_HARNESS_CRASH_FRAME_H_

#include "allocator/base/fixed_text.h"

namespace allocfuzz {

// The longest frame text; a longer function name is cut.
inline constexpr size_t kCrashFrameCapacity = 200;

// Loads the unwinder, so that the first crash does not (call once, before the heap runs).
void warm_up_crash_frames();

// Appends the innermost frame of the heap under test in the current stack to `out`.
// `fault_pc`: for a signal, the faulting instruction (from the signal's context), which is
// then the innermost frame; null otherwise.
void append_crash_frame(const void* fault_pc, TextBuffer& out);

// The faulting instruction in a signal handler's context (its third argument), or null.
const void* fault_pc_of(const void* ucontext);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_HARNESS_CRASH_FRAME_H_
