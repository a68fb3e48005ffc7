#include "plugin_loader.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <set>
#include <sstream>

#include <dlfcn.h>
#include <elf.h>

#include <boost/dll/runtime_symbol_info.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "case_reader.hpp"
#include "strata/sdk/layout.hpp"
#include "strata/sdk/version.hpp"

namespace strata::core {
namespace fs = std::filesystem;

namespace {
constexpr const char* file_prefix = "strata_";
constexpr const char* file_suffix = ".so";

using CreateFn = sdk::Plugin*(const char*, const sdk::SetupInfo*, const sdk::Host*);
using DestroyFn = void(sdk::Plugin*);

std::string join(const std::vector<std::string>& items) {
  std::ostringstream out;
  for (std::size_t k = 0; k < items.size(); ++k) out << (k ? ", " : "") << items[k];
  return items.empty() ? std::string("none") : out.str();
}

constexpr std::size_t max_plugin_name = 64;

bool valid_plugin_name(const std::string& name) {
  return !name.empty() && name.size() <= max_plugin_name &&
         std::all_of(name.begin(), name.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}


std::string hex(std::uint64_t value) {
  std::ostringstream out;
  out << "0x" << std::hex << std::setw(16) << std::setfill('0') << value;
  return out.str();
}

// A parameter's name is a key of its case section that --set can address: a letter,
// then letters, digits and _ (as the shipped plugins' "nu_coefficient" and "A1").
bool valid_param_name(const char* name) {
  const std::string_view n = name ? name : "";
  const auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  return !n.empty() && n.size() <= max_name_length && letter(n.front()) &&
         std::all_of(n.begin(), n.end(), [&](char c) { return letter(c) || (c >= '0' && c <= '9') || c == '_'; });
}

// The declarations a plugin's descriptor makes, checked once at load (plugin_guide.md,
// "The load handshake"), so that no case, `strata schema` or `describe` meets a default
// its own declaration refuses or that is not JSON text.
void check_declarations(const sdk::Descriptor& d, const std::string& where) {
  if (d.n_params < 0 || (d.n_params > 0 && !d.params))
    throw PluginError(where + ": the descriptor declares " + std::to_string(d.n_params) +
                      " parameters" + (d.n_params < 0 ? "" : " without a parameter array") +
                      "; n_params is the length of its params array");
  std::set<std::string> seen;
  for (int k = 0; k < d.n_params; ++k) {
    const sdk::ParamDecl& p = d.params[k];
    if (!valid_param_name(p.name))
      throw PluginError(where + ": parameter " + std::to_string(k + 1) + ": invalid name " +
                        shortened(p.name ? p.name : "") + "; parameter names are 1 to " +
                        std::to_string(max_name_length) + " letters, digits and _, starting with a letter");
    const std::string parameter = where + ": parameter '" + p.name + "': ";
    if (p.name == std::string_view("plugin"))
      throw PluginError(parameter + "the name is reserved: \"plugin\" is the section's key that names the plugin");
    if (!seen.insert(p.name).second) throw PluginError(parameter + "declared twice");
    if (!p.unit || !p.doc)
      throw PluginError(parameter + "its unit and doc are null pointers where text is expected (\"\" for none)");
    const bool numeric = p.type == sdk::ParamType::number || p.type == sdk::ParamType::integer;
    if (numeric && !(p.min < p.max || (p.min == p.max && !p.min_open && !p.max_open)))
      throw PluginError(parameter + "its range admits no value (" + expected_text(p) + ")");
    if (p.type == sdk::ParamType::integer) {  // the least and the greatest whole number admitted
      const double least = p.min_open ? std::floor(p.min) + 1 : std::ceil(p.min);
      const double greatest = p.max_open ? std::ceil(p.max) - 1 : std::floor(p.max);
      if (least > greatest)
        throw PluginError(parameter + "its range admits no integer (" + expected_text(p) + ")");
    }
    if (!p.default_json) continue;  // required
    nlohmann::json value;
    try {
      value = nlohmann::json::parse(p.default_json);
    } catch (const nlohmann::json::exception&) {
      throw PluginError(parameter + "its default " + shortened(p.default_json) +
                        " is not JSON text (a default is written as JSON: 1.5, true, a string in quotes)");
    }
    // The core's own check of a case's value (case_reader.hpp), on the default alone.
    sdk::Descriptor one = d;
    one.params = &p;
    one.n_params = 1;
    Diagnostics refused("", {});
    validate_plugin_params({{p.name, value}}, "", one, refused);
    if (!refused.ok())
      throw PluginError(parameter + "its default " + describe_value(value) +
                        " is outside its own declaration (" + expected_text(p) + ")");
  }
}
}  // namespace

HostChannel::HostChannel(std::string plugin_name)
    : name_(std::move(plugin_name)), host_{this, &HostChannel::log, &HostChannel::error} {}

void HostChannel::log(void* context, sdk::LogLevel level, const char* message) {
  const auto* self = static_cast<HostChannel*>(context);
  static constexpr spdlog::level::level_enum levels[] = {
      spdlog::level::debug, spdlog::level::info, spdlog::level::warn, spdlog::level::err};
  const int k = std::clamp(static_cast<int>(level), 0, 3);
  spdlog::log(levels[k], "[{}] {}", self->name_, message ? message : "");
}

void HostChannel::error(void* context, const char* message) {
  auto* self = static_cast<HostChannel*>(context);
  std::lock_guard lock(self->mutex_);
  self->errors_[std::this_thread::get_id()] = message ? message : "";
}

// This thread's error; else one a plugin reported from a thread of its own (a plugin
// may run its batch on its own threads).
std::string HostChannel::take_error() {
  std::lock_guard lock(mutex_);
  auto it = errors_.find(std::this_thread::get_id());
  if (it == errors_.end()) it = errors_.begin();
  if (it == errors_.end()) return "failed without a message";
  std::string e = it->second.empty() ? "failed without a message" : std::move(it->second);
  errors_.erase(it);
  return e;
}

PluginLibrary::PluginLibrary(boost::dll::shared_library library, fs::path path)
    : library_(std::move(library)), path_(std::move(path)) {
  const std::string where = path_.string();
  if (!library_.has("strata_sdk_version"))
    throw PluginError(where + ": not a Strata plugin (no strata_sdk_version symbol)");
  const int version = library_.get_alias<int()>("strata_sdk_version")();
  if (version != sdk::sdk_version)
    throw PluginError(where + ": built for Strata SDK version " + std::to_string(version) +
                      ", this strata uses SDK version " + std::to_string(sdk::sdk_version) +
                      "; rebuild the plugin against this SDK");
  // The layout fingerprint before anything that reads a boundary struct (the
  // descriptor is one): equal versions with edited headers must not get that far.
  if (!library_.has("strata_sdk_layout"))
    throw PluginError(where + ": built for an older Strata SDK (no strata_sdk_layout symbol), " +
                      "this strata uses SDK version " + std::to_string(sdk::sdk_version) +
                      "; rebuild the plugin against this SDK");
  const std::uint64_t layout = library_.get_alias<std::uint64_t()>("strata_sdk_layout")();
  if (layout != sdk::sdk_layout)
    throw PluginError("plugin " + where +
                      " was built against SDK headers whose struct layout differs (fingerprint " +
                      hex(layout) + " vs " + hex(sdk::sdk_layout) +
                      "): rebuild it against this SDK");
  for (const char* symbol : {"strata_descriptor", "strata_create", "strata_destroy"})
    if (!library_.has(symbol))
      throw PluginError(where + ": missing entry point " + symbol +
                        " (export the plugin with STRATA_PLUGIN)");
  descriptor_ = library_.get_alias<const sdk::Descriptor*()>("strata_descriptor")();
  if (!descriptor_)
    throw PluginError(where + ": strata_descriptor returned no descriptor (export the plugin with STRATA_PLUGIN)");
  if (descriptor_->sdk_version != sdk::sdk_version)
    throw PluginError(where + ": its descriptor says SDK version " + std::to_string(descriptor_->sdk_version) +
                      ", its library (strata_sdk_version) and this strata SDK version " +
                      std::to_string(sdk::sdk_version) + "; set the descriptor's sdk_version to STRATA_SDK_VERSION");
  if (library_.has("strata_host_allocate") != library_.has("strata_host_release"))
    throw PluginError(where + ": exports one of strata_host_allocate and strata_host_release without the other " +
                      "(export both with STRATA_HOST_MEMORY)");
  if (library_.has("strata_host_allocate")) {
    host_allocate_ = &library_.get_alias<HostAllocateFn>("strata_host_allocate");
    host_release_ = &library_.get_alias<HostReleaseFn>("strata_host_release");
  }
  // A case names plugins by file name, the outputs by descriptor name: they must agree.
  const std::string name = descriptor_->name ? descriptor_->name : "";
  const std::string expected = file_prefix + name + file_suffix;
  if (path_.filename().string() != expected)
    throw PluginError(where + ": the plugin's descriptor names it \"" + name +
                      "\", so its file must be " + expected +
                      " (rename the file or the descriptor's name)");
  check_declarations(*descriptor_, where);
}

std::pair<std::shared_ptr<sdk::Plugin>, std::shared_ptr<HostChannel>>
PluginLibrary::create_object(sdk::PluginKind kind, const std::string& params_json,
                             const sdk::SetupInfo& setup) const {
  if (descriptor_->kind != kind)
    throw PluginError("plugin '" + std::string(descriptor_->name) + "' is " +
                      with_article(descriptor_->kind) + ", expected " + with_article(kind));
  // Parameters the caller left out take their declared defaults (a case file's are
  // already complete: the core validated them against the same declarations).
  nlohmann::json params = nlohmann::json::parse(params_json.empty() ? "{}" : params_json);
  for (int k = 0; k < descriptor_->n_params; ++k) {
    const sdk::ParamDecl& p = descriptor_->params[k];
    if (!params.contains(p.name) && p.default_json) params[p.name] = nlohmann::json::parse(p.default_json);
  }
  const std::string complete = params.dump();
  auto channel = std::make_shared<HostChannel>(descriptor_->name);
  auto& create = library_.get_alias<CreateFn>("strata_create");
  auto& destroy = library_.get_alias<DestroyFn>("strata_destroy");
  sdk::Plugin* raw = [&] {
    const PluginCallScope in_plugin(channel->plugin_name(), "strata_create");
    return create(complete.c_str(), &setup, &channel->host());
  }();
  if (!raw)
    throw PluginError("plugin '" + std::string(descriptor_->name) +
                      "' could not be created: " + channel->take_error());
  // The deleter holds the library and the channel: neither goes away while the
  // object lives (Boost.DLL's refcounting idiom).
  std::shared_ptr<sdk::Plugin> object(
      raw, [library = library_, &destroy, channel](sdk::Plugin* p) {
        const PluginCallScope in_plugin(channel->plugin_name(), "strata_destroy");
        destroy(p);
      });
  return {object, channel};
}

namespace {
// dlopen maps a file's segments without checking that the file holds them; touching a
// page past its end raises SIGBUS. So before dlopen, the file must be a plausible ELF
// shared object of this machine whose header tables and loadable segments lie inside it.
void check_shared_object(const fs::path& path) {
  const auto refuse = [&](const std::string& why) {
    throw PluginError(path.string() + ": not a loadable shared object: " + why);
  };
  std::ifstream in(path, std::ios::binary);
  std::error_code ec;
  const std::uintmax_t size = fs::file_size(path, ec);
  if (!in || ec) refuse("cannot be read");
  Elf64_Ehdr header{};
  if (!in.read(reinterpret_cast<char*>(&header), sizeof header))
    refuse("shorter than an ELF header (" + std::to_string(size) + " bytes)");
  if (std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0) refuse("no ELF magic number");
  if (header.e_ident[EI_CLASS] != ELFCLASS64 || header.e_ident[EI_DATA] != ELFDATA2LSB ||
      header.e_type != ET_DYN)
    refuse("not a 64-bit little-endian ELF shared object");
  // Ends of the tables as 64-bit sums of 16-bit counts and sizes: no overflow.
  const auto inside = [&](std::uint64_t offset, std::uint64_t length) {
    return offset <= size && length <= size - offset;
  };
  if (!inside(header.e_phoff, std::uint64_t{header.e_phnum} * header.e_phentsize) ||
      !inside(header.e_shoff, std::uint64_t{header.e_shnum} * header.e_shentsize))
    refuse("truncated (" + std::to_string(size) + " bytes; its header tables end past the file)");
  if (header.e_phentsize != sizeof(Elf64_Phdr)) refuse("unexpected program header size");
  in.seekg(static_cast<std::streamoff>(header.e_phoff));
  Elf64_Phdr dynamic{};
  for (int k = 0; k < header.e_phnum; ++k) {
    Elf64_Phdr segment{};
    if (!in.read(reinterpret_cast<char*>(&segment), sizeof segment)) refuse("cannot read its program headers");
    if (segment.p_type == PT_LOAD && !inside(segment.p_offset, segment.p_filesz))
      refuse("truncated (" + std::to_string(size) + " bytes; a loadable segment ends at byte " +
             std::to_string(segment.p_offset + segment.p_filesz) + ")");
    if (segment.p_type == PT_DYNAMIC) dynamic = segment;
  }
  // A position-independent executable is ET_DYN too, marked DF_1_PIE: glibc refuses to
  // dlopen it (with an error that names no cause).
  in.seekg(static_cast<std::streamoff>(dynamic.p_offset));
  for (std::uint64_t at = 0; at + sizeof(Elf64_Dyn) <= dynamic.p_filesz; at += sizeof(Elf64_Dyn)) {
    Elf64_Dyn entry{};
    if (!in.read(reinterpret_cast<char*>(&entry), sizeof entry) || entry.d_tag == DT_NULL) break;
    if (entry.d_tag == DT_FLAGS_1 && (entry.d_un.d_val & DF_1_PIE))
      refuse("a program (a position-independent executable), not a library");
  }
}
}  // namespace

std::string shortened(const std::string& name) {
  std::string shown;
  for (const char c : name.substr(0, name.size() <= 40 ? 40 : 37)) {
    if (c >= 0x20 && c < 0x7f) {
      shown += c;
      continue;
    }
    static const char digits[] = "0123456789abcdef";
    const auto byte = static_cast<unsigned char>(c);
    shown += {'\\', 'x', digits[byte >> 4], digits[byte & 15]};
  }
  if (name.size() <= 40) return "\"" + shown + "\"";
  return "\"" + shown + "...\" (" + std::to_string(name.size()) + " characters)";
}

std::shared_ptr<const PluginLibrary> load_plugin_file(const fs::path& path) {
  check_shared_object(path);
  // Its static initialisers run in dlopen, its descriptor is read in the handshake.
  const std::string file = path.string();
  const PluginCallScope in_plugin(file, "loading (its static initialisers, the handshake)");
  boost::dll::shared_library library;
  boost::dll::fs::error_code ec;
  // Every symbol bound now: a plugin needing one that no library provides is refused
  // here, not ended by the dynamic linker at its first call (lazy binding).
  library.load(path, boost::dll::load_mode::rtld_now, ec);
  if (ec) {
    // dlerror() names the cause (a missing library or symbol); Boost's code does not.
    const char* why = dlerror();
    std::string cause = why ? why : ec.message();
    if (const std::string named = path.string() + ": "; cause.starts_with(named)) cause.erase(0, named.size());
    throw PluginError(path.string() + ": cannot be loaded: " + cause);
  }
  return std::make_shared<PluginLibrary>(std::move(library), path);
}

PluginCatalog::PluginCatalog(std::vector<fs::path> search_dirs) : dirs_(std::move(search_dirs)) {}

std::vector<fs::path> PluginCatalog::default_search_dirs(const std::vector<fs::path>& plugin_dirs) {
  std::vector<fs::path> dirs = plugin_dirs;
  if (const char* env = std::getenv("STRATA_PLUGIN_PATH")) {
    std::stringstream list(env);
    for (std::string item; std::getline(list, item, ':');)
      if (!item.empty()) dirs.emplace_back(item);
  }
  dirs.push_back(boost::dll::program_location().parent_path() / ".." / "lib" / "strata" /
                 "plugins");
  return dirs;
}

std::vector<fs::path> PluginCatalog::find_all(const std::string& name) const {
  std::vector<fs::path> found;
  for (const auto& dir : dirs_) {
    const fs::path candidate = dir / (file_prefix + name + file_suffix);
    std::error_code ec;
    if (!fs::is_regular_file(candidate, ec)) continue;
    fs::path path = fs::weakly_canonical(candidate, ec);
    if (ec) path = candidate;
    // The same folder named twice (--plugin-dir and STRATA_PLUGIN_PATH) shadows nothing.
    if (std::find(found.begin(), found.end(), path) == found.end()) found.push_back(path);
  }
  return found;
}

fs::path PluginCatalog::find(const std::string& name) const {
  const auto found = find_all(name);
  return found.empty() ? fs::path() : found.front();
}

std::string shadow_warning(const std::string& name, const std::vector<fs::path>& paths) {
  std::vector<std::string> others;
  for (std::size_t k = 1; k < paths.size(); ++k) others.push_back(paths[k].string());
  return "plugin '" + name + "': using " + (paths.empty() ? std::string() : paths[0].string()) +
         ", which shadows " + join(others) + " (the first search folder wins)";
}

std::vector<std::string> PluginCatalog::available() const {
  std::set<std::string> names;
  for (const auto& dir : dirs_) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      const std::string file = entry.path().filename().string();
      std::error_code kind;  // what find_all would take: a file, or a link to one
      if (file.starts_with(file_prefix) && file.ends_with(file_suffix) && file.size() > 10 &&
          fs::is_regular_file(entry.path(), kind))
        names.insert(file.substr(7, file.size() - 10));
    }
  }
  return {names.begin(), names.end()};
}

