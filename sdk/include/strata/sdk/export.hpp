#pragma once
// STRATA_PLUGIN(Class, descriptor) exports a plugin: five functions under fixed
// aliases (BOOST_DLL_ALIAS), no static self-registration. The core reads
// strata_sdk_version before anything else, then strata_sdk_layout (layout.hpp), then
// strata_descriptor, and pairs every strata_create with the same library's
// strata_destroy (docs/plugin_guide.md).
//
// Class must derive from the class of the descriptor's kind (fluid_model:
// FluidModel, collision_model: CollisionModel, indicator: Indicator; checked at
// compile time) and have the constructor
//   Class(const strata::sdk::Params&, const strata::sdk::SetupInfo&, const strata::sdk::Host&)
// which may throw: the exception's message reaches the host, never the exception.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <type_traits>

#include <boost/dll/alias.hpp>

#include "strata/sdk/descriptor.hpp"
#include "strata/sdk/layout.hpp"
#include "strata/sdk/params.hpp"
#include "strata/sdk/plugin.hpp"
#include "strata/sdk/version.hpp"

namespace strata::sdk::detail {

// The SDK class a plugin of each kind derives from (void for no kind).
template <PluginKind K>
struct KindBase {
  using type = void;
};
template <>
struct KindBase<PluginKind::fluid_model> {
  using type = FluidModel;
};
template <>
struct KindBase<PluginKind::collision_model> {
  using type = CollisionModel;
};
template <>
struct KindBase<PluginKind::indicator> {
  using type = Indicator;
};
template <PluginKind K, class T>
inline constexpr bool matches_kind = std::is_base_of_v<typename KindBase<K>::type, T>;

template <class T>
Plugin* guarded_create(const char* params_json, const SetupInfo* setup, const Host* host) {
  try {
    return new T(Params(params_json), *setup, *host);
  } catch (const std::exception& e) {
    if (host && host->error) host->error(host->context, e.what());
  } catch (...) {
    if (host && host->error) host->error(host->context, "unknown exception in plugin constructor");
  }
  return nullptr;
}

}  // namespace strata::sdk::detail

#define STRATA_PLUGIN(CLASS, DESCRIPTOR)                                                     \
  static_assert(::strata::sdk::detail::matches_kind<(DESCRIPTOR).kind, CLASS>,               \
                "STRATA_PLUGIN(" #CLASS ", " #DESCRIPTOR "): " #CLASS                          \
                " does not derive from the SDK class of " #DESCRIPTOR                         \
                ".kind (fluid_model: strata::sdk::FluidModel, collision_model: "              \
                "strata::sdk::CollisionModel, indicator: strata::sdk::Indicator)");           \
  namespace strata_plugin_entry {                                                            \
  int entry_sdk_version() { return STRATA_SDK_VERSION; }                                     \
  std::uint64_t entry_sdk_layout() { return ::strata::sdk::sdk_layout; }                     \
  const ::strata::sdk::Descriptor* entry_descriptor() { return &(DESCRIPTOR); }              \
  ::strata::sdk::Plugin* entry_create(const char* params_json,                               \
                                      const ::strata::sdk::SetupInfo* setup,                 \
                                      const ::strata::sdk::Host* host) {                     \
    return ::strata::sdk::detail::guarded_create<CLASS>(params_json, setup, host);           \
  }                                                                                          \
  void entry_destroy(::strata::sdk::Plugin* object) { delete object; }                       \
  }                                                                                          \
  BOOST_DLL_ALIAS(strata_plugin_entry::entry_sdk_version, strata_sdk_version)                \
  BOOST_DLL_ALIAS(strata_plugin_entry::entry_sdk_layout, strata_sdk_layout)                  \
  BOOST_DLL_ALIAS(strata_plugin_entry::entry_descriptor, strata_descriptor)                  \
  BOOST_DLL_ALIAS(strata_plugin_entry::entry_create, strata_create)                          \
  BOOST_DLL_ALIAS(strata_plugin_entry::entry_destroy, strata_destroy)

// Optional, for a collision model whose device copies the kinetic store's
// distributions (boltzmann_cufft): STRATA_HOST_MEMORY(allocate, release) asks the
// engine to keep its kinetic store in the memory these functions give, e.g. pinned
// pages, which a GPU copies at the bus's full speed rather than through a staging
// buffer (docs/plugin_guide.md, "Host memory"). allocate(bytes) returns memory aligned
// for double, or nullptr when there is none; release(p, bytes) frees what allocate
// gave. Both may be called from any thread and after the plugin's objects are
// destroyed: the engine keeps the library loaded while it holds such memory. An
// exception escaping either is caught here (allocate then returns nullptr).
#define STRATA_HOST_MEMORY(ALLOCATE, RELEASE)                                                 \
  namespace strata_plugin_entry {                                                            \
  void* entry_host_allocate(std::size_t bytes) {                                             \
    try {                                                                                    \
      return (ALLOCATE)(bytes);                                                              \
    } catch (...) {                                                                          \
      return nullptr;                                                                        \
    }                                                                                        \
  }                                                                                          \
  void entry_host_release(void* p, std::size_t bytes) {                                      \
    try {                                                                                    \
      (RELEASE)(p, bytes);                                                                   \
    } catch (...) {                                                                          \
    }                                                                                        \
  }                                                                                          \
  }                                                                                          \
  BOOST_DLL_ALIAS(strata_plugin_entry::entry_host_allocate, strata_host_allocate)            \
  BOOST_DLL_ALIAS(strata_plugin_entry::entry_host_release, strata_host_release)

// Optional, for a collision model that takes its views in CUDA device memory
// (MemorySpace::cuda_device) as well as in host memory: STRATA_DEVICE_VIEWS() says so,
// and the engine may then keep layer 2 on the device (case key gpu.resident_layer2,
// docs/plugin_guide.md, "Device views"). Without it the engine passes host views only.
#define STRATA_DEVICE_VIEWS()                                                                 \
  namespace strata_plugin_entry {                                                            \
  int entry_device_views() { return 1; }                                                     \
  }                                                                                          \
  BOOST_DLL_ALIAS(strata_plugin_entry::entry_device_views, strata_device_views)
