# ctest plugins.oldgnu_options: the options of allocfuzz_add_allocator (cmake/AllocfuzzPlugins.cmake)
# as plugins/oldgnu/CMakeLists.txt gives them reach the allocator's compile line and only it, and
# each is needed:
#   (a) in compile_commands.json, plugins/oldgnu/oldgnu_malloc.c compiles with -std=gnu99 and
#       -fno-sanitize=array-bounds, with -Wall -Wextra but without -Wpedantic and -Werror; no other file has
#       -fno-sanitize=array-bounds, and kr_malloc.c (no options) keeps -std=c11 and -Wpedantic;
#   (b) the same compile line with allocfuzz's defaults put back (-std=c11 -Wpedantic -Werror)
#       fails, on the GNU idioms the file is written in;
#   (c) the file with its options but with UBSan's array-bounds check on, driven by a small
#       program (its first malloc), stops at the zero-length array it indexes on purpose.
#
#   cmake -DBUILD_DIR=build/dev -DCC=clang -DSCRATCH=DIR -P tests/plugins/oldgnu_options_test.cmake
cmake_minimum_required(VERSION 3.25)
foreach(_var BUILD_DIR CC SCRATCH)
  if(NOT DEFINED ${_var})
    message(FATAL_ERROR "usage: cmake -DBUILD_DIR=DIR -DCC=COMPILER -DSCRATCH=DIR -P ${CMAKE_CURRENT_LIST_FILE}")
  endif()
endforeach()
get_filename_component(_root "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
file(REMOVE_RECURSE "${SCRATCH}")
file(MAKE_DIRECTORY "${SCRATCH}")

file(READ "${BUILD_DIR}/compile_commands.json" _json)
string(JSON _count LENGTH "${_json}")
math(EXPR _last "${_count} - 1")
set(_oldgnu "")
set(_oldgnu_dir "")
set(_kr "")
foreach(_i RANGE ${_last})
  string(JSON _file GET "${_json}" ${_i} file)
  string(JSON _command GET "${_json}" ${_i} command)
  if(_file MATCHES "/plugins/oldgnu/oldgnu_malloc\\.c$")
    set(_oldgnu "${_command}")
    string(JSON _oldgnu_dir GET "${_json}" ${_i} directory)
  elseif(_command MATCHES "-fno-sanitize=array-bounds")
    message(FATAL_ERROR "(a) ${_file} compiles with -fno-sanitize=array-bounds too: ${_command}")
  endif()
  if(_file MATCHES "/plugins/kr/kr_malloc\\.c$")
    set(_kr "${_command}")
  endif()
endforeach()
if(_oldgnu STREQUAL "" OR _kr STREQUAL "")
  message(FATAL_ERROR "(a) compile_commands.json has no line for oldgnu_malloc.c or kr_malloc.c")
endif()
separate_arguments(_args UNIX_COMMAND "${_oldgnu}")
foreach(_want -std=gnu99 -fno-sanitize=array-bounds -Wall -Wextra)
  if(NOT _want IN_LIST _args)
    message(FATAL_ERROR "(a) oldgnu_malloc.c compiles without ${_want}: ${_oldgnu}")
  endif()
endforeach()
foreach(_unwanted -Wpedantic -Werror -std=c11)
  if(_unwanted IN_LIST _args)
    message(FATAL_ERROR "(a) oldgnu_malloc.c compiles with ${_unwanted}: ${_oldgnu}")
  endif()
endforeach()
separate_arguments(_kr_args UNIX_COMMAND "${_kr}")
foreach(_want -std=c11 -Wpedantic)
  if(NOT _want IN_LIST _kr_args)
    message(FATAL_ERROR "(a) kr_malloc.c, which has no options, lost ${_want}: ${_kr}")
  endif()
endforeach()

# (b) allocfuzz's defaults put back, syntax only.
set(_strict ${_args})
list(TRANSFORM _strict REPLACE "^-std=gnu99$" "-std=c11")
list(APPEND _strict -Wpedantic -Werror -fsyntax-only -ferror-limit=0)
execute_process(COMMAND ${_strict} WORKING_DIRECTORY "${_oldgnu_dir}" RESULT_VARIABLE _status
                ERROR_VARIABLE _errors OUTPUT_QUIET)
if(_status EQUAL 0)
  message(FATAL_ERROR "(b) oldgnu_malloc.c compiles without its options: ${_strict}")
endif()
foreach(_diagnostic "arithmetic on a pointer to void is a GNU extension"
                    "zero size arrays are an extension"
                    "use of GNU statement expression extension"
                    "implicit declaration of function 'typeof'")
  string(FIND "${_errors}" "${_diagnostic}" _at)
  if(_at LESS 0)
    message(FATAL_ERROR "(b) without its options, no error '${_diagnostic}':\n${_errors}")
  endif()
endforeach()

# (c) array-bounds on: the first malloc indexes arena.bin[] and stops.
file(WRITE "${SCRATCH}/driver.c" [=[
#include <stdio.h>
#include <unistd.h>
#include "plugins/allocfuzz_plugin.h"
const struct allocfuzz_allocator* allocfuzz_plugin_oldgnu(void);
int main(void) {
  struct allocfuzz_region region = {0};
  region.start = sbrk(0);
  const struct allocfuzz_allocator* a = allocfuzz_plugin_oldgnu();
  a->init(&region);
  void* p = a->malloc(24);
  a->free(p);
  puts("no report");
  return 0;
}
]=])
execute_process(
  COMMAND "${CC}" -std=gnu99 -g -fsanitize=array-bounds -fno-sanitize-recover=all
          "-I${_root}" "${_root}/plugins/oldgnu/oldgnu_malloc.c" "${SCRATCH}/driver.c"
          -o "${SCRATCH}/driver"
  RESULT_VARIABLE _status ERROR_VARIABLE _errors)
if(NOT _status EQUAL 0)
  message(FATAL_ERROR "(c) cannot build the driver:\n${_errors}")
endif()
execute_process(COMMAND "${SCRATCH}/driver" RESULT_VARIABLE _status OUTPUT_VARIABLE _out
                ERROR_VARIABLE _errors)
if(_status EQUAL 0 OR NOT _errors MATCHES "oldgnu_malloc\\.c:[0-9]+:[0-9]+: runtime error: index [0-9]+ out of bounds for type 'void \\*\\[0\\]'")
  message(FATAL_ERROR "(c) with array-bounds on, no report on the zero-length array "
                      "(status ${_status}):\n${_out}${_errors}")
endif()
message(STATUS "oldgnu: options on its compile line only; without them it does not compile; "
               "array-bounds stops it")
