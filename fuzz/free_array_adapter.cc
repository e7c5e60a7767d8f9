// FreeArrayHeap as a TestedHeap, with its white-box checker, and the registry of heap kinds.
#include <memory>

#include "allocator/free_array_heap.h"
#include "allocator/heap_checker.h"
#include "allocator/heap_map.h"
#include "fuzz/tested_heap.h"

namespace allocfuzz {
namespace {

class FreeArrayTestedHeap final : public TestedHeap {
 public:
  // The executor runs the checker itself and wants violations back as findings.
  explicit FreeArrayTestedHeap(PseudoBrk& region) : heap_(region) { heap_.set_self_check(false); }

  void* malloc(size_t n) override { return heap_.malloc(n); }
  void free(void* p) override { heap_.free(p); }
  void* realloc(void* p, size_t n) override { return heap_.realloc(p, n); }
  void* calloc(size_t count, size_t size) override { return heap_.calloc(count, size); }
  size_t usable_size(const void* p) override { return heap_.usable_size(p); }
  size_t alignment() const override { return FreeArrayHeap::kAlignment; }

  std::optional<HeapFinding> check(bool full, const void* near, const LiveView& live) override {
    CheckOptions options;
    options.context = &live;
    options.requested_size = [](const void* context, const void* payload) {
      return static_cast<const LiveView*>(context)->requested_size(payload);
    };
    std::optional<HeapViolation> v =
        full ? check_heap(heap_, options) : check_heap_near(heap_, near, options);
    if (!v) return std::nullopt;
    FixedText<512> text;
    append_violation(*v, text);
    return HeapFinding{invariant_info(v->invariant).id, v->offset, std::string(text.view())};
  }

  void append_map(size_t offset, TextBuffer& out) const override {
    append_heap_map(heap_, offset, 4, out);
  }

  void reset() override { heap_.reset(); }

  bool set_defect(std::string_view name) override {
    if (name.empty()) return heap_.set_defect(std::nullopt);
    std::optional<Defect> d = defect_by_name(name);
    return d.has_value() && heap_.set_defect(d);
  }

  std::vector<std::string_view> defect_names() const override {
    std::vector<std::string_view> names;
    if constexpr (kDefectsCompiledIn) {
      for (const DefectInfo& d : kDefects) names.push_back(d.name);
    }
    return names;
  }

 private:
  FreeArrayHeap heap_;
};

std::unique_ptr<TestedHeap> make_free_array(PseudoBrk& region) {
  return std::make_unique<FreeArrayTestedHeap>(region);
}

std::vector<HeapKind>& registry() {
  static std::vector<HeapKind> kinds = {
      {"free-array", "the seed's brk allocator on 64-bit (FreeArrayHeap), with its heap checker",
       make_free_array},
  };
  return kinds;
}

}  // namespace

const std::vector<HeapKind>& heap_kinds() { return registry(); }

bool register_heap_kind(const HeapKind& kind) {
  if (find_heap_kind(kind.name) != nullptr) return false;
  registry().push_back(kind);
  return true;
}

const HeapKind* find_heap_kind(std::string_view name) {
  for (const HeapKind& kind : heap_kinds()) {
    if (kind.name == name) return &kind;
  }
  return nullptr;
}

}  // namespace allocfuzz