std::shared_ptr<const PluginLibrary> PluginCatalog::load(const std::string& name,
                                                         std::optional<sdk::PluginKind> wanted) const {
  if (!valid_plugin_name(name))
    throw PluginError("invalid plugin name " + shortened(name) + ": names are 1 to " +
                      std::to_string(max_plugin_name) +
                      " characters a-z, 0-9 and _ (a case names plugins, not paths)");
  const auto paths = find_all(name);
  if (paths.empty()) {
    std::vector<std::string> dirs;
    for (const auto& d : dirs_) dirs.push_back(d.string());
    // Only plugins a case could use are offered; the others are named apart.
    std::vector<std::string> loadable, not_loadable;
    for (const auto& other : available()) {
      try {
        const auto library = load_plugin_file(find(other));
        if (!wanted || library->descriptor().kind == *wanted) loadable.push_back(other);
      } catch (const PluginError&) {
        not_loadable.push_back(other);
      }
    }
    const std::string kinds = wanted ? std::string(sdk::kind_name(*wanted)) + "s" : std::string("plugins");
    throw PluginError("unknown plugin \"" + name + "\"; available " + kinds + ": " + join(loadable) +
                      (not_loadable.empty() ? "" : "; not loadable (see strata plugins): " + join(not_loadable)) +
                      " (searched " + join(dirs) + ")");
  }
  if (paths.size() > 1) spdlog::warn("{}", shadow_warning(name, paths));
  return load_plugin_file(paths.front());
}

}  // namespace strata::core
