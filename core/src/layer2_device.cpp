#include "layer2_device.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "device_library.hpp"
#include "diagnostics.hpp"
#include "partition.hpp"
#include "transport.hpp"

namespace strata::core {

// Device memory of one array, grown (never shrunk, contents not kept) on demand.
class Layer2Device::Buffer {
 public:
  explicit Buffer(DeviceEngine& engine) : engine_(engine) {}
  ~Buffer() { engine_.release(p_); }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  template <class T = double>
  T* reserve(std::size_t count) {
    if (const std::size_t bytes = count * sizeof(T); bytes > bytes_) {
      engine_.release(p_);
      p_ = nullptr, bytes_ = 0;
      p_ = engine_.allocate(bytes + bytes / 8);  // 1/8 to spare, as the host store
      bytes_ = bytes + bytes / 8;
    }
    return data<T>();
  }
  template <class T = double>
  T* data() const {
    return static_cast<T*>(p_);
  }
  template <class T>
  void upload(const std::vector<T>& host) {
    engine_.to_device(reserve<T>(std::max<std::size_t>(host.size(), 1)), host.data(), host.size() * sizeof(T));
  }
  void swap(Buffer& other) { std::swap(p_, other.p_), std::swap(bytes_, other.bytes_); }

 private:
  DeviceEngine& engine_;
  void* p_ = nullptr;
  std::size_t bytes_ = 0;
};

Layer2Device::Layer2Device(std::shared_ptr<DeviceLibrary> library, const Coupling& coupling, const Gas& gas,
                           HostAllocator<double> host)
    : library_(std::move(library)), engine_(library_->engine()), coupling_(coupling), gas_(gas), staging_(host) {
  for (auto* b : {&f_, &sum_, &rhs_, &Y_, &q_, &E_, &packed_, &moments_d_, &inv_eps_d_, &velocity_[0], &velocity_[1],
                  &host_read_d_, &q_rows_d_, &start_d_[0], &start_d_[1], &rows_d_[0], &rows_d_[1]})
    *b = std::make_unique<Buffer>(engine_);
}

Layer2Device::~Layer2Device() = default;

std::unique_ptr<Layer2Device> Layer2Device::for_run(const Case& c, const Coupling& coupling, const Gas& gas,
                                                    HostAllocator<double> host) {
  if (!c.resident_layer2 || !c.boltzmann.needed) return nullptr;
  try {
    return std::make_unique<Layer2Device>(load_device_library(c.plugin_dirs), coupling, gas, std::move(host));
  } catch (const std::exception& e) {
    throw CaseError({c.file.string() + ": /gpu/resident_layer2: true, but " + e.what()});
  }
}

std::string Layer2Device::device_name() const { return engine_.device_name(); }

void Layer2Device::plan(const KineticStore& store, const Domain& domain, const Transport& transport,
                        const Partition& partition) {
  first_ = store.first_slot(2), n_ = store.n_layer(2), nf_ = store.values_per_cell();
  const std::size_t n_slots = store.n_slots();
  std::vector<std::int64_t> row(n_slots, -1);  // Y row of each slot with one
  for (std::size_t r = 0; r < n_; ++r) row[first_ + r] = static_cast<std::int64_t>(r);
  extra_slots_.clear();
  std::vector<char> read(n_, 0), q_touched(n_, 0);
  auto layer2_row = [&](std::size_t cell) -> std::int64_t {
    const std::int64_t slot = store.slot_of(cell);
    if (slot < 0) return -1;
    const auto s = static_cast<std::size_t>(slot);
    return s >= first_ && s < first_ + n_ ? static_cast<std::int64_t>(s - first_) : -1;
  };
  auto y_row = [&](std::size_t cell) {
    const auto slot = static_cast<std::size_t>(store.slot_of(cell));
    if (row[slot] < 0) {
      row[slot] = static_cast<std::int64_t>(n_ + extra_slots_.size());
      extra_slots_.push_back(slot);
    }
    return row[slot];
  };
  const Mesh& m = domain.mesh();
  h_[0] = m.dx, h_[1] = m.dy;
  const FaceSet& faces = transport.faces();
  std::vector<std::int64_t> rows[2];
  for (int dir = 0; dir < 2; ++dir) {
    const KineticFaces& kf = faces.kinetic[dir];
    const std::size_t step = dir == 0 ? 1 : m.sx();
    line_start_[dir] = {0};
    for (std::size_t line = 0; line + 1 < kf.line_start.size(); ++line) {
      const std::size_t before = rows[dir].size();
      for (std::size_t face = kf.line_start[line]; face < kf.line_start[line + 1]; ++face) {
        const std::size_t a = kf.faces.left_cell[face], b = a + step;
        const auto stencil = face_stencil(a, step);
        if (transport.on_device(a, b)) {
          for (const std::size_t c : stencil) rows[dir].push_back(y_row(c));
          continue;
        }
        for (const std::size_t c : stencil)
          if (const std::int64_t r = layer2_row(c); r >= 0) read[static_cast<std::size_t>(r)] = 1;
        for (const std::size_t c : {a, b})
          if (const std::int64_t r = layer2_row(c); r >= 0) q_touched[static_cast<std::size_t>(r)] = 1;
      }
      if (rows[dir].size() > before) line_start_[dir].push_back(static_cast<std::int64_t>(rows[dir].size() / 4));
    }
  }
  // Ghosts copy (or mirror, or re-emit at a wall) their source's stage values on the host;
  // other ranks receive the stage values their stencils read.
  for (const HaloRule& rule : domain.halo_rules())
    if (const std::int64_t r = layer2_row(rule.source); r >= 0 && store.slot_of(rule.ghost) >= 0)
      read[static_cast<std::size_t>(r)] = 1;
  for (const std::size_t cell : partition.cells_sent(Partition::Sent::distributions))
    if (const std::int64_t r = layer2_row(cell); r >= 0) read[static_cast<std::size_t>(r)] = 1;
  host_read_.clear(), q_rows_.clear();
  for (std::size_t r = 0; r < n_; ++r) {
    if (read[r]) host_read_.push_back(static_cast<std::int64_t>(r));
    if (q_touched[r]) q_rows_.push_back(static_cast<std::int64_t>(r));
  }
  // Device memory for the new plan, and f up.
  const std::size_t values = n_ * nf_;
  for (auto* b : {&f_, &sum_, &rhs_, &q_, &E_}) (*b)->reserve(values);
  Y_->reserve((n_ + extra_slots_.size()) * nf_);
  packed_->reserve(std::max(host_read_.size(), q_rows_.size()) * nf_);
  moments_d_->reserve(n_ * static_cast<std::size_t>(gas_.n_species()) * 5);
  host_read_d_->upload(host_read_);
  q_rows_d_->upload(q_rows_);
  for (int dir = 0; dir < 2; ++dir) {
    start_d_[dir]->upload(line_start_[dir]);
    rows_d_[dir]->upload(rows[dir]);
    velocity_[dir]->upload(std::vector<double>(store.velocity(dir), store.velocity(dir) + coupling_.points()));
  }
  if (values > 0) engine_.to_device(f_->data(), store.f(first_), values * sizeof(double));
}

void Layer2Device::prepare(const KineticStore& store, const Domain& domain, const Transport& transport,
                           const Partition& partition) {
  if (!planned_ || store.host_version() != planned_version_) {
    plan(store, domain, transport, partition);
    planned_ = true, planned_version_ = store.host_version();
  }
  inv_eps_.resize(n_);
  for (std::size_t r = 0; r < n_; ++r) inv_eps_[r] = 1.0 / domain.knudsen(store.slot_cell(first_ + r));
  inv_eps_d_->upload(inv_eps_);
}

sdk::ConstRows Layer2Device::rhs(int stage) const {
  const auto rows = static_cast<std::int64_t>(n_), cols = static_cast<std::int64_t>(nf_);
  return {(stage == 0 ? f_ : rhs_)->data(), rows, cols, cols, sdk::MemorySpace::cuda_device};
}

sdk::Rows Layer2Device::stage_values() const {
  const auto rows = static_cast<std::int64_t>(n_), cols = static_cast<std::int64_t>(nf_);
  return {Y_->data(), rows, cols, cols, sdk::MemorySpace::cuda_device};
}

sdk::Rows Layer2Device::explicit_part(bool has) const {
  const auto cols = static_cast<std::int64_t>(nf_);
  if (!has) return {nullptr, 0, cols, cols, sdk::MemorySpace::cuda_device};
  return {E_->data(), static_cast<std::int64_t>(n_), cols, cols, sdk::MemorySpace::cuda_device};
}

void Layer2Device::moments_to(const double* f, const KineticStore& store, std::vector<double>& U, int nvar) {
  if (n_ == 0) return;
  const int S = gas_.n_species();
  const std::size_t blocks = n_ * static_cast<std::size_t>(S);
  engine_.conserved_moments(coupling_.grid().n, coupling_.grid().L, f, blocks, moments_d_->data());
  moments_.resize(blocks * 5);
  engine_.to_host(moments_.data(), moments_d_->data(), moments_.size() * sizeof(double));
  for (std::size_t r = 0; r < n_; ++r) {
    double* u = &U[store.slot_cell(first_ + r) * static_cast<std::size_t>(nvar)];
    std::fill_n(u, nvar, 0.0);
    for (int s = 0; s < S; ++s) coupling_.add_species_moments(s, &moments_[(r * static_cast<std::size_t>(S) + s) * 5], u);
  }
}

void Layer2Device::after_stage_values(KineticStore& store, std::vector<double>& U, int nvar) {
  engine_.synchronize();
  moments_to(Y_->data(), store, U, nvar);
  if (host_read_.empty()) return;
  engine_.gather_rows(Y_->data(), host_read_d_->data<std::int64_t>(), host_read_.size(), nf_, packed_->data());
  staging_.resize(host_read_.size() * nf_);
  engine_.to_host(staging_.data(), packed_->data(), staging_.size() * sizeof(double));
  KineticArray& stage = store.stage();
  for (std::size_t i = 0; i < host_read_.size(); ++i)
    std::copy_n(&staging_[i * nf_], nf_, &stage[(first_ + static_cast<std::size_t>(host_read_[i])) * nf_]);
}

void Layer2Device::upload_halo(const KineticStore& store) {
  if (extra_slots_.empty()) return;
  staging_.resize(extra_slots_.size() * nf_);
  const KineticArray& stage = store.stage();
  for (std::size_t i = 0; i < extra_slots_.size(); ++i)
    std::copy_n(&stage[extra_slots_[i] * nf_], nf_, &staging_[i * nf_]);
  engine_.to_device(Y_->data() + n_ * nf_, staging_.data(), staging_.size() * sizeof(double));
}

void Layer2Device::transport(KineticStore& store, bool explicit_part) {
  if (n_ == 0) return;
  const std::size_t values = n_ * nf_;
  engine_.zero(q_->data(), values * sizeof(double));
  for (int dir = 0; dir < 2; ++dir) {
    const std::size_t n_lines = line_start_[dir].size() - 1;
    if (n_lines == 0) continue;
    const device::FaceLines lines{start_d_[dir]->data<std::int64_t>(), rows_d_[dir]->data<std::int64_t>(), n_lines,
                                  velocity_[dir]->data(), nf_, coupling_.points(), h_[dir], 1.0 / h_[dir]};
    engine_.face_lines(lines, Y_->data(), q_->data());
  }
  if (!q_rows_.empty()) {
    staging_.resize(q_rows_.size() * nf_);
    KineticArray& q = store.transport();
    for (std::size_t i = 0; i < q_rows_.size(); ++i) {
      double* row = &q[(first_ + static_cast<std::size_t>(q_rows_[i])) * nf_];
      std::copy_n(row, nf_, &staging_[i * nf_]);
      std::fill_n(row, nf_, 0.0);  // for the next stage (Transport::kinetic_fluxes)
    }
    engine_.to_device(packed_->data(), staging_.data(), staging_.size() * sizeof(double));
    engine_.scatter_rows(packed_->data(), q_rows_d_->data<std::int64_t>(), q_rows_.size(), nf_, q_->data(), true);
  }
  if (explicit_part) engine_.add_explicit(q_->data(), E_->data(), inv_eps_d_->data(), nf_, values);
}

void Layer2Device::accumulate(int stage, const device::Pr222& c) {
  if (n_ == 0) return;
  if (stage == 0) engine_.pr222_first(c, f_->data(), Y_->data(), q_->data(), sum_->data(), rhs_->data(), n_ * nf_);
  else engine_.pr222_second(c, rhs_->data(), Y_->data(), q_->data(), sum_->data(), n_ * nf_);
}

void Layer2Device::finish_step(KineticStore& store, std::vector<double>& U, int nvar) {
  f_->swap(*sum_);
  moments_to(f_->data(), store, U, nvar);
  if (n_ > 0) engine_.to_host(store.f(first_), f_->data(), n_ * nf_ * sizeof(double));
}

bool Layer2Device::entropy_sums(const KineticStore& store, std::vector<double>& sums) {
  if (!planned_ || store.host_version() != planned_version_) return false;
  if (n_ == 0) return true;
  engine_.entropy_sums(f_->data(), n_, nf_, moments_d_->data());
  engine_.to_host(&sums[first_], moments_d_->data(), n_ * sizeof(double));
  return true;
}

void Layer2Device::bus_traffic(double& up, double& down, double& seconds) const {
  engine_.bus_traffic(up, down, seconds);
}

}  // namespace strata::core
