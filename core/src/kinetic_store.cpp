#include "kinetic_store.hpp"

#include <algorithm>

#include "engine_types.hpp"
#include "parallel.hpp"
#include "ranks.hpp"

namespace strata::core {

KineticStore::KineticStore(const Coupling& coupling, std::shared_ptr<const HostMemory> host)
    : coupling_(coupling),
      nf_(coupling.values_per_cell()),
      f_(HostAllocator<double>(host)),
      stage_(f_.get_allocator()),
      rhs_(f_.get_allocator()),
      sum_(f_.get_allocator()),
      transport_(f_.get_allocator()),
      explicit_(f_.get_allocator()) {
  const auto& g = coupling.grid();
  for (auto& v : velocity_) v.resize(g.size());
  for (int i = 0; i < g.n; ++i)
    for (int j = 0; j < g.n; ++j)
      for (int k = 0; k < g.n; ++k) {
        const std::size_t q = g.index(i, j, k);
        velocity_[0][q] = g.v(i);
        velocity_[1][q] = g.v(j);
        velocity_[2][q] = g.v(k);
      }
}

void KineticStore::lay_out(const Domain& domain, const FaceSet& faces) {
  const Mesh& m = domain.mesh();
  slot_cell_.clear();
  cell_slot_.assign(m.n_stored(), -1);
  auto assign = [&](std::size_t c) {
    cell_slot_[c] = static_cast<std::int64_t>(slot_cell_.size());
    slot_cell_.push_back(c);
  };
  for (int layer = 1; layer <= 2; ++layer)
    for (const std::size_t c : domain.owned_cells())
      if (domain.layer(c) == layer) assign(c);
  n_layer_[0] = 0;
  for (const std::size_t c : slot_cell_) n_layer_[0] += domain.layer(c) == 1;
  n_layer_[1] = slot_cell_.size() - n_layer_[0];
  // The halo: every other cell a kinetic face's stencil reads.
  const std::size_t n = slot_cell_.size();
  for (int dir = 0; dir < 2; ++dir) {
    const std::ptrdiff_t step = dir == 0 ? 1 : m.sx();
    for (const std::size_t a : faces.kinetic[dir].faces.left_cell)
      for (const std::ptrdiff_t off : {-step, std::ptrdiff_t{0}, step, 2 * step})
        if (cell_slot_[a + off] < 0) assign(a + off);
  }
  // A ghost that copies a kinetic cell reads that cell's distribution, which may be
  // another rank's (a periodic side): the source gets a slot too.
  for (std::size_t k = n; k < slot_cell_.size(); ++k)
    if (const HaloRule* rule = domain.ghost_rule(slot_cell_[k]))
      if (rule->action != HaloAction::inflow && domain.is_kinetic(rule->source) && cell_slot_[rule->source] < 0)
        assign(rule->source);
  f_.assign(n * nf_, 0.0);
  rhs_.assign(n * nf_, 0.0);
  sum_.assign(n * nf_, 0.0);
  transport_.assign(n * nf_, 0.0);
  stage_.assign(slot_cell_.size() * nf_, 0.0);
}

void KineticStore::relayout(const Domain& domain, const FaceSet& faces, const std::vector<double>& U, int nvar,
                            const std::unordered_map<std::size_t, const double*>& arrived) {
  KineticStore next(coupling_, f_.get_allocator().memory());
  const std::size_t old_kinetic = n_kinetic();
  // Every rank keeps its store when any rank's relayout fails (ranks::agree).
  ranks::agreed([&] {
    next.lay_out(domain, faces);
    parallel_for(next.n_kinetic(), Schedule::dynamic, [&](std::size_t slot) {
      const std::size_t cell = next.slot_cell_[slot];
      const std::int64_t before = cell_slot_[cell];
      double* f = next.f(slot);
      if (before >= 0 && static_cast<std::size_t>(before) < old_kinetic)
        std::copy_n(this->f(static_cast<std::size_t>(before)), nf_, f);
      else if (const auto moved = arrived.find(cell); moved != arrived.end())
        std::copy_n(moved->second, nf_, f);
      else
        try {
          coupling_.reconstruct(&U[cell * nvar], f);
        } catch (...) {
          rethrow_with_context(domain.describe(cell) + ", entering layer " + std::to_string(domain.layer(cell)));
        }
    });
  });
  slot_cell_ = std::move(next.slot_cell_);
  cell_slot_ = std::move(next.cell_slot_);
  std::copy_n(next.n_layer_, 2, n_layer_);
  f_ = std::move(next.f_);
  stage_ = std::move(next.stage_);
  rhs_ = std::move(next.rhs_);
  sum_ = std::move(next.sum_);
  transport_ = std::move(next.transport_);
  advanced_ = false;
}

void KineticStore::project_to(const KineticArray& f, std::vector<double>& U, int nvar) const {
  const std::size_t n = n_kinetic();
#pragma omp parallel for schedule(static)
  for (std::size_t slot = 0; slot < n; ++slot) coupling_.project(&f[slot * nf_], &U[slot_cell_[slot] * nvar]);
}

}  // namespace strata::core
