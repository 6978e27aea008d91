#pragma once

// The as-run store: STATE_DIR/asrun.sqlite, one row per airing, written when an item goes to
// air and completed when it leaves. Every write is its own transaction and is on disk (WAL,
// synchronous FULL) when the call returns, so a crash loses no completed airing.
//
// Failures throw store_error with SQLite's message; the store is used from one thread. The
// daemon does not call it directly: asrun::writer (writer.hpp) owns its store on a thread of
// its own and spills to a journal when SQLite fails.

#include "asrun/airing.hpp"
#include "asrun/error.hpp"
#include "core/time.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

// SQLite's statement, named but not defined here: store.cpp alone includes sqlite3.h.
struct sqlite3_stmt;
struct sqlite3;

namespace onair::asrun {

// Where a station keeps its as-run log.
inline std::filesystem::path store_file(const std::filesystem::path& state_dir) {
    return state_dir / "asrun.sqlite";
}

// Rows whose scheduled start lies in [from, to), of one channel or all; empty bounds are open.
struct filter {
    std::optional<std::string> channel;
    std::optional<core::instant> from;
    std::optional<core::instant> to;
};

// A place in export order (scheduled start, then id), to resume a paged read after it.
struct page_key {
    core::instant scheduled_start{};
    std::int64_t id = 0;
    bool operator==(const page_key&) const = default;
};

// One entry of the summary table (airing_summary): the completed rows of one channel, local
// day and hour of their scheduled start (in the row's own timezone column; UTC when it is empty
// or unknown), kind, campaign, media and status. Kept in the transaction that completes each
// row, so a report over a year reads these instead of every row.
struct summary_row {
    std::string channel;
    core::local_days day;
    int hour = 0; // local hour 0-23
    airing_kind kind = airing_kind::spot;
    std::string campaign; // empty when none
    std::string media;
    airing_status status = airing_status::aired;
    std::int64_t count = 0;
    core::milliseconds airtime{0}; // actual_end - actual_start of aired and truncated rows
    bool operator==(const summary_row&) const = default;
};

// Summary entries of one channel or all, of one campaign or all, whose local day lies in
// [from, to] (inclusive local days; empty bounds are open).
struct summary_filter {
    std::optional<std::string> channel;
    std::optional<std::string> campaign; // "" selects the rows without a campaign
    std::optional<core::local_days> from;
    std::optional<core::local_days> to;
};

// How many of a campaign's airings on a channel did not air whole, for one status and reason.
struct missed_reason {
    std::string campaign;
    std::string channel;
    airing_status status = airing_status::failed;
    std::string detail; // "" when none
    std::int64_t count = 0;
};

// What the connection really runs with, as SQLite reports it (for tests and diagnostics).
struct store_settings {
    std::string journal_mode; // "wal"
    int synchronous = 0;      // 2 = FULL
    int busy_timeout_ms = 0;
    int schema_version = 0; // PRAGMA user_version
};

enum class open_mode {
    read_write, // creates the folder and the file, migrates the schema (the daemon)
    read_only,  // the file must exist; nothing is ever written (exports beside the daemon)
};

class store {
public:
    // The schema this build writes. Version history:
    //   1  airings table, indexes by (channel, scheduled_start_ms) and scheduled_start_ms
    //   2  media_sha256, seq and chain (tamper evidence, see chain.hpp); index by seq; rows
    //      completed under 1 are chained in id order by the migration
    //   3  airing_summary (see summary_row), kept with every completion and filled by the
    //      migration from the rows completed before; airings_missed, a partial index of the
    //      rows that did not air whole
    //   4  kind 'make-good' and make_good_of_ms (the table built again for its CHECK; rows,
    //      ids and chain copied as they are); airing_summary_day, the summary by day;
    //      airings_missed_by_campaign
    static constexpr int schema_version = 4;

    // Long enough to ride out an export's read or a checkpoint, short enough that a wedged
    // peer is reported while the item is still on air.
    static constexpr std::chrono::milliseconds default_busy_timeout{5000};

    explicit store(const std::filesystem::path& file, open_mode mode = open_mode::read_write,
                   std::chrono::milliseconds busy_timeout = default_busy_timeout);
    ~store();
    store(store&&) noexcept;
    store& operator=(store&&) noexcept;

    // An item goes to air: `row` has actual_start and no actual_end or status. Returns its id.
    std::int64_t open_airing(const airing& row);
    // The item left the air; the row is linked to the chain in the same transaction. False when
    // `id` is not an open row (unknown or already closed).
    bool close_airing(std::int64_t id, core::instant actual_end, airing_status status,
                      const std::optional<std::string>& detail = std::nullopt);
    // An item that never went to air (failed before its start, skipped): `row` has a status.
    // Written and chained in one transaction.
    std::int64_t record(const airing& row);
    // At start-up: closes every row a crash left open as `interrupted`, ending at
    // `last_known_alive` (or at the row's actual start when that is later), chaining them in id
    // order. Returns how many.
    std::size_t close_interrupted(core::instant last_known_alive);

