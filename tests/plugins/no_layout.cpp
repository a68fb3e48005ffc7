// A library of the current SDK version without strata_sdk_layout (exported by hand,
// not with STRATA_PLUGIN): the loader must refuse it like another SDK version.
#include <boost/dll/alias.hpp>

#include "strata/sdk/version.hpp"

namespace {
int claimed_sdk_version() { return STRATA_SDK_VERSION; }
}  // namespace
BOOST_DLL_ALIAS(claimed_sdk_version, strata_sdk_version)
