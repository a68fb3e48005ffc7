#pragma once
// Transport and coupling of one stage (docs/architecture.md): every face flux is
// computed once and used by both neighbours. Fluid faces take the fluid model's
// numerical flux of the stage values (fluid_transport.cpp); kinetic faces take the
// upwind CWENO flux of each velocity, and a fluid neighbour of a kinetic face receives
// the moments of that same flux — the moment projection at Euler | kinetic faces
// (kinetic_transport.cpp). Fluxes through the domain boundary are booked as exchanges,
// so the conservation drifts measure the scheme alone.
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "boundary_loads.hpp"
#include "coupling.hpp"
#include "domain.hpp"
#include "engine_types.hpp"
#include "faces.hpp"
#include "gas.hpp"
#include "kinetic_store.hpp"
#include "wall.hpp"

namespace strata::core {

class Transport {
 public:
  Transport(const Domain& domain, const Gas& gas, const Coupling& coupling, KineticStore& store,
            PluginObject<sdk::FluidModel> fluid);

  // The Maxwell walls of the sides and obstacles, once the initial state U is set: at
  // the temperature the case gives, or else at the initial temperature of the gas next
  // to the side (of the obstacle's cells), which must then be uniform. A wall whose
  // temperature is not uniform or whose Maxwellian the grid cannot hold is a problem of
  // its key; cells whose initial state failed (NaN) are not read.
  void place_walls(const std::vector<double>& U, ReconstructionProblems& problems);
  // After every change of the regime map.
  void classify_faces();
  const FaceSet& faces() const { return faces_; }
  // What the boundary fluxes of the last step did to each part of the boundary; the
  // stepper opens and closes each step's account.
  BoundaryLoads& loads() { return loads_; }
  const BoundaryLoads& loads() const { return loads_; }

  // Fluid faces: fluxes of the stage values Y; exchanges through the boundary, times
  // `weight` (dt times the stage weight), added to `exchange`.
  void fluid_fluxes(const std::vector<double>& Y, double weight, Totals& exchange);
  // K := -div F of the fluid cells.
  void fluid_residual(std::vector<double>& K) const;
  // Halo distributions of the stage: a ghost of a kinetic cell copies (or mirrors, at
  // a reflective side) its source's distribution, at a Maxwell wall keeps its source's
  // arriving half and re-emits the leaving one (wall.hpp); every other halo cell (fluid
  // neighbours, solid cells, inflow, pressure and far-field ghosts) holds the Maxwellian
  // reconstruction of its state in Y.
  void fill_kinetic_halo(const std::vector<double>& Y);
  // Marks in `read` (a flag per stored cell) the cells whose stage values Y a stage
  // reads besides the fluid cells' own: the four cells of every fluid face's stencil
  // and the halo cells fill_kinetic_halo reconstructs, each followed through the halo
  // rules to the cells it copies. A kinetic cell left unmarked needs no moments of its
  // stage values on this rank (Stepper::stage_moment_slots).
  void mark_stage_moments_read(std::vector<std::uint8_t>& read) const;
  // Kinetic faces: store.transport() := -div(v f) of the stage values of the kinetic
  // cells, and the moments of each face's flux for fluid neighbours. The flux through
  // a wall face re-emits the arriving flux (wall_face_flux).
  // q_complete(slot) runs as soon as a kinetic cell's q is complete (after its top
  // face: faces.hpp), on the thread that completed it, once for each kinetic cell of
  // this rank (the IMEX bookkeeping while q is in cache: Stepper::evaluate_stage) —
  // except that with layer 2 on a device, whose q is the device's, a layer-2 cell is
  // called only where its top face is the host's, and the caller skips it.
  void kinetic_fluxes(double weight, Totals& exchange, const std::function<void(std::size_t)>& q_complete);
  // With layer 2 resident on a device (layer2_device.hpp), the faces between two
  // layer-2 cells of this rank are the device's, except where the stencil meets an
  // obstacle's wall (its ghosts are made on the host): kinetic_fluxes leaves them out.
  void leave_layer2_faces_to_device() { layer2_faces_on_device_ = true; }
  bool on_device(std::size_t a, std::size_t b) const {
    return layer2_faces_on_device_ && domain_.owned(a) && domain_.owned(b) && domain_.layer(a) == 2 &&
           domain_.layer(b) == 2 && !stencil_meets_obstacle_wall(a, b - a);
  }

