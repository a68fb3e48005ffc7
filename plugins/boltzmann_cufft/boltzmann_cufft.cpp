// Layer 2 on NVIDIA GPUs: the same fast spectral hard-sphere operator and parameters as
// boltzmann_fft (toolkit/fast_spectral.hpp, plugins/common/penalised_boltzmann.hpp),
// with batched cuFFT transforms over all cells of a call: one D2Z for the batch, then
// per direction two Z2D, and the pointwise work in CUDA kernels. Multipliers live on
// the device for the plugin's lifetime; device memory is plain cudaMalloc (never
// managed); every CUDA and cuFFT error becomes a message naming the call.
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <cuda_runtime.h>
#include <cufft.h>

#include "penalised_boltzmann.hpp"
#include "spectral_kernels.hpp"

namespace {
using namespace strata;

constexpr sdk::Descriptor descriptor{
    STRATA_SDK_VERSION, "boltzmann_cufft", sdk::PluginKind::collision_model, "1.0.0",
    "hard-sphere Boltzmann by the fast spectral method with batched cuFFT on an NVIDIA GPU, BGK-penalised",
    plugins::boltzmann_params, static_cast<int>(std::size(plugins::boltzmann_params))};

void check(cudaError_t status, const char* call) {
  if (status != cudaSuccess) throw std::runtime_error(std::string(call) + ": " + cudaGetErrorString(status));
}

void check(cufftResult status, const char* call) {
  if (status != CUFFT_SUCCESS) throw std::runtime_error(std::string(call) + " failed with cuFFT error " + std::to_string(status));
}

// A device array freed with its owner.
template <class T>
class DeviceArray {
 public:
  DeviceArray() = default;
  explicit DeviceArray(std::size_t n) : n_(n) {
    void* p = nullptr;
    check(cudaMalloc(&p, n * sizeof(T)), "cudaMalloc");
    data_.reset(static_cast<T*>(p));
  }
  T* get() const { return data_.get(); }
  std::size_t size() const { return n_; }

 private:
  struct Free {
    void operator()(T* p) const { cudaFree(p); }
  };
  std::unique_ptr<T, Free> data_;
  std::size_t n_ = 0;
};

class BoltzmannCufft final : public plugins::PenalisedBoltzmann {
 public:
  BoltzmannCufft(const sdk::Params& p, const sdk::SetupInfo& setup, const sdk::Host& host)
      : PenalisedBoltzmann(p, setup, host, "boltzmann_cufft") {
    int devices = 0;
    const cudaError_t status = cudaGetDeviceCount(&devices);
    if (status != cudaSuccess || devices == 0)
      throw std::runtime_error(std::string("boltzmann_cufft needs an NVIDIA GPU: ") +
                               (status != cudaSuccess ? cudaGetErrorString(status) : "no CUDA device found") +
                               "; use boltzmann_fft on the CPU");
    const auto& K = kernel();
    phi_ = upload(K.phi);
    psi_ = upload(K.psi);
    loss_ = upload(K.loss);
    init_penalty();
  }

  ~BoltzmannCufft() override {
    for (auto& [batch, plans] : plans_) {
      cufftDestroy(plans.forward);
      cufftDestroy(plans.backward);
    }
  }

 protected:
  void collide(const double* f, std::int64_t rows, double* Q, double* loss_frequency) override {
    const auto& K = kernel();
    const std::size_t n3 = grid().size(), batch = static_cast<std::size_t>(rows);
    const std::size_t values = n3 * batch, modes = K.modes * batch;
    reserve(values, modes);
    const Plans& plans = plans_for(static_cast<int>(rows));
    check(cudaMemcpy(f_.get(), f, values * sizeof(double), cudaMemcpyHostToDevice), "cudaMemcpy (f to device)");
    check(cufftExecD2Z(plans.forward, f_.get(), fhat_.get()), "cufftExecD2Z");
    check(cudaMemset(gain_.get(), 0, values * sizeof(double)), "cudaMemset");
    const double scale = 1.0 / static_cast<double>(n3);
    for (int d = 0; d < K.directions; ++d) {
      cufft::multiply(fhat_.get(), phi_.get() + d * K.modes, scale, tmp_.get(), K.modes, batch);
      check(cufftExecZ2D(plans.backward, tmp_.get(), a_.get()), "cufftExecZ2D");
      cufft::multiply(fhat_.get(), psi_.get() + d * K.modes, scale, tmp_.get(), K.modes, batch);
      check(cufftExecZ2D(plans.backward, tmp_.get(), b_.get()), "cufftExecZ2D");
      cufft::accumulate_gain(gain_.get(), a_.get(), b_.get(), K.weight[d], values);
    }
    cufft::multiply(fhat_.get(), loss_.get(), scale, tmp_.get(), K.modes, batch);
    check(cufftExecZ2D(plans.backward, tmp_.get(), a_.get()), "cufftExecZ2D");
    cufft::finish(b_.get(), gain_.get(), f_.get(), a_.get(), values);
    check(cudaGetLastError(), "kernel launch");
    check(cudaMemcpy(Q, b_.get(), values * sizeof(double), cudaMemcpyDeviceToHost), "cudaMemcpy (Q to host)");
    if (loss_frequency)
      check(cudaMemcpy(loss_frequency, a_.get(), values * sizeof(double), cudaMemcpyDeviceToHost), "cudaMemcpy (loss)");
  }

 private:
  struct Plans {
    cufftHandle forward = 0, backward = 0;
  };

  static DeviceArray<double> upload(const std::vector<double>& host) {
    DeviceArray<double> d(host.size());
    check(cudaMemcpy(d.get(), host.data(), host.size() * sizeof(double), cudaMemcpyHostToDevice), "cudaMemcpy (kernel)");
    return d;
  }

  void reserve(std::size_t values, std::size_t modes) {
    if (f_.size() >= values) return;
    f_ = DeviceArray<double>(values);
    a_ = DeviceArray<double>(values);
    b_ = DeviceArray<double>(values);
    gain_ = DeviceArray<double>(values);
    fhat_ = DeviceArray<cufftDoubleComplex>(modes);
    tmp_ = DeviceArray<cufftDoubleComplex>(modes);
  }

  // Batched 3D plans, made once per batch size.
  const Plans& plans_for(int batch) {
    auto it = plans_.find(batch);
    if (it != plans_.end()) return it->second;
    int n[3] = {grid().n, grid().n, grid().n};
    Plans p;
    check(cufftPlanMany(&p.forward, 3, n, nullptr, 1, 0, nullptr, 1, 0, CUFFT_D2Z, batch), "cufftPlanMany (D2Z)");
    check(cufftPlanMany(&p.backward, 3, n, nullptr, 1, 0, nullptr, 1, 0, CUFFT_Z2D, batch), "cufftPlanMany (Z2D)");
    return plans_.emplace(batch, p).first->second;
  }

  DeviceArray<double> phi_, psi_, loss_, f_, a_, b_, gain_;
  DeviceArray<cufftDoubleComplex> fhat_, tmp_;
  std::map<int, Plans> plans_;
};

}  // namespace

STRATA_PLUGIN(BoltzmannCufft, descriptor)
