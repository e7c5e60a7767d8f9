// Overrides, heap lookup and defect check; see program_setup.h.
#include "repro/tools/program_setup.h"

#include <absl/strings/str_format.h>

#include <algorithm>
#include <map>
#include <memory>

#include "allocator/free_array/defects.h"
#include "allocator/region/pseudo_brk.h"

namespace allocfuzz {

void apply_overrides(const Overrides& overrides, Program* program) {
  if (!overrides.heap.empty()) program->header.heap = overrides.heap;
  if (overrides.placement) program->header.placement = *overrides.placement;
  if (overrides.region_size) program->header.region_size = *overrides.region_size;
  if (overrides.defect) program->header.defect = *overrides.defect;
  if (!overrides.diff.empty()) program->header.diff = overrides.diff;
  if (overrides.left_out) program->header.left_out = *overrides.left_out;
}

void print_notes(const InputFile& file, std::FILE* out) {
  for (const std::string& note : file.notes) absl::FPrintF(out, "%s\n", note_line(file, note));
}

std::string known_heap_names() {
  std::string names;
  for (const HeapKind& kind : heap_kinds()) {
    if (!names.empty()) names += ", ";
    names += kind.name;
  }
  return names;
}

const HeapKind* resolve_heap(const InputFile& file, std::string* error) {
  const std::string& name = file.program.header.heap;
  const HeapKind* kind = find_heap_kind(name);
  if (kind == nullptr) {
    *error =
        absl::StrFormat("%s: unknown heap '%s' (known: %s)", file.path, name, known_heap_names());
  }
  return kind;
}

const std::vector<std::string_view>& heap_defect_names(const HeapKind& heap) {
  // Heap kinds live as long as the process (tested_heap.h), and so do their names.
  static std::map<std::string_view, std::vector<std::string_view>> known;
  auto [it, inserted] = known.try_emplace(heap.name);
  if (!inserted) return it->second;
  // A region just big enough to build the heap on; it never runs a program.
  RegionOptions options;
  options.reserve_bytes = size_t{64} << 10;
  PseudoBrk region;
  if (region.init(options) != 0) return it->second;
  const std::unique_ptr<TestedHeap> instance = heap.make(region);
  it->second = instance->defect_names();
  return it->second;
}

std::string_view defect_description(std::string_view name) {
  for (const DefectInfo& d : kDefects) {
    if (d.name == name) return d.what;
  }
  return "";
}

std::string defect_problem(const HeapKind& heap, std::string_view defect) {
  if (defect.empty()) return "";
  const std::string name(defect);
  if constexpr (!kDefectsCompiledIn) {
    return "defect '" + name + "' is not compiled into this build (use the dev or fuzz preset)";
  }
  const std::vector<std::string_view>& names = heap_defect_names(heap);
  if (std::find(names.begin(), names.end(), defect) != names.end()) return "";
  if (names.empty()) {
    return "unknown defect '" + name + "' (heap '" + std::string(heap.name) + "' has none)";
  }
  std::string known;
  for (std::string_view known_name : names) {
    if (!known.empty()) known += ", ";
    known += known_name;
  }
  return "unknown defect '" + name + "' (known: " + known + ")";
}

bool check_defect(const InputFile& file, const HeapKind& heap, std::string* error) {
  const std::string problem = defect_problem(heap, file.program.header.defect);
  if (problem.empty()) return true;
  *error = absl::StrFormat("%s: %s", file.path, problem);
  return false;
}

bool resolve_diff_heaps(const InputFile& file, std::vector<const HeapKind*>* heaps,
                        std::string* error) {
  heaps->clear();
  const std::vector<std::string>& names = file.program.header.diff;
  if (names.empty()) return true;
  if (!file.program.header.defect.empty()) {
    *error = absl::StrFormat(
        "%s: a '# diff:' program runs every heap without defects, but it names defect '%s' "
        "(--defect=none removes it)",
        file.path, file.program.header.defect);
    return false;
  }
  if (names.size() == 1 && names[0] == "all") {
    for (const HeapKind& kind : heap_kinds()) heaps->push_back(&kind);
    return true;
  }
  for (const std::string& name : names) {
    const HeapKind* kind = find_heap_kind(name);
    if (kind == nullptr) {
      *error = absl::StrFormat("%s: unknown heap '%s' in '# diff:' (known: %s)", file.path, name,
                               known_heap_names());
      return false;
    }
    heaps->push_back(kind);
  }
  return true;
}

bool load_runnable(const std::string& path, const Overrides& overrides, InputFile* file,
                   const HeapKind** heap, std::vector<const HeapKind*>* diff_heaps,
                   std::FILE* notes) {
  std::string error;
  bool ok = load_input_file(path, file, &error, load_options(overrides));
  if (ok) {
    print_notes(*file, notes);
    apply_overrides(overrides, &file->program);
    *heap = resolve_heap(*file, &error);
    ok = *heap != nullptr && check_defect(*file, **heap, &error) &&
         resolve_diff_heaps(*file, diff_heaps, &error);
  }
  if (!ok) absl::FPrintF(stderr, "%s\n", error);
  return ok;
}

}  // namespace allocfuzz
