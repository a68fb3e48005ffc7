#include "wall.hpp"

#include <algorithm>
#include <cmath>

namespace strata::core {

MaxwellWall::MaxwellWall(const Wall& wall, double T, Side side, const Gas& gas, const Coupling& coupling,
                         const double* const velocity[2])
    : alpha_(wall.accommodation), species_(gas.n_species()), points_(coupling.points()) {
  const bool x_side = side == left || side == right;
  const double outward = side == left || side == bottom ? -1.0 : 1.0;
  vn_ = velocity[x_side ? 0 : 1];
  const auto& grid = coupling.grid();
  const int N = grid.n;
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j)
      for (int k = 0; k < N; ++k) {
        const std::size_t p = grid.index(i, j, k);
        if (outward * vn_[p] >= 0) continue;
        leaving_.push_back(p);
        mirror_.push_back(x_side ? grid.index(N - 1 - i, j, k) : grid.index(i, N - 1 - j, k));
      }
  // M_w: the conservative discrete Maxwellian (toolkit/maxwellian.hpp) of unit density
  // per species at the wall's velocity and temperature.
  const auto& layout = gas.layout();
  std::vector<double> W(gas.n_vars(), 0.0);
  for (int s = 0; s < species_; ++s) W[s] = 1.0;
  for (int d = 0; d < 3; ++d) W[layout.velocity(d)] = wall.u[d];
  W[layout.temperature()] = T;
  maxwellian_.resize(coupling.values_per_cell());
  coupling.sum_of_maxwellians({W}, maxwellian_.data());
  leaving_flux_.assign(species_, 0.0);
  for (int s = 0; s < species_; ++s)
    for (const std::size_t p : leaving_) leaving_flux_[s] += std::abs(vn_[p]) * maxwellian_[s * points_ + p];
}

void MaxwellWall::fill_ghost(const double* source, double* ghost) const {
  // Arriving velocities: the mirror image of the source for the specular fraction (so
  // α = 0 is the reflective side exactly), the source's own value for the diffuse one;
  // v_n = 0 (an odd velocity.n) is its own mirror.
  std::copy_n(source, species_ * points_, ghost);
  for (int s = 0; s < species_; ++s) {
    const double* f = source + s * points_;
    double* g = ghost + s * points_;
    for (std::size_t k = 0; k < leaving_.size(); ++k)
      g[mirror_[k]] = (1.0 - alpha_) * f[leaving_[k]] + alpha_ * f[mirror_[k]];
  }
  reemit(source, ghost, false);
}

void MaxwellWall::face_flux(double* phi) const { reemit(phi, phi, true); }

void MaxwellWall::reemit(const double* in, double* out, bool flux) const {
  // The value arriving with the mirror velocity m of a leaving one: f, or v_n f in a flux.
  auto arriving_value = [&](const double* f, std::size_t m) { return flux ? f[m] / vn_[m] : f[m]; };
  for (int s = 0; s < species_; ++s) {
    const double* f = in + s * points_;
    double* g = out + s * points_;
    const double* M = &maxwellian_[s * points_];
    double arriving = 0.0;  // Σ over arriving velocities of |v_n| f
    for (const std::size_t m : mirror_) arriving += std::abs(vn_[m]) * arriving_value(f, m);
    const double sigma = arriving / leaving_flux_[s];
    for (std::size_t k = 0; k < leaving_.size(); ++k) {
      const std::size_t p = leaving_[k];
      const double emitted = (1.0 - alpha_) * arriving_value(f, mirror_[k]) + alpha_ * sigma * M[p];
      g[p] = flux ? vn_[p] * emitted : emitted;
    }
  }
}

}  // namespace strata::core
