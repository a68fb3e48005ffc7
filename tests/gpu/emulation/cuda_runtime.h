#pragma once
// Host stand-in for the part of the CUDA runtime boltzmann_cufft uses, so that the
// plugin's own source builds and runs on a machine without a GPU (tests/gpu). "Device"
// memory is host memory filled with NaN bytes when allocated, so that any read before
// a write shows in the results. Not a model of CUDA's timing or streams.
#include <cstddef>
#include <cstdlib>
#include <cstring>

enum cudaError_t { cudaSuccess = 0, cudaErrorMemoryAllocation = 2, cudaErrorInvalidPitchValue = 12 };
constexpr unsigned cudaHostAllocPortable = 1;
enum cudaMemcpyKind { cudaMemcpyHostToHost, cudaMemcpyHostToDevice, cudaMemcpyDeviceToHost, cudaMemcpyDeviceToDevice };

struct cudaDeviceProp {
  char name[256];
  std::size_t totalGlobalMem;
};

inline const char* cudaGetErrorString(cudaError_t e) {
  switch (e) {
    case cudaSuccess: return "no error";
    case cudaErrorMemoryAllocation: return "out of memory";
    case cudaErrorInvalidPitchValue: return "invalid pitch argument";
  }
  return "unknown error";
}
inline cudaError_t cudaGetLastError() { return cudaSuccess; }
inline cudaError_t cudaDeviceSynchronize() { return cudaSuccess; }
inline cudaError_t cudaGetDeviceCount(int* count) {
  *count = 1;
  return cudaSuccess;
}
inline cudaError_t cudaSetDevice(int) { return cudaSuccess; }
inline cudaError_t cudaGetDevice(int* device) {
  *device = 0;
  return cudaSuccess;
}
inline cudaError_t cudaGetDeviceProperties(cudaDeviceProp* p, int) {
  std::strcpy(p->name, "host emulation (tests/gpu/emulation)");
  p->totalGlobalMem = std::size_t{1} << 30;
  return cudaSuccess;
}
// A quarter of the "device" reported free, so that boltzmann_cufft's sub-batches (a
// quarter of the free memory) are smaller than its chunks in the tests and their loop is
// tested.
inline cudaError_t cudaMemGetInfo(std::size_t* free, std::size_t* total) {
  *total = std::size_t{1} << 30;
  *free = *total / 4;
  return cudaSuccess;
}
inline cudaError_t cudaMalloc(void** p, std::size_t bytes) {
  *p = std::malloc(bytes);
  if (!*p) return cudaErrorMemoryAllocation;
  std::memset(*p, 0xff, bytes);  // NaN in every double
  return cudaSuccess;
}
inline cudaError_t cudaFree(void* p) {
  std::free(p);
  return cudaSuccess;
}
// "Pinned" memory is ordinary memory 64 bytes into a malloc block, so that freeing it
// with free(), or an ordinary block with cudaFreeHost, corrupts the heap and fails a
// test. STRATA_EMULATION_REFUSE_PINNING=1 refuses it, as a limit on locked memory would,
// so that a plugin's fallback can be tested.
constexpr std::size_t emulated_pinned_offset = 64;
inline cudaError_t cudaHostAlloc(void** p, std::size_t bytes, unsigned) {
  *p = nullptr;
  if (const char* refuse = std::getenv("STRATA_EMULATION_REFUSE_PINNING"); refuse && *refuse == '1')
    return cudaErrorMemoryAllocation;
  char* block = static_cast<char*>(std::malloc(bytes + emulated_pinned_offset));
  if (!block) return cudaErrorMemoryAllocation;
  *p = block + emulated_pinned_offset;
  return cudaSuccess;
}
inline cudaError_t cudaFreeHost(void* p) {
  if (p) std::free(static_cast<char*>(p) - emulated_pinned_offset);
  return cudaSuccess;
}
inline cudaError_t cudaMemset(void* p, int value, std::size_t bytes) {
  std::memset(p, value, bytes);
  return cudaSuccess;
}
inline cudaError_t cudaMemcpy(void* to, const void* from, std::size_t bytes, cudaMemcpyKind) {
  std::memcpy(to, from, bytes);
  return cudaSuccess;
}
inline cudaError_t cudaMemcpy2D(void* to, std::size_t to_pitch, const void* from, std::size_t from_pitch,
                                std::size_t width, std::size_t height, cudaMemcpyKind) {
  if (width > to_pitch || width > from_pitch) return cudaErrorInvalidPitchValue;  // as CUDA
  for (std::size_t r = 0; r < height; ++r)
    std::memcpy(static_cast<char*>(to) + r * to_pitch, static_cast<const char*>(from) + r * from_pitch, width);
  return cudaSuccess;
}
