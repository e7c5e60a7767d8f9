# Plugin allocators: an allocator described by plugins/allocfuzz_plugin.h becomes a heap of the
# harness with one call,
#
#   allocfuzz_add_allocator(NAME SOURCES file... [WRAP_BRK]
#                           [C_STANDARD 90|99|11|17|23 [GNU]] [CXX_STANDARD 98|11|14|17|20|23 [GNU]]
#                           [COMPILE_OPTIONS option...] [COMPILE_DEFINITIONS definition...]
#                           [INCLUDE_DIRECTORIES dir...] [WARNINGS_NOT_ERRORS]
#                           [NO_SANITIZE check...])
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
# The other options are for code as it is, and apply to NAME_allocator's own sources only (the
# harness, the registration and NAME_fuzzer.cc compile as the rest of allocfuzz):
#   C_STANDARD N [GNU]       the C standard (-std=cN, or -std=gnuN with GNU extensions) instead of
#                            allocfuzz's C11; CXX_STANDARD likewise for C++ sources (C++20).
#   COMPILE_OPTIONS, COMPILE_DEFINITIONS, INCLUDE_DIRECTORIES
#                            added to the sources' compile lines (relative directories are the
#                            caller's source directory's).
#   WARNINGS_NOT_ERRORS      no -Werror and no -Wpedantic for the sources: -Wall -Wextra's
#                            warnings are still shown, and the build goes on.
#   NO_SANITIZE check...     -fno-sanitize=CHECK,... for the sources (e.g. array-bounds for a
#                            zero-length array indexed on purpose): the harness, and the rest of
#                            the process, stay fully sanitized.
# plugins/oldgnu/ uses them all.
#
# From another project (README.md, "From your own repository"): add_subdirectory() of this
# repository, then allocfuzz_add_allocator() in the project's own directories. The function
# gives its targets allocfuzz's own compile options, link options and language standards
# (recorded below as global properties), so they build the same wherever it is called from.
# Included by the top-level CMakeLists.txt before fuzz/; the functions are called from plugins/
# (after fuzz/, which defines allocfuzz_harness and allocfuzz_fuzz_target) and from tests/.


# What the function's targets compile and link with, taken from allocfuzz's top directory here
# (this file is included after the warning, sanitizer and fuzzing options are set): a caller in
# another project's directory has none of those, and the variables of allocfuzz's scope are not
# visible there; global properties are.
#
# Installed (cmake --install, then find_package(allocfuzz CONFIG) in another project): the
# package's allocfuzzConfig.cmake (cmake/allocfuzzConfig.cmake.in) sets ALLOCFUZZ_INSTALLED_ROOT
# to its share directory, which holds this file, the registration template, heap_fuzzer.cc,
# standalone_main.cc and the seeds, and the _ALLOCFUZZ_INSTALLED_* options recorded when
# allocfuzz was configured; it imports the libraries under their own names (allocfuzz_harness,
# ...) and defines allocfuzz_fuzz_target() before including this file.
if(DEFINED ALLOCFUZZ_INSTALLED_ROOT)
  set(_allocfuzz_root "${ALLOCFUZZ_INSTALLED_ROOT}")
  set(_allocfuzz_include_dir "${_ALLOCFUZZ_INSTALLED_INCLUDE_DIR}")
  set(_allocfuzz_compile_options "${_ALLOCFUZZ_INSTALLED_COMPILE_OPTIONS}")
  set(_allocfuzz_link_options "${_ALLOCFUZZ_INSTALLED_LINK_OPTIONS}")
  set(_allocfuzz_allocator_options "${_ALLOCFUZZ_INSTALLED_ALLOCATOR_OPTIONS}")
  set(_allocfuzz_werror "${_ALLOCFUZZ_INSTALLED_WERROR}")
  get_property(_allocfuzz_fuzz GLOBAL PROPERTY ALLOCFUZZ_INSTALLED_FUZZ)
