#pragma once

// The as-run sink: every completed row of the local store, shipped to a shared PostgreSQL
// database in completion order (seq), idempotently (unique by station, source and seq) and
// resumably (it asks the database where it stopped, so a restart, an outage of a day or a
// duplicate delivery neither loses nor repeats a row). The local store stays the source of
// truth: rows wait in it while the database is away, and nothing the sink does reaches the air
// (its own thread, its own read-only SQLite connection, no lock the writer waits for).

#include "asrun_pg/connection.hpp"
#include "core/log.hpp"
#include "core/time.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace onair::asrun {
class store;
}

namespace onair::asrun_pg {

struct sink_options {
    std::string dsn;
    std::string station;
    std::filesystem::path store_file;          // STATE_DIR/asrun.sqlite
    std::size_t batch = 500;                   // rows per transaction (bench_sink: the fastest)
    std::chrono::milliseconds poll{1000};      // how often new rows are looked for
    std::chrono::milliseconds retry_min{1000}; // reconnect backoff, doubled up to retry_max
    std::chrono::milliseconds retry_max{5'000};
};

struct sink_status {
    bool connected = false;
    std::string reason;              // why not (the server's message), when not
    std::int64_t shipped_seq = 0;    // the last seq the database holds from this store
    std::int64_t local_seq = 0;      // the last seq of the local store
    std::uint64_t shipped_total = 0; // rows this sink inserted since it started
    std::int64_t resumed_from = 0;   // what the database held when the connection was made
    std::int64_t lag() const { return local_seq > shipped_seq ? local_seq - shipped_seq : 0; }
};

// One step at a time, without a thread: what the sink's thread runs, and what tests drive.
class shipper {
public:
    explicit shipper(sink_options options);
    ~shipper();
    shipper(const shipper&) = delete;
    shipper& operator=(const shipper&) = delete;

    // Connects when needed (and creates or migrates the schema), then ships at most one batch.
    // Returns the rows sent (0: nothing new). Throws pg_error (the database) or
    // asrun::store_error (the local store); the next call starts again from a new connection.
    std::size_t step();
    // The store's id in the database: the chain value of its first completed row (empty
    // before it has one).
    const std::string& source() const { return source_; }
    const sink_status& status() const { return status_; }
    // Forgets the connection (after an error), and the local store's with `store_too`.
    void drop(bool store_too);

private:
    void open_store();
    void connect_db();
    sink_options options_;
    std::unique_ptr<connection> db_;
    std::unique_ptr<asrun::store> store_;
    std::string source_;
    sink_status status_;
};

class sink {
public:
    // Starts the thread. Never throws because of the database or the store: both are retried.
    sink(sink_options options, core::logger& log);
    // Stops the thread after the batch in flight, if any (the rest ships at the next start).
    ~sink();
    sink(const sink&) = delete;
    sink& operator=(const sink&) = delete;

    sink_status status() const;
    // New rows are likely (a row was completed): look now rather than at the next poll.
    void wake();

private:
    void run();
    void report_outage(const char* what, const std::string& reason, const sink_status& now);
    sink_options options_;
    core::logger& log_;
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    bool stopping_ = false;
    bool woken_ = false;
    sink_status status_;
    std::thread thread_;
};

} // namespace onair::asrun_pg
