// The binary spelling of programs (FORMAT.md, "Binary encoding"): what libFuzzer feeds the
// targets. Every byte string decodes; the common operations take one to three bytes; sizes
// are biased to the edges that break allocators.
#ifndef ALLOCFUZZ_FUZZ_BINARY_CODEC_H_
#define ALLOCFUZZ_FUZZ_BINARY_CODEC_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "fuzz/program/ops.h"

namespace allocfuzz {

// The EDGE table of FORMAT.md: 127 sizes, indexed by (size byte - 0x80).
inline constexpr size_t kEdgeCount = 127;
std::span<const uint64_t> edge_sizes();
// The ALIGN_ODD table of FORMAT.md: 64 alignments that are not powers of two, indexed by
// (align byte - 0x40).
inline constexpr size_t kAlignOddCount = 64;
std::span<const uint64_t> align_odd_values();

// A repeat (FORMAT.md, "Repeat"): the next operation COUNT times, its slot advancing by STEP.
// COUNT is at most kMaxRepeat (larger counts are taken as kMaxRepeat); runs of at least
// kMinRepeatRun operations are what the encoder writes as a repeat. The repeats of one input
// expand to at most kRepeatBudget operations in all (a repeat past it expands to what is left),
// so that a fuzzer input stays cheap to run: a few dozen bytes could otherwise ask for 100,000
// operations.
inline constexpr uint64_t kMaxRepeat = kMaxSlots;
inline constexpr size_t kMinRepeatRun = 32;
inline constexpr uint64_t kRepeatBudget = 4096;

// What decoding leaves to the caller. The fuzz targets read nothing of it; the command line
// says each in one line (describe_truncation, describe_skipped).
struct DecodeStatus {
  // The input ran out inside an operation (which is dropped) or inside the limit's varint
  // (no limit is set).
  bool truncated = false;
  size_t truncated_at = 0;  // with truncated: the byte offset where that item began
  // With truncated: what was cut, "limit", an operation's name, "repeat" (the repeat's own
  // bytes ran out) or "extended operation" (the escape's extension byte is missing).
  const char* cut = nullptr;
  // Operations of left-out families (DecodeOptions::left_out) read and skipped.
  size_t skipped = 0;
};

struct DecodeOptions {
  // Families whose operations are skipped: their bytes are read and nothing is added, so the
  // fuzzer explores the rest (ALLOCFUZZ_OPS, --ops). The program's header says it leaves them
  // out (header.left_out).
  FamilySet left_out = 0;
};

// Decodes `data` into `*out`, reusing out->ops' capacity (the fuzzer's per-input path makes
// no allocation once warm). Header fields that binary does not carry are reset to defaults
// (left_out to options.left_out). This is the one decoder: the fuzz targets and every tool that
// reads a binary call it, so they cannot disagree about what an input is.
DecodeStatus decode_binary(const uint8_t* data, size_t size, Program* out,
                           const DecodeOptions& options = {});

// With status.truncated, the one line that says what was dropped, for an input of `size`
// bytes, e.g. "bytes 5..6 are an incomplete last operation (malloc), dropped as the fuzzer
// drops them". Empty without truncation.
std::string describe_truncation(const DecodeStatus& status, size_t size);

// With status.skipped, the one line that says so, e.g. "3 operations of left-out families
// (-foreign) were skipped, as the fuzzer skips them". Empty without skipped operations.
std::string describe_skipped(const DecodeStatus& status, FamilySet left_out);

// The canonical bytes of `program` (placement, limit and operations; expect, heap and defect
// exist only in text).
std::vector<uint8_t> encode_binary(const Program& program);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_BINARY_CODEC_H_
