#include "ranks.hpp"

#include <cstdlib>
#include <iostream>
#include <limits>
#include <new>

#include "engine_types.hpp"

#ifdef STRATA_MPI
#include <mpi.h>
#include <zoltan.h>
#endif

namespace strata::core::ranks {

#ifdef STRATA_MPI

namespace {
// The kind of an error, so that every rank rethrows the same kind (agree()).
enum Kind : int { unphysical = 0, plugin = 1, memory = 2, run = 3 };

Kind kind_of(std::exception_ptr e, std::string& message) {
  try {
    std::rethrow_exception(e);
  } catch (const UnphysicalState& x) {
    message = x.what();
    return unphysical;
  } catch (const PluginError& x) {
    message = x.what();
    return plugin;
  } catch (const std::bad_alloc&) {
    message = "out of memory";
    return memory;
  } catch (const std::exception& x) {
    message = x.what();
  } catch (...) {
    message = "an unknown error";
  }
  return run;
}

[[noreturn]] void throw_kind(int kind, const std::string& message) {
  switch (kind) {
    case unphysical: throw UnphysicalState(message);
    case plugin: throw PluginError(message);
    case memory: throw std::bad_alloc();
    default: throw RunError(message);
  }
}
}  // namespace

namespace {
bool started = false;  // MPI initialised by init()

bool launched_by_mpirun() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"})
    if (std::getenv(v)) return true;
  return false;
}

bool active() {
  int on = 0;
  MPI_Initialized(&on);
  if (!on) return false;
  int off = 0;
  MPI_Finalized(&off);
  return !off;
}

template <class T>
MPI_Datatype type();
template <>
MPI_Datatype type<double>() { return MPI_DOUBLE; }
template <>
MPI_Datatype type<std::int64_t>() { return MPI_INT64_T; }

template <class T>
std::vector<T> gather(const std::vector<T>& mine, bool to_all) {
  if (size() == 1) return mine;
  const int n = static_cast<int>(mine.size());
  std::vector<int> counts(size()), offsets(size());
  if (to_all) MPI_Allgather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, MPI_COMM_WORLD);
  else MPI_Gather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::size_t total = 0;
  for (int r = 0; r < size(); ++r) {
    offsets[r] = static_cast<int>(total);
    total += static_cast<std::size_t>(counts[r]);
  }
  std::vector<T> all(to_all || root() ? total : 0);
  if (to_all)
    MPI_Allgatherv(mine.data(), n, type<T>(), all.data(), counts.data(), offsets.data(), type<T>(), MPI_COMM_WORLD);
  else
    MPI_Gatherv(mine.data(), n, type<T>(), all.data(), counts.data(), offsets.data(), type<T>(), 0, MPI_COMM_WORLD);
  return all;
}

template <class T>
std::vector<std::vector<T>> exchange_known(const std::vector<std::vector<T>>& send,
                                           const std::vector<std::size_t>& receive_counts) {
  const int P = size();
  std::vector<std::vector<T>> received(P);
  std::vector<MPI_Request> requests;
  for (int r = 0; r < P; ++r) {
    received[r].resize(receive_counts[r]);
    if (r == rank()) {
      received[r] = send[r];
      continue;
    }
    if (receive_counts[r] > 0) {
      requests.emplace_back();
      MPI_Irecv(received[r].data(), static_cast<int>(receive_counts[r]), type<T>(), r, 7, MPI_COMM_WORLD,
                &requests.back());
    }
  }
  for (int r = 0; r < P; ++r)
    if (r != rank() && !send[r].empty()) {
      requests.emplace_back();
      MPI_Isend(send[r].data(), static_cast<int>(send[r].size()), type<T>(), r, 7, MPI_COMM_WORLD, &requests.back());
    }
  MPI_Waitall(static_cast<int>(requests.size()), requests.data(), MPI_STATUSES_IGNORE);
  return received;
}

template <class T>
std::vector<std::vector<T>> exchange_unknown(const std::vector<std::vector<T>>& send) {
  const int P = size();
  std::vector<long> out(P), in(P);
  for (int r = 0; r < P; ++r) out[r] = static_cast<long>(send[r].size());
  MPI_Alltoall(out.data(), 1, MPI_LONG, in.data(), 1, MPI_LONG, MPI_COMM_WORLD);
  std::vector<std::size_t> counts(P);
  for (int r = 0; r < P; ++r) counts[r] = static_cast<std::size_t>(in[r]);
  return exchange_known(send, counts);
}
}  // namespace

void init(int& argc, char**& argv) {
  if (!launched_by_mpirun()) return;
  int provided = 0;
  // OpenMP threads inside a rank never call MPI: only the main thread does.
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL);
  float version = 0;
  Zoltan_Initialize(argc, argv, &version);
  started = true;
}

