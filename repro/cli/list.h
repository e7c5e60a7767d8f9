// `allocfuzz list`: the fuzz targets and the heaps, one line each, and under each heap the
// historical defects it can switch on in this build (`# defect: NAME`, `--defect=NAME`).
#ifndef ALLOCFUZZ_REPRO_LIST_H_
#define ALLOCFUZZ_REPRO_LIST_H_

namespace allocfuzz {

int list_targets_and_heaps();

}  // namespace allocfuzz

#endif  // ALLOCFUZZ_REPRO_LIST_H_
