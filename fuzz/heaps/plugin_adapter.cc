// PluginTestedHeap: a plugin's descriptor behind the TestedHeap interface; see plugin_adapter.h.
#include "fuzz/heaps/plugin_adapter.h"

#include <absl/strings/str_format.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/heaps/plugin_region.h"
#include "fuzz/heaps/plugin_walk.h"

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
  // The plugin ABI has no aligned calls and no sized free: a plugin has usable-size when it
  // gives usable_size, and lives on the region.
  CapabilitySet capabilities() const override {
    CapabilitySet set = capability_bit(Capability::kRegion);
    if (plugin_.usable_size != nullptr) set |= capability_bit(Capability::kUsableSize);
    return set;
  }

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

// A v2 descriptor: its state is the context this instance owns, so instances do not share
// anything and need no owner; requests above max_request are answered here.
class PluginV2TestedHeap final : public TestedHeap {
 public:
  PluginV2TestedHeap(const allocfuzz_allocator_v2& plugin, PseudoBrk& region)
      : plugin_(plugin),
        region_(region),
        context_words_((plugin.context_bytes + sizeof(std::max_align_t) - 1) /
                       sizeof(std::max_align_t)),
        context_(context_words_ > 0 ? std::make_unique<std::max_align_t[]>(context_words_)
                                    : nullptr) {}

  void* malloc(size_t n) override {
    if (too_large(n)) return refuse();
    CurrentRegionScope scope(region_);
    return plugin_.malloc(context_.get(), n);
  }
  void free(void* p) override {
    CurrentRegionScope scope(region_);
    plugin_.free(context_.get(), p);
  }
  void* realloc(void* p, size_t n) override {
    if (too_large(n)) return refuse();  // p stays as it was, as after any failed realloc
    CurrentRegionScope scope(region_);
    return plugin_.realloc(context_.get(), p, n);
  }
  void* calloc(size_t count, size_t size) override {
    size_t bytes = 0;
    if (plugin_.max_request != 0 &&
        (__builtin_mul_overflow(count, size, &bytes) || too_large(bytes))) {
      return refuse();
    }
    CurrentRegionScope scope(region_);
    return plugin_.calloc(context_.get(), count, size);
  }
  size_t usable_size(const void* p) override {
    if (plugin_.usable_size == nullptr) return SIZE_MAX;
    CurrentRegionScope scope(region_);
    return plugin_.usable_size(context_.get(), p);
  }
  size_t alignment() const override { return plugin_.alignment; }
  // The plugin ABI has no aligned calls and no sized free: a plugin has usable-size when it
  // gives usable_size, and lives on the region.
  CapabilitySet capabilities() const override {
    CapabilitySet set = capability_bit(Capability::kRegion);
    if (plugin_.usable_size != nullptr) set |= capability_bit(Capability::kUsableSize);
    return set;
  }
  uint64_t refusals() const override { return refusals_; }

  // self_check, then the walk's cross-check: both whole-heap, so at full checks only (as v1).
  std::optional<HeapFinding> check(bool full, const void* near, const LiveView& live) override {
    (void)near;
    if (!full) return std::nullopt;
    if (plugin_.self_check != nullptr) {
      const void* where = nullptr;
      const char* message = nullptr;
      {
        CurrentRegionScope scope(region_);
        message = plugin_.self_check(context_.get(), &where);
      }
      if (message != nullptr) {
        size_t offset =
            where != nullptr && region_.contains(where) ? region_.offset_of(where) : SIZE_MAX;
        return HeapFinding{std::string(kSelfCheckId), offset, message};
      }
    }
    if (plugin_.walk == nullptr) return std::nullopt;
    walked_.clear();  // keeps its capacity: after the first programs a walk allocates nothing
    {
      CurrentRegionScope scope(region_);
      plugin_.walk(context_.get(), &PluginV2TestedHeap::visit, &walked_);
    }
    return check_walk(walked_, live, region_);
  }

  void reset() override {
    api_ = allocfuzz_region{allocfuzz_region_sbrk, allocfuzz_region_brk, region_.start(),
                            region_.reserve_bytes()};
    if (context_) std::memset(context_.get(), 0, context_words_ * sizeof(std::max_align_t));
    CurrentRegionScope scope(region_);
    plugin_.init(context_.get(), &api_);
  }

 private:
  bool too_large(size_t n) const { return plugin_.max_request != 0 && n > plugin_.max_request; }
  void* refuse() {
    ++refusals_;
    errno = ENOMEM;
    return nullptr;
  }
  static void visit(void* visit_context, const void* payload, size_t size, int in_use) {
    static_cast<std::vector<WalkBlock>*>(visit_context)
        ->push_back(WalkBlock{static_cast<const char*>(payload), size, in_use != 0});
  }

  const allocfuzz_allocator_v2& plugin_;
  PseudoBrk& region_;
  size_t context_words_;
  std::unique_ptr<std::max_align_t[]> context_;
  allocfuzz_region api_{};
  uint64_t refusals_ = 0;
  std::vector<WalkBlock> walked_;
};

// The version of a descriptor of either kind: abi_version is the first member of both, so a
// pointer to the descriptor is a pointer to it.
unsigned abi_version_of(const allocfuzz_allocator* plugin) {
  return *reinterpret_cast<const unsigned*>(plugin);
}

