#pragma once
// Layer 2 resident on a device (docs/architecture.md §6.2; the case key
// gpu.resident_layer2): the distributions of the layer-2 cells, their transport between
// layer-2 cells, the PR(2,2,2) bookkeeping and the collision model's stage values stay in
// device memory from step to step. Per stage only the layer-2 boundary crosses the bus:
//   up:   the stencil rows of the device faces that are not layer-2 cells (Maxwellian
//         reconstructions, wall ghosts, layer-1 cells, other ranks' cells), filled on
//         the host as ever, and the host faces' share of q for the layer-2 cells they touch;
//   down: the layer-2 rows the host reads (its faces' stencils, ghosts' sources, what
//         other ranks receive) and five moments per cell and species.
// After each step f^{n+1} comes down once, so that outputs, the indicator, checkpoints
// and relayouts read the host store as they always have; when the host changes the store
// (a relayout, a restart, a refused step), f goes up again before the next step.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "case.hpp"
#include "coupling.hpp"
#include "device_engine.hpp"
#include "domain.hpp"
#include "gas.hpp"
#include "kinetic_store.hpp"
#include "strata/sdk/types.hpp"

namespace strata::core {

class Partition;
class Transport;

class DeviceLibrary;  // engine_device.so, loaded, and the DeviceEngine it made

class Layer2Device {
 public:
  // For a run of case `c` with gpu.resident_layer2 and a layer 2 (else nullptr): the first
  // engine_device.so of the plugin folders (so that --plugin-dir of tests/gpu/emulation
  // picks the emulated one), on the thread's current CUDA device. Throws CaseError naming
  // the key and what is missing (no library, no usable device).
  static std::unique_ptr<Layer2Device> for_run(const Case& c, const Coupling& coupling, const Gas& gas,
                                               HostAllocator<double> host);
  // `host`: the memory of the staging rows that cross the bus (the kinetic store's: a GPU
  // plugin's pinned pages, host_memory.hpp).
  Layer2Device(std::shared_ptr<DeviceLibrary> library, const Coupling& coupling, const Gas& gas, HostAllocator<double> host);
  ~Layer2Device();
  Layer2Device(const Layer2Device&) = delete;
  Layer2Device& operator=(const Layer2Device&) = delete;
  std::string device_name() const;

  // Before a step: the plan of the rows (after the store changed on the host), f up
  // with it, and 1/eps of the layer-2 cells.
  void prepare(const KineticStore& store, const Domain& domain, const Transport& transport,
               const Partition& partition);
  // The collision model's views: the right-hand side of stage `stage` (f, then rhs),
  // the stage values Y, and E(Y) (rows only when the model has an explicit part).
  sdk::ConstRows rhs(int stage) const;
  sdk::Rows stage_values() const;
  sdk::Rows explicit_part(bool has) const;
  // After the stage values: their moments into U at the layer-2 cells, and the rows the
  // host reads into store.stage().
  void after_stage_values(KineticStore& store, std::vector<double>& U, int nvar);
  // After the host filled the kinetic halo: the device faces' other stencil rows go up.
  void upload_halo(const KineticStore& store);
  // q of the layer-2 cells: the device faces' fluxes, the host faces' share (from
  // store.transport()), and E(Y)/eps when the model has an explicit part.
  // The host faces' rows of store.transport() are left zero (Transport::kinetic_fluxes
  // relies on it: its first face of a row sets it, the others add).
  void transport(KineticStore& store, bool explicit_part);
  void accumulate(int stage, const device::Pr222& c);
  // After the step (store.advance() done): f^{n+1} := sum, f^n kept in sum; its
  // moments into U, and f^{n+1} down into store.f().
  void finish_step(KineticStore& store, std::vector<double>& U, int nvar);
  // Σ_k -f ln f of each layer-2 slot's f into sums[slot] (RunDiagnostics::entropy), when
  // the device's f is the host's (false after the host changed the store: a relayout).
  bool entropy_sums(const KineticStore& store, std::vector<double>& sums);
  // Bytes each way and seconds on the bus so far.
  void bus_traffic(double& up, double& down, double& seconds) const;

 private:
  class Buffer;
  void plan(const KineticStore& store, const Domain& domain, const Transport& transport, const Partition& partition);
  void moments_to(const double* f, const KineticStore& store, std::vector<double>& U, int nvar);
  std::shared_ptr<DeviceLibrary> library_;
  DeviceEngine& engine_;
  const Coupling& coupling_;
  const Gas& gas_;
  std::uint64_t planned_version_ = 0;
  bool planned_ = false;
  std::size_t first_ = 0, n_ = 0, nf_ = 0;  // layer-2 slots [first_, first_ + n_), values per row
  double h_[2] = {0.0, 0.0};                 // mesh spacing: x, y
  std::vector<std::size_t> extra_slots_;     // the Y rows after the layer-2 ones
  std::vector<std::int64_t> host_read_, q_rows_;  // layer-2 rows
  std::vector<std::int64_t> line_start_[2];
  KineticArray staging_;  // rows on their way across the bus
  std::vector<double> moments_, inv_eps_;
  std::unique_ptr<Buffer> f_, sum_, rhs_, Y_, q_, E_, packed_, moments_d_, inv_eps_d_, velocity_[2];
  std::unique_ptr<Buffer> host_read_d_, q_rows_d_, start_d_[2], rows_d_[2];
};

}  // namespace strata::core
