// The binary spelling of programs (FORMAT.md, "Binary encoding"): what libFuzzer feeds the
// targets. Every byte string decodes; the common operations take one to three bytes; sizes
// are biased to the edges that break allocators.
#ifndef ALLOCFUZZ_FUZZ_BINARY_CODEC_H_
#define ALLOCFUZZ_FUZZ_BINARY_CODEC_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "fuzz/program/ops.h"

namespace allocfuzz {

// The EDGE table of FORMAT.md: 127 sizes, indexed by (size byte - 0x80).
inline constexpr size_t kEdgeCount = 127;
std::span<const uint64_t> edge_sizes();

struct DecodeStatus {
  // The input ran out inside an operation (which is dropped) or inside the limit's varint
  // (no limit is set).
  bool truncated = false;
  size_t truncated_at = 0;  // with truncated: the byte offset where that item began
};

// Decodes `data` into `*out`, reusing out->ops' capacity (the fuzzer's per-input path makes
// no allocation once warm). Header fields that binary does not carry are reset to defaults.
DecodeStatus decode_binary(const uint8_t* data, size_t size, Program* out);

// The canonical bytes of `program` (placement, limit and operations; expect, heap and defect
// exist only in text).
std::vector<uint8_t> encode_binary(const Program& program);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_FUZZ_BINARY_CODEC_H_
