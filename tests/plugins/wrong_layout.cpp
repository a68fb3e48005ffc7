// A library of the current SDK version whose boundary structs had another layout
// when it was built (its fingerprint differs): the loader must refuse it before
// reading its descriptor.
#include <cstdint>

#include <boost/dll/alias.hpp>

#include "strata/sdk/layout.hpp"
#include "strata/sdk/version.hpp"

namespace {
int claimed_sdk_version() { return STRATA_SDK_VERSION; }
std::uint64_t claimed_sdk_layout() { return strata::sdk::sdk_layout ^ 1u; }
}  // namespace
BOOST_DLL_ALIAS(claimed_sdk_version, strata_sdk_version)
BOOST_DLL_ALIAS(claimed_sdk_layout, strata_sdk_layout)