else()
  get_property(_allocfuzz_compile_options DIRECTORY PROPERTY COMPILE_OPTIONS)
  get_property(_allocfuzz_link_options DIRECTORY PROPERTY LINK_OPTIONS)
  set(_allocfuzz_allocator_options "")
  if(_ALLOCFUZZ_SANITIZE_ALLOCATOR)  # as allocfuzz_enable_allocator_sanitizers() adds them
    list(JOIN _ALLOCFUZZ_SANITIZE_ALLOCATOR "," _joined)
    set(_allocfuzz_allocator_options "-fsanitize=${_joined}")
  endif()
  get_filename_component(_allocfuzz_root "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
  set(_allocfuzz_include_dir "${_allocfuzz_root}")
  set(_allocfuzz_werror "${ALLOCFUZZ_WERROR}")
  set(_allocfuzz_fuzz "${ALLOCFUZZ_FUZZ}")
endif()
set_property(GLOBAL PROPERTY ALLOCFUZZ_ROOT "${_allocfuzz_root}")
set_property(GLOBAL PROPERTY ALLOCFUZZ_INCLUDE_DIR "${_allocfuzz_include_dir}")
set_property(GLOBAL PROPERTY ALLOCFUZZ_COMPILE_OPTIONS "${_allocfuzz_compile_options}")
set_property(GLOBAL PROPERTY ALLOCFUZZ_LINK_OPTIONS "${_allocfuzz_link_options}")
set_property(GLOBAL PROPERTY ALLOCFUZZ_ALLOCATOR_OPTIONS "${_allocfuzz_allocator_options}")
set_property(GLOBAL PROPERTY ALLOCFUZZ_WERROR_SETTING "${_allocfuzz_werror}")
set_property(GLOBAL PROPERTY ALLOCFUZZ_FUZZ_SETTING "${_allocfuzz_fuzz}")

add_library(allocfuzz_plugins INTERFACE)

# Gives `target` allocfuzz's compile options (replacing whatever the caller's directory gave
# it), link options, warnings-as-errors setting and C and C++ standards.
function(_allocfuzz_as_project_target target)
  get_property(_compile GLOBAL PROPERTY ALLOCFUZZ_COMPILE_OPTIONS)
  get_property(_link GLOBAL PROPERTY ALLOCFUZZ_LINK_OPTIONS)
  get_property(_werror GLOBAL PROPERTY ALLOCFUZZ_WERROR_SETTING)
  if(NOT _werror)
    set(_werror OFF)
  endif()
  set_target_properties(${target} PROPERTIES
    COMPILE_OPTIONS "${_compile}"
    LINK_OPTIONS "${_link}"
    COMPILE_WARNING_AS_ERROR ${_werror}
    C_STANDARD 11 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF
    CXX_STANDARD 20 CXX_STANDARD_REQUIRED ON CXX_EXTENSIONS OFF)
endfunction()

# The options of allocfuzz_add_allocator that shape how the allocator's sources compile, and
# their keywords for cmake_parse_arguments.
set(_ALLOCFUZZ_SOURCE_FLAGS WARNINGS_NOT_ERRORS)
set(_ALLOCFUZZ_SOURCE_LISTS C_STANDARD CXX_STANDARD COMPILE_OPTIONS COMPILE_DEFINITIONS
                            INCLUDE_DIRECTORIES NO_SANITIZE)
set_property(GLOBAL PROPERTY ALLOCFUZZ_SOURCE_FLAGS "${_ALLOCFUZZ_SOURCE_FLAGS}")
set_property(GLOBAL PROPERTY ALLOCFUZZ_SOURCE_LISTS "${_ALLOCFUZZ_SOURCE_LISTS}")

# Sets LANG_STANDARD and LANG_EXTENSIONS of `target` from "N" or "N GNU" (`value`), after
# checking it against `allowed`.
function(_allocfuzz_language_standard target lang value allowed)
  list(LENGTH value _count)
  list(GET value 0 _number)
  set(_gnu OFF)
  if(_count EQUAL 2)
    list(GET value 1 _word)
    if(_word STREQUAL "GNU")
      set(_gnu ON)
    else()
      set(_count 3)  # refused below
    endif()
  endif()
  if(_count GREATER 2 OR NOT _number IN_LIST allowed)
    list(JOIN allowed "|" _shown)
    message(FATAL_ERROR "allocfuzz_add_allocator: ${lang}_STANDARD takes ${_shown} and an "
                        "optional GNU, not '${value}'")
  endif()
  set_target_properties(${target} PROPERTIES ${lang}_STANDARD ${_number}
                                             ${lang}_STANDARD_REQUIRED ON ${lang}_EXTENSIONS ${_gnu})
endfunction()

# A static library of allocator sources that include plugins/allocfuzz_plugin.h, without any
# registration: for allocfuzz_add_allocator, and for tests that drive a descriptor directly.
# Takes WRAP_BRK and the source options of allocfuzz_add_allocator (see the top).
function(allocfuzz_plugin_library target)
  get_property(_flags GLOBAL PROPERTY ALLOCFUZZ_SOURCE_FLAGS)
  get_property(_lists GLOBAL PROPERTY ALLOCFUZZ_SOURCE_LISTS)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "WRAP_BRK;${_flags}" "" "SOURCES;${_lists}")
  if(NOT ARG_SOURCES OR ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "allocfuzz_plugin_library(${target} SOURCES file... [WRAP_BRK] ...): "
                        "unexpected '${ARG_UNPARSED_ARGUMENTS}'")
  endif()
  get_property(_include_dir GLOBAL PROPERTY ALLOCFUZZ_INCLUDE_DIR)
  add_library(${target} STATIC ${ARG_SOURCES})
  _allocfuzz_as_project_target(${target})
  target_include_directories(${target} PUBLIC "${_include_dir}")
  get_property(_allocator_options GLOBAL PROPERTY ALLOCFUZZ_ALLOCATOR_OPTIONS)
  target_compile_options(${target} PRIVATE ${_allocator_options})
  if(ARG_WRAP_BRK)
    target_link_options(${target} INTERFACE "LINKER:--wrap=sbrk,--wrap=brk")
    # The archive that defines __wrap_sbrk/__wrap_brk must follow this one on the link line.
    target_link_libraries(${target} INTERFACE allocfuzz_harness)
  endif()

  # The source options, after allocfuzz's own, so that they win where they contradict them.
  if(DEFINED ARG_C_STANDARD)
    _allocfuzz_language_standard(${target} C "${ARG_C_STANDARD}" "90;99;11;17;23")
  endif()
  if(DEFINED ARG_CXX_STANDARD)
    _allocfuzz_language_standard(${target} CXX "${ARG_CXX_STANDARD}" "98;11;14;17;20;23")
  endif()
  target_compile_options(${target} PRIVATE ${ARG_COMPILE_OPTIONS})
  target_compile_definitions(${target} PRIVATE ${ARG_COMPILE_DEFINITIONS})
  target_include_directories(${target} PRIVATE ${ARG_INCLUDE_DIRECTORIES})
  if(ARG_WARNINGS_NOT_ERRORS)
    get_target_property(_options ${target} COMPILE_OPTIONS)
    list(REMOVE_ITEM _options -Wpedantic)
    set_target_properties(${target} PROPERTIES COMPILE_OPTIONS "${_options}"
                                               COMPILE_WARNING_AS_ERROR OFF)
  endif()
  if(ARG_NO_SANITIZE)
    foreach(_check IN LISTS ARG_NO_SANITIZE)
      if(NOT _check MATCHES "^[a-z][a-z0-9-]*$")
        message(FATAL_ERROR "allocfuzz_add_allocator: NO_SANITIZE takes sanitizer check names "
                            "such as array-bounds, not '${_check}'")
      endif()
    endforeach()
    list(JOIN ARG_NO_SANITIZE "," _joined)
    target_compile_options(${target} PRIVATE "-fno-sanitize=${_joined}")
  endif()
