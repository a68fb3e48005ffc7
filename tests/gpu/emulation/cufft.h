#pragma once
// Host stand-in for the part of cuFFT boltzmann_cufft uses: batched 3D double
// transforms with the default (packed) layout, done by FFTW, which uses the same
// unnormalised convention and the same half-spectrum layout (last dimension n/2 + 1).
// C2R destroys its input, as in cuFFT. See cuda_runtime.h.
#include <cstddef>
#include <cstring>
#include <map>

#include <fftw3.h>

using cufftHandle = int;
using cufftDoubleReal = double;
struct cufftDoubleComplex {
  double x, y;
};
enum cufftResult { CUFFT_SUCCESS = 0, CUFFT_INVALID_PLAN = 1, CUFFT_INVALID_VALUE = 4, CUFFT_EXEC_FAILED = 6 };
enum cufftType { CUFFT_D2Z = 0x6a, CUFFT_Z2D = 0x6c };

namespace cufft_emulation {
// A plan made by cufftMakePlanMany (batch > 0) without automatic allocation needs a
// work area set before it runs, as in cuFFT: the stand-in refuses to run without one,
// asks for more bytes the larger the batch (so that a plugin's shared area grows as
// larger plans come), and writes NaN into it at every execution.
struct Plan {
  int n = 0, batch = 0;
  cufftType type = CUFFT_D2Z;
  bool auto_allocation = true;
  void* work_area = nullptr;
  std::size_t work_bytes() const { return static_cast<std::size_t>(batch) * n * n * n; }
};
inline std::map<cufftHandle, Plan> plans;
inline cufftHandle next = 1;

template <class Make>
cufftResult execute(cufftHandle handle, cufftType type, Make make) {
  const auto it = plans.find(handle);
  if (it == plans.end() || it->second.type != type || it->second.batch < 1) return CUFFT_INVALID_PLAN;
  const Plan& p = it->second;
  if (!p.auto_allocation) {
    if (!p.work_area) return CUFFT_EXEC_FAILED;
    std::memset(p.work_area, 0xff, p.work_bytes());
  }
  const int dims[3] = {p.n, p.n, p.n};
  const int reals = p.n * p.n * p.n, modes = p.n * p.n * (p.n / 2 + 1);
  fftw_plan plan = make(dims, p.batch, reals, modes);
  if (!plan) return CUFFT_EXEC_FAILED;
  fftw_execute(plan);
  fftw_destroy_plan(plan);
  return CUFFT_SUCCESS;
}
}  // namespace cufft_emulation

inline cufftResult cufftCreate(cufftHandle* handle) {
  *handle = cufft_emulation::next++;
  cufft_emulation::plans[*handle] = {};
  return CUFFT_SUCCESS;
}

inline cufftResult cufftSetAutoAllocation(cufftHandle handle, int automatic) {
  const auto it = cufft_emulation::plans.find(handle);
  if (it == cufft_emulation::plans.end()) return CUFFT_INVALID_PLAN;
  it->second.auto_allocation = automatic != 0;
  return CUFFT_SUCCESS;
}

inline cufftResult cufftMakePlanMany(cufftHandle handle, int rank, int* n, int* inembed, int, int, int* onembed, int,
                                     int, cufftType type, int batch, std::size_t* work) {
  const auto it = cufft_emulation::plans.find(handle);
  if (it == cufft_emulation::plans.end()) return CUFFT_INVALID_PLAN;
  if (rank != 3 || inembed || onembed || n[0] != n[1] || n[1] != n[2] || batch < 1) return CUFFT_INVALID_VALUE;
  it->second.n = n[0];
  it->second.batch = batch;
  it->second.type = type;
  *work = it->second.work_bytes();
  return CUFFT_SUCCESS;
}

inline cufftResult cufftSetWorkArea(cufftHandle handle, void* work_area) {
  const auto it = cufft_emulation::plans.find(handle);
  if (it == cufft_emulation::plans.end()) return CUFFT_INVALID_PLAN;
  it->second.work_area = work_area;
  return CUFFT_SUCCESS;
}

inline cufftResult cufftDestroy(cufftHandle handle) {
  return cufft_emulation::plans.erase(handle) ? CUFFT_SUCCESS : CUFFT_INVALID_PLAN;
}

inline cufftResult cufftExecD2Z(cufftHandle handle, cufftDoubleReal* in, cufftDoubleComplex* out) {
  return cufft_emulation::execute(handle, CUFFT_D2Z, [&](const int* dims, int batch, int reals, int modes) {
    return fftw_plan_many_dft_r2c(3, dims, batch, in, nullptr, 1, reals, reinterpret_cast<fftw_complex*>(out),
                                  nullptr, 1, modes, FFTW_ESTIMATE | FFTW_UNALIGNED);
  });
}

inline cufftResult cufftExecZ2D(cufftHandle handle, cufftDoubleComplex* in, cufftDoubleReal* out) {
  return cufft_emulation::execute(handle, CUFFT_Z2D, [&](const int* dims, int batch, int reals, int modes) {
    return fftw_plan_many_dft_c2r(3, dims, batch, reinterpret_cast<fftw_complex*>(in), nullptr, 1, modes, out,
                                  nullptr, 1, reals, FFTW_ESTIMATE | FFTW_UNALIGNED);
  });
}
