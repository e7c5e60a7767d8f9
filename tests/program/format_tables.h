// Text that committed files copy from the operation table (fuzz/program/ops.h), derived here so
// that a test can compare the files with it: the heap_fuzzer dictionary
// (fuzz/targets/heap_fuzzer.dict) and the opcode column of FORMAT.md's operations table.
// Every byte of the dictionary comes from the table or the codec, never from a hand-copied
// literal, so a change to the table shows up as a difference in the committed file.
#ifndef ALLOCFUZZ_TESTS_PROGRAM_FORMAT_TABLES_H_
#define ALLOCFUZZ_TESTS_PROGRAM_FORMAT_TABLES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/program/ops.h"

namespace allocfuzz::testing {

struct DictEntry {
  std::string name;
  std::vector<uint8_t> bytes;
};

// The dictionary's entries, in file order: each operation's canonical opcode bytes (slot 0;
// one entry per row, so a new row gets one), then fixed snippets written as .ops text and
// encoded by the codec, then size, slot and header pieces.
std::vector<DictEntry> heap_fuzzer_dictionary();

// The dictionary file's text (libFuzzer's format: NAME="\xNN...", one per line).
std::string dictionary_text(const std::vector<DictEntry>& entries);

// The FORMAT.md opcode column of `info`'s row: "0-3", "12", "ext 0x00" or "ext 0x00-0x03".
std::string opcode_column(const OpInfo& info);

}  // namespace allocfuzz::testing

#endif  // ALLOCFUZZ_TESTS_PROGRAM_FORMAT_TABLES_H_
