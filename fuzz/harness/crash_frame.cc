// The innermost frame inside the heap under test; see crash_frame.h.
#include "fuzz/harness/crash_frame.h"

#include <execinfo.h>
#include <ucontext.h>

#include <cstdint>
#include <string_view>

// The sanitizers' symbolizer, weak so that a build without sanitizers links: there it is null,
// and the frame is "?". It symbolizes the instruction before `pc` (a return address's call).
extern "C" __attribute__((weak)) void __sanitizer_symbolize_pc(void* pc, const char* fmt, char* out,
                                                               size_t out_size);

namespace allocfuzz {
namespace {

constexpr char kSeparator = '\001';  // between file, line and function in the symbolizer's text
constexpr int kMaxFrames = 64;

// This file's path names the repository's root: everything before "fuzz/harness/crash_frame.cc".
std::string_view repository_root() {
  constexpr std::string_view self = __FILE__;
  constexpr std::string_view tail = "fuzz/harness/crash_frame.cc";
  return self.ends_with(tail) ? self.substr(0, self.size() - tail.size()) : std::string_view();
}

// The harness's folders (paths from the root). A file directly in fuzz/heaps/ is an adapter of
// the harness; one in fuzz/heaps/wrong/ is a (wrong) heap.
constexpr std::string_view kHarnessFolders[] = {
    "fuzz/program/", "fuzz/oracle/",   "fuzz/harness/", "fuzz/targets/",
    "repro/tools/",  "repro/engines/", "repro/cli/",    "tests/support/",
};
// The death paths' own files: never a finding's frame, not even the harness's fallback.
constexpr std::string_view kDeathPathFiles[] = {
    "fuzz/harness/crash_frame.cc",
    "fuzz/harness/fatal_signals.cc",
    "fuzz/targets/fuzzer_support.cc",
    "repro/tools/child_hooks.cc",
};

// Functions of a heap that only report its failure: the frame is their caller, where the heap
// found itself broken (heap_fatal's own line would put every fatal check in one bucket).
constexpr std::string_view kReportingFunctions[] = {"allocfuzz::heap_fatal("};

enum class Owner { kNone, kDeathPath, kHarness, kHeap };

Owner owner_of(std::string_view file) {
  // No file, a relative one (the C library's debug information) or the system's headers and
  // the sanitizer runtime: not code of ours or of the heap.
  if (file.empty() || file.front() != '/' || file.starts_with("/usr/") ||
      file.find("/compiler-rt/") != std::string_view::npos) {
    return Owner::kNone;
  }
  const std::string_view root = repository_root();
  if (root.empty() || !file.starts_with(root)) return Owner::kHeap;  // another project's heap
  const std::string_view path = file.substr(root.size());
  for (std::string_view f : kDeathPathFiles) {
    if (path == f) return Owner::kDeathPath;
  }
  for (std::string_view folder : kHarnessFolders) {
    if (path.starts_with(folder)) return Owner::kHarness;
  }
  constexpr std::string_view heaps = "fuzz/heaps/";
  if (path.starts_with(heaps) && path.substr(heaps.size()).find('/') == std::string_view::npos) {
    return Owner::kHarness;
  }
  return Owner::kHeap;
}

struct Frame {
  std::string_view file;
  std::string_view line;
  std::string_view function;
};

// Splits the symbolizer's "FILE\1LINE\1FUNCTION"; false when it knew no file or line.
bool split(std::string_view text, Frame* frame) {
  const size_t a = text.find(kSeparator);
  const size_t b = a == std::string_view::npos ? a : text.find(kSeparator, a + 1);
  if (b == std::string_view::npos) return false;
  frame->file = text.substr(0, a);
  frame->line = text.substr(a + 1, b - a - 1);
  frame->function = text.substr(b + 1);
  return frame->file != "<null>" && !frame->line.empty() && frame->line != "0";
}

void append_frame(const Frame& frame, TextBuffer& out) {
  const size_t slash = frame.file.rfind('/');
  FixedText<kCrashFrameCapacity> text;
  text.add(slash == std::string_view::npos ? frame.file : frame.file.substr(slash + 1))
      .add_char(':')
      .add(frame.line)
      .add(" in ")
      .add(frame.function);
  out.add(text.view());
}

}  // namespace

void warm_up_crash_frames() {
  void* pcs[1];
  backtrace(pcs, 1);
}

const void* fault_pc_of(const void* ucontext) {
#if defined(__x86_64__)
  if (ucontext == nullptr) return nullptr;
  const auto* uc = static_cast<const ucontext_t*>(ucontext);
  return reinterpret_cast<const void*>(uc->uc_mcontext.gregs[REG_RIP]);
#else
  (void)ucontext;
  return nullptr;
#endif
}

void append_crash_frame(const void* fault_pc, TextBuffer& out) {
  if (__sanitizer_symbolize_pc == nullptr) {
    out.add("?");
    return;
  }
  void* pcs[kMaxFrames + 1];
  int count = 0;
  // The faulting instruction itself, not a return address: one past it symbolizes it.
  if (fault_pc != nullptr) {
    pcs[count++] = reinterpret_cast<void*>(reinterpret_cast<uintptr_t>(fault_pc) + 1);
  }
  count += backtrace(pcs + count, kMaxFrames);
  FixedText<kCrashFrameCapacity> harness;  // the fallback: the innermost frame of the harness
  static char text[1024];  // not on the (alternate, small) signal stack; one death per process
  for (int i = 0; i < count; ++i) {
    __sanitizer_symbolize_pc(pcs[i], "%s\001%l\001%f", text, sizeof text);
    Frame frame;
    if (!split(text, &frame)) continue;
    bool reporting = false;
    for (std::string_view f : kReportingFunctions)
      reporting = reporting || frame.function.starts_with(f);
    if (reporting) continue;
    const Owner owner = owner_of(frame.file);
    if (owner == Owner::kHeap) {
      append_frame(frame, out);
      return;
    }
    if (owner == Owner::kHarness && harness.size() == 0) append_frame(frame, harness);
  }
  out.add(harness.size() != 0 ? harness.view() : std::string_view("?"));
}

}  // namespace allocfuzz
