#include "run_plugins.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "fault_report.hpp"
#include "ranks.hpp"
#include "strata/sdk/version.hpp"
#include "strata/toolkit/gas.hpp"

namespace strata::core {

namespace {

// One gas across the kinetic layers (docs/numerics.md, "Transport coefficients"): the
// layer-1 model takes the viscosity law μ(T) of the layer-2 model, tabulated at ρ = 1
// (a binary-collision gas's μ does not depend on ρ) on T = 2^{k/4}, k = -40..24.
void match_viscosity(const Case& c, RunPlugins& p) {
  const toolkit::StateLayout layout{static_cast<int>(c.species.size())};
  const int nv = layout.n_vars();
  constexpr int n = 65;
  std::vector<double> W(static_cast<std::size_t>(n) * nv, 0.0), T(n), mu(n), kappa(n);
  for (int k = 0; k < n; ++k) {
    T[k] = std::exp2((k - 40) / 4.0);
    for (int s = 0; s < layout.n_species; ++s) W[k * nv + s] = 1.0 / layout.n_species;
    W[k * nv + layout.temperature()] = T[k];
  }
  p.boltzmann.call("transport_coefficients",
                   [&] { return p.boltzmann->transport_coefficients({W.data(), n, nv, nv}, mu.data(), kappa.data()); });
  p.kinetic.call("adopt_viscosity", [&] { return p.kinetic->adopt_viscosity({n, T.data(), mu.data()}); });
}

}  // namespace

namespace {
RunPlugins create_on_this_rank(const Case& c, int threads);

// What an indicator declares of itself, checked before the first step: its input flags,
// and the number and names of its diagnostic fields (snapshot arrays ind_<name>).
void check_declaration(const Case& c, const PluginObject<sdk::Indicator>& indicator) {
  const std::string who = c.file.string() + ": /indicator: plugin '" + indicator.name() + "', ";
  constexpr unsigned known = sdk::indicator_input::transport_coefficients | sdk::indicator_input::distance_to_maxwellian;
  if (const unsigned inputs = indicator.ask("inputs", [&] { return indicator->inputs(); }); inputs & ~known)
    throw PluginError(who + "inputs() = " + std::to_string(inputs) + ": expected a bitwise or of the sdk::indicator_input "
                      "flags of SDK " + std::to_string(STRATA_SDK_VERSION) + " (" + std::to_string(known) + " at most)");
  constexpr int most = 64;
  const int n = indicator.ask("n_diagnostics", [&] { return indicator->n_diagnostics(); });
  if (n < 0 || n > most)
    throw PluginError(who + "n_diagnostics() = " + std::to_string(n) + ": expected 0 to " + std::to_string(most));
  std::vector<std::string> names;
  for (int k = 0; k < n; ++k) {
    const std::string call = who + "diagnostic_name(" + std::to_string(k) + ")";
    const char* name = indicator.ask("diagnostic_name", [&] { return indicator->diagnostic_name(k); });
    if (!name) throw PluginError(call + " is a null pointer; expected a name");
    const std::string_view s = name;
    if (s.empty() || s.size() > 32 || !std::all_of(s.begin(), s.end(), [](char ch) {
          return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
        }))
      throw PluginError(call + " = " + shortened(name) + ": expected 1 to 32 letters, digits and _ (the snapshots' array " +
                        "is ind_<name>)");
    if (const auto same = std::find(names.begin(), names.end(), s); same != names.end())
      throw PluginError(call + " = \"" + name + "\" is also diagnostic_name(" + std::to_string(same - names.begin()) +
                        "); the names must differ");
    names.emplace_back(s);
  }
}
}  // namespace

// Under mpirun a plugin may fail on one rank only (a GPU missing there): every rank
// learns of it here, before the set-up's first collective call.
RunPlugins create_plugins(const Case& c, int threads) {
  RunPlugins p;
  ranks::agreed([&] { p = create_on_this_rank(c, threads); });
  return p;
}

namespace {
RunPlugins create_on_this_rank(const Case& c, int threads) {
#ifdef _OPENMP
  if (threads > 0) omp_set_num_threads(threads);
  // OpenMP keeps its threads from region to region: each gets its alternate stack now.
#pragma omp parallel
  report_faults_on_this_thread();
#else
  (void)threads;
#endif
  std::vector<const char*> names;
  std::vector<double> mass;
  for (const auto& s : c.species) {
    names.push_back(s.name.c_str());
    mass.push_back(s.mass);
  }
  sdk::SetupInfo setup;
  setup.n_species = static_cast<int>(c.species.size());
  setup.species_mass = mass.data();
  setup.species_name = names.data();
  setup.velocity_points = c.velocity.n;
  setup.velocity_bound = c.velocity.L;
  setup.dx = (c.x[1] - c.x[0]) / c.nx;
  setup.dy = (c.y[1] - c.y[0]) / c.ny;
#ifdef _OPENMP
  setup.threads = omp_get_max_threads();
#endif
  RunPlugins p;
  auto make = [&](const PluginChoice& choice, sdk::PluginKind kind, auto& target) {
    using Kind = typename std::remove_reference_t<decltype(target)>::element_type;
    if (!choice.needed || !choice.library) return;
    try {
      target = choice.library->create<Kind>(kind, choice.params.dump(), setup);
    } catch (...) {  // what the plugin refused is a key of this section of the case
      rethrow_with_context(c.file.string() + ": /" + choice.section);
    }
  };
  make(c.fluid, sdk::PluginKind::fluid_model, p.fluid);
  make(c.kinetic, sdk::PluginKind::collision_model, p.kinetic);
  make(c.boltzmann, sdk::PluginKind::collision_model, p.boltzmann);
  make(c.indicator, sdk::PluginKind::indicator, p.indicator);
  if (p.indicator) check_declaration(c, p.indicator);
  if (p.indicator && (p.indicator.ask("inputs", [&] { return p.indicator->inputs(); }) &
                      sdk::indicator_input::transport_coefficients) &&
      !p.kinetic && !p.boltzmann)
    throw RunError("indicator '" + c.indicator.name +
                   "' reads the transport coefficients of a collision model: name a kinetic or boltzmann plugin");
  const bool adopts = p.kinetic && p.kinetic.ask("adopts_viscosity", [&] { return p.kinetic->adopts_viscosity(); });
  if (p.kinetic && p.boltzmann && adopts) match_viscosity(c, p);
  if (p.kinetic && p.boltzmann && !adopts)
    warn_once(c.file.string() + ": /kinetic: '" + c.kinetic.name + "' does not adopt the viscosity law of '" +
              c.boltzmann.name + "' (adopts_viscosity() is false), so layers 1 and 2 of this run are two gases "
              "with different viscosities at the same knudsen, and a cell's switch between them changes the gas "
              "(docs/numerics.md, \"Transport coefficients\"): as intended where that was the choice (esbgk's "
              "nu = \"formula\"); otherwise use a model that adopts it (esbgk: kinetic.nu = \"matched\")");
  // Without a layer 2 there is no law to adopt: the same knudsen is then another gas
  // than in this case's layer-2 and hybrid runs (docs/user_guide.md §3.1).
  if (p.kinetic && !p.boltzmann && adopts && !c.boltzmann.name.empty())
    warn_once(c.file.string() + ": /kinetic: regime.mode \"" + mode_name(c.mode) + "\" has no layer 2, so '" +
              c.kinetic.name + "' keeps its own viscosity law instead of adopting that of '" + c.boltzmann.name +
              "': at the same knudsen its gas is that law's, not necessarily that of this case's layer-2 and hybrid "
              "runs (esbgk's formula with its default coefficients, nu = (pi/2) rho, gives about ten times the "
              "hard-sphere viscosity; with esbgk, kinetic.nu = \"formula\" chooses its formula without this "
              "warning)");
  for (const PluginChoice* choice : {&c.boltzmann, &c.kinetic})
    if (choice->needed && choice->library && choice->library->host_allocate()) {
      p.host_memory = std::make_shared<const HostMemory>(HostMemory{
          choice->library->host_allocate(), choice->library->host_release(), choice->library, choice->name});
      break;
    }
  const PluginChoice* layers[] = {&c.fluid, &c.kinetic, &c.boltzmann};
  for (int l = 0; l < 3; ++l)
    if (layers[l]->needed) p.layer_names.plugin[l] = layers[l]->name;
  return p;
}
}  // namespace

}  // namespace strata::core
