// Formatting of findings; see report.h.
#include "fuzz/oracle/report.h"

#include <absl/strings/str_format.h>

#include "allocator/base/fixed_text.h"
#include "allocator/base/offset_text.h"
#include "fuzz/program/ops_text.h"

namespace allocfuzz {

std::string describe_operation(const Program& program, size_t op_index) {
  if (op_index >= program.ops.size()) {
    if (program.ops.empty()) return "the end of the (empty) program";
    return absl::StrFormat("the end of the program (after operation %d)", program.ops.size() - 1);
  }
  return absl::StrFormat("operation %d: %s", op_index, format_op(program.ops[op_index]));
}

void append_finding_line(TextBuffer& out, const FindingKind& kind, Oracle oracle, size_t op_index,
                         std::string_view frame) {
  out.add(kFindingLinePrefix).add("kind=");
  kind.append_text(out);
  out.add(" op=");
  if (op_index == SIZE_MAX) {
    out.add("none");
  } else {
    out.add_dec(op_index);
  }
  out.add(" oracle=\"").add(oracle_name(oracle)).add("\"");
  if (!frame.empty()) out.add(" frame=\"").add(frame).add("\"");
  out.add("\n");
}

std::string finding_line(const FindingKind& kind, Oracle oracle, size_t op_index,
                         std::string_view frame) {
  FixedText<kFindingLineCapacity> line;
  append_finding_line(line, kind, oracle, op_index, frame);
  return std::string(line.view());
}

std::string format_report(const Program& program, const Finding& finding, const TestedHeap& heap) {
  std::string out = absl::StrFormat("allocfuzz: violation %s at %s\n", finding.kind.text(),
                                    describe_operation(program, finding.op_index));
  absl::StrAppendFormat(&out, "  seen by: %s\n", oracle_name(finding.oracle));
  absl::StrAppendFormat(&out, "  %s\n", finding.message);
  if (!finding.frame.empty()) {
    absl::StrAppendFormat(&out, "  in the heap under test: %s%s\n", finding.frame,
                          finding.frame == "?" ? " (no symbolizer: llvm-symbolizer on the PATH "
                                                 "and a build with sanitizers name the frame)"
                                               : "");
  }
  size_t last = finding.op_index < program.ops.size() ? finding.op_index + 1 : program.ops.size();
  size_t first = last > kReportContextOps + 1 ? last - kReportContextOps - 1 : 0;
  if (last > first) {
    out += "  operations:\n";
    for (size_t i = first; i < last; ++i) {
      absl::StrAppendFormat(&out, "  %s %5d  %s\n", i == finding.op_index ? ">" : " ", i,
                            format_op(program.ops[i]));
    }
  }
  if (finding.offset != SIZE_MAX) {
    FixedText<8192> map;
    heap.append_map(finding.offset, map);
    if (map.size() != 0) {
      absl::StrAppendFormat(&out, "  heap around %s:\n", OffsetText(finding.offset).view());
      out += map.view();
    }
  }
  return out;
}

}  // namespace allocfuzz
