// PluginTestedHeap: a plugin's descriptor behind the TestedHeap interface; see plugin_adapter.h.
#include "fuzz/heaps/plugin_adapter.h"

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/heaps/plugin_region.h"

namespace allocfuzz {
namespace {

// Per plugin, the instance whose reset() ran the plugin's init last (see plugin_adapter.h).
// Looked up once per instance; std::map keeps the slot's address stable.
const TestedHeap** owner_slot(const allocfuzz_allocator& plugin) {
  static std::map<const allocfuzz_allocator*, const TestedHeap*> owners;
  return &owners[&plugin];
}

class PluginTestedHeap final : public TestedHeap {
 public:
  PluginTestedHeap(const allocfuzz_allocator& plugin, PseudoBrk& region)
      : plugin_(plugin), region_(region), owner_(owner_slot(plugin)) {}
  ~PluginTestedHeap() override {
    if (*owner_ == this) *owner_ = nullptr;
  }

  void* malloc(size_t n) override {
    Call call(*this);
    return plugin_.malloc(n);
  }
  void free(void* p) override {
    Call call(*this);
    plugin_.free(p);
  }
  void* realloc(void* p, size_t n) override {
    Call call(*this);
    return plugin_.realloc(p, n);
  }
  void* calloc(size_t count, size_t size) override {
    Call call(*this);
    return plugin_.calloc(count, size);
  }
  size_t usable_size(const void* p) override {
    if (plugin_.usable_size == nullptr) return SIZE_MAX;
    Call call(*this);
    return plugin_.usable_size(p);
  }
  size_t alignment() const override { return plugin_.alignment; }

  // The plugin's self_check has no local variant, so it runs at full checks only: that keeps
  // the fuzzer's per-operation cost O(1) amortized (executor.h), and replay, which checks
  // fully after every operation, still names the first operation that broke an invariant.
  std::optional<HeapFinding> check(bool full, const void* near, const LiveView& live) override {
    (void)near;
    (void)live;
    if (!full || plugin_.self_check == nullptr) return std::nullopt;
    const void* where = nullptr;
    const char* message = nullptr;
    {
      Call call(*this);
      message = plugin_.self_check(&where);
    }
    if (message == nullptr) return std::nullopt;
    size_t offset =
        where != nullptr && region_.contains(where) ? region_.offset_of(where) : SIZE_MAX;
    return HeapFinding{std::string(kSelfCheckId), offset, message};
  }

  void reset() override {
    *owner_ = this;
    api_ = allocfuzz_region{allocfuzz_region_sbrk, allocfuzz_region_brk, region_.start(),
                            region_.reserve_bytes()};
    Call call(*this);
    plugin_.init(&api_);
  }

 private:
  // Wraps every call into the plugin: this instance must own the plugin's state, and its
  // region is the one the plugin's brk and sbrk reach until the call returns.
  class Call {
   public:
    explicit Call(const PluginTestedHeap& heap) : scope_(heap.region_) {
      if (*heap.owner_ != &heap) heap.not_owner();
    }

   private:
    CurrentRegionScope scope_;
  };

  [[noreturn]] void not_owner() const {
    const char* parts[] = {"allocfuzz: plugin '", plugin_.name,
                           "' called through a heap that does not own its state: another heap "
                           "of the same plugin was reset since (fuzz/heaps/plugin_adapter.h)\n"};
    for (const char* part : parts) (void)!write(2, part, std::strlen(part));
    abort();
  }

  const allocfuzz_allocator& plugin_;
  PseudoBrk& region_;
  const TestedHeap** owner_;
  allocfuzz_region api_{};
};

// The names of the plugins registered, in order (static initializers fill it, before main).
std::vector<std::string_view>& plugin_names() {
  static std::vector<std::string_view> names;
  return names;
}

// At start-up, before anything runs: stdio is fine here.
[[noreturn]] void refuse(std::string_view name, const char* why) {
  std::fprintf(stderr, "allocfuzz: cannot register plugin allocator '%.*s': %s\n",
               static_cast<int>(name.size()), name.data(), why);
  abort();
}

}  // namespace

std::unique_ptr<TestedHeap> make_plugin_heap(const allocfuzz_allocator& plugin, PseudoBrk& region) {
  return std::make_unique<PluginTestedHeap>(plugin, region);
}

bool register_plugin_heap(const allocfuzz_allocator* plugin, std::string_view name,
                          std::unique_ptr<TestedHeap> (*make)(PseudoBrk& region)) {
  if (plugin == nullptr) refuse(name, "its allocfuzz_plugin_NAME() returned NULL");
  if (plugin->abi_version != ALLOCFUZZ_PLUGIN_ABI_VERSION) {
    refuse(name, "abi_version is not ALLOCFUZZ_PLUGIN_ABI_VERSION of this harness");
  }
  if (plugin->name == nullptr || name != plugin->name) {
    refuse(name, "the descriptor's name differs from the NAME it was built as");
  }
  const size_t a = plugin->alignment;
  if (a == 0 || (a & (a - 1)) != 0) refuse(name, "alignment is not a power of two");
  if (plugin->init == nullptr || plugin->malloc == nullptr || plugin->free == nullptr ||
      plugin->realloc == nullptr || plugin->calloc == nullptr) {
    refuse(name, "init, malloc, free, realloc and calloc are required");
  }
  const char* description = plugin->description != nullptr ? plugin->description : "";
  if (!register_heap_kind({plugin->name, description, make})) {
    refuse(name, "a heap of that name is already registered");
  }
  plugin_names().push_back(plugin->name);
  return true;
}

const std::vector<std::string_view>& plugin_heap_names() { return plugin_names(); }

}  // namespace allocfuzz
