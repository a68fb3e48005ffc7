#pragma once
// The loads of the gas on the domain's boundary (docs/user_guide.md §6.8): for each part
// of the boundary — a side that is not periodic, an obstacle — the mass, momentum and
// energy that leave the gas through it per unit time and depth: the force on a wall and
// the heat it receives, the mass flow out of an open side. They are the moments of the
// boundary faces' fluxes that the step itself used (the numbers the conservation drifts
// book as exchanges), averaged over its stages with the explicit weights, and for an
// obstacle that moves the gas it covers and frees, so that they balance the change of the
// domain's totals to round-off.
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "domain.hpp"
#include "engine_types.hpp"
#include "gas.hpp"

namespace strata::core {

// Whether a part of this kind ("wall", "inflow", ..., "obstacle") is a wall or a body,
// whose loads are a surface's pressure, shear and heat; an open side's (inflow, outflow,
// pressure, farfield) are fluxes through it, which get no coefficients.
inline bool is_surface_kind(const std::string& kind) {
  return kind != "inflow" && kind != "outflow" && kind != "pressure" && kind != "farfield";
}

struct BoundaryPart {
  std::string name;  // "left", "right", "bottom", "top", "obstacle0", ...
  std::string kind;  // a side's boundary type ("wall", "reflective", "inflow", "outflow", "pressure", "farfield") or "obstacle"
  std::array<double, 3> wall_velocity{};  // of a Maxwell wall: its work on the gas is not heat
  bool surface() const { return is_surface_kind(kind); }
};

// Out of the gas, per unit time (and per unit depth, or per unit area for one face):
// mass, force on the part, and heat = energy less the work done on a moving wall.
struct Load {
  double mass = 0, fx = 0, fy = 0, fz = 0, heat = 0;
};

// One boundary face of the last step: centre, unit normal from the gas into the part,
// where it lies along its part (surface(): a side's coordinate, or the angle around an
// obstacle), and its load per unit area.
struct FaceLoad {
  int part = 0;
  double x = 0, y = 0;
  int nx = 0, ny = 0;
  double position = 0;
  Load load;
};

class BoundaryLoads {
 public:
  BoundaryLoads(const Domain& domain, const Gas& gas);
  const std::vector<BoundaryPart>& parts() const { return parts_; }
  // The part index of a side (-1: periodic, no part) and of obstacle k.
  int side_part(Side s) const { return side_part_[s]; }
  int obstacle_part(std::size_t k) const { return first_obstacle_part_ + static_cast<int>(k); }

  // The boundary faces this rank computes (those of its updated cells), after every
  // change of the faces: part_of(outside cell) is the part index of the cell beyond the
  // face, or -1 where the face is no boundary (a periodic side).
  void locate_faces(const std::function<int(std::size_t)>& part_of);
  void begin_step();
  // The moments of the flux F (mass per species, momentum, energy; along +x or +y)
  // through the face between a and b, times `weight` (Δt times the stage weight). A
  // face is booked by one thread at a time (each face belongs to one line of faces).
  void book(std::size_t a, std::size_t b, const double* F, double weight);
  // After the step: its loads per face and per part, summed over the faces and the
  // ranks (collective; in face order, so independent of the thread count). They become
  // the last step's with commit(dt), once the step is accepted.
  void end_step(double dt);
  void commit(double dt);
  // An obstacle that moved after the step: what entered the domain with the cells it
  // covered and freed (a total of conserved quantities, the same on every rank) leaves
  // the gas through it, at the step's rate.
  void add_move(std::size_t obstacle, const Totals& into_domain, double dt);

  // Per part, the last step's (zero before the first step).
  const std::vector<Load>& part_loads() const { return part_loads_; }
  bool measured() const { return measured_; }
  // Per part, the mean load over the steps since the last call (Δt-weighted, moves
  // included): a loads.csv row, which output.history_every may space several steps
  // apart (docs/user_guide.md §6.8). The next window starts empty.
  std::vector<Load> take_window();
  // The open window, for checkpoints: per part Σ Δt × (mass, fx, fy, fz, heat), then
  // its duration and its number of steps.
  std::vector<double> window() const;
  void restore_window(const std::vector<double>& w);
  // The last step's faces of all ranks on the root, by part, then by position: along a
  // side its coordinate, around an obstacle the angle in degrees about the centre of its
  // faces, counter-clockwise from its -x side (collective; empty elsewhere).
  std::vector<FaceLoad> surface() const;

 private:
  const Domain& domain_;
  toolkit::StateLayout layout_;
  std::vector<BoundaryPart> parts_;
  std::array<int, 4> side_part_{-1, -1, -1, -1};
  int first_obstacle_part_ = 0;
  std::vector<std::int32_t> face_of_;  // per stored cell and direction: the face above/right of it, or -1
  std::vector<FaceLoad> faces_;        // this rank's, geometry from locate_faces
  std::vector<double> area_;           // per face
  std::vector<std::array<double, 5>> booked_;  // per face: Σ weight × (mass, momentum x, y, z, energy)
  std::vector<Load> step_loads_;       // per part, of the step end_step closed
  std::vector<FaceLoad> last_;         // the last step's faces (geometry and loads)
  std::vector<Load> part_loads_;
  std::vector<Load> window_;  // per part, Σ Δt × load since the last take_window()
  double window_time_ = 0;
  long window_steps_ = 0;
  bool measured_ = false;
};

}  // namespace strata::core
