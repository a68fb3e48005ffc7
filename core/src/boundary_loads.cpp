#include "boundary_loads.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "ranks.hpp"

namespace strata::core {

namespace {

const char* kind_name(BoundaryKind k) {
  switch (k) {
    case BoundaryKind::outflow: return "outflow";
    case BoundaryKind::periodic: return "periodic";
    case BoundaryKind::inflow: return "inflow";
    case BoundaryKind::reflective: return "reflective";
    case BoundaryKind::wall: return "wall";
  }
  return "";
}

constexpr int values_per_face = 9;  // part, x, y, nx, ny, mass, fx, fy, heat

}  // namespace

BoundaryLoads::BoundaryLoads(const Domain& domain, const Gas& gas) : domain_(domain), layout_(gas.layout()) {
  const Case& c = domain.case_file();
  const char* side_names[4] = {"left", "right", "bottom", "top"};
  for (int s = 0; s < 4; ++s) {
    const Boundary& b = c.boundary[s];
    if (b.kind == BoundaryKind::periodic) continue;
    BoundaryPart p{side_names[s], kind_name(b.kind), {}};
    if (b.kind == BoundaryKind::wall) p.wall_velocity = {b.wall.u[0], b.wall.u[1]};
    side_part_[s] = static_cast<int>(parts_.size());
    parts_.push_back(p);
  }
  first_obstacle_part_ = static_cast<int>(parts_.size());
  for (std::size_t k = 0; k < c.obstacles.size(); ++k) parts_.push_back({"obstacle" + std::to_string(k), "obstacle", {}});
  part_loads_.assign(parts_.size(), Load{});
}

void BoundaryLoads::locate_faces(const std::function<int(std::size_t)>& part_of) {
  const Mesh& m = domain_.mesh();
  face_of_.assign(2 * m.n_stored(), -1);
  faces_.clear();
  area_.clear();
  for (const std::size_t cell : domain_.owned_cells()) {
    const auto [i, j] = m.ij(cell);
    // The four neighbours: direction, the face's low cell, the neighbour, the normal.
    const std::size_t sx = static_cast<std::size_t>(m.sx());
    const std::tuple<int, std::size_t, std::size_t, int, int> around[4] = {
        {0, cell - 1, cell - 1, -1, 0}, {0, cell, cell + 1, 1, 0}, {1, cell - sx, cell - sx, 0, -1}, {1, cell, cell + sx, 0, 1}};
    for (const auto& [dir, low, outside, nx, ny] : around) {
      if (domain_.updated(outside)) continue;
      const int part = part_of(outside);
      if (part < 0) continue;
      face_of_[2 * low + static_cast<std::size_t>(dir)] = static_cast<std::int32_t>(faces_.size());
      faces_.push_back({part, m.xc(i) + 0.5 * nx * m.dx, m.yc(j) + 0.5 * ny * m.dy, nx, ny, {}});
      area_.push_back(dir == 0 ? m.dy : m.dx);
    }
  }
  booked_.assign(faces_.size(), {0, 0, 0, 0});
}

void BoundaryLoads::begin_step() { std::fill(booked_.begin(), booked_.end(), std::array<double, 4>{0, 0, 0, 0}); }

void BoundaryLoads::book(std::size_t a, std::size_t b, const double* F, double weight) {
  const std::size_t dir = b == a + 1 ? 0 : 1;
  const std::int32_t face = face_of_[2 * a + dir];
  if (face < 0) return;
  // F runs from a to b: out of the gas when b is the outside cell.
  const double w = domain_.updated(b) ? -weight : weight;
  std::array<double, 4>& sum = booked_[static_cast<std::size_t>(face)];
  for (int s = 0; s < layout_.n_species; ++s) sum[0] += w * F[s];
  sum[1] += w * F[layout_.momentum(0)];
  sum[2] += w * F[layout_.momentum(1)];
  sum[3] += w * F[layout_.energy()];
}

void BoundaryLoads::end_step(double dt) {
  std::vector<double> parts(4 * parts_.size(), 0.0);
  for (std::size_t f = 0; f < faces_.size(); ++f) {
    FaceLoad& face = faces_[f];
    const auto& u_wall = parts_[static_cast<std::size_t>(face.part)].wall_velocity;
    const auto& sum = booked_[f];
    face.load = {sum[0] / dt, sum[1] / dt, sum[2] / dt, (sum[3] - u_wall[0] * sum[1] - u_wall[1] * sum[2]) / dt};
    double* p = &parts[4 * static_cast<std::size_t>(face.part)];
    p[0] += area_[f] * face.load.mass;
    p[1] += area_[f] * face.load.fx;
    p[2] += area_[f] * face.load.fy;
    p[3] += area_[f] * face.load.heat;
  }
  ranks::sum(parts.data(), static_cast<int>(parts.size()));
  for (std::size_t k = 0; k < parts_.size(); ++k)
    part_loads_[k] = {parts[4 * k], parts[4 * k + 1], parts[4 * k + 2], parts[4 * k + 3]};
  last_ = faces_;
  measured_ = true;
}

std::vector<FaceLoad> BoundaryLoads::surface() const {
  std::vector<double> mine;
  mine.reserve(values_per_face * last_.size());
  for (const FaceLoad& f : last_)
    mine.insert(mine.end(), {static_cast<double>(f.part), f.x, f.y, static_cast<double>(f.nx), static_cast<double>(f.ny),
                             f.load.mass, f.load.fx, f.load.fy, f.load.heat});
  const std::vector<double> all = ranks::gather_to_root(mine);
  std::vector<FaceLoad> faces;
  for (std::size_t k = 0; k + values_per_face <= all.size(); k += values_per_face) {
    const double* v = &all[k];
    faces.push_back({static_cast<int>(v[0]), v[1], v[2], static_cast<int>(v[3]), static_cast<int>(v[4]),
                     {v[5], v[6], v[7], v[8]}});
  }
  // Around an obstacle by the angle about the centre of its faces, counter-clockwise
  // from its -x side (-π: the front of a body in a flow along +x) through its bottom,
  // back and top; along a side by position. Sorted by position first, so that the
  // centre's sums and any ties do not depend on the ranks' order.
  std::sort(faces.begin(), faces.end(), [](const FaceLoad& a, const FaceLoad& b) {
    return std::tie(a.part, a.x, a.y, a.nx, a.ny) < std::tie(b.part, b.x, b.y, b.nx, b.ny);
  });
  std::map<int, std::array<double, 3>> centre;  // part: Σx, Σy, count
  for (const FaceLoad& f : faces) {
    auto& c = centre[f.part];
    c[0] += f.x;
    c[1] += f.y;
    c[2] += 1;
  }
  auto key = [&](const FaceLoad& f) {
    if (parts_[static_cast<std::size_t>(f.part)].kind != "obstacle") return f.nx != 0 ? f.y : f.x;
    const auto& c = centre[f.part];
    return std::atan2(f.y - c[1] / c[2], f.x - c[0] / c[2]);
  };
  std::stable_sort(faces.begin(), faces.end(), [&](const FaceLoad& a, const FaceLoad& b) {
    return a.part != b.part ? a.part < b.part : key(a) < key(b);
  });
  return faces;
}

}  // namespace strata::core
