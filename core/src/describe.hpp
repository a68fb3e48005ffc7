#pragma once
// Human-readable views of plugins and of the build: `strata plugins`,
// `strata describe NAME [--markdown]` and `strata info`.
#include <ostream>

#include "plugin_loader.hpp"

namespace strata::core {

void print_plugins(std::ostream& out, const PluginCatalog& catalog);
void print_descriptor(std::ostream& out, const PluginLibrary& library);
void print_markdown(std::ostream& out, const sdk::Descriptor& descriptor);
void print_info(std::ostream& out, const PluginCatalog& catalog);

}  // namespace strata::core
