// Layer 2 on NVIDIA GPUs: the same fast spectral hard-sphere operator, parameters and
// penalisation as boltzmann_fft (toolkit/fast_spectral.hpp,
// plugins/common/penalised_boltzmann.hpp, whose backend this is), with batched cuFFT
// transforms over the cells of a chunk (up to 64 MiB per buffer). An evaluation of the
// operator reads f̂ once to form all 2D + 1 spectra (φ_d f̂, ψ_d f̂ for D directions, L̂ f̂),
// transforms them back in one batched Z2D and reads the 2D + 1 results once to form Q
// (spectral_pointwise.hpp), in sub-batches of cells that fit the device's memory; the
// plans share one cuFFT work area. The other O(N^3) work is in CUDA kernels; only per-cell
// scalars (moments, Maxwellian exponents, β, projection coefficients) cross the bus
// besides the cells' distributions. In a stage (stage_value) the distribution crosses
// once each way and the explicit part once back: Y and M[Y] stay on the device.
// Device memory is plain cudaMalloc (never managed); every CUDA and cuFFT error
// becomes a message naming the call. The distributions' bus traffic is timed (each
// copy after the device is idle, so the time is the copy's alone) and logged when the
// plugin is destroyed: what a device-resident layer 2 would save. The engine keeps its
// kinetic store in pinned pages from this library (STRATA_HOST_MEMORY), which the
// device copies at the bus's speed (55 GB/s each way on an H200 host, against 7-11
// GB/s from ordinary pages: docs/performance.md).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <array>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <cuda_runtime.h>
#include <cufft.h>

#include "penalised_boltzmann.hpp"
#include "spectral_kernels.hpp"

namespace {
using namespace strata;

constexpr sdk::Descriptor descriptor{
    STRATA_SDK_VERSION, "boltzmann_cufft", sdk::PluginKind::collision_model, "1.1.0",
    "hard-sphere Boltzmann by the fast spectral method with batched cuFFT on an NVIDIA GPU, BGK-penalised",
    plugins::boltzmann_params, static_cast<int>(std::size(plugins::boltzmann_params))};

void check(cudaError_t status, const char* call) {
  if (status != cudaSuccess) throw std::runtime_error(std::string(call) + ": " + cudaGetErrorString(status));
}

// This process's rank among the MPI ranks on its machine (Open MPI, Slurm), or -1.
int local_rank() {
  for (const char* name : {"OMPI_COMM_WORLD_LOCAL_RANK", "SLURM_LOCALID", "MPI_LOCALRANKID"})
    if (const char* value = std::getenv(name)) {
      char* end = nullptr;
      const long rank = std::strtol(value, &end, 10);
      if (end != value && *end == '\0' && rank >= 0 && rank < 1 << 20) return static_cast<int>(rank);
    }
  return -1;
}

// Pinned pages for the engine's kinetic store; where the system refuses to pin (a
// limit on locked memory, no device), ordinary pages, remembered so that release()
// frees each block the way it was allocated.
// The set and its mutex are never destroyed: memory may be released at any time
// before the library is unloaded, also during static destruction.
std::mutex& unpinned_mutex() {
  static auto* m = new std::mutex;
  return *m;
}
std::set<void*>& unpinned() {
  static auto* s = new std::set<void*>;
  return *s;
}

void* pinned_allocate(std::size_t bytes) {
  void* p = nullptr;
  if (cudaHostAlloc(&p, bytes, cudaHostAllocPortable) == cudaSuccess) return p;
  cudaGetLastError();  // clear the refusal
  p = std::malloc(bytes);
  if (!p) return nullptr;
  try {
    const std::lock_guard lock(unpinned_mutex());
    unpinned().insert(p);
  } catch (...) {
    std::free(p);
    return nullptr;
  }
  return p;
}

void pinned_release(void* p, std::size_t) {
  {
    const std::lock_guard lock(unpinned_mutex());
    if (unpinned().erase(p)) {
      std::free(p);
      return;
    }
  }
  cudaFreeHost(p);
}

void check(cufftResult status, const char* call) {
  if (status != CUFFT_SUCCESS) throw std::runtime_error(std::string(call) + " failed with cuFFT error " + std::to_string(status));
}

// A device array freed with its owner.
template <class T>
class DeviceArray {
 public:
  DeviceArray() = default;
  explicit DeviceArray(std::size_t n) {
    void* p = nullptr;
    const std::string what = "cudaMalloc of " + std::to_string(n * sizeof(T) >> 20) + " MiB";
    check(cudaMalloc(&p, n * sizeof(T)), what.c_str());
    data_.reset(static_cast<T*>(p));
  }
  T* get() const { return data_.get(); }

