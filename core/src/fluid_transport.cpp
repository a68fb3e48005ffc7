// Fluid faces and the fluid cells' residual (paper §4.2: the layer-0 scheme's fluxes
// come from the fluid model; the engine gathers stencils and scatters fluxes).
#include <algorithm>
#include <cmath>

#include <omp.h>

#include "diagnostics.hpp"
#include "strata/toolkit/parallel.hpp"
#include "strata/toolkit/format.hpp"

#include "transport.hpp"

namespace strata::core {

Transport::Transport(const Domain& domain, const Gas& gas, const Coupling& coupling, KineticStore& store,
                     PluginObject<sdk::FluidModel> fluid)
    : domain_(domain), gas_(gas), coupling_(coupling), store_(store), fluid_(std::move(fluid)),
      obstacle_walls_present_(std::any_of(domain.case_file().obstacles.begin(), domain.case_file().obstacles.end(),
                                          [](const Obstacle& o) { return o.wall.has_value(); })),
      loads_(domain, gas) {}

void Transport::place_walls(const std::vector<double>& U, ReconstructionProblems& problems) {
  const Case& c = domain_.case_file();
  if (c.mode == RegimeMode::layer0) {  // fluid cells see every wall as a reflective side
    std::vector<const Wall*> walls;
    for (const Boundary& b : c.boundary)
      if (b.kind == BoundaryKind::wall) walls.push_back(&b.wall);
    for (const Obstacle& o : c.obstacles)
      if (o.wall) walls.push_back(&*o.wall);
    std::string keys;
    for (const Wall* w : walls)
      if ((w->T || w->u != std::array<double, 3>{}) && keys.find(w->key) == std::string::npos)
        keys += (keys.empty() ? "" : ", ") + w->key;
    if (!keys.empty())
      warn_once(c.file.string() + ": " + keys + ": in a layer0 run a wall is a reflective (slip) side: its " +
                "temperature and velocity act only on kinetic cells, and this run has none");
    return;
  }
  if (c.mode == RegimeMode::hybrid) {  // a diffuse wall whose cells no band holds kinetic
    std::string keys;
    for (const Boundary& b : c.boundary)
      if (b.kind == BoundaryKind::wall && b.wall.accommodation > 0 && (b.wall.band == 0 || c.band_layer == 0) &&
          keys.find(b.wall.key) == std::string::npos)
        keys += (keys.empty() ? "" : ", ") + b.wall.key;
    for (const Obstacle& o : c.obstacles)
      if (o.wall && o.wall->accommodation > 0 && (c.band == 0 || c.band_layer == 0))
        keys += (keys.empty() ? "" : ", ") + o.wall->key;
    if (!keys.empty())
      warn_once(c.file.string() + ": " + keys + ": no band holds the cells beside this diffuse wall kinetic (" +
                (c.band_layer == 0 ? "regime.band_layer is 0" : "its band is 0") + "): where the indicator leaves "
                "them fluid they see a reflective (slip) side, and the wall's temperature and velocity act on them "
                "not at all (docs/user_guide.md §3.2)");
  }
  const Mesh& m = domain_.mesh();
  std::vector<double> W(gas_.n_vars());
  // The wall's own T, or the one temperature of `cells` at t = 0 (to 1e-12 relative);
  // none where no cell could be read or the temperature varies.
  auto temperature = [&](const Wall& wall, const std::vector<std::size_t>& cells,
                         const std::string& next_to) -> std::optional<double> {
    if (wall.T) return *wall.T;
    double low = HUGE_VAL, high = -HUGE_VAL;
    for (const std::size_t cell : cells) {
      if (std::isnan(U[cell * gas_.n_vars()])) continue;  // its state is a problem of its own
      gas_.to_primitive(domain_.layer(cell), &U[cell * gas_.n_vars()], W.data());
      low = std::min(low, W[gas_.layout().temperature()]);
      high = std::max(high, W[gas_.layout().temperature()]);
    }
    if (low > high) return std::nullopt;
    if (!(high - low <= 1e-12 * high)) {
      problems.add(wall.key + "/T", {c.file.string() + ": " + wall.key + "/T: not given, and the initial temperature " +
                                     next_to + " varies from " + toolkit::format_number(low) + " to " +
                                     toolkit::format_number(high) + "; give the wall's temperature"});
      return std::nullopt;
    }
    return high;
  };
  const double* velocity[2] = {store_.velocity(0), store_.velocity(1)};
  // A wall whose Maxwellian the velocity grid cannot hold is the case's problem, named by its key.
  auto place = [&](std::optional<MaxwellWall>& at, const Wall& wall, std::optional<double> T, Side side) {
    if (!T) return;
    const GridDemand demand(gas_.mass(), wall.u.data(), *T);
    problems.note(demand);
    try {
      at.emplace(wall, *T, side, gas_, coupling_, velocity);
    } catch (const GridTooSmall&) {  // once per wall, not once per side it covers
      const auto& grid = coupling_.grid();
      const auto n = toolkit::format_number;
      problems.add(wall.key,
                   c.file.string() + ": " + wall.key + ": the velocity grid (" + std::to_string(grid.n) +
                       " points on [-" + n(grid.L) + ", " + n(grid.L) +
                       "]^3) cannot hold the Maxwellian the wall re-emits, at u = (" + n(wall.u[0]) + ", " +
                       n(wall.u[1]) + ", " + n(wall.u[2]) + "), T = " + n(*T) + ": " +
                       grid_advice(grid, demand),
                   demand);
    }
  };
  const char* names[4] = {"left", "right", "bottom", "top"};
  for (int s = 0; s < 4; ++s) {
    if (c.boundary[s].kind != BoundaryKind::wall) continue;
    std::vector<std::size_t> next;  // the gas cells along the side
    const int n = s < 2 ? m.ny : m.nx;
    for (int k = 0; k < n; ++k) {
      const std::size_t cell = s == left ? m.index(0, k) : s == right ? m.index(m.nx - 1, k)
                               : s == bottom ? m.index(k, 0) : m.index(k, m.ny - 1);
      if (domain_.updated(cell)) next.push_back(cell);
    }
    const Wall& wall = c.boundary[s].wall;
    const std::optional<double> T = temperature(wall, next, std::string("next to the ") + names[s] + " wall");
    // Obstacles cover the whole side at t = 0 and moving ones may uncover it later: a
    // diffuse wall then needs its own temperature (a specular one re-emits none).
    const bool obstacles_move = std::any_of(c.obstacles.begin(), c.obstacles.end(),
                                            [](const Obstacle& o) { return o.move_every > 0; });
    if (!T && next.empty() && wall.accommodation > 0 && obstacles_move)
      problems.add(wall.key + "/T",
                   {c.file.string() + ": " + wall.key + "/T: not given, and obstacles cover every cell beside the " +
                    names[s] + " side at t = 0, so there is no gas to take the temperature from (moving obstacles " +
                    "may uncover it later); give the wall's temperature"});
    place(walls_[s], wall, T, static_cast<Side>(s));
  }
  obstacle_walls_.assign(c.obstacles.size(), {});
  for (std::size_t k = 0; k < c.obstacles.size(); ++k) {
    if (!c.obstacles[k].wall) continue;
    std::vector<std::size_t> cells;  // the obstacle's own
    for (int j = 0; j < m.ny; ++j)
      for (int i = 0; i < m.nx; ++i)
        if (domain_.obstacle_at(m.xc(i), m.yc(j)) == &c.obstacles[k]) cells.push_back(m.index(i, j));
    const std::optional<double> T = temperature(*c.obstacles[k].wall, cells, "of the obstacle");
    if (!T && cells.empty() && c.obstacles[k].move_every > 0)  // it moves onto the mesh later
      problems.add(c.obstacles[k].wall->key + "/T",
                   {c.file.string() + ": " + c.obstacles[k].wall->key + "/T: not given, and the obstacle covers no " +
                    "cell at t = 0 to take the temperature from (it moves onto the mesh later); give the wall's " +
                    "temperature"});
    for (int s = 0; s < 4; ++s) place(obstacle_walls_[k][s], *c.obstacles[k].wall, T, static_cast<Side>(s));
  }
}

void Transport::classify_faces() {
  const Mesh& m = domain_.mesh();
  faces_ = faces_of(domain_);
  mark_obstacle_walls();
  loads_.locate_faces([this](std::size_t outside) { return boundary_part(outside); });
  F_[0].assign(static_cast<std::size_t>(m.nx + 1) * m.ny * gas_.n_vars(), 0.0);
  F_[1].assign(static_cast<std::size_t>(m.ny + 1) * m.nx * gas_.n_vars(), 0.0);
}

const Obstacle* Transport::obstacle_of(std::size_t cell) const {
  std::size_t source = cell;  // a ghost's values come from the end of its chain of sources
  domain_.for_each_source(cell, [&](std::size_t c) { source = c; });
  if (domain_.updated(source) || domain_.ghost_rule(source)) return nullptr;  // gas (a pressure or far-field ghost's source too), or an inflow ghost
  const Mesh& m = domain_.mesh();
  const auto [i, j] = m.ij(source);
  return domain_.obstacle_at(m.xc(i), m.yc(j));
}

void Transport::mark_obstacle_walls() {
  behind_wall_.assign(obstacle_walls_present_ ? domain_.mesh().n_stored() : 0, 0);
  for (std::size_t c = 0; c < behind_wall_.size(); ++c)
    if (!domain_.updated(c)) {
      const Obstacle* o = obstacle_of(c);
      behind_wall_[c] = o && o->wall;
    }
}

void Transport::reflect_at_obstacle_walls(const std::array<std::size_t, 4>& stencil, int dir, double* rows) const {
  const int nv = gas_.n_vars(), normal = gas_.layout().momentum(dir);
  for_each_wall_image(stencil, [&](int to, int from) {
    std::copy_n(rows + from * nv, nv, rows + to * nv);
    rows[to * nv + normal] = -rows[to * nv + normal];
  });
}

int Transport::boundary_part(std::size_t outside) const {
  if (const Obstacle* o = obstacle_of(outside))
    return loads_.obstacle_part(static_cast<std::size_t>(o - domain_.case_file().obstacles.data()));
  const HaloRule* rule = domain_.ghost_rule(outside);
  return rule ? loads_.side_part(rule->side) : -1;  // a periodic side's ghost copies gas: no part
}

void Transport::book_exchange(std::size_t a, std::size_t b, const double* F, double weight, double area,
                              Totals& exchange) {
  if (domain_.updated(a) == domain_.updated(b)) return;
  // into the domain when b is inside
  add_to_totals(gas_.layout(), F, (domain_.updated(b) ? 1.0 : -1.0) * weight * area, exchange);
  loads_.book(a, b, F, weight);
}

// The faces go to the fluid model in blocks, each thread a block at a time: a block's
// stencils and fluxes (at most 80 KiB and 20 KiB for one species) stay in the thread's
// cache from the gather through the model's face_flux to the scatter into F.
void Transport::fluid_fluxes(const std::vector<double>& Y, double weight, Totals& exchange) {
  constexpr std::size_t largest_block = 512;  // faces per face_flux call
  const auto threads = static_cast<std::size_t>(omp_get_max_threads());
  const Mesh& m = domain_.mesh();
  const int nv = gas_.n_vars();
  const auto width = static_cast<std::size_t>(nv);
  for (int dir = 0; dir < 2; ++dir) {
    const FaceList& faces = faces_.fluid[dir];
    const std::size_t n = faces.slot.size();
    if (n == 0) continue;
    std::vector<double>& F = F_[dir];
    const std::size_t step = dir == 0 ? 1 : m.sx();
    // A multiple of the threads, so that each takes as many blocks.
    const std::size_t blocks = threads * ((n + largest_block * threads - 1) / (largest_block * threads));
    const std::size_t block = (n + blocks - 1) / blocks;
    struct Buffers {
      std::vector<double> stencils, fluxes;
    };
    toolkit::parallel_for(
        blocks, toolkit::Schedule::static_chunks,
        [&] { return Buffers{std::vector<double>(block * 4 * width), std::vector<double>(block * width)}; },
        [&](std::size_t b, Buffers& buffers) {
          const std::size_t first = b * block;
          if (first >= n) return;  // a trailing block the rounding left empty
          const std::size_t count = std::min(block, n - first);
          for (std::size_t k = 0; k < count; ++k) {
            const auto stencil = face_stencil(faces.left_cell[first + k], step);
            double* row = &buffers.stencils[k * 4 * width];
            if (dir == 0)  // an x face's four cells are consecutive in Y
              std::copy_n(&Y[stencil[0] * width], 4 * width, row);
            else
              for (int s = 0; s < 4; ++s) std::copy_n(&Y[stencil[s] * width], width, row + s * width);
            if (obstacle_walls_present_) reflect_at_obstacle_walls(stencil, dir, row);
          }
          const auto rows = static_cast<std::int64_t>(count);
          double speed = 0.0;
          try {
            fluid_.call("face_flux", [&] {
              return fluid_->face_flux(dir, {buffers.stencils.data(), rows, 4 * nv, 4 * nv},
                                       {buffers.fluxes.data(), rows, nv, nv}, &speed);
            });
          } catch (...) {  // the block's faces one by one, so that the message names the face
            for (std::size_t k = 0; k < count; ++k)
              try {
                fluid_.call("face_flux", [&] {
                  return fluid_->face_flux(dir, {&buffers.stencils[k * 4 * width], 1, 4 * nv, 4 * nv},
                                           {&buffers.fluxes[k * width], 1, nv, nv}, &speed);
                });
              } catch (...) {
                rethrow_with_context(std::string(dir == 0 ? "the face between " : "the face below ") +
                                     domain_.describe(faces.left_cell[first + k] + step) + " and its " +
                                     (dir == 0 ? "left" : "lower") + " neighbour");
              }
            throw;
          }
          for (std::size_t k = 0; k < count; ++k)
            std::copy_n(&buffers.fluxes[k * width], width, &F[faces.slot[first + k] * width]);
        });
    const double area = dir == 0 ? m.dy : m.dx;
    for (const std::size_t f : faces.crossing) {
      const std::size_t a = faces.left_cell[f];
      book_exchange(a, a + step, &F[faces.slot[f] * width], weight, area, exchange);
    }
  }
}

void Transport::fluid_residual(std::vector<double>& K) const {
  const Mesh& m = domain_.mesh();
  const int nv = gas_.n_vars();
  const std::size_t fx_row = m.nx + 1;
  const auto& cells = domain_.owned_cells();
#pragma omp parallel for schedule(static)
  for (std::size_t k = 0; k < cells.size(); ++k) {
    const std::size_t c = cells[k];
    if (domain_.is_kinetic(c)) continue;
    const auto [i, j] = m.ij(c);
    const double* fw = &F_[0][(j * fx_row + i) * nv];
    const double* fe = &F_[0][(j * fx_row + i + 1) * nv];
    const double* fs = &F_[1][(static_cast<std::size_t>(j) * m.nx + i) * nv];
    const double* fn = &F_[1][(static_cast<std::size_t>(j + 1) * m.nx + i) * nv];
    for (int v = 0; v < nv; ++v) K[c * nv + v] = -(fe[v] - fw[v]) / m.dx - (fn[v] - fs[v]) / m.dy;
  }
}

}  // namespace strata::core
