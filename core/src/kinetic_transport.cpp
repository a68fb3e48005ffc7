// Kinetic faces (paper §4.3–4.5): the halo distributions of a stage, and the upwind
// CWENO flux per velocity through every face with a kinetic neighbour, computed once;
// its moments are the flux a fluid neighbour receives (moment projection at
// Euler | kinetic faces), so domain totals change only at the boundary.
#include <algorithm>
#include <array>
#include <functional>

#include "strata/toolkit/parallel.hpp"
#include "transport.hpp"
#include "upwind_flux.hpp"

namespace strata::core {

namespace {
// The runs of one species' N³ velocities (v_z fastest) with one sign of v_n, as
// [begin, end): v_n is constant along a row of N, so runs are whole rows (N³/2 values
// for v_x, N²/2 for v_y).
std::vector<std::array<std::size_t, 2>> sign_runs(const double* vn, std::size_t n3, std::size_t N) {
  std::vector<std::array<std::size_t, 2>> runs;
  for (std::size_t o = 0; o < n3; o += N)
    if (!runs.empty() && (vn[o] > 0) == (vn[runs.back()[0]] > 0)) runs.back()[1] = o + N;
    else runs.push_back({o, o + N});
  return runs;
}

// A thread's buffers for the faces it takes: a face's flux, its moments, and the wall
// ghosts of its stencil.
struct FaceScratch {
  std::vector<double> phi, moments, ghosts;
};
}  // namespace

bool Transport::copies_distribution(std::size_t cell) const {
  const HaloRule* rule = domain_.ghost_rule(cell);
  return rule && rule->copies() && domain_.is_kinetic(rule->source) &&
         store_.slot_of(rule->source) >= 0;
}

bool Transport::reconstructs(std::size_t halo_cell) const {
  // Kinetic cells of another rank: their stage values came with the stage exchange.
  const bool received = domain_.updated(halo_cell) && domain_.is_kinetic(halo_cell) && !domain_.owned(halo_cell);
  return !copies_distribution(halo_cell) && !received;
}

void Transport::mark_stage_moments_read(std::vector<std::uint8_t>& read) const {
  // A cell and the cells its value is copied from (MacroState::fill_halo).
  auto mark = [&](std::size_t cell) { domain_.for_each_source(cell, [&](std::size_t c) { read[c] = 1; }); };
  const Mesh& m = domain_.mesh();
  for (int dir = 0; dir < 2; ++dir)  // fluid_fluxes' stencils
    for (const std::size_t a : faces_.fluid[dir].left_cell)
      for (const std::size_t cell : face_stencil(a, dir == 0 ? 1 : m.sx())) mark(cell);
  for (std::size_t slot = store_.n_kinetic(); slot < store_.n_slots(); ++slot)
    if (const std::size_t cell = store_.slot_cell(slot); reconstructs(cell)) mark(cell);
}

void Transport::fill_kinetic_halo(const std::vector<double>& Y) {
  const std::size_t n_kinetic = store_.n_kinetic(), n_slots = store_.n_slots();
  const std::size_t nf = store_.values_per_cell();
  const int nvar = gas_.n_vars();
  KineticArray& stage = store_.stage();
  toolkit::parallel_for(n_slots - n_kinetic, toolkit::Schedule::dynamic, [&](std::size_t k) {
    const std::size_t slot = n_kinetic + k, cell = store_.slot_cell(slot);
    if (!reconstructs(cell)) return;
    try {
      coupling_.reconstruct(&Y[cell * nvar], &stage[slot * nf]);
    } catch (...) {
      const auto [i, j] = domain_.mesh().ij(cell);
      const Obstacle* o = domain_.layer(cell) == solid ? domain_.obstacle_at(domain_.mesh().xc(i), domain_.mesh().yc(j)) : nullptr;
      rethrow_with_context("Maxwellian reconstruction in the kinetic halo, " + domain_.describe(cell) +
                           (o ? " (a cell of /obstacles/" + std::to_string(o - domain_.case_file().obstacles.data()) +
                                    ", in its state there)"
                              : " (layer " + std::to_string(domain_.layer(cell)) + ")"));
    }
  });
  // Copies level by level of the halo rules (a corner ghost copies a side's ghost),
  // each level's ghosts in parallel.
  const auto& grid = coupling_.grid();
  const int N = grid.n;
  const std::size_t n3 = coupling_.points();
  for (const std::vector<std::size_t>& level : domain_.halo_rule_levels())
    toolkit::parallel_for(level.size(), toolkit::Schedule::dynamic, [&](std::size_t k) {
      const HaloRule& rule = domain_.halo_rules()[level[k]];
      if (store_.slot_of(rule.ghost) < 0 || !copies_distribution(rule.ghost)) return;
      double* f = &stage[static_cast<std::size_t>(store_.slot_of(rule.ghost)) * nf];
      const double* g = &stage[static_cast<std::size_t>(store_.slot_of(rule.source)) * nf];
      if (const MaxwellWall* wall = wall_of(&rule)) {
        wall->fill_ghost(g, f);
        return;
      }
      for (int s = 0; s < gas_.n_species(); ++s)
        for (int i = 0; i < N; ++i)
          for (int j = 0; j < N; ++j) {
            const int si = rule.action == HaloAction::reflect_x ? N - 1 - i : i;
            const int sj = rule.action == HaloAction::reflect_y ? N - 1 - j : j;
            std::copy_n(g + s * n3 + grid.index(si, sj, 0), N, f + s * n3 + grid.index(i, j, 0));
          }
    });
}

const MaxwellWall* Transport::wall_of(const HaloRule* rule) const {
  if (!rule || !walls_[rule->side]) return nullptr;
  return &*walls_[rule->side];
}

bool Transport::stencil_meets_obstacle_wall(std::size_t a, std::size_t step) const {
  if (!obstacle_walls_present_) return false;
  const auto stencil = face_stencil(a, step);
  return std::any_of(stencil.begin(), stencil.end(), [&](std::size_t c) { return behind_wall_[c] != 0; });
}

void Transport::wall_ghosts_at_obstacles(const std::array<std::size_t, 4>& stencil, int dir,
                                         std::array<const double*, 4>& f, double* ghosts) const {
  const std::size_t nf = store_.values_per_cell();
  for_each_wall_image(stencil, [&](int to, int from) {
    // The wall mirrored across is that of the solid cell at it: `to` itself for a
    // neighbour, the inner of the two for the far cell (3 from 0, 0 from 3), which may be
    // gas beyond an obstacle one cell thick, or another obstacle's cell.
    const int at_wall = to - from == 3 ? 2 : from - to == 3 ? 1 : to;
    const Obstacle* o = obstacle_of(stencil[at_wall]);
    const auto& walls = obstacle_walls_[static_cast<std::size_t>(o - domain_.case_file().obstacles.data())];
    // The wall faces the way a domain wall would with the solid side where `to` is.
    const Side facing = dir == 0 ? (to > from ? right : left) : (to > from ? top : bottom);
    if (!walls[facing]) return;  // as wall_face_flux: a wall not placed (a set-up problem)
    double* ghost = ghosts + static_cast<std::size_t>(to) * nf;
    walls[facing]->fill_ghost(f[from], ghost);
    f[to] = ghost;
  });
}

void Transport::wall_face_flux(std::size_t a, std::size_t b, int dir, double* phi) const {
  if (domain_.updated(a) == domain_.updated(b)) return;
  const std::size_t outside = domain_.updated(a) ? b : a;
  if (const HaloRule* rule = domain_.ghost_rule(outside))
    if (const MaxwellWall* wall = wall_of(rule)) {
      wall->face_flux(phi);
      return;
    }
  if (!obstacle_walls_present_) return;  // else an obstacle's wall, or a periodic image of one
  const Obstacle* o = obstacle_of(outside);
  if (!o) return;
  const auto& walls = obstacle_walls_[static_cast<std::size_t>(o - domain_.case_file().obstacles.data())];
  const Side facing = dir == 0 ? (outside == b ? right : left) : (outside == b ? top : bottom);
  if (walls[facing]) walls[facing]->face_flux(phi);
}

void Transport::kinetic_fluxes(double weight, Totals& exchange, const std::function<void(std::size_t)>& q_complete) {
  const Mesh& m = domain_.mesh();
  KineticArray& q = store_.transport();
  // q is not cleared first: the x faces come first and run along the mesh rows in
  // order, so the first face of every kinetic cell of this rank is its left one, which
  // sets its q (0 + phi/h: the bits of an addition to zero). The rows of the layer-2
  // cells on a device (layer 2 resident) are kept zero by Layer2Device::transport, so
  // there a host face that sets and one that adds are the same, and a row without a
  // host face stays zero.
  // A rank without kinetic cells may still have kinetic faces: its fluid cells next
  // to another rank's kinetic ones receive the moments of their flux.
  if (faces_.kinetic[0].faces.slot.empty() && faces_.kinetic[1].faces.slot.empty()) return;
  const KineticArray& Y = store_.stage();
  const std::size_t nf = store_.values_per_cell(), n3 = coupling_.points();
  const int nvar = gas_.n_vars();
  const int N = coupling_.grid().n;
  const double* v[2] = {store_.velocity(0), store_.velocity(1)};
  auto slot = [&](std::size_t cell) { return static_cast<std::size_t>(store_.slot_of(cell)); };
  for (int dir = 0; dir < 2; ++dir) {
    const KineticFaces& kf = faces_.kinetic[dir];
    std::vector<double>& F = F_[dir];
    const std::ptrdiff_t step = dir == 0 ? 1 : m.sx();
    const double h = dir == 0 ? m.dx : m.dy, inv_h = 1.0 / h, area = dir == 0 ? m.dy : m.dx;
    const double* vn = v[dir];
    const auto runs = sign_runs(vn, n3, static_cast<std::size_t>(N));
    const std::size_t n_lines = kf.line_start.size() - 1;
    // Boundary exchanges per line, summed in line order after the loop: the drifts do
    // not depend on the thread count or the schedule.
    std::vector<Totals> line_exchange(n_lines, Totals{});
    // The flux through one face into the q of its kinetic cells (and for a fluid or
    // outer side its moments, booked into `exchanged`), with a thread's buffers.
    auto flux_through = [&](FaceScratch& scratch, std::size_t face, std::size_t a, std::size_t b, Totals& exchanged) {
      std::vector<double> &phi = scratch.phi, &moments = scratch.moments, &ghosts = scratch.ghosts;
      const auto stencil = face_stencil(a, static_cast<std::size_t>(step));
      std::array<const double*, 4> f;
      for (int s = 0; s < 4; ++s) f[s] = &Y[slot(stencil[s]) * nf];
      if (obstacle_walls_present_) wall_ghosts_at_obstacles(stencil, dir, f, ghosts.data());
      const auto [fm, fa, fb, fp] = f;
      const bool kin_a = domain_.owned(a) && domain_.is_kinetic(a);
      const bool kin_b = domain_.owned(b) && domain_.is_kinetic(b);
      const bool first_for_b = dir == 0;  // b's left face: its q's first value (above)
      // The upwind side is chosen per run of one sign of v_n, and each run's
      // reconstructions are one vector loop: run(o, count, v_n, far, upwind, downwind).
      auto for_each_run = [&](auto&& run) {
        for (std::size_t species = 0; species < nf; species += n3)
          for (const auto& [first, end] : runs) {
            const std::size_t o = species + first;
            if (vn[first] > 0) run(o, end - first, vn + first, fm + o, fa + o, fb + o);
            else run(o, end - first, vn + first, fp + o, fb + o, fa + o);
          }
      };
      if (kin_a && kin_b) {  // both cells here, no wall between them, no moments needed
        double* qa = &q[slot(a) * nf];
        double* qb = &q[slot(b) * nf];
        const auto apply = first_for_b ? upwind_flux_run_apply<true> : upwind_flux_run_apply<false>;
        for_each_run([&](std::size_t o, std::size_t count, const double* v_n, const double* far, const double* up,
                         const double* down) { apply(count, v_n, far, up, down, h, inv_h, qa + o, qb + o); });
        return;
      }
      for_each_run([&](std::size_t o, std::size_t count, const double* v_n, const double* far, const double* up,
                       const double* down) { upwind_flux_run(count, v_n, far, up, down, h, &phi[o]); });
      wall_face_flux(a, b, dir, phi.data());
      if (kin_a) apply_face_flux(nf, phi.data(), inv_h, FluxInto::left_cell, &q[slot(a) * nf]);
      if (kin_b)
        apply_face_flux(nf, phi.data(), inv_h, first_for_b ? FluxInto::right_cell_first : FluxInto::right_cell,
                        &q[slot(b) * nf]);
      const bool fluid_side = (domain_.owned(a) && !kin_a) || (domain_.owned(b) && !kin_b);
      if (!fluid_side && domain_.updated(a) == domain_.updated(b)) return;
      // Moments of the flux (the moment projection of phi): mass per species, total
      // momentum and energy.
      coupling_.project(phi.data(), moments.data());
      std::copy(moments.begin(), moments.end(), &F[kf.faces.slot[face] * nvar]);
      book_exchange(a, b, moments.data(), weight, area, exchanged);
    };
    toolkit::parallel_for(
        n_lines, toolkit::Schedule::dynamic,
        [&] { return FaceScratch{std::vector<double>(nf), std::vector<double>(nvar),
                                 std::vector<double>(obstacle_walls_present_ ? 4 * nf : 0)}; },
        [&](std::size_t line, FaceScratch& scratch) {
          for (std::size_t face = kf.line_start[line]; face < kf.line_start[line + 1]; ++face) {
            const std::size_t a = kf.faces.left_cell[face], b = a + step;
            if (on_device(a, b)) continue;  // Layer2Device::transport's
            flux_through(scratch, face, a, b, line_exchange[line]);
            // The y faces come last and run up each column, so a y face completes the q
            // of the cell below it.
            if (dir == 1 && domain_.owned(a) && domain_.is_kinetic(a)) q_complete(slot(a));
          }
        });
    for (const Totals& line : line_exchange)
      for (int k = 0; k < 5; ++k) exchange[k] += line[k];
  }
}

}  // namespace strata::core
