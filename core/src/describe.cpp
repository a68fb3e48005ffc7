#include "describe.hpp"
#include "ranks.hpp"

#include <algorithm>
#include <filesystem>
#include <iomanip>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "case_reader.hpp"
#include "strata/sdk/version.hpp"

#ifndef STRATA_VERSION
#define STRATA_VERSION "unknown"
#endif

namespace strata::core {

namespace {
std::string default_text(const sdk::ParamDecl& p) {
  return p.default_json ? p.default_json : "(required)";
}
}  // namespace

void print_plugins(std::ostream& out, const PluginCatalog& catalog) {
  const auto names = catalog.available();
  if (names.empty()) out << "no plugins found\n";
  // The name column fits the longest name (a loaded plugin's name is its file's).
  std::size_t width = 0;
  for (const auto& name : names) width = std::max(width, name.size() + 2);
  for (const auto& name : names) {
    out << std::left << std::setw(static_cast<int>(width)) << name;
    try {
      const auto lib = catalog.load(name);
      const auto& d = lib->descriptor();
      out << std::setw(17) << sdk::kind_name(d.kind) << "v" << std::setw(8) << d.version << "SDK "
          << d.sdk_version << "  " << lib->path().string() << "\n";
    } catch (const PluginError& e) {
      out << "not loadable: " << e.what() << "\n";
    }
  }
  out << "searched:";
  for (const auto& d : catalog.search_dirs()) out << " " << d.string();
  out << "\n";
}

void print_descriptor(std::ostream& out, const PluginLibrary& library) {
  const auto& d = library.descriptor();
  out << d.name << " (" << sdk::kind_name(d.kind) << ", version " << d.version << ", SDK "
      << d.sdk_version << ")\n  " << d.description << "\n  file: " << library.path().string()
      << "\n\nparameters:\n";
  if (d.n_params == 0) out << "  none\n";
  for (int k = 0; k < d.n_params; ++k) {
    const auto& p = d.params[k];
    out << "  " << p.name << ": " << expected_text(p) << ", default " << default_text(p)
        << (p.unit && *p.unit ? std::string(", unit ") + p.unit : "") << "\n      " << p.doc
        << "\n";
  }
}

void print_markdown(std::ostream& out, const sdk::Descriptor& d) {
  out << "## " << d.name << "\n\n" << sdk::kind_name(d.kind) << ", version " << d.version
      << ", SDK " << d.sdk_version << ". " << d.description << "\n\n";
  if (d.n_params == 0) {
    out << "No parameters.\n\n";
    return;
  }
  out << "| parameter | accepts | default | unit | meaning |\n|---|---|---|---|---|\n";
  for (int k = 0; k < d.n_params; ++k) {
    const auto& p = d.params[k];
    out << "| `" << p.name << "` | " << expected_text(p) << " | `" << default_text(p) << "` | "
        << (p.unit ? p.unit : "") << " | " << p.doc << " |\n";
  }
  out << "\n";
}

void print_info(std::ostream& out, const PluginCatalog& catalog) {
#if defined(__clang__)
  constexpr const char* compiler = "Clang " __clang_version__;
#elif defined(__GNUC__)
  constexpr const char* compiler = "GCC " __VERSION__;
#else
  constexpr const char* compiler = "unknown";
#endif
  out << "strata " << STRATA_VERSION << "\n  SDK version: " << sdk::sdk_version
      << "\n  compiler: " << compiler << "\n  OpenMP: ";
#ifdef _OPENMP
  out << "yes, " << omp_get_max_threads() << " threads by default\n";
#else
  out << "no\n";
#endif
  out << "  MPI: " << ranks::library_versions() << ", this process: rank " << ranks::rank() << " of "
      << ranks::size() << "\n";
  out << "  FFTW3 at build time: " << STRATA_HAVE_FFTW << "\n  CUDA toolkit at build time: "
      << STRATA_HAVE_CUDA << "\n  plugin folders:";
  for (const auto& d : catalog.search_dirs()) out << " " << d.string();
  out << "\n  plugins found: " << catalog.available().size() << "\n  engine device library (gpu.resident_layer2): ";
  std::string device_library = "none";
  for (const auto& d : catalog.search_dirs())
    if (std::error_code e; std::filesystem::exists(d / "engine_device.so", e)) {
      device_library = (d / "engine_device.so").string();
      break;
    }
  out << device_library << "\n";
}

}  // namespace strata::core
