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
  // The wall of `side`; `velocity` holds the N^3 values of v_x and v_y.
  MaxwellWall(const Wall& wall, Side side, const Gas& gas, const Coupling& coupling,
              const double* const velocity[2]);

  // values: S blocks of N^3, either the distribution of a ghost cell already mirrored
  // from its source (`flux` false) or the face flux v_n f of each velocity through the
  // wall face (`flux` true). The entries of the leaving velocities become (1 - α) times
  // the value arriving at the mirror velocity plus α σ M_w, σ = (arriving half-range
  // mass flux) / (leaving half-range mass flux of M_w), per species.
  void reemit(double* values, bool flux) const;

 private:
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
