# ctest plugins.installed_package: an allocator's own repository uses an installed allocfuzz
# (README.md, "From your own repository"). It installs this build into SCRATCH/prefix
# (`cmake --install BUILD_DIR --prefix ...`: the libraries, headers, config and the sources a
# plugin's fuzz target compiles; cmake/AllocfuzzInstall.cmake), writes in SCRATCH a project
# `myalloc` (the sources of plugins/oldgnu renamed, as plugins.outside_project does) whose
# CMakeLists.txt calls find_package(allocfuzz CONFIG REQUIRED) and allocfuzz_add_allocator(), and
# builds myalloc_fuzzer alone. It checks that myalloc_fuzzer passes every installed seed, that
# nothing of this checkout was compiled or included (only the project's sources and the
# package's), and that the installed libraries were linked, not rebuilt. A few seconds: four
# files compile.
#
#   cmake -DBUILD_DIR=DIR -DCC=clang -DCXX=clang++ -DSCRATCH=DIR -P tests/plugins/installed_package_test.cmake
cmake_minimum_required(VERSION 3.25)
foreach(_var BUILD_DIR CC SCRATCH)
  if(NOT DEFINED ${_var})
    message(FATAL_ERROR "usage: cmake -DBUILD_DIR=DIR -DCC=COMPILER -DSCRATCH=DIR -P "
                        "${CMAKE_CURRENT_LIST_FILE}")
  endif()
endforeach()
get_filename_component(_root "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
if(NOT DEFINED CXX)
  set(CXX clang++)
endif()
set(_prefix "${SCRATCH}/prefix")
set(_project "${SCRATCH}/myalloc")
file(REMOVE_RECURSE "${SCRATCH}")
file(MAKE_DIRECTORY "${_project}/src")

function(step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE _status OUTPUT_VARIABLE _out
                  ERROR_VARIABLE _out)
  if(NOT _status EQUAL 0)
    message(FATAL_ERROR "${what} failed (${_status}):\n${_out}")
  endif()
  set(_step_output "${_out}" PARENT_SCOPE)
endfunction()

step("cmake --install" "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${_prefix}")
foreach(_file lib/cmake/allocfuzz/allocfuzzConfig.cmake include/allocfuzz/plugins/allocfuzz_plugin.h
              lib/liballocfuzz_harness.a share/allocfuzz/fuzz/targets/heap_fuzzer.cc)
  if(NOT EXISTS "${_prefix}/${_file}")
    message(FATAL_ERROR "the package lacks ${_file}")
  endif()
endforeach()

file(READ "${_root}/plugins/oldgnu/oldgnu_malloc.c" _source)
string(REPLACE "oldgnu" "myalloc" _source "${_source}")
file(WRITE "${_project}/src/myalloc.c" "${_source}")
file(WRITE "${_project}/CMakeLists.txt" "\
cmake_minimum_required(VERSION 3.25)
project(myalloc C CXX)
find_package(allocfuzz CONFIG REQUIRED)
allocfuzz_add_allocator(myalloc SOURCES src/myalloc.c WRAP_BRK
                        C_STANDARD 99 GNU WARNINGS_NOT_ERRORS NO_SANITIZE array-bounds)
")

step("configure" "${CMAKE_COMMAND}" -S "${_project}" -B "${_project}/build" -G Ninja
     "-DCMAKE_C_COMPILER=${CC}" "-DCMAKE_CXX_COMPILER=${CXX}" -DCMAKE_BUILD_TYPE=Debug
     "-DCMAKE_C_FLAGS_DEBUG=-O0" "-DCMAKE_CXX_FLAGS_DEBUG=-O0" "-DCMAKE_PREFIX_PATH=${_prefix}"
     -DCMAKE_EXPORT_COMPILE_COMMANDS=ON)
step("build myalloc_fuzzer" "${CMAKE_COMMAND}" --build "${_project}/build" --target myalloc_fuzzer)

# Every installed seed replays on myalloc without a finding.
file(GLOB _seeds "${_prefix}/share/allocfuzz/corpus/heap_fuzzer/*")
list(LENGTH _seeds _seed_count)
if(_seed_count EQUAL 0)
  message(FATAL_ERROR "the package has no seeds in share/allocfuzz/corpus/heap_fuzzer")
endif()
step("myalloc_fuzzer over the installed seeds" "${_project}/build/myalloc_fuzzer"
     "${_prefix}/share/allocfuzz/corpus/heap_fuzzer")
if(NOT _step_output MATCHES "Executed ${_seed_count} inputs\n")
  message(FATAL_ERROR "myalloc_fuzzer did not run the ${_seed_count} seeds:\n${_step_output}")
endif()

# Only the project's and the package's files compiled, with the package's headers and flags.
file(READ "${_project}/build/compile_commands.json" _json)
string(JSON _count LENGTH "${_json}")
math(EXPR _last "${_count} - 1")
set(_files "")
foreach(_i RANGE ${_last})
  string(JSON _file GET "${_json}" ${_i} file)
  string(JSON _command GET "${_json}" ${_i} command)
  get_filename_component(_name "${_file}" NAME)
  list(APPEND _files "${_name}")
  # A path of this checkout outside SCRATCH (which may lie inside it, in the build directory).
  string(REPLACE "${SCRATCH}/" "" _outside "${_file} ${_command}")
  string(FIND "${_outside}" "${_root}/" _at)
  string(FIND "${_command}" "${_prefix}/include/allocfuzz" _package_include)  # -I or -isystem
  if(NOT _at EQUAL -1 OR _package_include EQUAL -1)
    message(FATAL_ERROR "compiled from this checkout, not the package: ${_command}")
  endif()
  if(_name STREQUAL "heap_fuzzer.cc" AND (NOT _command MATCHES "-fsanitize=address" OR
                                          NOT _command MATCHES "-std=c\\+\\+20"))
    message(FATAL_ERROR "heap_fuzzer.cc lacks the installed build's flags: ${_command}")
  endif()
  if(_name STREQUAL "myalloc.c" AND NOT _command MATCHES "-std=gnu99")
    message(FATAL_ERROR "myalloc.c compiles without its options: ${_command}")
  endif()
endforeach()
list(SORT _files)
if(NOT _files STREQUAL "heap_fuzzer.cc;myalloc.c;myalloc_registration.cc;standalone_main.cc")
  message(FATAL_ERROR "compiled ${_files}, not exactly the plugin's four files")
endif()
file(READ "${_project}/build/build.ninja" _ninja)
string(FIND "${_ninja}" "${_prefix}/lib/liballocfuzz_harness.a" _at)
if(_at EQUAL -1)
  message(FATAL_ERROR "myalloc_fuzzer does not link the installed liballocfuzz_harness.a")
endif()
message(STATUS "myalloc, built through find_package(allocfuzz) from ${_prefix}, passed "
               "${_seed_count} seeds")
