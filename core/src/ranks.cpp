#include "ranks.hpp"

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <new>
#include <thread>

#include "diagnostics.hpp"
#include "engine_types.hpp"

#ifdef STRATA_MPI
#include <mpi.h>
#include <zoltan.h>
#endif

namespace strata::core::ranks {

namespace {
bool agreed_failure = false;
}  // namespace

bool failure_agreed() { return agreed_failure; }

#ifdef STRATA_MPI

namespace {
// The kind of an error, so that every rank rethrows the same kind (agree()).
enum Kind : int { unphysical = 0, plugin = 1, memory = 2, run = 3, invalid_case = 4, damaged_checkpoint = 5 };

Kind kind_of(std::exception_ptr e, std::string& message) {
  try {
    std::rethrow_exception(e);
  } catch (const CaseError& x) {
    message = x.what();  // the messages, one per line
    return invalid_case;
  } catch (const UnphysicalState& x) {
    message = x.what();
    return unphysical;
  } catch (const DamagedCheckpoint& x) {
    message = x.what();
    return damaged_checkpoint;
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
  agreed_failure = true;
  switch (kind) {
    case invalid_case: {
      std::vector<std::string> lines;
      for (std::size_t begin = 0; begin <= message.size();) {
        const std::size_t end = std::min(message.find('\n', begin), message.size());
        lines.push_back(message.substr(begin, end - begin));
        begin = end + 1;
      }
      throw CaseError(lines);
    }
    case unphysical: throw UnphysicalState(message);
    case damaged_checkpoint: throw DamagedCheckpoint(message);
    case plugin: throw PluginError(message);
    case memory: throw std::bad_alloc();
    default: throw RunError(message);
  }
}
}  // namespace

namespace {
bool started = false;  // MPI initialised by init()
int machine_ranks = 1;
// agree_when_all_failed()'s own communicator: its barrier never meets the collective calls of ranks
// still at work on MPI_COMM_WORLD.
MPI_Comm failures = MPI_COMM_NULL;

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

// Messages of at most 2^28 values: MPI counts are ints. Pieces between two ranks with
// one tag arrive in order.
constexpr std::size_t piece = std::size_t{1} << 28;

template <class T>
void post(std::vector<MPI_Request>& requests, const T* data, std::size_t n, int peer, bool receive) {
  for (std::size_t begin = 0; begin < n; begin += piece) {
    const int count = static_cast<int>(std::min(piece, n - begin));
    requests.emplace_back();
    if (receive)
      MPI_Irecv(const_cast<T*>(data) + begin, count, type<T>(), peer, 7, MPI_COMM_WORLD, &requests.back());
    else
      MPI_Isend(data + begin, count, type<T>(), peer, 7, MPI_COMM_WORLD, &requests.back());
  }
}

template <class T>
std::vector<std::vector<T>> exchange_known(const std::vector<std::vector<T>>& send,
                                           const std::vector<std::size_t>& receive_counts) {
  const int P = size();
  std::vector<std::vector<T>> received(P);
  std::vector<MPI_Request> requests;
  for (int r = 0; r < P; ++r) {
    if (r == rank()) {
      received[r] = send[r];
      continue;
    }
    received[r].resize(receive_counts[r]);
    post(requests, received[r].data(), receive_counts[r], r, true);
  }
  for (int r = 0; r < P; ++r)
    if (r != rank()) post(requests, send[r].data(), send[r].size(), r, false);
  MPI_Waitall(static_cast<int>(requests.size()), requests.data(), MPI_STATUSES_IGNORE);
  return received;
}

// Every rank's `mine` in rank order: on every rank (to_all) or on the root.
template <class T>
std::vector<T> gather(const std::vector<T>& mine, bool to_all) {
  const int P = size();
  if (P == 1) return mine;
  const long n = static_cast<long>(mine.size());
  std::vector<long> counts(P);
  if (to_all) MPI_Allgather(&n, 1, MPI_LONG, counts.data(), 1, MPI_LONG, MPI_COMM_WORLD);
  else MPI_Gather(&n, 1, MPI_LONG, counts.data(), 1, MPI_LONG, 0, MPI_COMM_WORLD);
  std::size_t total = 0;
  for (const long c : counts) total += static_cast<std::size_t>(c);
  if (to_all && total < piece) {  // one collective call
    std::vector<int> c(P), offsets(P);
    for (int r = 0, o = 0; r < P; o += c[r], ++r) {
      c[r] = static_cast<int>(counts[r]);
      offsets[r] = o;
    }
    std::vector<T> all(total);
    MPI_Allgatherv(mine.data(), static_cast<int>(n), type<T>(), all.data(), c.data(), offsets.data(), type<T>(),
                   MPI_COMM_WORLD);
    return all;
  }
  // Point to point, in pieces: to the root, or from every rank to every other.
  std::vector<std::vector<T>> send(P);
  std::vector<std::size_t> receive(P, 0);
  for (int r = 0; r < P; ++r) {
    if (to_all || r == 0) send[r] = mine;
    if (to_all || root()) receive[r] = static_cast<std::size_t>(counts[r]);
  }
  const auto parts = exchange_known(send, receive);
  std::vector<T> all;
  if (!to_all && !root()) return all;
  all.reserve(total);
  for (const auto& part : parts) all.insert(all.end(), part.begin(), part.end());
  return all;
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
  if (provided < MPI_THREAD_FUNNELED)
    abort_all("the MPI library gives no thread support (MPI_THREAD_FUNNELED is needed with OpenMP)", 3);
  float version = 0;
  Zoltan_Initialize(argc, argv, &version);
  started = true;
  MPI_Comm machine;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &machine);
  MPI_Comm_size(machine, &machine_ranks);
  MPI_Comm_free(&machine);
  MPI_Comm_dup(MPI_COMM_WORLD, &failures);
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

int size_on_this_machine() { return active() ? machine_ranks : 1; }

int size() {
  if (!active()) return 1;
  int n = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &n);
  return n;
}

namespace {
// agree() on communicator `comm`.
void agree_on(MPI_Comm comm, std::exception_ptr error) {
  if (size() == 1) {
    if (!error) return;
    agreed_failure = true;
    std::rethrow_exception(error);
  }
  // The lowest failing rank (size() when none) tells the others its kind and message.
  const int mine = error ? rank() : size(), failing_here = error ? 1 : 0;
  int lowest = size(), failing = 0;
  MPI_Allreduce(&mine, &lowest, 1, MPI_INT, MPI_MIN, comm);
  MPI_Allreduce(&failing_here, &failing, 1, MPI_INT, MPI_SUM, comm);
  if (lowest == size()) return;
  std::string message;
  int kind = error ? kind_of(error, message) : run;
  MPI_Bcast(&kind, 1, MPI_INT, lowest, comm);
  int length = static_cast<int>(message.size());
  MPI_Bcast(&length, 1, MPI_INT, lowest, comm);
  message.resize(static_cast<std::size_t>(length));
  MPI_Bcast(message.data(), length, MPI_CHAR, lowest, comm);
  // A rank is named where one rank failed alone. Case errors are the same on every rank,
  // and a failure every rank passes on (a step's, agreed before) already names its rank.
  const bool alone = kind != invalid_case && failing < size();
  throw_kind(kind, alone ? "rank " + std::to_string(lowest) + ": " + message : message);
}
}  // namespace

void agree(std::exception_ptr error) { agree_on(MPI_COMM_WORLD, error); }

bool agree_when_all_failed(std::exception_ptr error, double seconds) {
  if (size() == 1) agree(error);
  MPI_Request request;
  MPI_Ibarrier(failures, &request);
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  int done = 0;
  for (bool late = false; !done && !late;) {
    late = std::chrono::steady_clock::now() > end;  // then one last look
    MPI_Test(&request, &done, MPI_STATUS_IGNORE);
    if (!done && !late) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (!done) return false;  // the request dies with MPI_Abort
  // Every rank is here; a collective call another rank left pending on MPI_COMM_WORLD
  // (one rank past a gather's root, another not) cannot meet this agreement.
  agree_on(failures, error);
  return true;  // not reached: every rank has an error
}

void sum(double* values, int n) {
  if (size() > 1) MPI_Allreduce(MPI_IN_PLACE, values, n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
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
int size_on_this_machine() { return 1; }
void agree(std::exception_ptr error) {
  if (!error) return;
  agreed_failure = true;
  std::rethrow_exception(error);
}
bool agree_when_all_failed(std::exception_ptr error, double) {
  agree(error);
  return true;
}
void sum(double*, int) {}
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
