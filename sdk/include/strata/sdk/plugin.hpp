#pragma once
// The three plugin kinds (docs/architecture.md §6). Every virtual function that does work
// takes plain views and returns a Status; a failing call reports its message through
// Host::error first. Those that declare the object (inputs, n_diagnostics,
// diagnostic_name, has_explicit_part, adopts_viscosity) return their value.
// Objects are created and destroyed by the plugin's own exported functions
// (export.hpp), so their destructors only ever run inside the plugin.
#include <cstdint>
#include <string>

#include <boost/config.hpp>

#include "strata/sdk/types.hpp"

namespace strata::sdk {

class BOOST_SYMBOL_VISIBLE Plugin {
 public:
  explicit Plugin(const Host& host) : host_(host) {}
  virtual ~Plugin() = default;
  Plugin(const Plugin&) = delete;
  Plugin& operator=(const Plugin&) = delete;

 protected:
  void log(LogLevel level, const std::string& message) const {
    if (host_.log) host_.log(host_.context, level, message.c_str());
  }
  // Report an error to the host and return `status`, for `return fail(...)`.
  Status fail(Status status, const std::string& message) const {
    if (host_.error) host_.error(host_.context, message.c_str());
    return status;
  }

 private:
  Host host_;
};

// Layer 0. Cell states are conserved variables in the engine's layout
// (toolkit/gas.hpp): S species densities, momentum (x, y, z), total energy.
class BOOST_SYMBOL_VISIBLE FluidModel : public Plugin {
 public:
  using Plugin::Plugin;
  // Numerical flux through a batch of faces normal to `direction` (0: x, 1: y).
  // Row f of `stencils` holds the 4 cell states i-1, i, i+1, i+2 around face i+1/2
  // (4 * n_vars doubles); row f of `flux` receives the flux (n_vars doubles).
  // `max_speed` receives the largest wave speed met. The engine calls it on blocks of
  // faces, several threads at once (docs/plugin_guide.md, "Threads").
  virtual Status face_flux(int direction, ConstRows stencils, Rows flux,
                           double* max_speed) = 0;
  // Largest |u_n| + c over the cells and both directions (CFL bound).
  virtual Status max_wave_speed(ConstRows cells, double* speed) = 0;
  // Conserved <-> primitive (S species densities, u_x, u_y, u_z, T). The engine calls
  // to_primitive on several threads at once, each with rows of its own
  // (docs/plugin_guide.md, "Threads").
  virtual Status to_primitive(ConstRows conserved, Rows primitive) = 0;
  virtual Status to_conserved(ConstRows primitive, Rows conserved) = 0;
};

// Layers 1 and 2: the velocity-space physics of a kinetic model, on a batch of
// cells. A cell's record is S blocks of N^3 values (toolkit/velocity_grid.hpp).
// The engine owns transport and the IMEX stages (paper eq. 4.15).
class BOOST_SYMBOL_VISIBLE CollisionModel : public Plugin {
 public:
  using Plugin::Plugin;
  // False when E(f) = 0 (BGK-type models): no E is then computed or stored. A
  // constant of the plugin object: the engine lays out its storage by it.
  virtual bool has_explicit_part() const = 0;
  // out = E(f), the non-stiff collision part, not yet divided by the Knudsen number.
  virtual Status explicit_part(ConstRows f, Rows out) = 0;
  // Solve y = rhs + h[c] P(y) for each cell c (h = a_ii dt / eps).
  virtual Status implicit_solve(ConstRows rhs, const double* h, Rows y) = 0;
  // One IMEX stage value and its explicit part: y as implicit_solve, then e = E(y)
  // when has_explicit_part() (e is untouched otherwise). The engine calls this; a
  // plugin overrides it to keep y on its device and reuse what the solve computed.
  virtual Status stage_value(ConstRows rhs, const double* h, Rows y, Rows e) {
    const Status solved = implicit_solve(rhs, h, y);
    if (solved != Status::ok || !has_explicit_part()) return solved;
    return explicit_part(y, e);
  }
  // Transport coefficients implied by the model, per cell, from primitive rows.
  virtual Status transport_coefficients(ConstRows primitive, double* viscosity,
                                        double* conductivity) = 0;