void finalize() {
  if (started && active()) MPI_Finalize();
}

std::string library_versions() {
  char name[MPI_MAX_LIBRARY_VERSION_STRING];
  int length = 0;
  MPI_Get_library_version(name, &length);
  std::string s(name, static_cast<std::size_t>(length));
  if (const auto end = s.find_first_of(",\n"); end != std::string::npos) s.resize(end);
  return "yes (" + s + ", Zoltan " + std::to_string(ZOLTAN_VERSION_NUMBER) + ")";
}

int rank() {
  if (!active()) return 0;
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}

int size() {
  if (!active()) return 1;
  int n = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &n);
  return n;
}

void agree(std::exception_ptr error) {
  if (size() == 1) {
    if (error) std::rethrow_exception(error);
    return;
  }
  // The lowest failing rank (size() when none) tells the others its kind and message.
  const int mine = error ? rank() : size();
  int lowest = size();
  MPI_Allreduce(&mine, &lowest, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  if (lowest == size()) return;
  std::string message;
  int kind = error ? kind_of(error, message) : run;
  MPI_Bcast(&kind, 1, MPI_INT, lowest, MPI_COMM_WORLD);
  int length = static_cast<int>(message.size());
  MPI_Bcast(&length, 1, MPI_INT, lowest, MPI_COMM_WORLD);
  message.resize(static_cast<std::size_t>(length));
  MPI_Bcast(message.data(), length, MPI_CHAR, lowest, MPI_COMM_WORLD);
  throw_kind(kind, "rank " + std::to_string(lowest) + ": " + message);
}

void sum(double* values, int n) {
  if (size() > 1) MPI_Allreduce(MPI_IN_PLACE, values, n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
}
void sum(long* values, int n) {
  if (size() > 1) MPI_Allreduce(MPI_IN_PLACE, values, n, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
}
double max(double value) {
  if (size() == 1) return value;
  // MPI_MAX leaves NaN to the implementation: count NaNs separately.
  const int nan = value != value;
  int any_nan = 0;
  MPI_Allreduce(&nan, &any_nan, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  if (any_nan) return std::numeric_limits<double>::quiet_NaN();
  MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  return value;
}
bool any(bool value) {
  if (size() == 1) return value;
  int v = value, all = 0;
  MPI_Allreduce(&v, &all, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  return all != 0;
}

std::vector<double> all_gather(const std::vector<double>& mine) { return gather(mine, true); }
std::vector<std::int64_t> all_gather(const std::vector<std::int64_t>& mine) { return gather(mine, true); }
std::vector<double> gather_to_root(const std::vector<double>& mine) { return gather(mine, false); }
std::vector<std::int64_t> gather_to_root(const std::vector<std::int64_t>& mine) { return gather(mine, false); }

std::vector<std::vector<double>> exchange(const std::vector<std::vector<double>>& send,
                                          const std::vector<std::size_t>& receive_counts) {
  return exchange_known(send, receive_counts);
}
std::vector<std::vector<std::int64_t>> exchange(const std::vector<std::vector<std::int64_t>>& send) {
  return exchange_unknown(send);
}
std::vector<std::vector<double>> exchange(const std::vector<std::vector<double>>& send) {
  return exchange_unknown(send);
}

void abort_all(const std::string& message, int code) {
  std::cerr << "strata: error: rank " << rank() << ": " << message << "\n";
  if (size() > 1) MPI_Abort(MPI_COMM_WORLD, code);
  std::exit(code);
}

#else  // one rank

void init(int&, char**&) {}
void finalize() {}
std::string library_versions() { return "no (built without MPI)"; }
int rank() { return 0; }
int size() { return 1; }
void agree(std::exception_ptr error) {
  if (error) std::rethrow_exception(error);
}
void sum(double*, int) {}
void sum(long*, int) {}
double max(double value) { return value; }
bool any(bool value) { return value; }
std::vector<double> all_gather(const std::vector<double>& mine) { return mine; }
std::vector<std::int64_t> all_gather(const std::vector<std::int64_t>& mine) { return mine; }
std::vector<double> gather_to_root(const std::vector<double>& mine) { return mine; }
std::vector<std::int64_t> gather_to_root(const std::vector<std::int64_t>& mine) { return mine; }
std::vector<std::vector<double>> exchange(const std::vector<std::vector<double>>& send,
                                          const std::vector<std::size_t>&) {
  return send;
}
std::vector<std::vector<std::int64_t>> exchange(const std::vector<std::vector<std::int64_t>>& send) { return send; }
std::vector<std::vector<double>> exchange(const std::vector<std::vector<double>>& send) { return send; }
void abort_all(const std::string& message, int code) {
  std::cerr << "strata: error: " << message << "\n";
  std::exit(code);
}

#endif

}  // namespace strata::core::ranks
