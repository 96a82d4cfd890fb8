# gridwork_test(NAME <target> SOURCES <files> DEPS <targets>)
# One Catch2 test binary; its cases are registered with CTest one by one, labelled "unit".
# The Catch2 main is compiled once in gridwork_catch_main (it costs ~20 s per compile).
function(gridwork_test)
  cmake_parse_arguments(ARG "" "NAME;LABEL" "SOURCES;DEPS" ${ARGN})
  if(NOT ARG_LABEL)
    set(ARG_LABEL unit)
  endif()
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  set_target_properties(${ARG_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests)
  target_link_libraries(${ARG_NAME} PRIVATE gridwork_catch_main ${ARG_DEPS})
  # --warn NoTests: a CTest entry whose filter matches no test case fails instead of passing
  # silently (CTest splits names at ';', so a test name must not contain one).
  catch_discover_tests(${ARG_NAME}
    EXTRA_ARGS --warn NoTests
    PROPERTIES LABELS ${ARG_LABEL}
    WORKING_DIRECTORY ${PROJECT_BINARY_DIR}
    TEST_PREFIX "${ARG_NAME}: ")
endfunction()
