#pragma once
// The SDK version: one integer, bumped on every incompatible change of the plugin
// interface. The core refuses a plugin whose `strata_sdk_version` differs.
// 3: plugins export strata_sdk_layout, the boundary structs' layout fingerprint
// (layout.hpp), which the core compares with its own.
// 4: the engine calls a fluid model's face_flux on blocks of faces and its
// to_primitive per cell, several threads at once (docs/plugin_guide.md, "Threads").
#define STRATA_SDK_VERSION 4

namespace strata::sdk {
inline constexpr int sdk_version = STRATA_SDK_VERSION;
}
