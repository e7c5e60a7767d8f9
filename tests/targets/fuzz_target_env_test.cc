// The fuzz-target contract (fuzz/targets/target_contract.h): heap lists, the one builder of a
// target's environment, and the table of targets.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/targets/target_contract.h"

namespace allocfuzz {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

using Names = std::vector<std::string>;

TEST(HeapList, SplitsAtEverySeparator) {
  EXPECT_THAT(split_heap_list("free-array,kr"), ElementsAre("free-array", "kr"));
  EXPECT_THAT(split_heap_list("all"), ElementsAre("all"));
  EXPECT_THAT(split_heap_list(""), ElementsAre(""));
  EXPECT_THAT(split_heap_list("a,,b"), ElementsAre("a", "", "b"));
  EXPECT_THAT(split_heap_list("a,"), ElementsAre("a", ""));
  EXPECT_THAT(split_heap_list(" a"), ElementsAre(" a"));  // nothing is trimmed
}

TEST(HeapList, JoinIsTheInverseOfSplit) {
  EXPECT_EQ(join_heap_list({"free-array", "glibc", "kr"}), "free-array,glibc,kr");
  EXPECT_EQ(join_heap_list({}), "");
  for (const std::string text : {"free-array,kr", "a,,b", "all", ""}) {
    EXPECT_EQ(join_heap_list(split_heap_list(text)), text);
  }
}

TEST(HeapList, AllOrTwoOrMoreDistinctRegisteredHeaps) {
  EXPECT_EQ(check_heap_list({"all"}).problem, HeapListProblem::kNone);
  EXPECT_EQ(check_heap_list({"free-array", "glibc"}).problem, HeapListProblem::kNone);
  EXPECT_EQ(check_heap_list({"free-array", "glibc", "kr"}).problem, HeapListProblem::kNone);

  EXPECT_EQ(check_heap_list({}).problem, HeapListProblem::kTooFew);
  EXPECT_EQ(check_heap_list({"kr"}).problem, HeapListProblem::kTooFew);
  EXPECT_EQ(check_heap_list({""}).problem, HeapListProblem::kTooFew);

  const HeapListCheck unknown = check_heap_list({"free-array", "nope", "also-nope"});
  EXPECT_EQ(unknown.problem, HeapListProblem::kUnknown);
  EXPECT_EQ(unknown.heap, "nope");  // the first offending name
  EXPECT_EQ(check_heap_list({"free-array", ""}).problem, HeapListProblem::kUnknown);
  // "all" with other names is no heap's name.
  const HeapListCheck all_and_more = check_heap_list({"all", "kr"});
  EXPECT_EQ(all_and_more.problem, HeapListProblem::kUnknown);
  EXPECT_EQ(all_and_more.heap, "all");

  const HeapListCheck twice = check_heap_list({"kr", "glibc", "kr"});
  EXPECT_EQ(twice.problem, HeapListProblem::kTwice);
  EXPECT_EQ(twice.heap, "kr");
}

// Every variable of the contract is named exactly once, to set or to unset.
void expect_every_variable_once(const TargetEnvironment& env) {
  std::multiset<std::string> named;
  for (const auto& entry : env.set) named.insert(entry.first);
  for (const std::string& name : env.unset) named.insert(name);
  std::multiset<std::string> expected(std::begin(kTargetVariables), std::end(kTargetVariables));
  EXPECT_EQ(named, expected);
}

TEST(TargetEnvironment, NothingGivenUnsetsEveryVariable) {
  const TargetEnvironment env = target_environment({});
  EXPECT_THAT(env.set, IsEmpty());
  EXPECT_THAT(env.unset, ElementsAre("ALLOCFUZZ_HEAP", "ALLOCFUZZ_DEFECT", "ALLOCFUZZ_DIFF_HEAPS",
                                     "ALLOCFUZZ_OPS"));
  expect_every_variable_once(env);
}

TEST(TargetEnvironment, EachSettingIsItsVariable) {
  TargetSettings settings;
  settings.heap = "kr";
  settings.defect = "small-grow";
  settings.diff_heaps = {"free-array", "kr"};
  settings.ops = "-foreign,-fail-grow";
  const TargetEnvironment env = target_environment(settings);
  EXPECT_THAT(env.set,
              ElementsAre(Pair("ALLOCFUZZ_HEAP", "kr"), Pair("ALLOCFUZZ_DEFECT", "small-grow"),
                          Pair("ALLOCFUZZ_DIFF_HEAPS", "free-array,kr"),
                          Pair("ALLOCFUZZ_OPS", "-foreign,-fail-grow")));
  EXPECT_THAT(env.unset, IsEmpty());
  expect_every_variable_once(env);
}

TEST(TargetEnvironment, AllHeapsIsTheVariableUnset) {
  TargetSettings settings;
  settings.diff_heaps = {"all"};
  const TargetEnvironment env = target_environment(settings);
  EXPECT_THAT(env.set, IsEmpty());
  expect_every_variable_once(env);
}

// What the starters rely on: a setting in the caller's environment that was not given does not
// reach the target. (The variables are this process's; the test puts back what it found.)
TEST(TargetEnvironment, ApplyingItDropsInheritedSettings) {
  std::vector<std::pair<std::string, std::string>> saved;
  for (const char* name : kTargetVariables) {
    if (const char* value = getenv(name)) saved.emplace_back(name, value);
  }
  setenv("ALLOCFUZZ_HEAP", "glibc", 1);
  setenv("ALLOCFUZZ_DEFECT", "small-grow", 1);
  setenv("ALLOCFUZZ_DIFF_HEAPS", "free-array,glibc", 1);
  TargetSettings settings;
  settings.defect = "addr32";
  apply_target_environment(target_environment(settings));
  EXPECT_EQ(getenv("ALLOCFUZZ_HEAP"), nullptr);
  ASSERT_NE(getenv("ALLOCFUZZ_DEFECT"), nullptr);
  EXPECT_STREQ(getenv("ALLOCFUZZ_DEFECT"), "addr32");
  EXPECT_EQ(getenv("ALLOCFUZZ_DIFF_HEAPS"), nullptr);
  for (const char* name : kTargetVariables) unsetenv(name);
  for (const auto& [name, value] : saved) setenv(name.c_str(), value.c_str(), 1);
}

TEST(FuzzTargets, NamesAreUniqueAndInputsAreATargetsOwn) {
  std::set<std::string_view> names;
  for (const FuzzTarget& target : kFuzzTargets) {
    EXPECT_TRUE(names.insert(target.name).second) << target.name;
    const FuzzTarget* inputs = find_fuzz_target(target.inputs_of);
    ASSERT_NE(inputs, nullptr) << target.name << " reads the inputs of " << target.inputs_of;
    // A target's inputs are a target that reads its own (no chains), of the same kind.
    EXPECT_EQ(inputs->inputs_of, inputs->name);
    EXPECT_EQ(inputs->takes_programs, target.takes_programs) << target.name;
    EXPECT_FALSE(target.description.empty()) << target.name;
  }
  // Only a program target can compare heaps.
  for (const FuzzTarget& target : kFuzzTargets) {
    if (target.compares_heaps) EXPECT_TRUE(target.takes_programs) << target.name;
  }
}

TEST(FuzzTargets, FindsByName) {
  const FuzzTarget* diff = find_fuzz_target("diff_fuzzer");
  ASSERT_NE(diff, nullptr);
  EXPECT_EQ(diff->inputs_of, "heap_fuzzer");
  EXPECT_TRUE(diff->compares_heaps);
  const FuzzTarget* text = find_fuzz_target("ops_text_fuzzer");
  ASSERT_NE(text, nullptr);
  EXPECT_FALSE(text->takes_programs);
  EXPECT_EQ(find_fuzz_target("kr_fuzzer"), nullptr);  // a plugin's target is CMake's, not a row
  EXPECT_EQ(find_fuzz_target(""), nullptr);
}

}  // namespace
}  // namespace allocfuzz