 private:
  struct Free {
    void operator()(T* p) const { cudaFree(p); }
  };
  std::unique_ptr<T, Free> data_;
};

// Per-cell vectors travel as arrays of 5 doubles (kernels index them 5 c + p).
static_assert(sizeof(std::array<double, 5>) == 5 * sizeof(double));

class BoltzmannCufft final : public plugins::PenalisedBoltzmann {
 public:
  BoltzmannCufft(const sdk::Params& p, const sdk::SetupInfo& setup, const sdk::Host& host)
      : PenalisedBoltzmann(p, setup, host, "boltzmann_cufft"), g_{grid().n, grid().L} {
    int devices = 0;
    const cudaError_t status = cudaGetDeviceCount(&devices);
    if (status != cudaSuccess || devices == 0)
      throw std::runtime_error(std::string("boltzmann_cufft needs an NVIDIA GPU: ") +
                               (status != cudaSuccess ? cudaGetErrorString(status) : "no CUDA device found") +
                               "; use boltzmann_fft on the CPU");
    // Under mpirun the ranks on one machine share its GPUs round-robin by local rank.
    if (const int local = local_rank(); local >= 0) check(cudaSetDevice(local % devices), "cudaSetDevice");
    const auto& K = kernel();
    // The multipliers in the order of the spectra: φ_0, ψ_0, φ_1, ψ_1, …, L̂.
    std::vector<double> multipliers;
    multipliers.reserve(spectra_count() * K.modes);
    for (int d = 0; d < K.directions; ++d) {
      multipliers.insert(multipliers.end(), K.phi.begin() + d * K.modes, K.phi.begin() + (d + 1) * K.modes);
      multipliers.insert(multipliers.end(), K.psi.begin() + d * K.modes, K.psi.begin() + (d + 1) * K.modes);
    }
    multipliers.insert(multipliers.end(), K.loss.begin(), K.loss.end());
    multipliers_ = upload(multipliers);
    weight_ = upload(K.weight);
    // Up to 2^23 values (64 MiB) per buffer: batches large enough to fill the GPU.
    chunk_ = std::max<std::int64_t>(1, (std::int64_t{1} << 23) / static_cast<std::int64_t>(grid().size()));
    // A sub-batch's inverse transforms hold at most 2^26 values (16³, 16 directions: 256
    // cells, 8 448 transforms in one Z2D, enough to fill a GPU; 0.6 GB with the spectra),
    // and with the spectra and f̂ take at most a quarter of the memory the device has free
    // now, so that ranks sharing a device and the engine's resident layer 2 find room.
    std::size_t free = 0, total = 0;
    check(cudaMemGetInfo(&free, &total), "cudaMemGetInfo");
    const double spectra = static_cast<double>(spectra_count()),
                 per_cell = (spectra + 1) * static_cast<double>(K.modes * sizeof(cufftDoubleComplex)) +
                            spectra * static_cast<double>(grid().size() * sizeof(double)),
                 cells = std::min(0.25 * static_cast<double>(free) / per_cell,
                                  0x1p26 / (spectra * static_cast<double>(grid().size())));
    if (cells < 1 && per_cell > 0.5 * static_cast<double>(free))
      throw std::runtime_error("boltzmann_cufft: one cell's " + std::to_string(spectra_count()) + " spectra need " +
                               toolkit::format_number(per_cell / 0x1p30) + " GiB, the device has " +
                               toolkit::format_number(static_cast<double>(free) / 0x1p30) +
                               " GiB free; use fewer directions (A1, A2) or boltzmann_fft");
    sub_batch_ = chunk_rows(std::max<std::int64_t>(1, static_cast<std::int64_t>(cells)));
    init_tables();
    int device = 0;
    cudaDeviceProp props{};
    check(cudaGetDevice(&device), "cudaGetDevice");
    check(cudaGetDeviceProperties(&props, device), "cudaGetDeviceProperties");
    log(sdk::LogLevel::info, "boltzmann_cufft: GPU " + std::to_string(device) + " (" + props.name + ", " +
                                 std::to_string(props.totalGlobalMem >> 30) + " GiB), batches of up to " +
                                 std::to_string(chunk_) + " cells, " + std::to_string(spectra_count()) +
                                 " inverse transforms per cell in batches of up to " + std::to_string(sub_batch_) +
                                 " cells");
  }

