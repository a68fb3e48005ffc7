#pragma once
// Finds plugins by name in plugin folders and loads them with Boost.DLL
// (docs/architecture.md §6). A case names plugins by name only: a name is [a-z0-9_]{1,64} and maps to
// the file strata_<name>.so in one of the search folders, never to a path.
#include <exception>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <boost/dll/shared_library.hpp>

#include "fault_report.hpp"

#include "strata/sdk/descriptor.hpp"
#include "strata/sdk/plugin.hpp"
#include "strata/sdk/types.hpp"

namespace strata::core {

class PluginError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A name a plugin or a case gave, for a message: quoted, at most 40 characters of it, bytes
// outside printable ASCII as \xNN (a descriptor read past its end shows as such).
std::string shortened(const std::string& name);

// "a fluid model", "a collision model", "an indicator": a kind in a message.
inline std::string with_article(sdk::PluginKind kind) {
  return (kind == sdk::PluginKind::indicator ? "an " : "a ") + std::string(sdk::kind_name(kind));
}

// The host side of one plugin object's callbacks: its log prefix and last error, kept
// per thread, as the engine may call one object from several threads at once.
class HostChannel {
 public:
  explicit HostChannel(std::string plugin_name);
  const sdk::Host& host() const { return host_; }
  std::string take_error();
  const std::string& plugin_name() const { return name_; }

 private:
  static void log(void* context, sdk::LogLevel level, const char* message);
  static void error(void* context, const char* message);
  std::string name_;
  std::mutex mutex_;
  std::map<std::thread::id, std::string> errors_;  // by the thread that reported it
  sdk::Host host_;
};

// A plugin object with its library and host channel kept alive as long as it is.
template <class Kind>
class PluginObject {
 public:
  using element_type = Kind;
  PluginObject() = default;
  PluginObject(std::shared_ptr<Kind> object, std::shared_ptr<HostChannel> channel)
      : object_(std::move(object)), channel_(std::move(channel)) {}
  Kind* operator->() const { return object_.get(); }
  explicit operator bool() const { return static_cast<bool>(object_); }
  const std::string& name() const { return channel_->plugin_name(); }
  // Throws PluginError with the plugin's message when `status` is not ok.
  void check(sdk::Status status, const char* call) const {
    if (status == sdk::Status::ok) return;
    std::string message = channel_->take_error();
    // Plugins often begin their message with the call's name, which this one gives.
    if (const std::string named = std::string(call) + ": "; message.starts_with(named)) message.erase(0, named.size());
    throw PluginError("plugin '" + name() + "', " + call + ": " + message);
  }
  // Runs f(), a call into the plugin returning sdk::Status, as check() would see it,
  // and also turns an exception escaping the plugin into PluginError
  // ("plugin 'NAME', WHAT: threw: MESSAGE"):
  //   model.call("implicit_solve", [&] { return model->implicit_solve(rhs, h, y); });
  // A fatal signal inside it is reported as the plugin's (fault_report.hpp).
  template <class F>
  void call(const char* what, F&& f) const {
    check(ask(what, std::forward<F>(f)), what);
  }
  // The value of f(), a call into the plugin that returns no Status (inputs(),
  // has_explicit_part(), ...), with call()'s exception and signal reports.
  template <class F>
  auto ask(const char* what, F&& f) const {
    const PluginCallScope in_plugin(name(), what);
    try {
      return std::forward<F>(f)();
    } catch (const std::exception& e) {
      throw PluginError("plugin '" + name() + "', " + what + ": threw: " + e.what());
    } catch (...) {
      throw PluginError("plugin '" + name() + "', " + what +
                        ": threw: an exception that is not a std::exception");
    }
  }

 private:
  std::shared_ptr<Kind> object_;
  std::shared_ptr<HostChannel> channel_;
};

// One loaded library whose SDK version and layout fingerprint matched and whose
// descriptor names its file (strata_<name>.so), with that descriptor.
class PluginLibrary {
 public:
  PluginLibrary(boost::dll::shared_library library, std::filesystem::path path);
  const sdk::Descriptor& descriptor() const { return *descriptor_; }
  const std::filesystem::path& path() const { return path_; }
  // The library's STRATA_HOST_MEMORY functions (sdk/export.hpp), or nullptr for both.
  using HostAllocateFn = void*(std::size_t);
  using HostReleaseFn = void(void*, std::size_t);
  HostAllocateFn* host_allocate() const { return host_allocate_; }
  HostReleaseFn* host_release() const { return host_release_; }
  // STRATA_DEVICE_VIEWS: the plugin's calls take views in CUDA device memory too.
  bool takes_device_views() const { return library_.has("strata_device_views"); }

  // Create an object of the expected kind from validated parameters (JSON text).
  template <class Kind>
  PluginObject<Kind> create(sdk::PluginKind kind, const std::string& params_json,
                            const sdk::SetupInfo& setup) const {
    auto [object, channel] = create_object(kind, params_json, setup);
    return PluginObject<Kind>(std::static_pointer_cast<Kind>(object), channel);
  }

 private:
  std::pair<std::shared_ptr<sdk::Plugin>, std::shared_ptr<HostChannel>> create_object(
      sdk::PluginKind kind, const std::string& params_json, const sdk::SetupInfo& setup) const;
  boost::dll::shared_library library_;
  std::filesystem::path path_;
  const sdk::Descriptor* descriptor_ = nullptr;
  HostAllocateFn* host_allocate_ = nullptr;
  HostReleaseFn* host_release_ = nullptr;
};

class PluginCatalog {
 public:
  explicit PluginCatalog(std::vector<std::filesystem::path> search_dirs);
  // --plugin-dir folders, then STRATA_PLUGIN_PATH, then <program>/../lib/strata/plugins.
  static std::vector<std::filesystem::path> default_search_dirs(
      const std::vector<std::filesystem::path>& plugin_dirs);

  // Throws PluginError: bad name, not found (listing the loadable ones and marking
  // the others), no strata_sdk_version symbol, another SDK version, no or another
  // layout fingerprint, missing entry points, a descriptor naming another plugin or
  // declaring parameters it cannot have (a default its declaration refuses, ...).
  // Logs a warning when the file found shadows others (find_all). With `wanted`, the
  // not-found message offers only the loadable plugins of that kind.
  std::shared_ptr<const PluginLibrary> load(const std::string& name,
                                            std::optional<sdk::PluginKind> wanted = std::nullopt) const;
  // Names of the strata_*.so files in the search folders (first one wins).
  std::vector<std::string> available() const;
  const std::vector<std::filesystem::path>& search_dirs() const { return dirs_; }
  std::filesystem::path find(const std::string& name) const;  // empty when absent
  // Every strata_<name>.so of the search folders, in search order, each file once:
  // the first is the one loaded, the others are shadowed by it.
  std::vector<std::filesystem::path> find_all(const std::string& name) const;

 private:
  std::vector<std::filesystem::path> dirs_;
};

std::shared_ptr<const PluginLibrary> load_plugin_file(const std::filesystem::path& path);

// "plugin 'NAME': using FIRST, which shadows OTHER[, OTHER...]" for find_all's result.
std::string shadow_warning(const std::string& name, const std::vector<std::filesystem::path>& paths);

}  // namespace strata::core
