#include "faces.hpp"

namespace strata::core {

FaceSet faces_of(const Domain& domain) {
  const Mesh& m = domain.mesh();
  FaceSet set;
  auto add = [&](std::size_t a, std::size_t b, std::size_t slot, int dir) {
    if (!domain.owned(a) && !domain.owned(b)) return;  // another rank's face (or none)
    const bool kinetic = domain.is_kinetic(a) || domain.is_kinetic(b);
    FaceList& list = kinetic ? set.kinetic[dir].faces : set.fluid[dir];
    if (!kinetic && domain.updated(a) != domain.updated(b)) list.crossing.push_back(list.slot.size());
    list.left_cell.push_back(a);
    list.slot.push_back(slot);
  };
  for (int j = 0; j < m.ny; ++j) {
    set.kinetic[0].line_start.push_back(set.kinetic[0].faces.slot.size());
    for (int i = -1; i < m.nx; ++i)
      add(m.index(i, j), m.index(i + 1, j), static_cast<std::size_t>(j) * (m.nx + 1) + (i + 1), 0);
  }
  set.kinetic[0].line_start.push_back(set.kinetic[0].faces.slot.size());
  for (int i = 0; i < m.nx; ++i) {
    set.kinetic[1].line_start.push_back(set.kinetic[1].faces.slot.size());
    for (int j = -1; j < m.ny; ++j)
      add(m.index(i, j), m.index(i, j + 1), static_cast<std::size_t>(j + 1) * m.nx + i, 1);
  }
  set.kinetic[1].line_start.push_back(set.kinetic[1].faces.slot.size());
  return set;
}

}  // namespace strata::core