  ~BoltzmannCufft() override {
    if (bus_.copies == 0) return;
    char line[200];
    std::snprintf(line, sizeof line,
                  "boltzmann_cufft: %lld copies of distributions over the bus, %.3g GB in %.3g s (%.3g GB/s)",
                  static_cast<long long>(bus_.copies), bus_.bytes * 1e-9, bus_.seconds,
                  bus_.seconds > 0 ? bus_.bytes * 1e-9 / bus_.seconds : 0.0);
    log(sdk::LogLevel::info, line);
  }

 protected:
  // Powers of two, so that at most log2(chunk) + 1 batched plans are ever made
  // however the number of layer-2 cells changes from step to step.
  std::int64_t chunk_rows(std::int64_t remaining) const override {
    std::int64_t rows = 1;
    while (2 * rows <= std::min(chunk_, remaining)) rows *= 2;
    return rows;
  }

  // The old arrays go before the larger ones are made, so that growing never holds both
  // on the device; should an allocation fail, capacity_ stays 0 and the next call
  // allocates again. Their contents need not survive: every chunk loads its cells.
  void reserve(std::int64_t rows) override {
    if (rows <= capacity_) return;
    capacity_ = 0;
    buffer_ = {};
    per_cell_ = {};
    fhat_ = {};
    spectra_ = {};
    transforms_ = {};
    const std::size_t values = static_cast<std::size_t>(rows) * grid().size(), cells = static_cast<std::size_t>(rows);
    for (auto& b : buffer_) b = DeviceArray<double>(values);
    per_cell_ = DeviceArray<double>(5 * cells);
    const auto sub = static_cast<std::size_t>(std::min(rows, sub_batch_)), spectra = spectra_count();
    fhat_ = DeviceArray<cufftDoubleComplex>(kernel().modes * sub);
    spectra_ = DeviceArray<cufftDoubleComplex>(spectra * kernel().modes * sub);
    transforms_ = DeviceArray<double>(spectra * grid().size() * sub);
    capacity_ = rows;
  }

  // Host views are copied over the bus; device views (MemorySpace::cuda_device) are
  // copied on the device.
  void load(Buffer to, const sdk::ConstRows& from, std::int64_t begin, std::int64_t rows) override {
    const std::size_t width = grid().size() * sizeof(double);
    const auto timer = bus_.start(from.space, width * static_cast<std::size_t>(rows));
    check(cudaMemcpy2D(data(to), width, from.row(begin), static_cast<std::size_t>(from.row_stride) * sizeof(double),
                       width, static_cast<std::size_t>(rows), direction(from.space, true)),
          "cudaMemcpy2D (cells to the GPU)");
    bus_.stop(timer);
  }

  void store(Buffer from, const sdk::Rows& to, std::int64_t begin, std::int64_t rows) override {
    const std::size_t width = grid().size() * sizeof(double);
    const auto timer = bus_.start(to.space, width * static_cast<std::size_t>(rows));
    check(cudaMemcpy2D(to.row(begin), static_cast<std::size_t>(to.row_stride) * sizeof(double), data(from), width,
                       width, static_cast<std::size_t>(rows), direction(to.space, false)),
          "cudaMemcpy2D (cells from the GPU)");
    bus_.stop(timer);
  }

  void conserved_moments(Buffer of, std::int64_t rows, Vector5* moments) override {
    cufft::conserved_moments(g_, data(of), static_cast<int>(rows), per_cell_.get());
    launched("conserved_moments");
    check(cudaMemcpy(moments, per_cell_.get(), rows * sizeof(Vector5), cudaMemcpyDeviceToHost),
          "cudaMemcpy (moments to the host)");
  }

  void fill_maxwellians(const Vector5* centred, std::int64_t rows) override {
    send(centred, rows);
    cufft::fill_maxwellians(g_, per_cell_.get(), static_cast<int>(rows), data(Buffer::maxwellian));
    launched("fill_maxwellians");
  }

  // Q = Σ_d w_d F⁻¹[φ_d f̂] F⁻¹[ψ_d f̂] - f F⁻¹[L̂ f̂]: per sub-batch one D2Z, one kernel
  // forming the 2D + 1 spectra, one batched Z2D of them all, one kernel forming Q.
  void collide(Buffer in, Buffer out, std::int64_t rows) override {
    const auto& K = kernel();
    const int spectra = static_cast<int>(spectra_count());
    for_each_sub_batch(rows, [&](std::size_t first, std::size_t batch) {
      const Plans& plans = plans_for(static_cast<int>(batch));
      transform(data(in) + first, batch, plans);
      cufft::spectra(fhat_.get(), multipliers_.get(), spectra, scale(), spectra_.get(), K.modes, batch);
      check(cufftExecZ2D(plans.all_spectra.get(), spectra_.get(), transforms_.get()), "cufftExecZ2D (all spectra)");
      cufft::collision(data(out) + first, data(in) + first, transforms_.get(), weight_.get(), K.directions,
                       batch * grid().size());
    });
    launched("collide");
  }

