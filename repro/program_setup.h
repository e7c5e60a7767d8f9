// From a loaded file to something that can run: the command line's overrides (--heap,
// --region) applied to the program's header, the heap looked up in the registry, and the
// defect checked. Every verb that runs or rewrites a program goes through here, so the rules
// (and their messages) are the same everywhere.
#ifndef ALLOCFUZZ_REPRO_PROGRAM_SETUP_H_
#define ALLOCFUZZ_REPRO_PROGRAM_SETUP_H_

#include <optional>
#include <string>

#include "fuzz/ops.h"
#include "fuzz/tested_heap.h"
#include "repro/input_file.h"

namespace allocfuzz {

// What the global flags change; empty/nullopt: keep what the file says.
struct Overrides {
  std::string heap;                    // --heap=NAME, replaces `# heap:`
  std::optional<Placement> placement;  // --region=high|low, replaces `# region:` / config bit
};

// What every verb that runs programs takes from the command line.
struct RunSettings {
  Overrides overrides;
  unsigned timeout_seconds = 60;  // per program run (per candidate, for minimize); 0: none
};

// The header with the overrides applied.
void apply_overrides(const Overrides& overrides, Program* program);

// "free-array, test-crash": the registered heap names, for messages.
std::string known_heap_names();

// The heap the program names, or nullptr with "FILE: unknown heap 'x' (known: ...)".
const HeapKind* resolve_heap(const InputFile& file, std::string* error);

// Today no defect switch exists (DESIGN.md section 7 adds them): any non-empty `# defect:` is
// refused with "FILE: unknown defect 'x'", rather than silently run without it.
bool check_defect(const InputFile& file, std::string* error);

// Loads `path`, applies the overrides and resolves heap and defect: the common prologue of
// replay, check and minimize. False with the message in `*error` (exit status 2).
bool load_runnable(const std::string& path, const Overrides& overrides, InputFile* file,
                   const HeapKind** heap, std::string* error);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_REPRO_PROGRAM_SETUP_H_
