#include "boundary_loads.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <tuple>

#include "diagnostics.hpp"
#include "ranks.hpp"

namespace strata::core {

namespace {

// l += scale × m, component by component.
void add(Load& l, const Load& m, double scale) {
  l.mass += scale * m.mass;
  l.fx += scale * m.fx;
  l.fy += scale * m.fy;
  l.fz += scale * m.fz;
  l.heat += scale * m.heat;
}

constexpr int values_per_face = 10;  // part, x, y, nx, ny, mass, fx, fy, fz, heat

// x - period × the nearest whole number of periods from `reference`: the image of x
// nearest to it (no period: x itself).
double nearest_image(double x, double reference, double period) {
  return period > 0 ? x - period * std::round((x - reference) / period) : x;
}

}  // namespace

BoundaryLoads::BoundaryLoads(const Domain& domain, const Gas& gas) : domain_(domain), layout_(gas.layout()) {
  const Case& c = domain.case_file();
  const char* side_names[4] = {"left", "right", "bottom", "top"};
  for (int s = 0; s < 4; ++s) {
    const Boundary& b = c.boundary[s];
    if (b.kind == BoundaryKind::periodic) continue;
    BoundaryPart p{side_names[s], name(b.kind), {}};
    if (b.kind == BoundaryKind::wall) p.wall_velocity = b.wall.u;
    side_part_[s] = static_cast<int>(parts_.size());
    parts_.push_back(p);
  }
  first_obstacle_part_ = static_cast<int>(parts_.size());
  for (std::size_t k = 0; k < c.obstacles.size(); ++k) {
    parts_.push_back({"obstacle" + std::to_string(k), "obstacle", {}});
    // Coefficients asked for a body that is no wall: the paper's fixed state, which
    // takes in and gives out gas; its load is that exchange, not a solid body's.
    if (c.output.reference && !c.obstacles[k].wall)
      warn_once(c.file.string() + ": /obstacles/" + std::to_string(k) + ": no \"wall\": its cells are fixed states that " +
                "exchange mass and energy with the gas (the paper's obstacles), so its loads and coefficients are not "
                "those of a solid body; give it \"wall\": {} for one (docs/user_guide.md §6.8)");
  }
  part_loads_.assign(parts_.size(), Load{});
  step_loads_ = part_loads_;
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
      faces_.push_back({part, m.xc(i) + 0.5 * nx * m.dx, m.yc(j) + 0.5 * ny * m.dy, nx, ny, 0.0, {}});
      area_.push_back(dir == 0 ? m.dy : m.dx);
    }
  }
  booked_.assign(faces_.size(), {0, 0, 0, 0, 0});
}

void BoundaryLoads::begin_step() { std::fill(booked_.begin(), booked_.end(), std::array<double, 5>{0, 0, 0, 0, 0}); }

void BoundaryLoads::book(std::size_t a, std::size_t b, const double* F, double weight) {
  const std::size_t dir = b == a + 1 ? 0 : 1;
  const std::int32_t face = face_of_[2 * a + dir];
  if (face < 0) return;
  // F runs from a to b: out of the gas when b is the outside cell.
  const double w = domain_.updated(b) ? -weight : weight;
  std::array<double, 5>& sum = booked_[static_cast<std::size_t>(face)];
  for (int s = 0; s < layout_.n_species; ++s) sum[0] += w * F[s];
  for (int d = 0; d < 3; ++d) sum[1 + d] += w * F[layout_.momentum(d)];
  sum[4] += w * F[layout_.energy()];
}

void BoundaryLoads::end_step(double dt) {
  std::vector<double> parts(5 * parts_.size(), 0.0);
  for (std::size_t f = 0; f < faces_.size(); ++f) {
    FaceLoad& face = faces_[f];
    const auto& u = parts_[static_cast<std::size_t>(face.part)].wall_velocity;
    const auto& sum = booked_[f];
    const double work = u[0] * sum[1] + u[1] * sum[2] + u[2] * sum[3];
    face.load = {sum[0] / dt, sum[1] / dt, sum[2] / dt, sum[3] / dt, (sum[4] - work) / dt};
    double* p = &parts[5 * static_cast<std::size_t>(face.part)];
    p[0] += area_[f] * face.load.mass;
    p[1] += area_[f] * face.load.fx;
    p[2] += area_[f] * face.load.fy;
    p[3] += area_[f] * face.load.fz;
    p[4] += area_[f] * face.load.heat;
  }
  ranks::sum(parts.data(), static_cast<int>(parts.size()));
  for (std::size_t k = 0; k < parts_.size(); ++k)
    step_loads_[k] = {parts[5 * k], parts[5 * k + 1], parts[5 * k + 2], parts[5 * k + 3], parts[5 * k + 4]};
}

void BoundaryLoads::commit(double dt) {
  part_loads_ = step_loads_;
  last_ = faces_;
  measured_ = true;
  window_.resize(parts_.size());
  for (std::size_t k = 0; k < parts_.size(); ++k) add(window_[k], part_loads_[k], dt);
  window_time_ += dt;
  ++window_steps_;
}

