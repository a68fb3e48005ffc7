#include "kinetic_store.hpp"

#include <algorithm>

#include "engine_types.hpp"
#include "strata/toolkit/parallel.hpp"
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

namespace {
// Room for n values in a's storage; an array that grows from a non-empty one gets 1/8 to
// spare, so that a hybrid region growing by a few cells per step does not reallocate
// each time. The contents are lost when it grows. Storage never shrinks.
void make_room(KineticArray& a, std::size_t n) {
  if (n <= a.capacity() || a.capacity() == 0) return;
  KineticArray(a.get_allocator()).swap(a);  // release first: no old and new side by side
  a.reserve(n + n / 8);
}

void zero_fill(KineticArray& a, std::size_t n) {
  make_room(a, n);
  a.assign(n, 0.0);
}
}  // namespace

void KineticStore::size_explicit_part(std::size_t rows) {
  make_room(explicit_, rows * nf_);
  explicit_.resize(rows * nf_);
}

KineticStore::Slots KineticStore::plan(const Domain& domain, const FaceSet& faces) {
  const Mesh& m = domain.mesh();
  Slots s;
  s.cell_slot.assign(m.n_stored(), -1);
  auto assign = [&](std::size_t c) {
    s.cell_slot[c] = static_cast<std::int64_t>(s.slot_cell.size());
    s.slot_cell.push_back(c);
  };
  for (int layer = 1; layer <= 2; ++layer)
    for (const std::size_t c : domain.owned_cells())
      if (domain.layer(c) == layer) assign(c);
  for (const std::size_t c : s.slot_cell) s.n_layer[0] += domain.layer(c) == 1;
  s.n_layer[1] = s.slot_cell.size() - s.n_layer[0];
  // The halo: every other cell a kinetic face's stencil reads.
  const std::size_t n = s.slot_cell.size();
  for (int dir = 0; dir < 2; ++dir) {
    const std::ptrdiff_t step = dir == 0 ? 1 : m.sx();
    for (const std::size_t a : faces.kinetic[dir].faces.left_cell)
      for (const std::ptrdiff_t off : {-step, std::ptrdiff_t{0}, step, 2 * step})
        if (s.cell_slot[a + off] < 0) assign(a + off);
  }
  // A ghost that copies a kinetic cell reads that cell's distribution, which may be
  // another rank's (a periodic side): the source gets a slot too.
  for (std::size_t k = n; k < s.slot_cell.size(); ++k)
    if (const HaloRule* rule = domain.ghost_rule(s.slot_cell[k]))
      if (rule->copies() && domain.is_kinetic(rule->source) && s.cell_slot[rule->source] < 0)
        assign(rule->source);
  return s;
}

void KineticStore::install(Slots slots, bool keep_f) {
  slot_cell_ = std::move(slots.slot_cell);
  cell_slot_ = std::move(slots.cell_slot);
  std::copy_n(slots.n_layer, 2, n_layer_);
  const std::size_t n = n_kinetic() * nf_;
  if (!keep_f) zero_fill(f_, n);
  for (KineticArray* a : {&rhs_, &sum_, &transport_}) zero_fill(*a, n);
  zero_fill(stage_, slot_cell_.size() * nf_);
  advanced_ = false;
  ++host_version_;
}

void KineticStore::lay_out(const Domain& domain, const FaceSet& faces) { install(plan(domain, faces), false); }

void KineticStore::relayout(const Domain& domain, const FaceSet& faces, const std::vector<double>& U, int nvar,
                            const std::unordered_map<std::size_t, const double*>& arrived) {
  Slots next;
  const std::size_t old_kinetic = n_kinetic();
  KineticArray& fresh = transport_;  // the next f; q is rebuilt at every stage
  // Room for the old f's storage to become the next transport array; kept aside here
  // so that every allocation happens before the store changes.
  KineticArray spare(f_.get_allocator());
  // Every rank keeps its store when any rank's relayout fails (ranks::agree): all
  // allocations and reconstructions happen inside, and on failure the scratch arrays
  // (transport, rhs, stage; sum, whose fⁿ no caller restores after a relayout) get
  // their sizes back, which needs no allocation since storage never shrinks.
  const std::size_t sizes[] = {transport_.size(), rhs_.size(), sum_.size(), stage_.size()};
  try {
    ranks::agreed([&] {
      next = plan(domain, faces);
      const std::size_t n = next.n_kinetic() * nf_;
      zero_fill(fresh, n);
      toolkit::parallel_for(next.n_kinetic(), toolkit::Schedule::dynamic, [&](std::size_t slot) {
        const std::size_t cell = next.slot_cell[slot];
        const std::int64_t before = cell_slot_[cell];
        double* f = &fresh[slot * nf_];
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
      if (n > sum_.capacity()) advanced_ = false;  // sum's fⁿ is about to go
      for (KineticArray* a : {&rhs_, &sum_}) make_room(*a, n);
      make_room(stage_, next.slot_cell.size() * nf_);
      if (n > f_.capacity()) spare.reserve(n + n / 8);
    });
  } catch (...) {
    KineticArray* scratch[] = {&transport_, &rhs_, &sum_, &stage_};
    for (int k = 0; k < 4; ++k) scratch[k]->resize(sizes[k]);
    throw;
  }
  f_.swap(fresh);                                   // the new f in; the old f's storage ...
  if (spare.capacity() > 0) transport_.swap(spare);  // ... or the larger spare is the next q
  install(std::move(next), true);                   // every array has room: no allocation
}

void KineticStore::project_to(const KineticArray& f, std::vector<double>& U, int nvar, std::size_t slots) const {
#pragma omp parallel for schedule(static)
  for (std::size_t slot = 0; slot < slots; ++slot) coupling_.project(&f[slot * nf_], &U[slot_cell_[slot] * nvar]);
}

void KineticStore::project_to(const KineticArray& f, std::vector<double>& U, int nvar,
                              const std::vector<std::size_t>& slots) const {
#pragma omp parallel for schedule(static)
  for (std::size_t k = 0; k < slots.size(); ++k)
    coupling_.project(&f[slots[k] * nf_], &U[slot_cell_[slots[k]] * nvar]);
}

}  // namespace strata::core
