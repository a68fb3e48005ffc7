#include "coupling.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <sstream>

#include "engine_types.hpp"
#include "strata/toolkit/format.hpp"
#include "strata/toolkit/maxwellian.hpp"
#include "strata/toolkit/moments.hpp"

namespace strata::core {

void GridDemand::add(const std::vector<double>& masses, const double* u, double T) {
  const auto [light, heavy] = std::minmax_element(masses.begin(), masses.end());
  const double speed = std::max({std::abs(u[0]), std::abs(u[1]), std::abs(u[2])}), thermal = std::sqrt(T / *light);
  reach = std::max(reach, speed + 4.0 * thermal);
  narrowest = std::min(narrowest, std::sqrt(T / *heavy));
  collision_reach = std::max(collision_reach, 0.5 * speed + 6.5 * thermal);
}

void GridDemand::add(const GridDemand& other) {
  reach = std::max(reach, other.reach);
  narrowest = std::min(narrowest, other.narrowest);
  collision_reach = std::max(collision_reach, other.collision_reach);
}

toolkit::VelocityGrid grid_needed(const toolkit::VelocityGrid& grid, const GridDemand& demand) {
  toolkit::VelocityGrid needed = grid;
  needed.L = std::max(grid.L, std::ceil(demand.reach * 10.0) / 10.0);
  if (2.0 * needed.L / grid.n > demand.narrowest)  // even, in double first: a cold state needs a huge count
    needed.n = static_cast<int>(std::min(2.0 * std::ceil(needed.L / demand.narrowest), 1e9));
  return needed;
}

std::string grid_advice(const toolkit::VelocityGrid& grid, const GridDemand& demand) {
  const toolkit::VelocityGrid needed = grid_needed(grid, demand);
  const auto n = toolkit::format_number;
  std::vector<std::string> advice;
  if (needed.L > grid.L)
    advice.push_back("widen velocity.L to at least " + n(needed.L) + " (max |u| + 4 sqrt(T/m) = " + n(demand.reach) +
                     ")");
  if (needed.n > grid.n)
    advice.push_back("refine velocity.n to at least " + std::to_string(needed.n) + " (the spacing 2L/n is " +
                     n(2.0 * needed.L / grid.n) + (needed.L > grid.L ? " at that L" : "") + ", the thermal speed sqrt(T/m) " +
                     n(demand.narrowest) + ")");
  if (advice.empty()) return "widen velocity.L or refine velocity.n";
  std::string text = advice.size() == 1 ? advice[0] : advice[0] + " and " + advice[1];
  if (needed.n > max_velocity_points) {  // the case format's bound (case.hpp)
    const toolkit::VelocityGrid own{min_velocity_points, std::ceil(demand.reach * 10.0) / 10.0};  // its own L
    const toolkit::VelocityGrid alone = grid_needed(own, demand);
    text += "; that is more than velocity.n's limit of " + std::to_string(max_velocity_points) +
            (alone.n <= max_velocity_points && alone.L < grid.L
                 ? ": on velocity.L = " + n(alone.L) + " (this state's own reach) it would take " +
                       std::to_string(alone.n) + " points, if the run's other states allow so narrow a grid"
                 : ": no grid of the case format holds this state");
  }
  return text;
}

void ReconstructionProblems::add(const std::string& key, const std::vector<std::string>& messages) {
  if (!keys_.insert(key).second) return;
  messages_.insert(messages_.end(), messages.begin(), messages.end());
}

void ReconstructionProblems::add(const std::string& key, const std::string& message, const GridDemand& state) {
  failed_.add(state);
  if (!keys_.insert(key).second) return;
  messages_.push_back(message);
  advised_.push_back(state);
}

void ReconstructionProblems::throw_if_any(const std::string& file, const toolkit::VelocityGrid& grid) const {
  if (messages_.empty()) return;
  std::vector<std::string> messages = messages_;
  const toolkit::VelocityGrid all = grid_needed(grid, failed_);
  const bool short_of_all = std::any_of(advised_.begin(), advised_.end(), [&](const GridDemand& d) {
    const toolkit::VelocityGrid one = grid_needed(grid, d);
    return one.L != all.L || one.n != all.n;
  });
  if (short_of_all)
    messages.push_back(file + ": /velocity: each piece of advice above is for one state (a region's first cell " +
                       "that failed), and none of them holds every state that failed; for all of them: " +
                       grid_advice(grid, failed_));
  throw CaseError(messages);
}

Coupling::Coupling(const Gas& gas, const toolkit::VelocityGrid& grid) : gas_(gas), grid_(grid) {}

void Coupling::species_maxwellian(int s, double rho, const double* u, double T, double* f) const {
  if (rho == 0.0) {
    std::fill_n(f, grid_.size(), 0.0);
    return;
  }
  const double mass = gas_.mass()[s];
  const std::array<double, 3> velocity = {u[0], u[1], u[2]};
  if (!toolkit::discrete_maxwellian(grid_, mass, rho, velocity, T, f).converged) {
    const GridDemand demand({mass}, u, T);
    std::ostringstream msg;
    msg << "the velocity grid (" << grid_.n << " points on [-" << grid_.L << ", " << grid_.L
        << "]^3) cannot hold a Maxwellian with rho = " << rho << ", u = (" << u[0] << ", "
        << u[1] << ", " << u[2] << "), T = " << T << " (mass " << mass
        << "): " << grid_advice(grid_, demand);
    throw GridTooSmall(msg.str(), demand);
  }
}

void Coupling::reconstruct(const double* U, double* f) const {
  const auto& layout = gas_.layout();
  std::vector<double> W(gas_.n_vars());
  toolkit::conserved_to_primitive(layout, gas_.mass(), toolkit::monatomic_gamma, U, W.data());
  for (int s = 0; s < gas_.n_species(); ++s)
    species_maxwellian(s, W[s], &W[layout.velocity(0)], W[layout.temperature()], f + s * points());
}

void Coupling::sum_of_maxwellians(const std::vector<std::vector<double>>& components, double* f) const {
  const auto& layout = gas_.layout();
  const std::size_t n3 = points();
  std::fill_n(f, values_per_cell(), 0.0);
  std::vector<double> m(n3);
  for (const auto& W : components)
    for (int s = 0; s < gas_.n_species(); ++s) {
      species_maxwellian(s, W[s], &W[layout.velocity(0)], W[layout.temperature()], m.data());
      for (std::size_t k = 0; k < n3; ++k) f[s * n3 + k] += m[k];
    }
}

void Coupling::project(const double* f, double* U) const {
  std::fill_n(U, gas_.n_vars(), 0.0);
  for (int s = 0; s < gas_.n_species(); ++s) {
    const auto m = toolkit::conserved_moments(grid_, f + s * points());
    const double moments[5] = {m.rho, m.momentum[0], m.momentum[1], m.momentum[2], m.energy};
    add_species_moments(s, moments, U);
  }
}

void Coupling::add_species_moments(int s, const double* moments, double* U) const {
  const auto& layout = gas_.layout();
  U[s] = moments[0];
  for (int d = 0; d < 3; ++d) U[layout.momentum(d)] += moments[1 + d];
  U[layout.energy()] += moments[4];
}

}  // namespace strata::core