const allocfuzz_allocator_v2& as_v2(const allocfuzz_allocator& plugin) {
  return *reinterpret_cast<const allocfuzz_allocator_v2*>(&plugin);
}

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

// A description that must outlive the process (HeapKind's rule); std::deque keeps its
// elements' addresses.
std::string_view kept(std::string text) {
  static std::deque<std::string> texts;
  return texts.emplace_back(std::move(text));
}

// What `allocfuzz list` adds to a v2 plugin's description: the terms that change what the
// harness accepts from it, so that a user sees them beside the name.
std::string listed_terms(const allocfuzz_allocator_v2& plugin) {
  std::string terms;
  if ((plugin.flags & ALLOCFUZZ_PLUGIN_SMALL_ALIGNMENT) != 0) {
    terms += absl::StrFormat(" [alignment %d, below max_align_t: declared]", plugin.alignment);
  }
  if (plugin.max_request != 0) {
    terms += absl::StrFormat(" [max request %d]", plugin.max_request);
  }
  return terms;
}

}  // namespace

std::unique_ptr<TestedHeap> make_plugin_heap(const allocfuzz_allocator& plugin, PseudoBrk& region) {
  if (abi_version_of(&plugin) == ALLOCFUZZ_PLUGIN_ABI_VERSION_2) {
    return std::make_unique<PluginV2TestedHeap>(as_v2(plugin), region);
  }
  return std::make_unique<PluginTestedHeap>(plugin, region);
}

bool register_plugin_heap(const allocfuzz_allocator* plugin, std::string_view name,
                          std::unique_ptr<TestedHeap> (*make)(PseudoBrk& region),
                          bool with_fuzz_target) {
  if (plugin == nullptr) refuse(name, "its allocfuzz_plugin_NAME() returned NULL");
  const unsigned version = abi_version_of(plugin);
  if (version != ALLOCFUZZ_PLUGIN_ABI_VERSION && version != ALLOCFUZZ_PLUGIN_ABI_VERSION_2) {
    refuse(name,
           "abi_version is neither ALLOCFUZZ_PLUGIN_ABI_VERSION (1) nor "
           "ALLOCFUZZ_PLUGIN_ABI_VERSION_2 (2) of this harness");
  }
  const bool v2 = version == ALLOCFUZZ_PLUGIN_ABI_VERSION_2;
  // The members both versions share, by their own struct's layout.
  const char* plugin_name = v2 ? as_v2(*plugin).name : plugin->name;
  const char* description = v2 ? as_v2(*plugin).description : plugin->description;
  const size_t a = v2 ? as_v2(*plugin).alignment : plugin->alignment;
  const unsigned flags = v2 ? as_v2(*plugin).flags : 0;
  if (plugin_name == nullptr || name != plugin_name) {
    refuse(name, "the descriptor's name differs from the NAME it was built as");
  }
  if (a == 0 || (a & (a - 1)) != 0) refuse(name, "alignment is not a power of two");
  if ((flags & ~ALLOCFUZZ_PLUGIN_SMALL_ALIGNMENT) != 0) {
    refuse(name, "flags has bits other than ALLOCFUZZ_PLUGIN_SMALL_ALIGNMENT");
  }
  const bool small = a < alignof(std::max_align_t);
  if (small && (flags & ALLOCFUZZ_PLUGIN_SMALL_ALIGNMENT) == 0) {
    refuse(name, absl::StrFormat("alignment %d is below the C standard's fundamental alignment "
                                 "(alignof(max_align_t) = %d); a v2 descriptor may declare it "
                                 "with ALLOCFUZZ_PLUGIN_SMALL_ALIGNMENT in flags",
                                 a, alignof(std::max_align_t))
                     .c_str());
  }
  if (!small && (flags & ALLOCFUZZ_PLUGIN_SMALL_ALIGNMENT) != 0) {
    refuse(name, absl::StrFormat("flags declares ALLOCFUZZ_PLUGIN_SMALL_ALIGNMENT, but alignment "
                                 "%d is not below alignof(max_align_t) = %d",
                                 a, alignof(std::max_align_t))
                     .c_str());
  }
  const bool complete =
      v2 ? as_v2(*plugin).init != nullptr && as_v2(*plugin).malloc != nullptr &&
               as_v2(*plugin).free != nullptr && as_v2(*plugin).realloc != nullptr &&
               as_v2(*plugin).calloc != nullptr
         : plugin->init != nullptr && plugin->malloc != nullptr && plugin->free != nullptr &&
               plugin->realloc != nullptr && plugin->calloc != nullptr;
  if (!complete) refuse(name, "init, malloc, free, realloc and calloc are required");
  std::string shown = description != nullptr ? description : "";
  if (v2) shown += listed_terms(as_v2(*plugin));
  if (!register_heap_kind({plugin_name, kept(std::move(shown)), make})) {
    refuse(name, "a heap of that name is already registered");
  }
  if (with_fuzz_target) plugin_names().push_back(plugin_name);
  return true;
}

const std::vector<std::string_view>& plugin_heap_names() { return plugin_names(); }

}  // namespace allocfuzz
