# ctest plugins.outside_project: an allocator's own repository uses allocfuzz without copying
# itself into plugins/ (README.md, "From your own repository"). In SCRATCH it writes such a
# project, `myalloc`: the sources of plugins/oldgnu renamed to the heap myalloc, and a
# CMakeLists.txt that adds this checkout with add_subdirectory() and calls
# allocfuzz_add_allocator() on them, with the options old GNU C needs. It configures the project
# in a minimal configuration (no sanitizers, no tests, no benchmarks: what is tested is the
# CMake path, not the allocator), builds only myalloc_fuzzer and the project's allocfuzz, and
# checks that allocfuzz lists myalloc and passes a regression case on it, that myalloc_fuzzer
# passes every seed of heap_fuzzer (the encoded regression cases), and that myalloc's sources
# compiled with the options and allocfuzz's own files with allocfuzz's flags.
#
#   cmake -DBUILD_DIR=DIR -DCC=clang -DSCRATCH=DIR -P tests/plugins/outside_project_test.cmake
cmake_minimum_required(VERSION 3.25)
foreach(_var CC SCRATCH)
  if(NOT DEFINED ${_var})
    message(FATAL_ERROR "usage: cmake -DCC=COMPILER -DSCRATCH=DIR -P ${CMAKE_CURRENT_LIST_FILE}")
  endif()
endforeach()
get_filename_component(_root "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
if(NOT DEFINED CXX)
  set(CXX clang++)
endif()
set(_cxx "${CXX}")
set(_project "${SCRATCH}/myalloc")
file(REMOVE_RECURSE "${SCRATCH}")
file(MAKE_DIRECTORY "${_project}/src")

file(READ "${_root}/plugins/oldgnu/oldgnu_malloc.c" _source)
string(REPLACE "oldgnu" "myalloc" _source "${_source}")
file(WRITE "${_project}/src/myalloc.c" "${_source}")
file(WRITE "${_project}/CMakeLists.txt" "\
cmake_minimum_required(VERSION 3.25)
project(myalloc C CXX)
add_subdirectory(\"${_root}\" allocfuzz)
allocfuzz_add_allocator(myalloc SOURCES src/myalloc.c WRAP_BRK
                        C_STANDARD 99 GNU WARNINGS_NOT_ERRORS NO_SANITIZE array-bounds)
")

function(step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE _status OUTPUT_VARIABLE _out
                  ERROR_VARIABLE _out)
  if(NOT _status EQUAL 0)
    message(FATAL_ERROR "${what} failed (${_status}):\n${_out}")
  endif()
  set(_step_output "${_out}" PARENT_SCOPE)
endfunction()

step("configure" "${CMAKE_COMMAND}" -S "${_project}" -B "${_project}/build" -G Ninja
     "-DCMAKE_C_COMPILER=${CC}" "-DCMAKE_CXX_COMPILER=${_cxx}" -DCMAKE_BUILD_TYPE=Debug
     "-DCMAKE_C_FLAGS_DEBUG=-O0" "-DCMAKE_CXX_FLAGS_DEBUG=-O0" -DALLOCFUZZ_WERROR=ON
     -DBUILD_TESTING=OFF -DALLOCFUZZ_BENCH=OFF -DCMAKE_EXPORT_COMPILE_COMMANDS=ON)
step("build myalloc_fuzzer and allocfuzz" "${CMAKE_COMMAND}" --build "${_project}/build"
     --target myalloc_fuzzer allocfuzz)

# The project's allocfuzz knows the heap myalloc, and a regression case passes on it.
step("allocfuzz list" "${_project}/build/bin/allocfuzz" list)
if(NOT _step_output MATCHES "\n  myalloc_fuzzer +heap_fuzzer on the plugin heap myalloc" OR
   NOT _step_output MATCHES "\n  myalloc +boundary tags")
  message(FATAL_ERROR "allocfuzz list lacks myalloc:\n${_step_output}")
endif()
set(_case "${_root}/repro/cases/realloc_grow_into_predecessor.ops")
step("allocfuzz check --heap=myalloc" "${_project}/build/bin/allocfuzz" check --heap=myalloc
     "${_case}")
if(NOT _step_output STREQUAL "PASS ${_case} (ok)\n")
  message(FATAL_ERROR "allocfuzz check --heap=myalloc: ${_step_output}")
endif()

# Every seed replays on myalloc without a finding.
file(GLOB _seeds "${_root}/corpus/heap_fuzzer/*")
list(LENGTH _seeds _seed_count)
step("myalloc_fuzzer over corpus/heap_fuzzer" "${_project}/build/myalloc_fuzzer"
     "${_root}/corpus/heap_fuzzer")
if(NOT _step_output MATCHES "Executed ${_seed_count} inputs\n")
  message(FATAL_ERROR "myalloc_fuzzer did not run the ${_seed_count} seeds:\n${_step_output}")
endif()

# The options reached myalloc.c, and allocfuzz's files kept allocfuzz's flags.
file(READ "${_project}/build/compile_commands.json" _json)
string(JSON _count LENGTH "${_json}")
math(EXPR _last "${_count} - 1")
set(_seen "")
foreach(_i RANGE ${_last})
  string(JSON _file GET "${_json}" ${_i} file)
  string(JSON _command GET "${_json}" ${_i} command)
  if(_file MATCHES "/src/myalloc\\.c$")
    list(APPEND _seen myalloc)
    if(NOT _command MATCHES "-std=gnu99" OR NOT _command MATCHES "-fno-sanitize=array-bounds" OR
       _command MATCHES "-Werror|-Wpedantic")
      message(FATAL_ERROR "myalloc.c compiles without its options: ${_command}")
    endif()
  elseif(_file MATCHES "/fuzz/targets/heap_fuzzer\\.cc$" AND _command MATCHES "myalloc")
    list(APPEND _seen fuzzer)
    if(NOT _command MATCHES "-std=c\\+\\+20" OR NOT _command MATCHES "-Wpedantic" OR
       NOT _command MATCHES "-Werror")
      message(FATAL_ERROR "myalloc_fuzzer's heap_fuzzer.cc lost allocfuzz's flags: ${_command}")
    endif()
  endif()
endforeach()
if(NOT "myalloc" IN_LIST _seen OR NOT "fuzzer" IN_LIST _seen)
  message(FATAL_ERROR "compile_commands.json lacks myalloc.c or myalloc_fuzzer (${_seen})")
endif()
message(STATUS "myalloc, outside this repository, built through add_subdirectory and passed "
               "${_seed_count} seeds")
