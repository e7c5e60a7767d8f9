// From a loaded file to something that can run: the command line's overrides (--heap,
// --region, --defect) applied to the program's header, the heap looked up in the registry, and
// the defect checked against that heap. Every verb that runs or rewrites a program goes through
// here, so the rules (and their messages) are the same everywhere.
#ifndef ALLOCFUZZ_REPRO_PROGRAM_SETUP_H_
#define ALLOCFUZZ_REPRO_PROGRAM_SETUP_H_

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/heaps/tested_heap.h"
#include "fuzz/program/ops.h"
#include "repro/tools/input_file.h"

namespace allocfuzz {

// What the global flags change; empty/nullopt: keep what the file says.
struct Overrides {
  std::string heap;                     // --heap=NAME, replaces `# heap:`
  std::optional<Placement> placement;   // --region=high|low, replaces `# region:` / config bit
  std::optional<uint64_t> region_size;  // --region-size=BYTES, replaces `# region-size:`
  std::optional<std::string> defect;    // --defect=NAME replaces `# defect:`; "" (--defect=none)
                                        // removes it
  std::vector<std::string> diff;        // --diff=all|NAME,NAME,... replaces `# diff:`
  std::optional<FamilySet> left_out;    // --ops=all|-FAMILY,... replaces `# ops:`
};

// What load_input_file takes of the overrides.
inline LoadOptions load_options(const Overrides& overrides) {
  return LoadOptions{overrides.left_out};
}

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

// The defects `heap` can switch on in this build (TestedHeap::defect_names()), asked of a
// throwaway instance on a small region of its own; remembered per heap. Empty without
// ALLOCFUZZ_DEFECTS (the release preset), and for heaps that have none.
const std::vector<std::string_view>& heap_defect_names(const HeapKind& heap);

// The one-line description of a defect (allocator/free_array/defects.h), or "" for a name not
// there.
std::string_view defect_description(std::string_view name);

// Why `defect` cannot be switched on in `heap`, or "" when it can (or is empty):
//   "unknown defect 'x' (known: addr32, shared-break, ...)"
//   "defect 'x' is not compiled into this build (use the dev or fuzz preset)"
std::string defect_problem(const HeapKind& heap, std::string_view defect);

// The program's `# defect:` against its heap: false with "FILE: " + defect_problem(...). A
// defect is refused up front rather than silently run without it (the child checks again).
bool check_defect(const InputFile& file, const HeapKind& heap, std::string* error);

// The heaps of the program's `# diff:` in order ("all": every registered heap), empty for a
// one-heap program; or false with "FILE: unknown heap 'x' in '# diff:' (known: ...)", or
// "FILE: a '# diff:' program runs every heap without defects ..." when it names a defect.
bool resolve_diff_heaps(const InputFile& file, std::vector<const HeapKind*>* heaps,
                        std::string* error);

// Loads `path`, applies the overrides and resolves heap, defect and the `# diff:` heaps: the
// common prologue of replay, check and minimize. False after printing what is wrong to stderr
// (the caller exits with status 2). The file's notes (input_file.h) are printed on `notes`,
// one note_line each (replay: stdout, in its trace).
bool load_runnable(const std::string& path, const Overrides& overrides, InputFile* file,
                   const HeapKind** heap, std::vector<const HeapKind*>* diff_heaps,
                   std::FILE* notes = stderr);

// Prints each of the file's notes as a note_line on `out`.
void print_notes(const InputFile& file, std::FILE* out);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_REPRO_PROGRAM_SETUP_H_