  // One gas across the kinetic layers: a model whose collision frequency is free (a
  // relaxation model such as ES-BGK) may take its viscosity from another model, so
  // that both relax stress at the same rate p / mu at every (rho, T).
  // True when this model wants a viscosity law: a constant of the object (set by its
  // parameters, e.g. esbgk's nu = "matched").
  virtual bool adopts_viscosity() const { return false; }
  // Take mu(T) from `law` from now on (copied; the arrays may be freed after the call);
  // transport_coefficients then reports it. The engine's contract: when a run has both
  // kinetic layers and the layer-1 model's adopts_viscosity() is true, the engine,
  // after creating both models and before the first step, fills primitive rows
  // (rho = 1, u = 0, T_k) for T_k = 2^{k/4}, k = -40..24 (65 temperatures from 1e-3 to
  // 64, ascending), calls the layer-2 model's transport_coefficients on them, and
  // passes (T_k, mu_k) here once; a Status other than ok stops the run with the
  // message the model reported. Without a layer 2 (or when adopts_viscosity() is
  // false) it is never called and the model keeps its own law. Models that cannot
  // adopt one refuse with Status::invalid_argument (this default).
  virtual Status adopt_viscosity(const ViscosityLaw& law) {
    (void)law;
    return fail(Status::invalid_argument, "this collision model cannot adopt a viscosity law");
  }
};

// Fields an indicator reads. Every field has (nx + 2 halo) x (ny + 2 halo) values,
// x fastest, row stride `stride`; interior cell (i, j) is at (i + halo) + stride*(j + halo).
// The nx x ny cells may be a rectangle of the mesh (one MPI rank's cells); its halo
// then holds the neighbouring cells, so a proposal may read at most `halo` cells away.
struct IndicatorInput {
  int nx = 0, ny = 0, halo = 0;
  std::int64_t stride = 0;
  double dx = 0.0, dy = 0.0;
  const double* rho = nullptr;
  const double* ux = nullptr;
  const double* uy = nullptr;
  const double* uz = nullptr;
  const double* T = nullptr;
  const double* knudsen = nullptr;
  const double* viscosity = nullptr;
  const double* conductivity = nullptr;
  const double* distance_to_maxwellian = nullptr;  // L1_v distance; NaN in fluid cells
  const std::int8_t* regime = nullptr;             // current layer, -1 in solid cells
};

// Inputs an indicator may declare beyond the primitive fields, the Knudsen numbers and
// the regime map; the engine computes only the declared ones and leaves the other
// pointers of IndicatorInput null.
namespace indicator_input {
inline constexpr unsigned transport_coefficients = 1u;  // viscosity, conductivity
inline constexpr unsigned distance_to_maxwellian = 2u;
}  // namespace indicator_input

class BOOST_SYMBOL_VISIBLE Indicator : public Plugin {
 public:
  using Plugin::Plugin;
  // A bitwise or of indicator_input flags; a constant of the plugin object.
  virtual unsigned inputs() const {
    return indicator_input::transport_coefficients | indicator_input::distance_to_maxwellian;
  }
  // 0 to 64 fields, each named by 1 to 32 characters A-Z, a-z, 0-9 and _, all different
  // (snapshot arrays ind_<name>); checked when the indicator is created. A field may be
  // NaN where it is not defined (solid cells).
  virtual int n_diagnostics() const = 0;
  virtual const char* diagnostic_name(int k) const = 0;
  // Propose the next regime of every interior cell (nx * ny values, x fastest)
  // and fill the n_diagnostics() diagnostic fields (same layout).
  virtual Status propose(const IndicatorInput& input, std::int8_t* next_regime,
                         double* const* diagnostics) = 0;
};

}  // namespace strata::sdk
