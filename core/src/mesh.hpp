#pragma once
// Uniform 2D Cartesian mesh with `halo` ghost layers on each side (CWENO needs 2).
// Cells are indexed (i, j) with 0 <= i < nx, 0 <= j < ny in the interior and
// -halo .. -1, nx .. nx+halo-1 in the ghost layers; storage is x fastest.
#include <array>
#include <cstddef>

namespace strata::core {

struct Mesh {
  int nx = 0, ny = 0;
  int halo = 2;
  double x0 = 0.0, y0 = 0.0, dx = 0.0, dy = 0.0;

  int sx() const { return nx + 2 * halo; }  // stored cells along x
  int sy() const { return ny + 2 * halo; }
  std::size_t n_stored() const { return static_cast<std::size_t>(sx()) * sy(); }
  std::size_t n_interior() const { return static_cast<std::size_t>(nx) * ny; }
  std::size_t index(int i, int j) const {
    return static_cast<std::size_t>(j + halo) * sx() + (i + halo);
  }
  // (i, j) of a stored index: the inverse of index(), ghost cells included.
  std::array<int, 2> ij(std::size_t cell) const {
    return {static_cast<int>(cell % static_cast<std::size_t>(sx())) - halo,
            static_cast<int>(cell / static_cast<std::size_t>(sx())) - halo};
  }
  double xc(int i) const { return x0 + (i + 0.5) * dx; }
  double yc(int j) const { return y0 + (j + 0.5) * dy; }
  bool interior(int i, int j) const { return i >= 0 && i < nx && j >= 0 && j < ny; }
};

}  // namespace strata::core
