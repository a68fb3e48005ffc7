#pragma once
// The discrete Maxwell wall of the kinetic layers (docs/numerics.md, "Walls"): at a
// wall side, the values of the velocities that leave the wall are made from those that
// arrive at it — a fraction 1 - α mirrored (specular), a fraction α re-emitted as the
// wall's discrete Maxwellian, scaled so that the re-emitted half-range mass flux equals
// the arriving one per species.
#include <cstddef>
#include <vector>

#include "case.hpp"
#include "coupling.hpp"

namespace strata::core {

class MaxwellWall {
 public:
  // The wall of `side` at temperature T; `velocity` holds the N^3 values of v_x and v_y.
  MaxwellWall(const Wall& wall, double T, Side side, const Gas& gas, const Coupling& coupling,
              const double* const velocity[2]);

  // Distributions and fluxes are S blocks of N^3 values. A ghost of the wall: at an
  // arriving velocity v, (1 - α) × the source's value at the mirror velocity v* (the
  // specular image, as a reflective side's ghost) + α × its value at v (zeroth-order
  // extrapolation); at the leaving ones the re-emission. So α = 0 is the reflective side,
  // and a state uniform up to the wall and symmetric in v_n reconstructs exactly.
  void fill_ghost(const double* source, double* ghost) const;
  // The face flux v_n f through the wall face: the leaving velocities' entries are
  // re-emitted from the arriving ones, so the face carries no mass.
  void face_flux(double* phi) const;

 private:
  // out at each leaving velocity := (1 - α) × the value arriving with its mirror velocity
  // + α σ M_w, σ = (arriving half-range mass flux) / (leaving half-range mass flux of
  // M_w) per species; `in` holds distribution values, or v_n f when `flux`.
  void reemit(const double* in, double* out, bool flux) const;
  double alpha_;
  int species_;
  std::size_t points_;
  const double* vn_;                  // the velocity component normal to the wall
  std::vector<std::size_t> leaving_;  // velocities with v·n < 0 (n: the domain's outward normal)
  std::vector<std::size_t> mirror_;   // their mirror images, v·n > 0
  std::vector<double> maxwellian_;    // M_w per species: unit density, T_w, u_w
  std::vector<double> leaving_flux_;  // Σ over leaving velocities of |v_n| M_w, per species
};

}  // namespace strata::core
