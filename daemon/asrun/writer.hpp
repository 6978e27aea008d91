#pragma once

// The as-run log as the daemon writes it: a thread-safe facade over the store that never
// blocks its caller and never loses a row because SQLite failed.
//
// The caller (the loop thread) only appends events to a queue under a mutex; one writer thread
// applies them to SQLite, in order, on a connection of its own. When SQLite fails (busy or
// locked by another process, disk full, read-only, I/O error, cannot open, corrupt), events go
// to the spill journal STATE_DIR/asrun.spill instead: one JSON line per event, fsync'd after
// each batch. The writer retries the store with backoff; when it is back, it writes the journal
// in order (one transaction), then the newer events, and removes the journal. Rows are
// completed in event order, so the chain stays the one an uninterrupted run would have made.
// When even the journal cannot be written (its disk is full), events wait in memory, up to
// writer_options::queue_limit; beyond that they are counted as lost and logged.

#include "asrun/airing.hpp"
#include "core/log.hpp"
#include "core/time.hpp"

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace onair::asrun {

// Where events wait while the store is unavailable.
inline std::filesystem::path spill_file(const std::filesystem::path& state_dir) {
    return state_dir / "asrun.spill";
}

struct writer_options {
    std::chrono::milliseconds retry_min{500}, retry_max{30'000}; // reopen/retry backoff
    // Events held in memory when even the journal cannot be written.
    std::size_t queue_limit = 100'000;
    std::chrono::milliseconds busy_timeout{2'000}; // SQLite busy_timeout per attempt
};

struct writer_status {
    bool store_ok = true;            // the last attempt reached SQLite
    std::string reason;              // why not (SQLite's message / errno text); empty when ok
    std::size_t waiting = 0;         // events not yet in SQLite (queue + spill journal)
    std::uint64_t spilled_total = 0; // events ever written to the spill journal
    // Events dropped because memory and journal were both exhausted, or refused by the store
    // as malformed (logged each time). Stays 0 in practice.
    std::uint64_t lost = 0;
    std::optional<std::string> chain_head; // the chain value of the last completed row written
};

namespace detail {
// One call on the writer, as queued and as journaled.
struct writer_event {
    enum class op { open, close, record, close_interrupted };
    op what = op::record;
    std::uint64_t seq = 0;              // order of queuing in this run (for flush); not journaled
    std::string run;                    // the writer instance that queued it
    std::uint64_t ticket = 0;           // open, close
    std::optional<std::int64_t> row_id; // close: the row, when SQLite had given it an id
    airing row;                         // open, record
    core::instant at{};                 // close: end; close_interrupted: last alive
    airing_status status = airing_status::aired;
    std::optional<std::string> detail;
};
} // namespace detail

class writer {
public:
    // Starts the writer thread. Never throws because of the store: a store that cannot be
    // opened (locked, read-only, missing dir, corrupt) is retried with backoff while events
    // wait in the spill journal. A journal left by an earlier run is written first.
    writer(std::filesystem::path state_dir, core::logger& log, writer_options options = {});
    // Flushes what it can (to SQLite when it is up, else to the journal), then stops the
    // thread. Events that could reach neither are counted lost and logged.
    ~writer();
    writer(const writer&) = delete;
    writer& operator=(const writer&) = delete;

    // Names an open airing before SQLite has given it an id. Unique within this writer; the
    // journal pairs it with a run id, so tickets of an earlier run never collide.
    using ticket = std::uint64_t;

    // An item goes to air: `row` has actual_start and no actual_end or status. Never blocks on
    // I/O (nor does any other call but flush and wait_stored).
    ticket open_airing(airing row);
    // The item left the air; completes the row `t` opened.
    void close_airing(ticket t, core::instant end, airing_status s,
                      std::optional<std::string> detail = {});
    // An item that never went to air: `row` has a status.
    void record(airing row);
    // Call first at start-up: rows a crash left open (in SQLite, and opened in a journal left
    // by the earlier run) are closed `interrupted` at last_alive (or their actual start when
    // later). Applied in order after that journal.
    void close_interrupted(core::instant last_alive);

    writer_status status() const; // thread-safe, cheap

    // Waits up to `wait` until every event queued so far is in SQLite or fsync'd in the
    // journal. False on timeout.
    bool flush(std::chrono::milliseconds wait);
    // Waits up to `wait` until every event queued so far is in SQLite (the journal empty).
    // False on timeout (the store is still unavailable).
    bool wait_stored(std::chrono::milliseconds wait);

private:
    struct worker; // what only the writer thread touches: the store, the journal, the ids
    void enqueue(detail::writer_event e);
    void run();

    mutable std::mutex mutex_;
    std::condition_variable wake_; // the writer thread: events queued, or stop
    std::condition_variable done_; // flush/wait_stored: progress made
    std::deque<detail::writer_event> queue_;
    std::size_t held_ = 0;            // events taken by the thread and not yet durable
    std::uint64_t queued_seq_ = 0;    // number of the last event queued
    std::uint64_t durable_seq_ = 0;   // every event up to this one is in SQLite or the journal
    std::uint64_t stored_seq_ = 0;    // every event up to this one is in SQLite
    std::uint64_t lost_unlogged_ = 0; // dropped by enqueue, for the thread to log
    ticket next_ticket_ = 0;
    bool stop_ = false;
    writer_status status_;
    core::logger& log_;
    writer_options options_;
    std::string run_id_;
    std::unique_ptr<worker> worker_;
    std::thread thread_; // last: started once everything above exists
};

} // namespace onair::asrun
