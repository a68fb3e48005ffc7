#pragma once
// STRATA_PLUGIN(Class, descriptor) exports a plugin: four functions under fixed
// aliases (BOOST_DLL_ALIAS), no static self-registration. The core reads
// strata_sdk_version before anything else, then strata_descriptor, and pairs every
// strata_create with the same library's strata_destroy.
//
// Class must derive from one of the kinds in plugin.hpp and have the constructor
//   Class(const strata::sdk::Params&, const strata::sdk::SetupInfo&, const strata::sdk::Host&)
// which may throw: the exception's message reaches the host, never the exception.
#include <exception>

#include <boost/dll/alias.hpp>

#include "strata/sdk/descriptor.hpp"
#include "strata/sdk/params.hpp"
#include "strata/sdk/plugin.hpp"
#include "strata/sdk/version.hpp"

namespace strata::sdk::detail {

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

#define STRATA_PLUGIN(CLASS, DESCRIPTOR)                                                  \
  namespace strata_plugin_entry {                                                         \
  int entry_sdk_version() { return STRATA_SDK_VERSION; }                                        \
  const ::strata::sdk::Descriptor* entry_descriptor() { return &(DESCRIPTOR); }                \
  ::strata::sdk::Plugin* entry_create(const char* params_json,                                  \
                                const ::strata::sdk::SetupInfo* setup,                    \
                                const ::strata::sdk::Host* host) {                        \
    return ::strata::sdk::detail::guarded_create<CLASS>(params_json, setup, host);        \
  }                                                                                       \
  void entry_destroy(::strata::sdk::Plugin* object) { delete object; }                          \
  }                                                                                       \
  BOOST_DLL_ALIAS(strata_plugin_entry::entry_sdk_version, strata_sdk_version)                   \
  BOOST_DLL_ALIAS(strata_plugin_entry::entry_descriptor, strata_descriptor)                     \
  BOOST_DLL_ALIAS(strata_plugin_entry::entry_create, strata_create)                             \
  BOOST_DLL_ALIAS(strata_plugin_entry::entry_destroy, strata_destroy)
