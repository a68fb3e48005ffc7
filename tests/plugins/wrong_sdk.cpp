// A library that claims another SDK version: the loader must refuse it before
// reading anything else from it.
#include <boost/dll/alias.hpp>

namespace {
int claimed_sdk_version() { return 999; }
}  // namespace
BOOST_DLL_ALIAS(claimed_sdk_version, strata_sdk_version)