    // Streams the rows that match, ordered by scheduled start then id, one at a time: a long
    // range is never held in memory.
    void airings(const filter& f, const std::function<void(const airing&)>& each) const;
    // The same order, one page: at most `limit` rows, those after `after` when given. Each
    // call is one bounded query; nothing stays open between pages.
    void airings_page(const filter& f, const std::optional<page_key>& after, std::size_t limit,
                      const std::function<void(const airing&)>& each) const;
    std::optional<airing> find(std::int64_t id) const;
    // The same rows as airings(), with only id, channel, kind, media, campaign,
    // scheduled_start, actual_start, actual_end and status filled: what a report counts, read
    // faster. The row passed to `each` is reused; copy what must outlive the call.
    void outcomes(const filter& f, const std::function<void(const airing&)>& each) const;
    // The queries airings(), outcomes() and completed_in_order() run (on a current schema), for
    // tests that check with EXPLAIN QUERY PLAN that SQLite answers them from an index.
    static std::string airings_sql(const filter& f);
    static std::string airings_page_sql(const filter& f, bool after);
    static std::string outcomes_sql(const filter& f);
    static std::string chain_walk_sql();

    // The summary entries that match, ordered by channel, day, hour, kind, campaign, media and
    // status (kind, campaign, media and status as their stored text sorts), streamed. A
    // channel and a day range read one range of the table's primary key; a day range without a
    // channel, one such range per channel. On a file older than schema 3 (opened read-only
    // beside an older daemon) the same entries are computed from the rows, slowly.
    void summary(const summary_filter& f,
                 const std::function<void(const summary_row&)>& each) const;
    // The same by local day (hour -1), ordered by channel, day, kind, campaign, media and
    // status: a year of ten busy channels is some 100,000 entries (airing_summary_day, schema
    // 4; summed from the hours on an older file).
    void daily_summary(const summary_filter& f,
                       const std::function<void(const summary_row&)>& each) const;
    // Completed rows that did not air whole (truncated, failed, skipped, interrupted) with
    // scheduled_start in [from, to), optionally one channel, in scheduled order (then id); full
    // rows (detail included). Answered from airings_missed.
    void missed(const filter& f, const std::function<void(const airing&)>& each) const;
    // One campaign's rows of missed() (the first `limit` in scheduled order), and the counts of
    // all of them by channel, status and detail: read through airings_missed_by_campaign
    // (schema 4), so a campaign's document never walks the other campaigns' misses.
    void campaign_missed(const filter& f, const std::string& campaign, std::size_t limit,
                         const std::function<void(const airing&)>& each) const;
    void campaign_missed_reasons(const filter& f, const std::string& campaign,
                                 const std::function<void(const missed_reason&)>& each) const;
    // Rebuilds airing_summary from the rows in one transaction; returns the number of summary
    // rows.
    std::int64_t reindex_summary();
    // Compares airing_summary with what the rows say; returns a list of human-readable
    // differences (empty when they agree), at most `limit`. With `channel`, only that
    // channel's entries. Empty on a file older than schema 3 (it has no summary to disagree).
    std::vector<std::string> check_summary(std::size_t limit,
                                           const std::optional<std::string>& channel = {}) const;
    // The queries summary() (per channel) and missed() run on a current schema, for tests that
    // check their plans, and the statement every completion runs to keep the summary.
    static std::string summary_sql(const summary_filter& f, bool daily = false);
    static std::string missed_sql(const filter& f);
    static std::string summary_upsert_sql();

    // Groups the writes made while it lives into one transaction: one lock, one fsync. The
    // writes inside keep their own all-or-nothing (each is a savepoint), but none is durable
    // before commit(); a batch left without commit() rolls back, ids it handed out included.
    class batch {
    public:
        explicit batch(store& s);
        batch(const batch&) = delete;
        batch& operator=(const batch&) = delete;
        ~batch();
        void commit();

    private:
        store* s_;
    };

    // The chain value of the last completed row; empty when none (or a version 1 file).
    std::optional<std::string> chain_head() const;
    // Completed rows in completion order (seq), streamed: what verify_chain walks.
    void completed_in_order(const std::function<void(const airing&)>& each) const;
    // The next `limit` of them after seq `after` (0: from the first), and the last seq given
    // (0 when none): what the PostgreSQL sink ships, one bounded read at a time.
    void completed_after(std::int64_t after, std::size_t limit,
                         const std::function<void(const airing&)>& each) const;
    std::int64_t last_seq() const;
    // Rows outside the chain, by id: those on air now, and completed rows that were never
    // chained (only a hand-edited file has them; verify_chain reports them).
    void unchained(const std::function<void(const airing&)>& each) const;

    const std::filesystem::path& path() const;
    store_settings settings() const;

private:
    using sqlite3_stmt_ref = ::sqlite3_stmt*;
    using sqlite3_ref = ::sqlite3*;
    void stream_summary(const summary_filter& f,
                        const std::function<void(const summary_row&)>& each, bool daily) const;
    void merge_differences(sqlite3_ref d, sqlite3_stmt_ref want, sqlite3_stmt_ref have,
                           std::size_t limit, std::vector<std::string>& differences) const;
    static std::string where_sql(const filter& f, bool after = false);
    static std::string missed_where(const filter& f);
    void filtered(const std::string& select, const filter& f,
                  const std::function<void(sqlite3_stmt_ref)>& each) const;
    void each_row(const std::string& sql_tail,
                  const std::function<void(const airing&)>& each) const;
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace onair::asrun
