// The single Catch2 main shared by all test binaries (see cmake/GridworkTest.cmake).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