 private:
  // A face between an updated cell and a ghost or solid one: its flux's moments go to
  // the exchanges (times weight and area) and to the boundary loads.
  void book_exchange(std::size_t a, std::size_t b, const double* flux_moments, double weight,
                     double area, Totals& exchange);
  // The boundary part of the cell beyond a boundary face (BoundaryLoads::locate_faces).
  int boundary_part(std::size_t outside) const;
  // The Maxwell wall of the side a ghost belongs to, or nullptr.
  const MaxwellWall* wall_of(const HaloRule* rule) const;
  // A halo cell whose stage distribution is a copy (or mirror) of a kinetic cell's.
  bool copies_distribution(std::size_t cell) const;
  // A halo cell whose stage distribution fill_kinetic_halo reconstructs from its Y:
  // neither a copy nor another rank's kinetic cell, whose distribution arrives with the
  // stage exchange.
  bool reconstructs(std::size_t halo_cell) const;
  // The obstacle whose solid cell `cell` is, or whose solid cell a ghost copies (a
  // periodic image, a second ghost layer mirroring it), or nullptr.
  const Obstacle* obstacle_of(std::size_t cell) const;
  // behind_wall_ := 1 for the stored cells obstacle_of finds in an obstacle with a wall
  // (after every change of the faces: obstacles move, regimes change).
  void mark_obstacle_walls();
  // A fluid face's stencil rows (4 cells of nv values, face_stencil) where a cell is
  // behind an obstacle's wall: the mirror image of the gas cell across the wall, normal
  // momentum reversed, as at a reflective side, so no mass crosses an obstacle's wall
  // in layer 0 either (docs/numerics.md, "Walls").
  void reflect_at_obstacle_walls(const std::array<std::size_t, 4>& stencil, int dir, double* rows) const;
  // The same for a kinetic face's stencil (4 distributions, `f`): a cell behind an
  // obstacle's wall takes the wall's ghost of the gas cell it mirrors, as a domain wall's
  // ghost layers do (MaxwellWall::fill_ghost, into `ghosts`, 4 distributions), so the
  // obstacle's own state never enters the gas's reconstruction.
  void wall_ghosts_at_obstacles(const std::array<std::size_t, 4>& stencil, int dir, std::array<const double*, 4>& f,
                                double* ghosts) const;
  // The cells of a face stencil behind an obstacle's wall, each with the stencil cell it
  // mirrors across the wall: image(to, from), in an order where `from` is final. The
  // outer cells come first where the wall is the face itself: a single gas cell between
  // two walls is mirrored twice (cells 0 | 1 | wall: 3 := R(0) = R(R(1))). Where the wall
  // is the face, the far cell beyond it is imaged whatever it is (gas beyond an obstacle
  // one cell thick too).
  template <class Image>
  void for_each_wall_image(const std::array<std::size_t, 4>& stencil, Image&& image) const {
    bool wall[4];
    for (int s = 0; s < 4; ++s) wall[s] = behind_wall_[stencil[s]] != 0;
    if (wall[2]) {
      if (wall[0]) image(0, 1);
      image(2, 1);
      image(3, 0);
    } else if (wall[1]) {
      if (wall[3]) image(3, 2);
      image(1, 2);
      image(0, 3);
    } else {
      if (wall[0]) image(0, 1);
      if (wall[3]) image(3, 2);
    }
  }
  // Whether a cell of the face stencil of (a, a + step) is behind an obstacle's wall.
  bool stencil_meets_obstacle_wall(std::size_t a, std::size_t step) const;
  // A face between an updated cell and a ghost at a Maxwell wall, or a solid cell of an
  // obstacle with a wall: the upwind flux `phi` of
  // the velocities leaving the wall is replaced by the wall's re-emission, so no mass
  // crosses the face (docs/numerics.md, "Walls").
  void wall_face_flux(std::size_t a, std::size_t b, int dir, double* phi) const;
  const Domain& domain_;
  const Gas& gas_;
  const Coupling& coupling_;
  KineticStore& store_;
  PluginObject<sdk::FluidModel> fluid_;
  std::array<std::optional<MaxwellWall>, 4> walls_;  // per side (runs with kinetic layers)
  // Per obstacle with a wall, one per orientation: the side a domain wall facing the
  // same way would be (the solid cell right of a face: `right`, ...).
  std::vector<std::array<std::optional<MaxwellWall>, 4>> obstacle_walls_;
  bool obstacle_walls_present_;  // an obstacle of the case has a wall
  std::vector<std::uint8_t> behind_wall_;  // per stored cell (mark_obstacle_walls), empty without walls
  FaceSet faces_;
  BoundaryLoads loads_;
  bool layer2_faces_on_device_ = false;
  std::vector<double> F_[2];  // face fluxes (moments for kinetic faces) per stage: x, y faces
};

}  // namespace strata::core
