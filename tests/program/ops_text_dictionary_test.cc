// ops_text_fuzzer's dictionary (fuzz/targets/ops_text_fuzzer.dict) names every operation of the
// table (fuzz/program/ops.h) as the text spells it, so a new operation cannot be left out of
// the text fuzzer's reach.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

#include "fuzz/program/ops.h"

namespace allocfuzz {
namespace {

std::string read_dictionary() {
  std::ifstream in(std::string(ALLOCFUZZ_SOURCE_DIR) + "/fuzz/targets/ops_text_fuzzer.dict",
                   std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The entry for `info`: op_NAME="NAME " (with the space the text puts before an operand), or
// op_NAME="NAME" for an operation with neither slot nor operand.
std::string entry_of(const OpInfo& info) {
  std::string key = info.name;
  std::replace(key.begin(), key.end(), '-', '_');
  const bool operands = info.has_slot || info.args[0] != Arg::kNone;
  return "op_" + key + "=\"" + info.name + (operands ? " " : "") + "\"\n";
}

TEST(OpsTextDictionary, NamesEveryOperationAsTheTextSpellsIt) {
  const std::string dictionary = read_dictionary();
  ASSERT_FALSE(dictionary.empty()) << "fuzz/targets/ops_text_fuzzer.dict not found";
  for (const OpInfo& info : kOps) {
    EXPECT_NE(dictionary.find(entry_of(info)), std::string::npos)
        << "fuzz/targets/ops_text_fuzzer.dict lacks the line " << entry_of(info);
  }
}

}  // namespace
}  // namespace allocfuzz
