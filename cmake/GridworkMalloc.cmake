# gridwork_use_jemalloc(target): links jemalloc into a long-running executable (a service or a
# benchmark). RocksDB memtable inserts and protobuf churn allocate small objects on every
# write; jemalloc's thread caches take ~7 % of the instructions off a work-order transition
# against glibc malloc (docs/benchmarks.md). Not with sanitizers (they bring their own
# allocator), and a missing libjemalloc only warns: the binaries then use glibc malloc.
find_library(GRIDWORK_JEMALLOC_LIBRARY NAMES jemalloc)
if(GRIDWORK_JEMALLOC_LIBRARY AND NOT GRIDWORK_SANITIZE)
  message(STATUS "jemalloc: ${GRIDWORK_JEMALLOC_LIBRARY} (services and benchmarks)")
else()
  message(STATUS "jemalloc: not used (GRIDWORK_SANITIZE, or libjemalloc-dev not installed)")
endif()

function(gridwork_use_jemalloc target)
  if(GRIDWORK_JEMALLOC_LIBRARY AND NOT GRIDWORK_SANITIZE)
    target_link_libraries(${target} PRIVATE ${GRIDWORK_JEMALLOC_LIBRARY})
  endif()
endfunction()
