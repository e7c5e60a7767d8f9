// The random-program builder; see random_program.h.
#include "tests/support/random_program.h"

namespace allocfuzz::testing {
namespace {

// True one time in n; never, and without a draw, when n is 0.
bool OneIn(XorShift& rng, uint64_t n) { return n != 0 && rng.below(n) == 0; }

}  // namespace

Program random_program(uint64_t seed, size_t count, const ProgramMix& mix) {
  XorShift rng(seed);
  Program program;
  if (mix.header != nullptr) mix.header(rng, program.header);
  const uint64_t total = uint64_t{mix.foreign_grows} + mix.foreign_releases + mix.fail_grows +
                         mix.checks + mix.fills + mix.callocs + mix.reallocs + mix.frees +
                         mix.mallocs;
  program.ops.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    Op op;
    op.slot = static_cast<uint32_t>(rng.below(mix.slots));
    uint64_t draw = rng.below(total);
    // Whether the draw falls in the next `weight` values.
    auto next = [&draw](uint32_t weight) {
      if (draw < weight) return true;
      draw -= weight;
      return false;
    };
    if (next(mix.foreign_grows)) {
      op = Op{OpKind::kForeignGrow, 0, {1 + rng.below(mix.foreign_grow_below), 0}};
    } else if (next(mix.foreign_releases)) {
      op = Op{OpKind::kForeignRelease, 0, {0, 0}};
    } else if (next(mix.fail_grows)) {
      op = Op{OpKind::kFailGrow, 0, {1 + rng.below(mix.fail_grow_below), 0}};
    } else if (next(mix.checks)) {
      op = Op{OpKind::kCheck, 0, {0, 0}};
    } else if (next(mix.fills)) {
      op.kind = OpKind::kFill;
    } else if (next(mix.callocs)) {
      op.kind = OpKind::kCalloc;
      op.args[0] = OneIn(rng, mix.calloc_overflow_one_in) ? kOverflowCount : rng.below(40);
      op.args[1] = OneIn(rng, mix.calloc_any_size_one_in) ? mix.size(rng) : mix.size(rng) % 200;
    } else if (next(mix.reallocs)) {
      op.kind = OpKind::kRealloc;
      op.args[0] = OneIn(rng, mix.realloc_zero_one_in) ? 0 : mix.size(rng);
    } else if (next(mix.frees)) {
      op.kind = OpKind::kFree;
    } else {
      op.kind = OpKind::kMalloc;
      op.args[0] = mix.size(rng);
    }
    program.ops.push_back(op);
  }
  return program;
}

}  // namespace allocfuzz::testing
