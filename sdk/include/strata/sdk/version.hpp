#pragma once
// The SDK version: one integer, bumped on every incompatible change of the plugin
// interface. The core refuses a plugin whose `strata_sdk_version` differs.
#define STRATA_SDK_VERSION 2

namespace strata::sdk {
inline constexpr int sdk_version = STRATA_SDK_VERSION;
}
