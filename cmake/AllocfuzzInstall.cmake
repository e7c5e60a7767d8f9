# Install rules: `cmake --install BUILD --prefix P` makes P an allocfuzz package that another
# project uses with find_package(allocfuzz CONFIG REQUIRED) and then allocfuzz_add_allocator()
# (README.md, "From your own repository"; ctest plugins.installed_package). It holds what the
# plugin path needs and nothing else:
#   lib/                     the libraries a plugin's NAME_fuzzer links (allocator, program,
#                            harness, target support), built as this build built them;
#   lib/cmake/allocfuzz/     allocfuzzConfig.cmake (cmake/allocfuzzConfig.cmake.in) and the
#                            exported targets, imported under their own names;
#   include/allocfuzz/       every header of allocator/, fuzz/ and plugins/, as the tree has them
#                            (includes are written from the repository root);
#   share/allocfuzz/         cmake/AllocfuzzPlugins.cmake and the registration template, the
#                            sources each NAME_fuzzer compiles (heap_fuzzer.cc, and in builds
#                            without libFuzzer standalone_main.cc) and corpus/heap_fuzzer.
# The package records this build's compile and link options (sanitizers, fuzzing
# instrumentation): a plugin built from it links with the libraries' own flags. The command line
# (`allocfuzz`) is not installed: an outside project runs its NAME_fuzzer directly.
# Included by the top-level CMakeLists.txt after every layer.
set(_allocfuzz_libs allocfuzz_allocator allocfuzz_program allocfuzz_harness
                    allocfuzz_target_support)
install(TARGETS ${_allocfuzz_libs} EXPORT allocfuzzTargets ARCHIVE DESTINATION lib)
install(EXPORT allocfuzzTargets DESTINATION lib/cmake/allocfuzz)
install(DIRECTORY allocator fuzz plugins DESTINATION include/allocfuzz
        FILES_MATCHING PATTERN "*.h")
install(FILES cmake/AllocfuzzPlugins.cmake cmake/plugin_registration.cc.in
        DESTINATION share/allocfuzz/cmake)
install(FILES fuzz/targets/heap_fuzzer.cc fuzz/targets/standalone_main.cc
        DESTINATION share/allocfuzz/fuzz/targets)
install(DIRECTORY corpus/heap_fuzzer DESTINATION share/allocfuzz/corpus)

# What the config records, from the values AllocfuzzPlugins.cmake took at the top.
get_property(ALLOCFUZZ_RECORDED_COMPILE_OPTIONS GLOBAL PROPERTY ALLOCFUZZ_COMPILE_OPTIONS)
get_property(ALLOCFUZZ_RECORDED_LINK_OPTIONS GLOBAL PROPERTY ALLOCFUZZ_LINK_OPTIONS)
get_property(ALLOCFUZZ_RECORDED_ALLOCATOR_OPTIONS GLOBAL PROPERTY ALLOCFUZZ_ALLOCATOR_OPTIONS)
set(ALLOCFUZZ_RECORDED_WERROR "${ALLOCFUZZ_WERROR}")
set(ALLOCFUZZ_RECORDED_FUZZ "${ALLOCFUZZ_FUZZ}")
set(ALLOCFUZZ_RECORDED_ENGINE "${_allocfuzz_engine}")
configure_file(cmake/allocfuzzConfig.cmake.in
               "${CMAKE_BINARY_DIR}/package/allocfuzzConfig.cmake" @ONLY)
install(FILES "${CMAKE_BINARY_DIR}/package/allocfuzzConfig.cmake"
        DESTINATION lib/cmake/allocfuzz)
