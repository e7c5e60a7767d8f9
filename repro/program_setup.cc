// Overrides, heap lookup and defect check; see program_setup.h.
#include "repro/program_setup.h"

#include <absl/strings/str_format.h>

namespace allocfuzz {

void apply_overrides(const Overrides& overrides, Program* program) {
  if (!overrides.heap.empty()) program->header.heap = overrides.heap;
  if (overrides.placement) program->header.placement = *overrides.placement;
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

bool check_defect(const InputFile& file, std::string* error) {
  const std::string& defect = file.program.header.defect;
  if (defect.empty()) return true;
  *error = absl::StrFormat("%s: unknown defect '%s'", file.path, defect);
  return false;
}

bool load_runnable(const std::string& path, const Overrides& overrides, InputFile* file,
                   const HeapKind** heap, std::string* error) {
  if (!load_input_file(path, file, error)) return false;
  apply_overrides(overrides, &file->program);
  *heap = resolve_heap(*file, error);
  if (*heap == nullptr) return false;
  return check_defect(*file, error);
}

}  // namespace allocfuzz
