# Plugin allocators: an allocator described by plugins/allocfuzz_plugin.h becomes a heap of the
# harness with one call,
#
#   allocfuzz_add_allocator(NAME SOURCES file.c... [WRAP_BRK])
#
# which builds
#   NAME_allocator      a static library of the sources (C or C++), with the allocator/ layer's
#                       extra sanitizers (UBSan in the fuzz preset): their bugs are what we hunt;
#   NAME_registration   the generated registration (plugin_registration.cc.in), an object
#                       library, so that its static initializer is linked in, not dropped;
#   NAME_fuzzer         fuzz/targets/heap_fuzzer.cc with the heap NAME by default (ALLOCFUZZ_HEAP still
#                       overrides); in builds without libFuzzer a replayer of files, and the
#                       smoke test NAME_fuzzer.corpus over corpus/heap_fuzzer;
# and adds the heap to `allocfuzz_plugins`, an interface library that the `allocfuzz` command
# line, heap_fuzzer and the tests link: `allocfuzz list` shows NAME, `--heap=NAME` and
# `# heap: NAME` select it. The global property ALLOCFUZZ_PLUGIN_HEAPS lists the names (repro/
# runs the regression cases on each).
#
# NAME is a C identifier in lower case: the plugin exports allocfuzz_plugin_NAME().
#
# WRAP_BRK: the allocator calls the C library's sbrk()/brk(), unmodified. Every binary that links
# it is linked with --wrap=sbrk,--wrap=brk (a usage requirement of NAME_allocator, so no binary
# can miss it): the linker sends those calls to __wrap_sbrk/__wrap_brk (fuzz/heaps/plugin_region.cc),
# which move the region of the heap being called. Only references from this link's objects are
# rewritten; the C library's own malloc keeps the real break.
#
# Included by the top-level CMakeLists.txt before fuzz/; the functions are called from plugins/
# (after fuzz/, which defines allocfuzz_harness and allocfuzz_fuzz_target) and from tests/.

set(_ALLOCFUZZ_PLUGINS_DIR "${CMAKE_CURRENT_LIST_DIR}")

add_library(allocfuzz_plugins INTERFACE)

# A static library of allocator sources that include plugins/allocfuzz_plugin.h, without any
# registration: for allocfuzz_add_allocator, and for tests that drive a descriptor directly.
function(allocfuzz_plugin_library target)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "WRAP_BRK" "" "SOURCES")
  if(NOT ARG_SOURCES OR ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "allocfuzz_plugin_library(${target} SOURCES file... [WRAP_BRK])")
  endif()
  add_library(${target} STATIC ${ARG_SOURCES})
  target_include_directories(${target} PUBLIC "${PROJECT_SOURCE_DIR}")
  allocfuzz_enable_allocator_sanitizers(${target})
  if(ARG_WRAP_BRK)
    target_link_options(${target} INTERFACE "LINKER:--wrap=sbrk,--wrap=brk")
    # The archive that defines __wrap_sbrk/__wrap_brk must follow this one on the link line.
    target_link_libraries(${target} INTERFACE allocfuzz_harness)
  endif()
endfunction()

function(allocfuzz_add_allocator name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "WRAP_BRK" "" "SOURCES")
  if(NOT name MATCHES "^[a-z][a-z0-9_]*$")
    message(FATAL_ERROR "allocfuzz_add_allocator: '${name}' is not a lower-case C identifier "
                        "(the plugin exports allocfuzz_plugin_${name})")
  endif()
  if(NOT ARG_SOURCES OR ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "allocfuzz_add_allocator(${name} SOURCES file... [WRAP_BRK])")
  endif()
  set(_wrap "")
  if(ARG_WRAP_BRK)
    set(_wrap WRAP_BRK)
  endif()
  allocfuzz_plugin_library(${name}_allocator SOURCES ${ARG_SOURCES} ${_wrap})

  set(ALLOCFUZZ_PLUGIN_NAME "${name}")
  set(_registration "${CMAKE_CURRENT_BINARY_DIR}/${name}_registration.cc")
  configure_file("${_ALLOCFUZZ_PLUGINS_DIR}/plugin_registration.cc.in" "${_registration}" @ONLY)
  add_library(${name}_registration OBJECT "${_registration}")
  target_link_libraries(${name}_registration PUBLIC ${name}_allocator allocfuzz_harness)

  # An interface library passes its object libraries' usage requirements on, but not their
  # object files: those go by name ($<TARGET_OBJECTS>) to every binary that links it.
  target_link_libraries(allocfuzz_plugins
                        INTERFACE ${name}_registration $<TARGET_OBJECTS:${name}_registration>)
  set_property(GLOBAL APPEND PROPERTY ALLOCFUZZ_PLUGIN_HEAPS ${name})

  add_executable(${name}_fuzzer "${PROJECT_SOURCE_DIR}/fuzz/targets/heap_fuzzer.cc")
  target_compile_definitions(${name}_fuzzer PRIVATE ALLOCFUZZ_FUZZER_HEAP="${name}")
  target_link_libraries(${name}_fuzzer PRIVATE ${name}_registration allocfuzz_harness
                                                allocfuzz_target_support)
  allocfuzz_fuzz_target(${name}_fuzzer INPUTS_OF heap_fuzzer)
  if(BUILD_TESTING AND NOT ALLOCFUZZ_FUZZ)
    add_test(NAME ${name}_fuzzer.corpus
             COMMAND ${name}_fuzzer "${PROJECT_SOURCE_DIR}/corpus/heap_fuzzer")
    set_tests_properties(${name}_fuzzer.corpus PROPERTIES LABELS smoke)
  endif()
endfunction()
