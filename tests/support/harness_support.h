// Helpers for the tests of the harness (fuzz/): an observer that keeps every operation's result,
// and the pieces the tests' wrong heaps are made of (a heap whose calls are numbered, and the
// glibc heap behind a heap that forwards every call).
#ifndef ALLOCFUZZ_TESTS_HARNESS_SUPPORT_H_
#define ALLOCFUZZ_TESTS_HARNESS_SUPPORT_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "allocator/region/pseudo_brk.h"
#include "fuzz/harness/executor.h"
#include "fuzz/heaps/system_heap.h"
#include "fuzz/heaps/tested_heap.h"
#include "fuzz/program/ops.h"

namespace allocfuzz::testing {

// Keeps the result of every operation of a run, in order (and fails the test when an operation
// is reported out of order).
class ResultRecorder final : public OpObserver {
 public:
  void on_op(size_t index, const Op& op, const OpResult& result) override;
  std::vector<OpResult> results;
};

// The heap H, with the calls of the one operation a wrong heap breaks numbered: next_call()
// gives 1, 2, ... since the last reset().
template <typename H>
class CallCounting : public H {
 public:
  using H::H;
  void reset() override {
    H::reset();
    calls_ = 0;
  }

 protected:
  int next_call() { return ++calls_; }

 private:
  int calls_ = 0;
};

// The glibc heap behind a heap that forwards every call to it: SystemTestedHeap is final, so a
// wrong heap derives from this and changes one call. `budget` is SystemTestedHeap's region: only
// its reserve counts, as the budget.
class ForwardingSystemHeap : public TestedHeap {
 public:
  explicit ForwardingSystemHeap(const PseudoBrk& budget) : inner_(budget) {}
  void* malloc(size_t n) override { return inner_.malloc(n); }
  void free(void* p) override { inner_.free(p); }
  void* realloc(void* p, size_t n) override { return inner_.realloc(p, n); }
  void* calloc(size_t count, size_t size) override { return inner_.calloc(count, size); }
  size_t usable_size(const void* p) override { return inner_.usable_size(p); }
  size_t alignment() const override { return inner_.alignment(); }
  std::optional<HeapFinding> check(bool full, const void* near, const LiveView& live) override {
    return inner_.check(full, near, live);
  }
  void reset() override { inner_.reset(); }
  bool uses_region() const override { return inner_.uses_region(); }
  uint64_t refusals() const override { return inner_.refusals(); }

 protected:
  SystemTestedHeap inner_;
};

}  // namespace allocfuzz::testing

#endif  // ALLOCFUZZ_TESTS_HARNESS_SUPPORT_H_