void BoundaryLoads::add_move(std::size_t obstacle, const Totals& into_domain, double dt) {
  // An obstacle has no wall velocity: its energy is heat.
  const Load moved{into_domain[0], into_domain[1], into_domain[2], into_domain[3], into_domain[4]};
  const auto k = static_cast<std::size_t>(obstacle_part(obstacle));
  add(part_loads_[k], moved, -1.0 / dt);
  add(window_[k], moved, -1.0);
}

std::vector<Load> BoundaryLoads::take_window() {
  // A window of one step is that step's loads, bit for bit (Σ Δt × load / Δt may differ
  // in the last bit).
  std::vector<Load> mean = part_loads_;
  if (window_steps_ > 1) {
    mean.assign(parts_.size(), Load{});
    for (std::size_t k = 0; k < window_.size(); ++k) add(mean[k], window_[k], 1.0 / window_time_);
  }
  window_.assign(parts_.size(), Load{});
  window_time_ = 0;
  window_steps_ = 0;
  return mean;
}

std::vector<double> BoundaryLoads::window() const {
  std::vector<double> w;
  for (const Load& l : window_) w.insert(w.end(), {l.mass, l.fx, l.fy, l.fz, l.heat});
  w.insert(w.end(), {window_time_, static_cast<double>(window_steps_)});
  return w;
}

void BoundaryLoads::restore_window(const std::vector<double>& w) {
  window_.assign(parts_.size(), Load{});
  window_time_ = 0;
  window_steps_ = 0;
  if (w.size() != 5 * parts_.size() + 2) return;  // none kept (a checkpoint without it): a fresh window
  for (std::size_t k = 0; k < window_.size(); ++k)
    window_[k] = {w[5 * k], w[5 * k + 1], w[5 * k + 2], w[5 * k + 3], w[5 * k + 4]};
  window_time_ = w[5 * parts_.size()];
  window_steps_ = static_cast<long>(w[5 * parts_.size() + 1]);
}

std::vector<FaceLoad> BoundaryLoads::surface() const {
  std::vector<double> mine;
  mine.reserve(values_per_face * last_.size());
  for (const FaceLoad& f : last_)
    mine.insert(mine.end(), {static_cast<double>(f.part), f.x, f.y, static_cast<double>(f.nx), static_cast<double>(f.ny),
                             f.load.mass, f.load.fx, f.load.fy, f.load.fz, f.load.heat});
  const std::vector<double> all = ranks::gather_to_root(mine);
  std::vector<FaceLoad> faces;
  for (std::size_t k = 0; k + values_per_face <= all.size(); k += values_per_face) {
    const double* v = &all[k];
    faces.push_back({static_cast<int>(v[0]), v[1], v[2], static_cast<int>(v[3]), static_cast<int>(v[4]), 0.0,
                     {v[5], v[6], v[7], v[8], v[9]}});
  }
  // By position first, so that what follows does not depend on the ranks' order.
  std::sort(faces.begin(), faces.end(), [](const FaceLoad& a, const FaceLoad& b) {
    return std::tie(a.part, a.x, a.y, a.nx, a.ny) < std::tie(b.part, b.x, b.y, b.nx, b.ny);
  });
  // Around an obstacle: the angle about the centre of its faces, each face taken at
  // its image nearest the part's first face across periodic sides (an obstacle across
  // a periodic side is one body), from the -x side (0: the front of a body in a stream
  // along +x) through its bottom (90), back (180) and top (270). Along a side: its
  // coordinate.
  const Case& c = domain_.case_file();
  const Mesh& m = domain_.mesh();
  const double period[2] = {c.boundary[left].kind == BoundaryKind::periodic ? m.nx * m.dx : 0.0,
                            c.boundary[bottom].kind == BoundaryKind::periodic ? m.ny * m.dy : 0.0};
  constexpr double degrees = 180.0 / std::numbers::pi;
  for (std::size_t first = 0, end; first < faces.size(); first = end) {
    end = first;
    while (end < faces.size() && faces[end].part == faces[first].part) ++end;
    if (parts_[static_cast<std::size_t>(faces[first].part)].kind != "obstacle") {
      for (std::size_t k = first; k < end; ++k) faces[k].position = faces[k].nx != 0 ? faces[k].y : faces[k].x;
      continue;
    }
    const std::size_t count = end - first;
    std::vector<double> x(count), y(count);  // the images; the faces keep their place on the mesh
    double cx = 0, cy = 0;
    for (std::size_t k = 0; k < count; ++k) {
      x[k] = nearest_image(faces[first + k].x, faces[first].x, period[0]);
      y[k] = nearest_image(faces[first + k].y, faces[first].y, period[1]);
      cx += x[k];
      cy += y[k];
    }
    cx /= static_cast<double>(count);
    cy /= static_cast<double>(count);
    for (std::size_t k = 0; k < count; ++k) {
      double& position = faces[first + k].position;
      position = std::atan2(y[k] - cy, x[k] - cx) * degrees + 180.0;  // atan2 is ±180 on the -x side
      if (position >= 360.0) position -= 360.0;
    }
  }
  std::stable_sort(faces.begin(), faces.end(), [](const FaceLoad& a, const FaceLoad& b) {
    return a.part != b.part ? a.part < b.part : a.position < b.position;
  });
  return faces;
}

}  // namespace strata::core