  void loss_frequency(Buffer in, Buffer out, std::int64_t rows) override {
    const auto& K = kernel();
    for_each_sub_batch(rows, [&](std::size_t first, std::size_t batch) {
      const Plans& plans = plans_for(static_cast<int>(batch));
      transform(data(in) + first, batch, plans);
      cufft::spectra(fhat_.get(), multipliers_.get() + 2 * K.directions * K.modes, 1, scale(), spectra_.get(),
                     K.modes, batch);
      check(cufftExecZ2D(plans.backward.get(), spectra_.get(), data(out) + first), "cufftExecZ2D");
    });
    launched("loss_frequency");
  }

  void combine_explicit(const double* beta, bool well_balanced, std::int64_t rows) override {
    send(beta, rows);
    cufft::combine_explicit(g_, data(Buffer::q), data(Buffer::q_maxwellian), data(Buffer::maxwellian),
                            data(Buffer::f), per_cell_.get(), well_balanced, static_cast<int>(rows));
    launched("combine_explicit");
  }

  void project(const Vector5* lambda, std::int64_t rows) override {
    send(lambda, rows);
    cufft::project(g_, data(Buffer::q), data(Buffer::maxwellian), per_cell_.get(), static_cast<int>(rows));
    launched("project");
  }

  void relax(const double* a, std::int64_t rows) override {
    send(a, rows);
    cufft::relax(g_, data(Buffer::f), data(Buffer::maxwellian), per_cell_.get(), static_cast<int>(rows));
    launched("relax");
  }

 private:
  // Seconds and bytes of the distributions' copies between host and device (copies
  // within the device are not counted). start() waits for the device's queued work,
  // which the synchronous copy would wait for anyway, so that only the copy is timed.
  struct BusTraffic {
    using Clock = std::chrono::steady_clock;
    struct Timer {
      bool counted;
      Clock::time_point t0;
    };
    Timer start(sdk::MemorySpace host_side, std::size_t n) {
      if (host_side == sdk::MemorySpace::cuda_device) return {false, {}};
      check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
      bytes += static_cast<double>(n);
      ++copies;
      return {true, Clock::now()};
    }
    void stop(const Timer& t) {
      if (t.counted) seconds += std::chrono::duration<double>(Clock::now() - t.t0).count();
    }
    std::int64_t copies = 0;
    double bytes = 0.0, seconds = 0.0;
  };

  // A cuFFT plan destroyed with its owner (also when a constructor throws midway),
  // without a work area of its own: the plugin gives all its plans one (work_area_).
  class Plan {
   public:
    Plan(int n, cufftType type, int batch) {
      check(cufftCreate(&handle_), "cufftCreate");
      int dims[3] = {n, n, n};
      const cufftResult made = [&] {
        const cufftResult manual = cufftSetAutoAllocation(handle_, 0);
        if (manual != CUFFT_SUCCESS) return manual;
        return cufftMakePlanMany(handle_, 3, dims, nullptr, 1, 0, nullptr, 1, 0, type, batch, &work_);
      }();
      if (made != CUFFT_SUCCESS) {
        cufftDestroy(handle_);
        check(made, type == CUFFT_D2Z ? "cufftMakePlanMany (D2Z)" : "cufftMakePlanMany (Z2D)");
      }
    }
    ~Plan() { cufftDestroy(handle_); }
    Plan(const Plan&) = delete;
    Plan& operator=(const Plan&) = delete;
    cufftHandle get() const { return handle_; }
    std::size_t work() const { return work_; }

   private:
    cufftHandle handle_ = 0;
    std::size_t work_ = 0;
  };
  // The transforms of a sub-batch of `batch` cells: f to f̂, one spectrum back, and the
  // operator's 2D + 1 spectra back at once.
  struct Plans {
    Plans(int n, int batch, int spectra)
        : forward(n, CUFFT_D2Z, batch), backward(n, CUFFT_Z2D, batch), all_spectra(n, CUFFT_Z2D, spectra * batch) {}
    std::size_t work() const { return std::max({forward.work(), backward.work(), all_spectra.work()}); }
    void use(void* work_area) {
      for (const Plan* p : {&forward, &backward, &all_spectra})
        check(cufftSetWorkArea(p->get(), work_area), "cufftSetWorkArea");
      area = work_area;
    }
    Plan forward, backward, all_spectra;
    void* area = nullptr;  // the work area last given to the three
  };

