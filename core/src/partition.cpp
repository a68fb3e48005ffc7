#include "partition.hpp"

#include <algorithm>
#include <unordered_map>

#include "ranks.hpp"

#ifdef STRATA_MPI
#include <mpi.h>
#include <zoltan.h>
#endif

namespace strata::core {

Partition::Partition(Domain& domain, const Gas& gas, KineticStore& store, Transport& transport)
    : domain_(domain), gas_(gas), store_(store), transport_(transport) {}

LayerCost Partition::prior_cost() const {
  // docs/performance.md: an Euler cell-step costs about a microsecond, an ES-BGK
  // cell-step about 20 ns and a Boltzmann one about 200 ns per velocity point.
  const auto nf = static_cast<double>(store_.values_per_cell());
  return {1e-6, 2e-8 * nf, 2e-7 * nf};
}

double Partition::imbalance(const LayerCost& cost, const std::vector<std::int32_t>& owners) const {
  const int P = ranks::size();
  if (P == 1) return 1.0;
  std::vector<double> load(P, 0.0);
  double total = 0.0;
  for (const std::size_t c : domain_.updated_cells()) {
    const double w = cost[domain_.layer(c)];
    load[owners[c]] += w;
    total += w;
  }
  return total > 0 ? *std::max_element(load.begin(), load.end()) / (total / P) : 1.0;
}

void Partition::check_rank_count() const {
  const std::size_t cells = domain_.updated_cells().size();
  if (ranks::size() > 1 && cells < static_cast<std::size_t>(ranks::size()))
    ranks::agree(std::make_exception_ptr(
        RunError("the run has " + std::to_string(ranks::size()) + " MPI ranks for " + std::to_string(cells) +
                 " cells to update; start it with at most " + std::to_string(cells) + " ranks (mpirun -np)")));
}

void Partition::assign(const LayerCost& cost) {
  check_rank_count();
  if (ranks::size() > 1) domain_.set_owners(zoltan_owners(cost), ranks::rank());
  transport_.classify_faces();
  ranks::agreed([&] { store_.lay_out(domain_, transport_.faces()); });
  plan();
}

bool Partition::rebalance(const LayerCost& cost, double threshold, std::vector<double>& U) {
  if (ranks::size() == 1) return false;
  const double now = imbalance(cost);
  if (!(now > threshold)) return false;
  const std::vector<std::int32_t> next = zoltan_owners(cost);
  if (!(imbalance(cost, next) < now)) return false;  // no better partition: nothing moves
  // Cells that change owner travel to the new one: their conserved variables and, for
  // kinetic cells, their distributions.
  const std::size_t nf = store_.values_per_cell(), nvar = static_cast<std::size_t>(gas_.n_vars());
  std::vector<std::vector<std::int64_t>> ids(ranks::size());
  std::vector<std::vector<double>> values(ranks::size());
  ranks::agreed([&] {  // the send buffers: an allocation that fails on one rank stops all
    for (const std::size_t cell : domain_.owned_cells()) {
      const int to = next[cell];
      if (to == ranks::rank()) continue;
      ids[to].push_back(static_cast<std::int64_t>(cell));
      values[to].insert(values[to].end(), &U[cell * nvar], &U[cell * nvar] + nvar);
      if (domain_.is_kinetic(cell)) {
        const double* f = store_.f(static_cast<std::size_t>(store_.slot_of(cell)));
        values[to].insert(values[to].end(), f, f + nf);
      }
    }
  });
  for (const auto& v : values) traffic_.migration += static_cast<double>(v.size() * sizeof(double));
  const auto arrived_ids = ranks::exchange(ids);
  const auto arrived_values = ranks::exchange(values);
  std::unordered_map<std::size_t, const double*> arrived;
  for (int r = 0; r < ranks::size(); ++r) {
    const double* v = arrived_values[r].data();
    for (const std::int64_t id : arrived_ids[r]) {
      const auto cell = static_cast<std::size_t>(id);
      std::copy_n(v, nvar, &U[cell * nvar]);
      v += nvar;
      if (domain_.is_kinetic(cell)) {
        arrived[cell] = v;
        v += nf;
      }
    }
  }
  const std::vector<std::int32_t> before = domain_.owners();
  domain_.set_owners(next, ranks::rank());
  transport_.classify_faces();
  try {
    store_.relayout(domain_, transport_.faces(), U, gas_.n_vars(), arrived);
  } catch (...) {  // every rank (the relayout agrees): the old owners, faces and store
    domain_.set_owners(before, ranks::rank());
    transport_.classify_faces();
    throw;
  }
  plan();
  return true;
}

// The cells this rank's faces read (four per face) and the sources of the ghosts
// among them, requested from their owners; a kinetic cell's distribution comes too
// when the store holds a slot for it (a kinetic face reads it).
void Partition::plan() {
  const int P = ranks::size();
  receive_.assign(P, {});
  send_.assign(P, {});
  if (P == 1) return;
  const Mesh& m = domain_.mesh();
  const FaceSet& faces = transport_.faces();
  std::vector<std::uint8_t> needed(m.n_stored(), 0);
  for (int dir = 0; dir < 2; ++dir) {
    const std::size_t step = dir == 0 ? 1 : m.sx();
    for (const FaceList* list : {&faces.fluid[dir], &faces.kinetic[dir].faces})
      for (const std::size_t a : list->left_cell)
        for (const std::size_t c : face_stencil(a, step))  // and a ghost's sources
          domain_.for_each_source(c, [&](std::size_t s) { needed[s] = 1; });
  }
  std::vector<std::vector<std::int64_t>> requests(P);
  for (std::size_t c = 0; c < m.n_stored(); ++c) {
    if (!needed[c] || !domain_.updated(c) || domain_.owned(c)) continue;
    const int owner = domain_.owner(c);
    const bool with_f = domain_.is_kinetic(c) && store_.slot_of(c) >= 0;
    receive_[owner].cells.push_back(c);
    receive_[owner].with_f.push_back(with_f);
    requests[owner].push_back(static_cast<std::int64_t>(2 * c + with_f));
  }
  const auto asked = ranks::exchange(requests);
  for (int r = 0; r < P; ++r)
    for (const std::int64_t code : asked[r]) {
      const auto c = static_cast<std::size_t>(code / 2);
      const bool with_f = code % 2 != 0;
      send_[r].cells.push_back(c);
      send_[r].with_f.push_back(with_f);
    }
}

void Partition::exchange_stage(std::vector<double>& Y, std::exception_ptr error) {
  ranks::agree(error);
  exchange(Y, true);
}

void Partition::exchange_halo(std::vector<double>& U, std::exception_ptr error) {
  ranks::agree(error);
  exchange(U, false);
}

std::vector<std::size_t> Partition::cells_sent(Sent what) const {
  std::vector<std::size_t> cells;
  for (const Link& link : send_)
    for (std::size_t k = 0; k < link.cells.size(); ++k)
      if (what == Sent::values || link.with_f[k]) cells.push_back(link.cells[k]);
  return cells;
}

void Partition::exchange(std::vector<double>& Y, bool distributions) {
  const int P = ranks::size();
  if (P == 1) return;
  const std::size_t nvar = static_cast<std::size_t>(gas_.n_vars()), nf = store_.values_per_cell();
  KineticArray& stage = store_.stage();
  auto with_f = [&](const Link& link, std::size_t k) { return distributions && link.with_f[k]; };
  std::vector<std::vector<double>> out(P);
  std::vector<std::size_t> counts(P);
  for (int r = 0; r < P; ++r) {
    const Link& link = send_[r];
    for (std::size_t k = 0; k < link.cells.size(); ++k) {
      const std::size_t c = link.cells[k];
      out[r].insert(out[r].end(), &Y[c * nvar], &Y[c * nvar] + nvar);
      if (with_f(link, k)) {
        const double* f = &stage[static_cast<std::size_t>(store_.slot_of(c)) * nf];
        out[r].insert(out[r].end(), f, f + nf);
      }
    }
    for (std::size_t k = 0; k < receive_[r].cells.size(); ++k) counts[r] += nvar + (with_f(receive_[r], k) ? nf : 0);
    (distributions ? traffic_.stage : traffic_.share) += static_cast<double>(out[r].size() * sizeof(double));
  }
  const auto in = ranks::exchange(out, counts);
  for (int r = 0; r < P; ++r) {
    const Link& link = receive_[r];
    const double* v = in[r].data();
    for (std::size_t k = 0; k < link.cells.size(); ++k) {
      const std::size_t c = link.cells[k];
      std::copy_n(v, nvar, &Y[c * nvar]);
      v += nvar;
      if (with_f(link, k)) {
        std::copy_n(v, nf, &stage[static_cast<std::size_t>(store_.slot_of(c)) * nf]);
        v += nf;
      }
    }
  }
}

void Partition::gather_to_root(std::vector<double>& values, int width) const {
  if (ranks::size() == 1) return;
  const Mesh& m = domain_.mesh();
  const auto w = static_cast<std::size_t>(width);
  std::vector<double> mine;
  for (int j = 0; j < m.ny; ++j)
    for (int i = 0; i < m.nx; ++i)
      if (const std::size_t c = m.index(i, j); domain_.owner(c) == ranks::rank())
        mine.insert(mine.end(), &values[c * w], &values[c * w] + w);
  const std::vector<double> all = ranks::gather_to_root(mine);
  if (!ranks::root()) return;
  std::vector<std::size_t> offset(ranks::size() + 1, 0);  // rank order, each in mesh order
  for (int j = 0; j < m.ny; ++j)
    for (int i = 0; i < m.nx; ++i) ++offset[domain_.owner(m.index(i, j)) + 1];
  for (int r = 0; r < ranks::size(); ++r) offset[r + 1] += offset[r];
  for (int j = 0; j < m.ny; ++j)
    for (int i = 0; i < m.nx; ++i) {
      const std::size_t c = m.index(i, j);
      std::copy_n(&all[offset[domain_.owner(c)]++ * w], w, &values[c * w]);
    }
}

void Partition::share_kinetic(std::vector<double>& values, int width, std::exception_ptr error) const {
  ranks::agree(error);
  if (ranks::size() == 1) return;
  const auto w = static_cast<std::size_t>(width);
  std::vector<std::size_t> cells;  // ascending
  for (const std::size_t c : domain_.updated_cells())
    if (domain_.is_kinetic(c)) cells.push_back(c);
  std::vector<double> mine;
  for (const std::size_t c : cells)
    if (domain_.owner(c) == ranks::rank()) mine.insert(mine.end(), &values[c * w], &values[c * w] + w);
  const std::vector<double> all = ranks::all_gather(mine);
  traffic_.share += static_cast<double>(mine.size() * sizeof(double) * (ranks::size() - 1));
  // all_gather concatenates in rank order; each rank's cells are its owned cells in
  // ascending order.
  std::vector<std::size_t> offset(ranks::size() + 1, 0);
  for (const std::size_t c : cells) ++offset[domain_.owner(c) + 1];
  for (int r = 0; r < ranks::size(); ++r) offset[r + 1] += offset[r];
  for (const std::size_t c : cells) std::copy_n(&all[offset[domain_.owner(c)]++ * w], w, &values[c * w]);
}

std::array<int, 4> Partition::own_rectangle() const {
  const Mesh& m = domain_.mesh();
  if (ranks::size() == 1 || pieces().empty()) return {0, m.nx, 0, m.ny};
  std::array<int, 4> box = {m.nx, 0, m.ny, 0};
  for (int j = 0; j < m.ny; ++j)
    for (int i = 0; i < m.nx; ++i)
      if (domain_.owner(m.index(i, j)) == ranks::rank())
        box = {std::min(box[0], i), std::max(box[1], i + 1), std::min(box[2], j), std::max(box[3], j + 1)};
  return box[1] > box[0] ? box : std::array<int, 4>{0, 0, 0, 0};
}

std::vector<std::array<int, 4>> Partition::pieces() const {
  const int P = ranks::size();
  if (P == 1) return {};
  const Mesh& m = domain_.mesh();
  std::vector<std::array<int, 4>> box(P, {m.nx, 0, m.ny, 0});
  std::vector<long> count(P, 0);
  for (int j = 0; j < m.ny; ++j)
    for (int i = 0; i < m.nx; ++i) {
      const int r = domain_.owner(m.index(i, j));
      box[r] = {std::min(box[r][0], i), std::max(box[r][1], i + 1), std::min(box[r][2], j), std::max(box[r][3], j + 1)};
      ++count[r];
    }
  std::vector<std::array<int, 4>> pieces;
  for (int r = 0; r < P; ++r) {
    if (count[r] == 0) continue;
    if (count[r] != static_cast<long>(box[r][1] - box[r][0]) * (box[r][3] - box[r][2])) return {};
    pieces.push_back(box[r]);
  }
  return pieces;
}

#ifdef STRATA_MPI
namespace {
// What Zoltan's query functions read: this rank's cells, their weights and centres.
struct ZoltanCells {
  std::vector<ZOLTAN_ID_TYPE> ids;
  std::vector<float> weights;
  std::vector<double> centres;
};

int number_of_cells(void* data, int* error) {
  *error = ZOLTAN_OK;
  return static_cast<int>(static_cast<ZoltanCells*>(data)->ids.size());
}

void list_cells(void* data, int, int, ZOLTAN_ID_PTR global, ZOLTAN_ID_PTR local, int, float* weights, int* error) {
  const auto& cells = *static_cast<ZoltanCells*>(data);
  for (std::size_t k = 0; k < cells.ids.size(); ++k) {
    global[k] = cells.ids[k];
    local[k] = static_cast<ZOLTAN_ID_TYPE>(k);
    weights[k] = cells.weights[k];
  }
  *error = ZOLTAN_OK;
}

int dimensions(void*, int* error) {
  *error = ZOLTAN_OK;
  return 2;
}

void centres(void* data, int, int, int n, ZOLTAN_ID_PTR, ZOLTAN_ID_PTR local, int, double* xy, int* error) {
  const auto& cells = *static_cast<ZoltanCells*>(data);
  for (int k = 0; k < n; ++k) std::copy_n(&cells.centres[2 * local[k]], 2, &xy[2 * k]);
  *error = ZOLTAN_OK;
}
}  // namespace

// Recursive coordinate bisection of the interior cells (solids weigh nothing) with
// rectilinear blocks: every rank's cells form a rectangle of the mesh.
std::vector<std::int32_t> Partition::zoltan_owners(const LayerCost& cost) const {
  const Mesh& m = domain_.mesh();
  ZoltanCells mine;
  for (int j = 0; j < m.ny; ++j)
    for (int i = 0; i < m.nx; ++i) {
      const std::size_t c = m.index(i, j);
      if (domain_.owner(c) != ranks::rank()) continue;
      mine.ids.push_back(static_cast<ZOLTAN_ID_TYPE>(c));
      mine.weights.push_back(domain_.updated(c) ? static_cast<float>(cost[domain_.layer(c)]) : 0.0f);
      mine.centres.insert(mine.centres.end(), {m.xc(i), m.yc(j)});
    }
  // Zoltan balances the weights to a relative tolerance; seconds of order 1e-6 work
  // as well as any other scale.
  Zoltan_Struct* zz = Zoltan_Create(MPI_COMM_WORLD);
  for (const auto& [key, value] : {std::pair{"DEBUG_LEVEL", "0"}, {"LB_METHOD", "RCB"}, {"NUM_GID_ENTRIES", "1"},
                                   {"NUM_LID_ENTRIES", "1"}, {"OBJ_WEIGHT_DIM", "1"}, {"RETURN_LISTS", "EXPORT"},
                                   {"RCB_RECTILINEAR_BLOCKS", "1"}, {"IMBALANCE_TOL", "1.02"}, {"KEEP_CUTS", "0"}})
    Zoltan_Set_Param(zz, key, value);
  Zoltan_Set_Num_Obj_Fn(zz, number_of_cells, &mine);
  Zoltan_Set_Obj_List_Fn(zz, list_cells, &mine);
  Zoltan_Set_Num_Geom_Fn(zz, dimensions, &mine);
  Zoltan_Set_Geom_Multi_Fn(zz, centres, &mine);
  int changes = 0, n_gid = 0, n_lid = 0, n_import = 0, n_export = 0;
  ZOLTAN_ID_PTR import_global = nullptr, import_local = nullptr, export_global = nullptr, export_local = nullptr;
  int *import_procs = nullptr, *import_parts = nullptr, *export_procs = nullptr, *export_parts = nullptr;
  const int status = Zoltan_LB_Partition(zz, &changes, &n_gid, &n_lid, &n_import, &import_global, &import_local,
                                         &import_procs, &import_parts, &n_export, &export_global, &export_local,
                                         &export_procs, &export_parts);
  std::vector<std::int64_t> moves;  // (cell, new owner) pairs of this rank's cells that leave it
  const bool ok = status == ZOLTAN_OK || status == ZOLTAN_WARN;
  if (ok)
    for (int k = 0; k < n_export; ++k) moves.insert(moves.end(), {static_cast<std::int64_t>(export_global[k]), export_parts[k]});
  Zoltan_LB_Free_Part(&import_global, &import_local, &import_procs, &import_parts);
  Zoltan_LB_Free_Part(&export_global, &export_local, &export_procs, &export_parts);
  Zoltan_Destroy(&zz);
  ranks::agree(ok ? nullptr
                                   : std::make_exception_ptr(RunError("Zoltan_LB_Partition failed with status " +
                                                                      std::to_string(status))));
  std::vector<std::int32_t> owner(domain_.owners());
  const std::vector<std::int64_t> all = ranks::all_gather(moves);
  for (std::size_t k = 0; k + 1 < all.size(); k += 2)
    owner[static_cast<std::size_t>(all[k])] = static_cast<std::int32_t>(all[k + 1]);
  return owner;
}
#else
std::vector<std::int32_t> Partition::zoltan_owners(const LayerCost&) const { return domain_.owners(); }
#endif

}  // namespace strata::core
