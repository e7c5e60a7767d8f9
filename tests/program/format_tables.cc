// The dictionary and FORMAT.md's opcode column, derived from the table; see format_tables.h.
#include "tests/program/format_tables.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz/program/binary_codec.h"
#include "fuzz/program/opcodes.h"
#include "fuzz/program/ops.h"
#include "fuzz/program/ops_text.h"

namespace allocfuzz::testing {
namespace {

using Bytes = std::vector<uint8_t>;

// The canonical bytes of a program given as .ops text after the first line.
Bytes encode_text(std::string_view text) {
  ParseResult parsed = parse_ops_text(std::string(kOpsFirstLine) + "\n" + std::string(text));
  if (parsed.error) {
    // A typo in the snippet list below: fail loudly rather than write a wrong dictionary.
    std::fprintf(stderr, "format_tables: bad snippet \"%.*s\": %s\n", static_cast<int>(text.size()),
                 text.data(), parsed.error->message.c_str());
    std::abort();
  }
  return encode_binary(parsed.program);
}

// Operations without the config byte.
Bytes encode_ops(std::string_view text) {
  Bytes bytes = encode_text(text);
  bytes.erase(bytes.begin());
  return bytes;
}

// An operation's opcode bytes at `slot` (with the slot-ext if it needs one), without operands:
// encoded with zero operands, each of which is then one byte (size 0, count 0), dropped.
Bytes opcode_bytes(const OpInfo& info, uint32_t slot) {
  Program p;
  Op op;
  op.kind = info.kind;
  op.slot = info.has_slot ? slot : 0;
  p.ops = {op};
  Bytes bytes = encode_binary(p);
  bytes.erase(bytes.begin());
  for (Arg arg : info.args) {
    if (arg != Arg::kNone) bytes.pop_back();
  }
  return bytes;
}

// A size operand's canonical bytes (direct, EDGE index or 0xFF varint).
Bytes size_bytes(uint64_t size) {
  Program p;
  p.ops = {Op{OpKind::kForeignGrow, 0, {size, 0}}};
  Bytes bytes = encode_binary(p);
  const size_t opcode = opcode_bytes(op_info(OpKind::kForeignGrow), 0).size();
  return Bytes(bytes.begin() + 1 + static_cast<std::ptrdiff_t>(opcode), bytes.end());
}

// A size in the 0xFF varint form, even where a shorter form exists: the longest size operand.
Bytes varint_size_bytes(uint64_t size) {
  // SIZE_MAX - 2 is neither direct nor in EDGE, so its canonical form starts with the marker.
  Bytes bytes = {size_bytes(~uint64_t{0} - 2).front()};
  do {
    const uint8_t low = size & 0x7F;
    size >>= 7;
    bytes.push_back(static_cast<uint8_t>(size != 0 ? low | 0x80 : low));
  } while (size != 0);
  return bytes;
}

// The bytes of a repeat's own part (escape, extension value, count, step), without the
// operation it repeats: encoded in front of `free s0` (one byte, and it has a slot to step),
// which is dropped.
Bytes repeat_prefix(unsigned count, unsigned step) {
  Bytes bytes =
      encode_ops("repeat " + std::to_string(count) + " " + std::to_string(step) + " free s0");
  bytes.pop_back();
  return bytes;
}

std::string entry_name(const OpInfo& info) {
  std::string name = info.name;
  for (char& ch : name) {
    if (ch == '-') ch = '_';
  }
  return info.has_slot ? name + "_s0" : name;
}

std::string values(unsigned first, unsigned last, const char* format) {
  char buf[32];
  std::snprintf(buf, sizeof buf, format, first);
  std::string out = buf;
  if (last != first) {
    std::snprintf(buf, sizeof buf, format, last);
    out += "-";
    out += buf;
  }
  return out;
}

}  // namespace

std::vector<DictEntry> heap_fuzzer_dictionary() {
  std::vector<DictEntry> entries;
  for (const OpInfo& info : kOps) entries.push_back({entry_name(info), opcode_bytes(info, 0)});
  const struct {
    const char* name;
    const char* ops;
  } snippets[] = {
      {"fail_grow_1", "fail-grow 1"},
      {"fail_grow_2", "fail-grow 2"},
      {"malloc_s0_24_free_s0", "malloc s0 24\nfree s0"},
      {"malloc_s1_100_free_s1", "malloc s1 100\nfree s1"},
      {"realloc_s0_grow", "realloc s0 127"},
      {"realloc_s0_zero", "realloc s0 0"},
      {"foreign_grow_4096", "foreign-grow 4096"},
      {"foreign_grow_13", "foreign-grow 13"},
      // calloc operands whose product wraps past SIZE_MAX to a small non-zero value
      // (repro/cases/calloc_products_that_wrap.ops); SIZE_MAX squared is 1.
      {"calloc_s0_wraps_to_1", "calloc s0 18446744073709551615 18446744073709551615"},
      {"calloc_s0_wraps_to_2", "calloc s0 9223372036854775809 2"},
      // The aligned calls at a large alignment and at bad ones (not a power of two; for
      // posix_memalign not a multiple of sizeof(void*)), and usable after a malloc.
      {"memalign_s0_4096_100", "memalign s0 4096 100"},
      {"aligned_alloc_s0_24_100", "aligned_alloc s0 24 100"},
      {"posix_memalign_s0_4_100", "posix_memalign s0 4 100"},
      {"posix_memalign_s0_48_100", "posix_memalign s0 48 100"},
      {"malloc_s0_24_usable_s0", "malloc s0 24\nusable s0"},
      {"memalign_s0_64_24_realloc_s0_100", "memalign s0 64 24\nrealloc s0 100"},
  };
  for (const auto& s : snippets) entries.push_back({s.name, encode_ops(s.ops)});
  entries.push_back({"size_max", varint_size_bytes(~uint64_t{0})});
  // Sizes that wrap to a small product with a small other operand: 2^k + 1 times 2^(64-k),
  // and SIZE_MAX / 3 + 1 times 3.
  for (unsigned k : {63u, 62u, 61u, 32u}) {
    entries.push_back(
        {"size_2_" + std::to_string(k) + "_plus_1", varint_size_bytes((uint64_t{1} << k) + 1)});
  }
  entries.push_back({"size_max_third_plus_1", varint_size_bytes(~uint64_t{0} / 3 + 1)});
  // The repeat form's prefix (FORMAT.md, "Repeat"): the next operation many times.
  for (const auto& [count, step] : {std::pair{64, 1}, std::pair{256, 2}, std::pair{1024, 1}}) {
    entries.push_back({"repeat_" + std::to_string(count) + "_step_" + std::to_string(step),
                       repeat_prefix(count, step)});
  }
  for (uint64_t size : {uint64_t{4096}, uint64_t{4104}, uint64_t{65536}}) {
    entries.push_back({"size_edge_" + std::to_string(size), size_bytes(size)});
  }
  entries.push_back({"slot_ext_s20", opcode_bytes(op_info(OpKind::kMalloc), 20)});
  entries.push_back({"config_low", encode_text("# region: low\n")});
  entries.push_back({"config_limit_64k", encode_text("# limit: 65536\n")});
  return entries;
}

std::string dictionary_text(const std::vector<DictEntry>& entries) {
  std::string out =
      "# heap_fuzzer: pieces of the binary program encoding (fuzz/program/FORMAT.md).\n"
      "# Generated from the operation table (fuzz/program/ops.h) by "
      "tests/program/format_tables.cc:\n"
      "# tests/program/binary_format_v2_test.cc fails when this file differs, and prints it.\n";
  for (const DictEntry& e : entries) {
    out += e.name + "=\"";
    for (uint8_t b : e.bytes) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", b);
      out += buf;
    }
    out += "\"\n";
  }
  return out;
}

std::string opcode_column(const OpInfo& info) {
  const OpcodeValues& v = info.opcodes;
  if (v.space == OpcodeSpace::kPrimary) return values(v.first, v.last, "%u");
  return "ext " + values(v.first, v.last, "0x%02x");
}

}  // namespace allocfuzz::testing
