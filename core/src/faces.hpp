#pragma once
// The faces of a stage, classified by the regime map: a face is computed when at
// least one neighbour is updated by this rank (a solid or ghost neighbour acts as a
// fixed state, as in the paper; a face between two ranks is computed by both), and it is kinetic when either side is kinetic, so a fluid cell next
// to a kinetic one receives the moments of the kinetic upwind flux (one flux per face).
#include <array>
#include <cstddef>
#include <vector>

#include "domain.hpp"

namespace strata::core {

struct FaceList {
  std::vector<std::size_t> left_cell;  // stored index of the cell on the low side
  std::vector<std::size_t> slot;       // index into the stage's face-flux array
  // Fluid faces only: the positions in this list of the faces between an updated cell
  // and a ghost or solid one — the domain boundary, whose fluxes are booked as
  // exchanges in list order (Transport::fluid_fluxes; kinetic faces book theirs line
  // by line).
  std::vector<std::size_t> crossing;
};

// Kinetic faces grouped in lines (rows for x faces, columns for y faces): faces of one
// line touch only cells of that line, so lines run in parallel. Within a line the faces
// run in ascending order (left to right, bottom to top): a cell's left face is its
// first x face and its top face its last face (Transport::kinetic_fluxes).
struct KineticFaces {
  FaceList faces;
  std::vector<std::size_t> line_start;  // faces of line l: [line_start[l], line_start[l+1])
};

struct FaceSet {
  FaceList fluid[2];        // x faces, y faces
  KineticFaces kinetic[2];
};

FaceSet faces_of(const Domain& domain);

// The four cells a face's reconstructions read (CWENO3 from each side, paper §4.2–4.3):
// the face's left cell a, its right cell a + step, and one more on each side; step is 1
// for x faces and the mesh's row stride for y faces.
inline std::array<std::size_t, 4> face_stencil(std::size_t a, std::size_t step) {
  return {a - step, a, a + step, a + 2 * step};
}

}  // namespace strata::core