  static DeviceArray<double> upload(const std::vector<double>& host) {
    DeviceArray<double> d(host.size());
    check(cudaMemcpy(d.get(), host.data(), host.size() * sizeof(double), cudaMemcpyHostToDevice), "cudaMemcpy (kernel)");
    return d;
  }

  static cudaMemcpyKind direction(sdk::MemorySpace host_side, bool to_device) {
    if (host_side == sdk::MemorySpace::cuda_device) return cudaMemcpyDeviceToDevice;
    return to_device ? cudaMemcpyHostToDevice : cudaMemcpyDeviceToHost;
  }

  static void launched(const char* what) { check(cudaGetLastError(), what); }

  double* data(Buffer b) { return buffer_[static_cast<int>(b)].get(); }
  double scale() const { return 1.0 / static_cast<double>(grid().size()); }
  std::size_t spectra_count() const { return 2 * static_cast<std::size_t>(kernel().directions) + 1; }

  // fn(first value, cells) for the sub-batches of a chunk's `rows` cells. Both are
  // powers of two (chunk_rows), so the sub-batches are equal and their plans few.
  template <class Fn>
  void for_each_sub_batch(std::int64_t rows, Fn fn) {
    const std::int64_t batch = std::min(rows, sub_batch_);
    for (std::int64_t begin = 0; begin < rows; begin += batch)
      fn(static_cast<std::size_t>(begin) * grid().size(), static_cast<std::size_t>(batch));
  }

  // Per-cell values (β, a, exponents, λ) to the device, in per_cell_.
  template <class T>
  void send(const T* host, std::int64_t rows) {
    check(cudaMemcpy(per_cell_.get(), host, rows * sizeof(T), cudaMemcpyHostToDevice), "cudaMemcpy (per-cell values)");
  }

  // fhat := F[in] for the plans' batch; the input is copied first (into the space of
  // the transforms, which come later), as a real-to-complex transform may use its input
  // as scratch.
  void transform(const double* in, std::size_t batch, const Plans& plans) {
    check(cudaMemcpy(transforms_.get(), in, batch * grid().size() * sizeof(double), cudaMemcpyDeviceToDevice),
          "cudaMemcpy");
    check(cufftExecD2Z(plans.forward.get(), transforms_.get(), fhat_.get()), "cufftExecD2Z");
  }

  // Batched 3D plans, made once per batch size; all share one work area, as large as
  // the largest needs. The larger area is taken before the old one goes, so that where
  // the device refuses it every plan still has the old one, and a later call retries.
  const Plans& plans_for(int batch) {
    auto it = plans_.find(batch);
    if (it == plans_.end())
      it = plans_
               .emplace(std::piecewise_construct, std::forward_as_tuple(batch),
                        std::forward_as_tuple(grid().n, batch, static_cast<int>(spectra_count())))
               .first;
    if (it->second.work() > work_bytes_) {
      DeviceArray<char> larger(it->second.work());
      for (auto& entry : plans_) entry.second.use(larger.get());
      work_area_ = std::move(larger);
      work_bytes_ = it->second.work();
    }
    if (it->second.area != work_area_.get()) it->second.use(work_area_.get());
    return it->second;
  }

  cufft::Grid g_;
  std::int64_t chunk_ = 1, sub_batch_ = 1, capacity_ = 0;
  DeviceArray<double> multipliers_, weight_;  // the kernel's, for the plugin's lifetime
  std::array<DeviceArray<double>, 4> buffer_;  // indexed by Buffer; chunk_ cells
  DeviceArray<double> per_cell_;
  DeviceArray<cufftDoubleComplex> fhat_, spectra_;  // sub_batch_ cells
  DeviceArray<double> transforms_;                  // the spectra's inverse transforms
  std::map<int, Plans> plans_;
  DeviceArray<char> work_area_;
  std::size_t work_bytes_ = 0;
  BusTraffic bus_;
};

}  // namespace

STRATA_PLUGIN(BoltzmannCufft, descriptor)
STRATA_HOST_MEMORY(pinned_allocate, pinned_release)
STRATA_DEVICE_VIEWS()
