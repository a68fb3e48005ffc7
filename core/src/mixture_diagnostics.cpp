#include "mixture_diagnostics.hpp"

#include "ranks.hpp"
#include "strata/toolkit/maxwellian.hpp"
#include "strata/toolkit/moments.hpp"

namespace strata::core {

std::vector<double> MixtureDiagnostics::species_number(const Domain& domain, const Gas& gas, const MacroState& state) {
  const Mesh& m = domain.mesh();
  std::vector<double> number(gas.n_species(), 0.0);
  for (const std::size_t c : domain.updated_cells())
    for (int s = 0; s < gas.n_species(); ++s) number[s] += state.cell(c)[s] / gas.mass()[s] * m.dx * m.dy;
  return number;
}

MixtureDiagnostics::MixtureDiagnostics(const Domain& domain, const Gas& gas, const Coupling& coupling,
                                       const MacroState& state, const KineticStore& store, const Totals& tot,
                                       std::vector<double> initial_number)
    : domain_(domain), gas_(gas), coupling_(coupling), state_(state), store_(store), number_(std::move(initial_number)) {
  const Mesh& m = domain.mesh();
  const int S = gas.n_species();
  const auto& mass = gas.mass();
  const double volume = static_cast<double>(domain.updated_cells().size()) * m.dx * m.dy;
  const std::vector<double>& number = number_;
  const std::array<double, 3> u = {tot[1] / tot[0], tot[2] / tot[0], tot[3] / tot[0]};
  double n_total = 0;
  for (double n : number) n_total += n;
  const double T = (tot[4] - 0.5 * (tot[1] * u[0] + tot[2] * u[1] + tot[3] * u[2])) / (1.5 * n_total);
  const std::size_t n3 = coupling.points();
  equilibrium_.resize(coupling.values_per_cell());
  for (int s = 0; s < S; ++s) {  // number-density Maxwellians: M[rho]/m with rho = m n
    toolkit::sampled_maxwellian(coupling.grid(), mass[s], mass[s] * number[s] / volume, u, T, &equilibrium_[s * n3]);
    for (std::size_t k = 0; k < n3; ++k) equilibrium_[s * n3 + k] /= mass[s];
  }
}

double MixtureDiagnostics::distance_to_equilibrium() const {
  const std::size_t n3 = coupling_.points();
  const auto& mass = gas_.mass();
  double d = 0;
  std::vector<double> M(coupling_.values_per_cell());
  ranks::agreed([&] {  // a reconstruction that fails on one rank stops every rank
    for (const std::size_t c : domain_.owned_cells()) {  // each rank its cells, summed below
      const double* f = nullptr;
      if (domain_.is_kinetic(c)) {
        f = store_.f(static_cast<std::size_t>(store_.slot_of(c)));
      } else {
        coupling_.reconstruct(state_.cell(c), M.data());
        f = M.data();
      }
      for (int s = 0; s < gas_.n_species(); ++s)
        for (std::size_t k = 0; k < n3; ++k) {
          const double mu = equilibrium_[s * n3 + k];
          if (mu < 1e-200) continue;
          const double diff = f[s * n3 + k] / mass[s] - mu;
          d += diff * diff / mu;
        }
    }
  });
  ranks::sum(&d, 1);
  const Mesh& m = domain_.mesh();
  return d * coupling_.grid().cell_volume() * m.dx * m.dy;
}

std::vector<Totals> MixtureDiagnostics::species_totals() const {
  const int S = gas_.n_species();
  const auto& layout = gas_.layout();
  const auto& mass = gas_.mass();
  const std::size_t n3 = coupling_.points();
  std::vector<Totals> out(S, Totals{});
  std::vector<double> W(gas_.n_vars());
  for (const std::size_t c : domain_.owned_cells()) {  // each rank its cells, summed below
    if (domain_.is_kinetic(c)) {
      const double* f = store_.f(static_cast<std::size_t>(store_.slot_of(c)));
      for (int s = 0; s < S; ++s) {
        const auto m = toolkit::conserved_moments(coupling_.grid(), f + s * n3);
        out[s][0] += m.rho;
        for (int d = 0; d < 3; ++d) out[s][1 + d] += m.momentum[d];
        out[s][4] += m.energy;
      }
      continue;
    }
    gas_.to_primitive(0, state_.cell(c), W.data());
    // The cell's internal energy shared by number: (3/2) n_s T for a monatomic gas.
    const double* U = state_.cell(c);
    double n = 0, kinetic = 0;
    for (int s = 0; s < S; ++s) n += W[s] / mass[s];
    for (int d = 0; d < 3; ++d) kinetic += 0.5 * U[layout.momentum(d)] * W[layout.velocity(d)];
    const double internal = U[layout.energy()] - kinetic;
    for (int s = 0; s < S; ++s) {
      double u2 = 0;
      out[s][0] += W[s];
      for (int d = 0; d < 3; ++d) {
        out[s][1 + d] += W[s] * W[layout.velocity(d)];
        u2 += W[layout.velocity(d)] * W[layout.velocity(d)];
      }
      out[s][4] += 0.5 * W[s] * u2 + internal * (W[s] / mass[s]) / n;
    }
  }
  const Mesh& m = domain_.mesh();
  for (auto& t : out) {
    ranks::sum(t.data(), 5);
    for (double& v : t) v *= m.dx * m.dy;
  }
  return out;
}

}  // namespace strata::core