endfunction()

function(allocfuzz_add_allocator name)
  get_property(_flags GLOBAL PROPERTY ALLOCFUZZ_SOURCE_FLAGS)
  get_property(_lists GLOBAL PROPERTY ALLOCFUZZ_SOURCE_LISTS)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "WRAP_BRK;${_flags}" "" "SOURCES;${_lists}")
  if(NOT name MATCHES "^[a-z][a-z0-9_]*$")
    message(FATAL_ERROR "allocfuzz_add_allocator: '${name}' is not a lower-case C identifier "
                        "(the plugin exports allocfuzz_plugin_${name})")
  endif()
  if(NOT ARG_SOURCES OR ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "allocfuzz_add_allocator(${name} SOURCES file... [WRAP_BRK] ...): "
                        "unexpected '${ARG_UNPARSED_ARGUMENTS}' (cmake/AllocfuzzPlugins.cmake "
                        "lists the options)")
  endif()
  # WRAP_BRK and the source options go to the library as they were given.
  set(_library_args "")
  foreach(_flag IN ITEMS WRAP_BRK ${_flags})
    if(ARG_${_flag})
      list(APPEND _library_args ${_flag})
    endif()
  endforeach()
  foreach(_list IN LISTS _lists)
    if(DEFINED ARG_${_list})
      list(APPEND _library_args ${_list} ${ARG_${_list}})
    endif()
  endforeach()
  allocfuzz_plugin_library(${name}_allocator SOURCES ${ARG_SOURCES} ${_library_args})

  get_property(_root GLOBAL PROPERTY ALLOCFUZZ_ROOT)
  set(ALLOCFUZZ_PLUGIN_NAME "${name}")
  set(_registration "${CMAKE_CURRENT_BINARY_DIR}/${name}_registration.cc")
  configure_file("${_root}/cmake/plugin_registration.cc.in" "${_registration}" @ONLY)
  add_library(${name}_registration OBJECT "${_registration}")
  _allocfuzz_as_project_target(${name}_registration)
  target_link_libraries(${name}_registration PUBLIC ${name}_allocator allocfuzz_harness)

  # An interface library passes its object libraries' usage requirements on, but not their
  # object files: those go by name ($<TARGET_OBJECTS>) to every binary that links it.
  target_link_libraries(allocfuzz_plugins
                        INTERFACE ${name}_registration $<TARGET_OBJECTS:${name}_registration>)
  set_property(GLOBAL APPEND PROPERTY ALLOCFUZZ_PLUGIN_HEAPS ${name})

  add_executable(${name}_fuzzer "${_root}/fuzz/targets/heap_fuzzer.cc")
  _allocfuzz_as_project_target(${name}_fuzzer)
  target_compile_definitions(${name}_fuzzer PRIVATE ALLOCFUZZ_FUZZER_HEAP="${name}")
  target_link_libraries(${name}_fuzzer PRIVATE ${name}_registration allocfuzz_harness
                                                allocfuzz_target_support)
  allocfuzz_fuzz_target(${name}_fuzzer INPUTS_OF heap_fuzzer)
  get_property(_fuzz GLOBAL PROPERTY ALLOCFUZZ_FUZZ_SETTING)
  if(BUILD_TESTING AND NOT _fuzz)
    add_test(NAME ${name}_fuzzer.corpus COMMAND ${name}_fuzzer "${_root}/corpus/heap_fuzzer")
    set_tests_properties(${name}_fuzzer.corpus PROPERTIES LABELS smoke)
  endif()
endfunction()
