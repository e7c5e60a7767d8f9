// `allocfuzz fmt FILE` (any spelling -> canonical .ops text on stdout) and
// `allocfuzz encode FILE [-o OUT]` (any spelling -> canonical binary). For a canonical binary,
// fmt then encode gives back the same bytes (FORMAT.md).
#ifndef ALLOCFUZZ_REPRO_CODEC_VERBS_H_
#define ALLOCFUZZ_REPRO_CODEC_VERBS_H_

#include <string>

#include "repro/tools/program_setup.h"

namespace allocfuzz {

int fmt_file(const std::string& path, const Overrides& overrides);

// `out` empty: stdout, which must not be a terminal.
int encode_file(const std::string& path, const std::string& out, const Overrides& overrides);

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_REPRO_CODEC_VERBS_H_
