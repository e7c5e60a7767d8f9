// Helpers for the harness's tests; see harness_support.h.
#include "tests/support/harness_support.h"

#include <gtest/gtest.h>

namespace allocfuzz::testing {

void ResultRecorder::on_op(size_t index, const Op& op, const OpResult& result) {
  (void)op;
  EXPECT_EQ(index, results.size());
  results.push_back(result);
}

}  // namespace allocfuzz::testing
