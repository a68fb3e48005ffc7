#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <iostream>

#include "run_strata.hpp"

int main(int argc, char** argv) {
  doctest::Context context(argc, argv);
  const int failed = context.run();
  if (context.shouldExit()) return failed;
  const auto root = strata::test::scratch_root();
  std::error_code ec;  // a folder that cannot be removed leaves a green run green
  if (failed == 0)
    std::filesystem::remove_all(root, ec);
  else if (std::filesystem::exists(root))
    std::cerr << "test_integration: the failed runs' folders are kept in " << root.string() << "\n";
  return failed;
}
