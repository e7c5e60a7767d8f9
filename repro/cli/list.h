// `allocfuzz list`: the fuzz targets and the heaps, one line each, and under each heap the
// historical defects it can switch on in this build (`# defect: NAME`, `--defect=NAME`).
#ifndef ALLOCFUZZ_REPRO_LIST_H_
#define ALLOCFUZZ_REPRO_LIST_H_

namespace allocfuzz {

int list_targets_and_heaps();
// `allocfuzz list --profiles`: a table with a column per heap and a row per capability
// (fuzz/program/capabilities.h) and per profile field (fuzz/heaps/heap_traits.h).
int list_heap_profiles();

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_REPRO_LIST_H_
