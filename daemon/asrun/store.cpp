#include "asrun/store.hpp"

#include "asrun/chain.hpp"
#include "asrun/sqlite_handle.hpp"
#include "asrun/zone_cache.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace onair::asrun {
namespace {

void chain_completed_rows(sqlite3* db);
void fill_summary_step(sqlite3* db);
void fill_summary_day_step(sqlite3* db);

// migrations[i] takes the schema from version i to i + 1: its SQL, then its C++ part if any.
// Never edit a shipped step: add one. Exports name their columns, so the order of columns in
// the table never changes the order of columns in a CSV.
struct migration {
    const char* sql;
    void (*after)(sqlite3* db);
};
constexpr std::array<migration, store::schema_version> migrations{{
    {R"sql(
CREATE TABLE airings (
    id                 INTEGER PRIMARY KEY,
    channel            TEXT NOT NULL,
    kind               TEXT NOT NULL CHECK (kind IN ('spot', 'programme', 'insert')),
    media              TEXT NOT NULL,
    campaign           TEXT,
    break_id           TEXT,
    title              TEXT NOT NULL,
    file               TEXT NOT NULL,
    scheduled_start_ms INTEGER NOT NULL,
    scheduled_end_ms   INTEGER NOT NULL,
    actual_start_ms    INTEGER,
    actual_end_ms      INTEGER,
    status             TEXT CHECK (status IN
                           ('aired', 'truncated', 'failed', 'skipped', 'interrupted')),
    detail             TEXT,
    timezone           TEXT NOT NULL,
    -- an open row (no status yet) went to air and has not left it
    CHECK (status IS NOT NULL OR (actual_start_ms IS NOT NULL AND actual_end_ms IS NULL))
);
CREATE INDEX airings_by_channel ON airings (channel, scheduled_start_ms);
CREATE INDEX airings_by_start ON airings (scheduled_start_ms);
-- only the few rows on air now: keeps close_interrupted cheap on a years-long log
CREATE INDEX airings_open ON airings (id) WHERE status IS NULL;
)sql",
     nullptr},
    // 2: tamper evidence. seq is the completion order (NULL while open); the unique index
    // finds the chain head and walks the chain in order. Rows completed under version 1 are
    // chained now, in the order they were written.
    {R"sql(
ALTER TABLE airings ADD COLUMN media_sha256 TEXT;
ALTER TABLE airings ADD COLUMN seq INTEGER;
ALTER TABLE airings ADD COLUMN chain TEXT;
CREATE UNIQUE INDEX airings_by_seq ON airings (seq);
)sql",
     chain_completed_rows},
    // 3: the summary a report reads instead of the rows: one entry per channel, local day and
    // hour of the scheduled start (in the row's own zone), kind, campaign, media and status,
    // kept in the transaction that completes each row. Filled here from the rows completed so
    // far (the local day and hour come from the tz database, so from C++: see zone_lookup).
    // airings_missed holds only the rows that did not air whole, a small part of the log.
    {R"sql(
CREATE TABLE airing_summary (
    channel    TEXT NOT NULL,
    day        INTEGER NOT NULL, -- local calendar day of scheduled_start, days since 1970-01-01
    hour       INTEGER NOT NULL, -- local hour of scheduled_start, 0-23
    kind       TEXT NOT NULL,
    campaign   TEXT NOT NULL,    -- '' when none
    media      TEXT NOT NULL,
    status     TEXT NOT NULL,
    count      INTEGER NOT NULL,
    airtime_ms INTEGER NOT NULL, -- actual_end - actual_start of aired and truncated rows
    PRIMARY KEY (channel, day, hour, kind, campaign, media, status)
) WITHOUT ROWID;
CREATE INDEX airings_missed ON airings (scheduled_start_ms)
    WHERE status IN ('truncated', 'failed', 'skipped', 'interrupted');
)sql",
     fill_summary_step},
    // 4: make-goods. Kind 'make-good' joins the CHECK (SQLite changes a CHECK only by building
    // the table again: the rows are copied as they are, ids, seq and chain included, so the
    // chain still holds), and make_good_of_ms holds the scheduled start of the airing a
    // make-good stands in for. The summary counts a make-good at that airing's day and hour.
    {R"sql(
CREATE TABLE airings_v4 (
    id                 INTEGER PRIMARY KEY,
    channel            TEXT NOT NULL,
    kind               TEXT NOT NULL
                           CHECK (kind IN ('spot', 'programme', 'insert', 'make-good')),
    media              TEXT NOT NULL,
    campaign           TEXT,
    break_id           TEXT,
    title              TEXT NOT NULL,
    file               TEXT NOT NULL,
    scheduled_start_ms INTEGER NOT NULL,
    scheduled_end_ms   INTEGER NOT NULL,
    actual_start_ms    INTEGER,
    actual_end_ms      INTEGER,
    status             TEXT CHECK (status IN
                           ('aired', 'truncated', 'failed', 'skipped', 'interrupted')),
    detail             TEXT,
    timezone           TEXT NOT NULL,
    media_sha256       TEXT,
    seq                INTEGER,
    chain              TEXT,
    make_good_of_ms    INTEGER,
    CHECK (status IS NOT NULL OR (actual_start_ms IS NOT NULL AND actual_end_ms IS NULL))
);
INSERT INTO airings_v4 (id, channel, kind, media, campaign, break_id, title, file,
                        scheduled_start_ms, scheduled_end_ms, actual_start_ms, actual_end_ms,
                        status, detail, timezone, media_sha256, seq, chain)
    SELECT id, channel, kind, media, campaign, break_id, title, file, scheduled_start_ms,
           scheduled_end_ms, actual_start_ms, actual_end_ms, status, detail, timezone,
           media_sha256, seq, chain FROM airings ORDER BY id;
DROP TABLE airings;
ALTER TABLE airings_v4 RENAME TO airings;
CREATE INDEX airings_by_channel ON airings (channel, scheduled_start_ms);
CREATE INDEX airings_by_start ON airings (scheduled_start_ms);
CREATE INDEX airings_open ON airings (id) WHERE status IS NULL;
CREATE UNIQUE INDEX airings_by_seq ON airings (seq);
CREATE INDEX airings_missed ON airings (scheduled_start_ms)
    WHERE status IN ('truncated', 'failed', 'skipped', 'interrupted');
-- the same rows by campaign and channel, covering the counts by status and reason: one
-- campaign's missed airings without walking the others' (nor the table, to count them)
CREATE INDEX airings_missed_by_campaign
    ON airings (campaign, channel, scheduled_start_ms, status, detail)
    WHERE status IN ('truncated', 'failed', 'skipped', 'interrupted');
-- the same summary by day, without the hour: a year of busy channels in some 100,000 entries
-- for the reports that count by day
CREATE TABLE airing_summary_day (
    channel    TEXT NOT NULL,
    day        INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    campaign   TEXT NOT NULL,
    media      TEXT NOT NULL,
    status     TEXT NOT NULL,
    count      INTEGER NOT NULL,
    airtime_ms INTEGER NOT NULL,
    PRIMARY KEY (channel, day, kind, campaign, media, status)
) WITHOUT ROWID;
)sql",
     fill_summary_day_step},
}};

// The condition of airings_missed, word for word: a query uses the partial index only when its
// WHERE holds this term.
constexpr const char* missed_condition =
    "status IN ('truncated', 'failed', 'skipped', 'interrupted')";

constexpr const char* select_columns =
    "SELECT id, channel, kind, media, campaign, break_id, title, file, scheduled_start_ms, "
    "scheduled_end_ms, actual_start_ms, actual_end_ms, status, detail, timezone, media_sha256, "
    "seq, chain, make_good_of_ms FROM airings";
// A version 2 or 3 file opened read-only has no make_good_of_ms.
constexpr const char* select_columns_v2 =
    "SELECT id, channel, kind, media, campaign, break_id, title, file, scheduled_start_ms, "
    "scheduled_end_ms, actual_start_ms, actual_end_ms, status, detail, timezone, media_sha256, "
    "seq, chain, NULL FROM airings";
constexpr const char* chain_walk_tail = " WHERE seq IS NOT NULL ORDER BY seq";

// What a report counts: a narrower read than select_columns.
constexpr const char* outcome_columns =
    "SELECT id, channel, kind, media, campaign, scheduled_start_ms, actual_start_ms, "
    "actual_end_ms, status FROM airings";
// A version 1 file opened read-only (the daemon has not upgraded it yet) has no chain columns.
constexpr const char* select_columns_v1 =
    "SELECT id, channel, kind, media, campaign, break_id, title, file, scheduled_start_ms, "
    "scheduled_end_ms, actual_start_ms, actual_end_ms, status, detail, timezone, NULL, NULL, "
    "NULL, NULL FROM airings";

std::int64_t to_ms(core::instant t) {
    return t.time_since_epoch().count();
}
core::instant from_ms(std::int64_t ms) {
    return core::instant{core::milliseconds{ms}};
}

const date::time_zone& utc_zone() {
    static const date::time_zone* zone = core::find_zone("UTC");
    return *zone;
}

// The local day and hour of an instant in the zone a row names: what the summary is keyed by.
// Remembers every zone it has met (unknown and empty names are UTC) with its offset
// (zone_cache), so rows streamed in about time order cost a comparison each, not a lookup in
// the tz database. Shared by the store's writes and the SQL functions below, so the summary
// kept row by row and the one computed from the rows agree to the millisecond.
class zone_lookup {
public:
    struct slot {
        std::int64_t day = 0; // days since 1970-01-01, local
        int hour = 0;         // 0-23
    };

    slot local(std::int64_t ms, std::string_view zone_name) {
        zone_cache& z = cache(zone_name);
        const auto t = from_ms(ms);
        const auto local = t.time_since_epoch() + z.offset(t);
        const auto day = date::floor<date::days>(local);
        return {day.count(),
                static_cast<int>(date::floor<std::chrono::hours>(local - day).count())};
    }

private:
    zone_cache& cache(std::string_view name) {
        if (last_ != nullptr && name == last_name_) {
            return *last_;
        }
        last_name_.assign(name);
        auto it = zones_.find(last_name_);
        if (it == zones_.end()) {
            const auto* zone = name.empty() ? nullptr : core::find_zone(last_name_);
            it = zones_.emplace(last_name_, zone_cache(zone != nullptr ? *zone : utc_zone())).first;
        }
        last_ = &it->second; // a node's value never moves
        return *last_;
    }

    std::unordered_map<std::string, zone_cache> zones_;
    std::string last_name_;
    zone_cache* last_ = nullptr;
};

// onair_local_day(ms, timezone) and onair_local_hour(ms, timezone): zone_lookup for SQL, so
// one INSERT ... SELECT ... GROUP BY fills the summary from the rows. Registered on every
// connection the store opens; never stored in the schema (no view or index uses them), so other
// SQLite tools read the file without them.
std::string_view value_text(sqlite3_value* v) {
    const auto* p = sqlite3_value_text(v);
    return p == nullptr ? std::string_view{}
                        : std::string_view(reinterpret_cast<const char*>(p),
                                           static_cast<std::size_t>(sqlite3_value_bytes(v)));
}

template <bool Hour> void local_slot_function(sqlite3_context* c, int, sqlite3_value** v) {
    try {
        auto* zones = static_cast<zone_lookup*>(sqlite3_user_data(c));
        const auto slot = zones->local(sqlite3_value_int64(v[0]), value_text(v[1]));
        sqlite3_result_int64(c, Hour ? slot.hour : slot.day);
    } catch (const std::exception& e) {
        sqlite3_result_error(c, e.what(), -1);
    }
}

void register_functions(sqlite3* db, zone_lookup* zones) {
    constexpr int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY;
    sqlite::check(db,
                  sqlite3_create_function_v2(db, "onair_local_day", 2, flags, zones,
                                             local_slot_function<false>, nullptr, nullptr, nullptr),
                  "cannot register onair_local_day");
    sqlite::check(db,
                  sqlite3_create_function_v2(db, "onair_local_hour", 2, flags, zones,
                                             local_slot_function<true>, nullptr, nullptr, nullptr),
                  "cannot register onair_local_hour");
}

// What a completed row adds to its summary entry's airtime, in SQL (the C++ twin is
// summary_airtime): whole and cut-short airings, when they ended after they started.
constexpr const char* airtime_sql =
    "CASE WHEN status IN ('aired', 'truncated') AND actual_end_ms > actual_start_ms THEN "
    "actual_end_ms - actual_start_ms ELSE 0 END";

std::int64_t summary_airtime(const airing& row) {
    if (row.status &&
        (*row.status == airing_status::aired || *row.status == airing_status::truncated) &&
        row.actual_start && row.actual_end && *row.actual_start < *row.actual_end) {
        return (*row.actual_end - *row.actual_start).count();
    }
    return 0;
}

constexpr const char* summary_select =
    "SELECT channel, day, hour, kind, campaign, media, status, count, airtime_ms FROM "
    "airing_summary";
constexpr const char* summary_order = " ORDER BY channel, day, hour, kind, campaign, media, status";
constexpr const char* summary_day_select =
    "SELECT channel, day, -1, kind, campaign, media, status, count, airtime_ms FROM "
    "airing_summary_day";
constexpr const char* summary_day_order = " ORDER BY channel, day, kind, campaign, media, status";

// The summary as the rows say it, in the columns and order of summary_select: ?1 channel, ?2
// and ?3 the first and last local day, ?4 campaign, ?5 and ?6 bounds on scheduled_start_ms two
// days wider than the days (no zone is a day off UTC), so the start-time index narrows the scan
// before the local day is computed.
// `make_goods`: the file has make_good_of_ms (schema 4), and a make-good counts at the day and
// hour of the airing it stands in for (at most a week before it airs: ?6 allows for that).
std::string rows_summary_sql(const summary_filter& f, bool make_goods, bool daily = false) {
    const std::string at =
        make_goods ? "coalesce(make_good_of_ms, scheduled_start_ms)" : "scheduled_start_ms";
    const std::string hour = daily ? "-1" : "onair_local_hour(" + at + ", timezone)";
    std::string sql = "SELECT channel, onair_local_day(" + at + ", timezone), " + hour +
                      ", kind, coalesce(campaign, ''), media, status, count(*), sum(";
    sql += airtime_sql;
    sql += ") FROM airings WHERE status IS NOT NULL";
    if (f.channel) {
        sql += " AND channel = ?1";
    }
    if (f.campaign) {
        sql += " AND coalesce(campaign, '') = ?4";
    }
    if (f.from) {
        sql += " AND scheduled_start_ms >= ?5 AND onair_local_day(" + at + ", timezone) >= ?2";
    }
    if (f.to) {
        sql += " AND scheduled_start_ms < ?6 AND onair_local_day(" + at + ", timezone) <= ?3";
    }
    sql += daily ? " GROUP BY 1, 2, 4, 5, 6, 7 ORDER BY 1, 2, 4, 5, 6, 7"
                 : " GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7";
    return sql;
}

// Fills an empty airing_summary from the completed rows; returns the number of entries.
std::int64_t fill_summary(sqlite3* db) {
    sqlite::exec(db, "INSERT INTO airing_summary (channel, day, hour, kind, campaign, media, "
                     "status, count, airtime_ms) " +
                         rows_summary_sql({}, false));
    return sqlite3_changes64(db);
}

void fill_summary_step(sqlite3* db) {
    fill_summary(db);
}

// Fills an empty airing_summary_day from airing_summary.
void fill_summary_day_step(sqlite3* db) {
    sqlite::exec(db, "INSERT INTO airing_summary_day (channel, day, kind, campaign, media, status, "
                     "count, airtime_ms) SELECT channel, day, kind, campaign, media, status, "
                     "sum(count), sum(airtime_ms) FROM airing_summary GROUP BY channel, day, kind, "
                     "campaign, media, status");
}

// A read that runs several statements sees one snapshot: a read transaction around them, unless
// the caller is already inside one (a store::batch).
class read_snapshot {
public:
    explicit read_snapshot(sqlite3* db) : db_(sqlite3_get_autocommit(db) != 0 ? db : nullptr) {
        if (db_ != nullptr) {
            sqlite::exec(db_, "BEGIN");
        }
    }
    read_snapshot(const read_snapshot&) = delete;
    read_snapshot& operator=(const read_snapshot&) = delete;
    ~read_snapshot() {
        if (db_ != nullptr) {
            // nothing was written: ending it cannot lose anything
            sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        }
    }

private:
    sqlite3* db_;
};

std::string column_text(sqlite3_stmt* s, int i) {
    const auto* p = sqlite3_column_text(s, i);
    return p == nullptr ? std::string{}
                        : std::string(reinterpret_cast<const char*>(p),
                                      static_cast<std::size_t>(sqlite3_column_bytes(s, i)));
}

std::optional<std::string> column_optional_text(sqlite3_stmt* s, int i) {
    if (sqlite3_column_type(s, i) == SQLITE_NULL) {
        return std::nullopt;
    }
    return column_text(s, i);
}

std::optional<core::instant> column_optional_instant(sqlite3_stmt* s, int i) {
    if (sqlite3_column_type(s, i) == SQLITE_NULL) {
        return std::nullopt;
    }
    return from_ms(sqlite3_column_int64(s, i));
}

airing read_row(sqlite3* db, sqlite3_stmt* s) {
    airing a;
    a.id = sqlite3_column_int64(s, 0);
    a.channel = column_text(s, 1);
    auto kind = parse_kind(column_text(s, 2));
    if (!kind) {
        // The CHECK constraint makes this unreachable unless the file was edited by hand.
        sqlite::fail(db, SQLITE_CORRUPT,
                     "airing " + std::to_string(a.id) + " has kind '" + column_text(s, 2) + "'");
    }
    a.kind = *kind;
    a.media = column_text(s, 3);
    a.campaign = column_optional_text(s, 4);
    a.break_id = column_optional_text(s, 5);
    a.title = column_text(s, 6);
    a.file = column_text(s, 7);
    a.scheduled_start = from_ms(sqlite3_column_int64(s, 8));
    a.scheduled_end = from_ms(sqlite3_column_int64(s, 9));
    a.actual_start = column_optional_instant(s, 10);
    a.actual_end = column_optional_instant(s, 11);
    if (auto st = column_optional_text(s, 12)) {
        a.status = parse_status(*st);
        if (!a.status) {
            sqlite::fail(db, SQLITE_CORRUPT,
                         "airing " + std::to_string(a.id) + " has status '" + *st + "'");
        }
    }
    a.detail = column_optional_text(s, 13);
    a.timezone = column_text(s, 14);
    a.media_sha256 = column_optional_text(s, 15);
    if (sqlite3_column_type(s, 16) != SQLITE_NULL) {
        a.seq = sqlite3_column_int64(s, 16);
    }
    a.chain = column_optional_text(s, 17);
    a.make_good_of = column_optional_instant(s, 18);
    return a;
}

// BEGIN IMMEDIATE .. COMMIT, rolled back when left by an exception. IMMEDIATE takes the write
// lock first, so reading the chain head and writing the next link cannot interleave with
// another writer. Inside a store::batch (a transaction is already open) it is a savepoint
// instead: a write that fails or changes nothing undoes only itself, not the batch.
class transaction {
public:
    explicit transaction(sqlite3* db) : db_(db), nested_(sqlite3_get_autocommit(db) == 0) {
        sqlite::exec(db_, nested_ ? "SAVEPOINT onair_write" : "BEGIN IMMEDIATE");
    }
    transaction(const transaction&) = delete;
    transaction& operator=(const transaction&) = delete;
    ~transaction() {
        if (db_ != nullptr) {
            // fails only when SQLite already rolled back; the first error is the one to report
            sqlite3_exec(db_, nested_ ? "ROLLBACK TO onair_write; RELEASE onair_write" : "ROLLBACK",
                         nullptr, nullptr, nullptr);
        }
    }
    void commit() {
        sqlite::exec(db_, nested_ ? "RELEASE onair_write" : "COMMIT");
        db_ = nullptr;
    }

private:
    sqlite3* db_;
    bool nested_;
};

struct chain_link {
    std::int64_t seq = 0;
    std::string chain = genesis_chain;
};

chain_link last_link(sqlite3* db, sqlite3_stmt* s) {
    sqlite::reset_guard reset(s);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) {
        return {};
    }
    if (rc != SQLITE_ROW) {
        sqlite::fail(db, rc, "cannot read the chain head");
    }
    return {sqlite3_column_int64(s, 0), column_text(s, 1)};
}

constexpr const char* last_link_sql =
    "SELECT seq, chain FROM airings WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1";
constexpr const char* set_link_sql = "UPDATE airings SET seq = ?2, chain = ?3 WHERE id = ?1";

void set_link(sqlite3* db, sqlite3_stmt* s, std::int64_t id, const chain_link& link) {
    sqlite::reset_guard reset(s);
    sqlite::bind_int(db, s, 1, id);
    sqlite::bind_int(db, s, 2, link.seq);
    sqlite::bind_text(db, s, 3, link.chain);
    sqlite::check(db, sqlite3_step(s), "cannot chain airing " + std::to_string(id), SQLITE_DONE);
}

// Migration 1 -> 2: links the rows completed so far, in id order (the order they were written;
// version 1 kept no completion order). In batches, so memory stays bounded and no statement
// reads the table while another writes it.
void chain_completed_rows(sqlite3* db) {
    auto select = sqlite::prepare(db, std::string(select_columns_v2) +
                                          " WHERE id > ?1 AND status IS NOT NULL AND seq IS NULL "
                                          "ORDER BY id LIMIT 10000");
    auto update = sqlite::prepare(db, set_link_sql);
    chain_link link = last_link(db, sqlite::prepare(db, last_link_sql).get());
    std::int64_t after = 0;
    std::vector<airing> batch;
    do {
        batch.clear();
        {
            sqlite::reset_guard reset(select.get());
            sqlite::bind_int(db, select.get(), 1, after);
            for (;;) {
                int rc = sqlite3_step(select.get());
                if (rc == SQLITE_DONE) {
                    break;
                }
                if (rc != SQLITE_ROW) {
                    sqlite::fail(db, rc, "cannot read airings to chain");
                }
                batch.push_back(read_row(db, select.get()));
            }
        }
        for (const auto& row : batch) {
            link.chain = chain_value(link.chain, row, link.seq + 1);
            ++link.seq;
            set_link(db, update.get(), row.id, link);
            after = row.id;
        }
    } while (!batch.empty());
}

void bind_optional_text(sqlite3* db, sqlite3_stmt* s, int i, const std::optional<std::string>& v) {
    v ? sqlite::bind_text(db, s, i, *v) : sqlite::bind_null(db, s, i);
}

void bind_optional_instant(sqlite3* db, sqlite3_stmt* s, int i,
                           const std::optional<core::instant>& v) {
    v ? sqlite::bind_int(db, s, i, to_ms(*v)) : sqlite::bind_null(db, s, i);
}

// Brings a read-write connection to the current schema, one step per transaction. BEGIN
// IMMEDIATE takes the write lock first, so two processes opening a new store at once cannot
// both run a step.
void migrate(sqlite3* db, const std::string& file) {
    for (;;) {
        sqlite::exec(db, "BEGIN IMMEDIATE");
        try {
            auto version = sqlite::query_int(db, "PRAGMA user_version");
            if (version > store::schema_version) {
                throw store_error(file + " has as-run schema " + std::to_string(version) +
                                      ", newer than this onair knows (" +
                                      std::to_string(store::schema_version) + ")",
                                  0);
            }
            if (version == store::schema_version) {
                sqlite::exec(db, "COMMIT");
                return;
            }
            const auto& step = migrations[static_cast<std::size_t>(version)];
            sqlite::exec(db, step.sql);
            if (step.after != nullptr) {
                step.after(db);
            }
            sqlite::exec(db, "PRAGMA user_version = " + std::to_string(version + 1));
            sqlite::exec(db, "COMMIT");
        } catch (...) {
            // ROLLBACK fails only when SQLite already rolled back; the first error is the one
            // worth reporting.
            sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
            throw;
        }
    }
}

} // namespace

struct store::impl {
    std::filesystem::path file;
    // Before `db`, so it outlives the connection whose SQL functions use it.
    std::unique_ptr<zone_lookup> zones = std::make_unique<zone_lookup>();
    sqlite::db_ptr db;
    int version = 0;
    // Prepared once: the daemon writes these for every item it airs. Declared after `db` so
    // they are finalized before it closes.
    sqlite::stmt_ptr insert;
    sqlite::stmt_ptr close;
    sqlite::stmt_ptr select_open;
    sqlite::stmt_ptr select_by_id;
    sqlite::stmt_ptr last;
    sqlite::stmt_ptr link;
    sqlite::stmt_ptr upsert;
    sqlite::stmt_ptr upsert_day;

    sqlite3* handle() const { return db.get(); }

    std::string select_sql() const {
        return version >= 4 ? select_columns : version >= 2 ? select_columns_v2 : select_columns_v1;
    }

    std::optional<airing> read_by_id(std::int64_t id) {
        auto* s = select_by_id.get();
        sqlite::reset_guard reset(s);
        sqlite::bind_int(handle(), s, 1, id);
        int rc = sqlite3_step(s);
        if (rc == SQLITE_DONE) {
            return std::nullopt;
        }
        if (rc != SQLITE_ROW) {
            sqlite::fail(handle(), rc, "cannot read airing " + std::to_string(id));
        }
        return read_row(handle(), s);
    }

    // Links a row that was just completed (inside the caller's transaction), as stored.
    void chain(const airing& row) {
        auto l = last_link(handle(), last.get());
        l.chain = chain_value(l.chain, row, l.seq + 1);
        ++l.seq;
        set_link(handle(), link.get(), row.id, l);
    }

    // Adds a row that was just completed (inside the caller's transaction) to its summary
    // entry.
    void summarize(const airing& row) {
        auto* s = upsert.get();
        sqlite::reset_guard reset(s);
        sqlite3* d = handle();
        // a make-good counts where the airing it stands in for was planned
        const auto slot =
            zones->local(to_ms(row.make_good_of.value_or(row.scheduled_start)), row.timezone);
        sqlite::bind_text(d, s, 1, row.channel);
        sqlite::bind_int(d, s, 2, slot.day);
        sqlite::bind_int(d, s, 3, slot.hour);
        sqlite::bind_text(d, s, 4, to_string(row.kind));
        sqlite::bind_text(d, s, 5, row.campaign.value_or(std::string()));
        sqlite::bind_text(d, s, 6, row.media);
        sqlite::bind_text(d, s, 7, to_string(*row.status));
        sqlite::bind_int(d, s, 8, summary_airtime(row));
        sqlite::check(d, sqlite3_step(s), "cannot summarize airing " + std::to_string(row.id),
                      SQLITE_DONE);
        auto* day = upsert_day.get();
        sqlite::reset_guard reset_day(day);
        sqlite::bind_text(d, day, 1, row.channel);
        sqlite::bind_int(d, day, 2, slot.day);
        sqlite::bind_text(d, day, 3, to_string(row.kind));
        sqlite::bind_text(d, day, 4, row.campaign.value_or(std::string()));
        sqlite::bind_text(d, day, 5, row.media);
        sqlite::bind_text(d, day, 6, to_string(*row.status));
        sqlite::bind_int(d, day, 7, summary_airtime(row));
        sqlite::check(d, sqlite3_step(day),
                      "cannot summarize airing " + std::to_string(row.id) + " by day", SQLITE_DONE);
    }

    // Everything that goes with a row's completion, in its transaction: the chain link and the
    // summary entry, both from the row as stored.
    void complete(std::int64_t id) {
        const auto row = read_by_id(id);
        chain(*row);
        summarize(*row);
    }

    std::int64_t insert_row(const airing& row) {
        auto* s = insert.get();
        sqlite::reset_guard reset(s);
        sqlite3* d = handle();
        sqlite::bind_text(d, s, 1, row.channel);
        sqlite::bind_text(d, s, 2, to_string(row.kind));
        sqlite::bind_text(d, s, 3, row.media);
        bind_optional_text(d, s, 4, row.campaign);
        bind_optional_text(d, s, 5, row.break_id);
        sqlite::bind_text(d, s, 6, row.title);
        sqlite::bind_text(d, s, 7, row.file);
        sqlite::bind_int(d, s, 8, to_ms(row.scheduled_start));
        sqlite::bind_int(d, s, 9, to_ms(row.scheduled_end));
        bind_optional_instant(d, s, 10, row.actual_start);
        bind_optional_instant(d, s, 11, row.actual_end);
        row.status ? sqlite::bind_text(d, s, 12, to_string(*row.status))
                   : sqlite::bind_null(d, s, 12);
        bind_optional_text(d, s, 13, row.detail);
        sqlite::bind_text(d, s, 14, row.timezone);
        bind_optional_text(d, s, 15, row.media_sha256);
        bind_optional_instant(d, s, 16,
                              row.kind == airing_kind::make_good ? row.make_good_of : std::nullopt);
        sqlite::check(d, sqlite3_step(s), "cannot write airing to " + file.string(), SQLITE_DONE);
        return sqlite3_last_insert_rowid(d);
    }

    void require_writable(const char* what) const {
        if (!insert) {
            throw store_error(std::string(what) + ": " + file.string() + " is open read-only",
                              SQLITE_READONLY);
        }
    }
};

store::store(const std::filesystem::path& file, open_mode mode,
             std::chrono::milliseconds busy_timeout)
    : impl_(std::make_unique<impl>()) {
    impl_->file = file;
    const std::string name = file.string();
    if (mode == open_mode::read_write) {
        if (file.has_parent_path()) {
            std::error_code ec;
            std::filesystem::create_directories(file.parent_path(), ec);
            if (ec) {
                throw store_error(
                    "cannot create " + file.parent_path().string() + ": " + ec.message(), 0);
            }
        }
        impl_->db = sqlite::open(name, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    } else {
        impl_->db = sqlite::open(name, SQLITE_OPEN_READONLY);
    }
    sqlite3* db = impl_->handle();
    register_functions(db, impl_->zones.get());
    // The daemon writes while an export reads; wait for a lock rather than fail at once.
    sqlite::check(db, sqlite3_busy_timeout(db, static_cast<int>(busy_timeout.count())),
                  "cannot set busy timeout");

    if (mode == open_mode::read_write) {
        // WAL: readers never block the writer, and a commit is one append. The mode is stored
        // in the file; SQLite answers with the mode in force, which must be WAL.
        auto journal = sqlite::query_text(db, "PRAGMA journal_mode = WAL");
        if (journal != "wal") {
            throw store_error(name + ": cannot use WAL (journal mode is " + journal + ")", 0);
        }
        // FULL syncs the WAL at every commit: a completed airing survives a power cut, not
        // only a crash. Per connection, so set on every open.
        sqlite::exec(db, "PRAGMA synchronous = FULL");
        migrate(db, name);
        impl_->version = schema_version;
        impl_->insert = sqlite::prepare(
            db, "INSERT INTO airings (channel, kind, media, campaign, break_id, title, file, "
                "scheduled_start_ms, scheduled_end_ms, actual_start_ms, actual_end_ms, status, "
                "detail, timezone, media_sha256, make_good_of_ms) VALUES (?1, ?2, ?3, ?4, ?5, "
                "?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)");
        impl_->close =
            sqlite::prepare(db, "UPDATE airings SET actual_end_ms = ?2, status = ?3, detail = ?4 "
                                "WHERE id = ?1 AND status IS NULL");
        impl_->select_open = sqlite::prepare(db, std::string("SELECT id FROM airings WHERE status "
                                                             "IS NULL ORDER BY id"));
        impl_->select_by_id = sqlite::prepare(db, std::string(select_columns) + " WHERE id = ?1");
        impl_->last = sqlite::prepare(db, last_link_sql);
        impl_->link = sqlite::prepare(db, set_link_sql);
        impl_->upsert = sqlite::prepare(db, summary_upsert_sql());
        impl_->upsert_day = sqlite::prepare(
            db, "INSERT INTO airing_summary_day (channel, day, kind, campaign, media, status, "
                "count, airtime_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7) ON CONFLICT (channel, "
                "day, kind, campaign, media, status) DO UPDATE SET count = count + 1, "
                "airtime_ms = airtime_ms + excluded.airtime_ms");
    } else {
        auto version = sqlite::query_int(db, "PRAGMA user_version");
        if (version > schema_version) {
            throw store_error(name + " has as-run schema " + std::to_string(version) +
                                  ", newer than this onair knows (" +
                                  std::to_string(schema_version) + ")",
                              0);
        }
        impl_->version = static_cast<int>(version);
    }
}

store::~store() = default;
store::store(store&&) noexcept = default;
store& store::operator=(store&&) noexcept = default;

const std::filesystem::path& store::path() const {
    return impl_->file;
}

store_settings store::settings() const {
    sqlite3* d = impl_->handle();
    store_settings s;
    s.journal_mode = sqlite::query_text(d, "PRAGMA journal_mode");
    s.synchronous = static_cast<int>(sqlite::query_int(d, "PRAGMA synchronous"));
    s.busy_timeout_ms = static_cast<int>(sqlite::query_int(d, "PRAGMA busy_timeout"));
    s.schema_version = static_cast<int>(sqlite::query_int(d, "PRAGMA user_version"));
    return s;
}

std::int64_t store::open_airing(const airing& row) {
    impl_->require_writable("open_airing");
    if (!row.actual_start || row.actual_end || row.status) {
        throw std::invalid_argument(
            "open_airing: a row on air has an actual start and no actual end or status");
    }
    return impl_->insert_row(row);
}

bool store::close_airing(std::int64_t id, core::instant actual_end, airing_status status,
                         const std::optional<std::string>& detail) {
    impl_->require_writable("close_airing");
    auto* s = impl_->close.get();
    sqlite3* d = impl_->handle();
    // One transaction: the row is completed and linked to the chain at once, or not at all.
    transaction t(d);
    {
        sqlite::reset_guard reset(s);
        sqlite::bind_int(d, s, 1, id);
        sqlite::bind_int(d, s, 2, to_ms(actual_end));
        sqlite::bind_text(d, s, 3, to_string(status));
        bind_optional_text(d, s, 4, detail);
        sqlite::check(d, sqlite3_step(s), "cannot close airing " + std::to_string(id), SQLITE_DONE);
    }
    if (sqlite3_changes64(d) != 1) {
        return false; // not open: nothing written, the transaction rolls back
    }
    impl_->complete(id);
    t.commit();
    return true;
}

std::int64_t store::record(const airing& row) {
    impl_->require_writable("record");
    if (!row.status) {
        throw std::invalid_argument("record: a row that never went to air needs a status");
    }
    transaction t(impl_->handle());
    auto id = impl_->insert_row(row);
    // chained and summarized as read back, so the chain covers exactly the stored bytes
    impl_->complete(id);
    t.commit();
    return id;
}

std::size_t store::close_interrupted(core::instant last_known_alive) {
    impl_->require_writable("close_interrupted");
    sqlite3* d = impl_->handle();
    transaction t(d);
    // Only the rows on air when the daemon stopped: one per channel at most, so a list.
    std::vector<std::int64_t> open;
    {
        auto* s = impl_->select_open.get();
        sqlite::reset_guard reset(s);
        for (int rc; (rc = sqlite3_step(s)) != SQLITE_DONE;) {
            if (rc != SQLITE_ROW) {
                sqlite::fail(d, rc, "cannot find open airings");
            }
            open.push_back(sqlite3_column_int64(s, 0));
        }
    }
    for (auto id : open) {
        auto row = impl_->read_by_id(id);
        // never before its own start: the clock of the last sign of life may lag
        auto end = std::max(*row->actual_start, last_known_alive);
        auto* s = impl_->close.get();
        {
            sqlite::reset_guard reset(s);
            sqlite::bind_int(d, s, 1, id);
            sqlite::bind_int(d, s, 2, to_ms(end));
            sqlite::bind_text(d, s, 3, to_string(airing_status::interrupted));
            sqlite::bind_null(d, s, 4);
            sqlite::check(d, sqlite3_step(s), "cannot close interrupted airing", SQLITE_DONE);
        }
        impl_->complete(id);
    }
    t.commit();
    return open.size();
}

store::batch::batch(store& s) : s_(&s) {
    s_->impl_->require_writable("batch");
    sqlite::exec(s_->impl_->handle(), "BEGIN IMMEDIATE");
}

store::batch::~batch() {
    if (s_ != nullptr) {
        // fails only when SQLite already rolled back; the first error is the one to report
        sqlite3_exec(s_->impl_->handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
}

void store::batch::commit() {
    sqlite::exec(s_->impl_->handle(), "COMMIT");
    s_ = nullptr;
}

std::optional<std::string> store::chain_head() const {
    if (impl_->version < 2) {
        return std::nullopt;
    }
    auto s = sqlite::prepare(impl_->handle(), last_link_sql);
    auto l = last_link(impl_->handle(), s.get());
    if (l.seq == 0) {
        return std::nullopt;
    }
    return l.chain;
}

namespace {
// Steps `s` to its end, handing each row to `each`; a failed step throws, naming `file`.
template <class Each>
void step_rows(sqlite3* d, sqlite3_stmt* s, const std::filesystem::path& file, Each&& each) {
    for (;;) {
        int rc = sqlite3_step(s);
        if (rc == SQLITE_DONE) {
            return;
        }
        if (rc != SQLITE_ROW) {
            sqlite::fail(d, rc, "cannot read airings from " + file.string());
        }
        each(s);
    }
}
} // namespace

void store::each_row(const std::string& sql_tail,
                     const std::function<void(const airing&)>& each) const {
    sqlite3* d = impl_->handle();
    auto stmt = sqlite::prepare(d, impl_->select_sql() + sql_tail);
    step_rows(d, stmt.get(), impl_->file, [&](sqlite3_stmt* row) { each(read_row(d, row)); });
}

void store::completed_in_order(const std::function<void(const airing&)>& each) const {
    if (impl_->version < 2) {
        return;
    }
    each_row(chain_walk_tail, each);
}

void store::completed_after(std::int64_t after, std::size_t limit,
                            const std::function<void(const airing&)>& each) const {
    if (impl_->version < 2) {
        return;
    }
    each_row(" WHERE seq > " + std::to_string(after) + " ORDER BY seq LIMIT " +
                 std::to_string(limit),
             each);
}

std::int64_t store::last_seq() const {
    if (impl_->version < 2) {
        return 0;
    }
    sqlite3* d = impl_->handle();
    auto stmt = sqlite::prepare(d, "SELECT coalesce(max(seq), 0) FROM airings");
    std::int64_t last = 0;
    step_rows(d, stmt.get(), impl_->file,
              [&](sqlite3_stmt* row) { last = sqlite3_column_int64(row, 0); });
    return last;
}

void store::unchained(const std::function<void(const airing&)>& each) const {
    if (impl_->version < 2) {
        // a version 1 file: every row is without a chain
        if (impl_->version == 1) {
            each_row(" ORDER BY id", each);
        }
        return;
    }
    each_row(" WHERE seq IS NULL ORDER BY id", each);
}

std::string store::where_sql(const filter& f, bool after) {
    // Only the conditions in use appear, so SQLite can pick the matching index; the index
    // entries end in the rowid, so either index also yields the ORDER BY without a sort.
    std::string sql;
    const char* glue = " WHERE ";
    if (f.channel) {
        sql += glue + std::string("channel = ?1");
        glue = " AND ";
    }
    if (f.from) {
        sql += glue + std::string("scheduled_start_ms >= ?2");
        glue = " AND ";
    }
    if (f.to) {
        sql += glue + std::string("scheduled_start_ms < ?3");
        glue = " AND ";
    }
    if (after) {
        // a row value: SQLite seeks the index to it rather than scanning from the start
        sql += glue + std::string("(scheduled_start_ms, id) > (?4, ?5)");
    }
    sql += " ORDER BY scheduled_start_ms, id";
    return sql;
}

std::string store::airings_sql(const filter& f) {
    return select_columns + where_sql(f);
}
std::string store::airings_page_sql(const filter& f, bool after) {
    return select_columns + where_sql(f, after) + " LIMIT ?6";
}
std::string store::outcomes_sql(const filter& f) {
    return outcome_columns + where_sql(f);
}
std::string store::chain_walk_sql() {
    return std::string(select_columns) + chain_walk_tail;
}

namespace {
// Binds a filter to the parameters where_sql() names (?1 channel, ?2 from, ?3 to).
void bind_filter(sqlite3* d, sqlite3_stmt* s, const filter& f) {
    if (f.channel) {
        sqlite::bind_text(d, s, 1, *f.channel);
    }
    if (f.from) {
        sqlite::bind_int(d, s, 2, to_ms(*f.from));
    }
    if (f.to) {
        sqlite::bind_int(d, s, 3, to_ms(*f.to));
    }
}
} // namespace

void store::filtered(const std::string& select, const filter& f,
                     const std::function<void(sqlite3_stmt_ref)>& each) const {
    sqlite3* d = impl_->handle();
    auto stmt = sqlite::prepare(d, select + where_sql(f));
    auto* s = stmt.get();
    bind_filter(d, s, f);
    step_rows(d, s, impl_->file, each);
}

void store::airings(const filter& f, const std::function<void(const airing&)>& each) const {
    if (impl_->version == 0) {
        return; // an empty file, opened read-only before the daemon ever wrote to it
    }
    sqlite3* d = impl_->handle();
    filtered(impl_->select_sql(), f, [&](sqlite3_stmt_ref s) { each(read_row(d, s)); });
}

void store::outcomes(const filter& f, const std::function<void(const airing&)>& each) const {
    if (impl_->version == 0) {
        return;
    }
    sqlite3* d = impl_->handle();
    airing a; // reused: its strings keep their capacity from row to row
    filtered(outcome_columns, f, [&](sqlite3_stmt_ref s) {
        a.id = sqlite3_column_int64(s, 0);
        a.channel = column_text(s, 1);
        auto kind = parse_kind(column_text(s, 2));
        if (!kind) {
            sqlite::fail(d, SQLITE_CORRUPT,
                         "airing " + std::to_string(a.id) + " has kind '" + column_text(s, 2) +
                             "'");
        }
        a.kind = *kind;
        a.media = column_text(s, 3);
        a.campaign = column_optional_text(s, 4);
        a.scheduled_start = from_ms(sqlite3_column_int64(s, 5));
        a.actual_start = column_optional_instant(s, 6);
        a.actual_end = column_optional_instant(s, 7);
        a.status.reset();
        if (auto st = column_optional_text(s, 8)) {
            a.status = parse_status(*st);
            if (!a.status) {
                sqlite::fail(d, SQLITE_CORRUPT,
                             "airing " + std::to_string(a.id) + " has status '" + *st + "'");
            }
        }
        each(a);
    });
}

void store::airings_page(const filter& f, const std::optional<page_key>& after, std::size_t limit,
                         const std::function<void(const airing&)>& each) const {
    if (impl_->version == 0 || limit == 0) {
        return;
    }
    sqlite3* d = impl_->handle();
    auto stmt =
        sqlite::prepare(d, impl_->select_sql() + where_sql(f, after.has_value()) + " LIMIT ?6");
    auto* s = stmt.get();
    bind_filter(d, s, f);
    if (after) {
        sqlite::bind_int(d, s, 4, to_ms(after->scheduled_start));
        sqlite::bind_int(d, s, 5, after->id);
    }
    sqlite::bind_int(d, s, 6, static_cast<std::int64_t>(limit));
    step_rows(d, s, impl_->file, [&](sqlite3_stmt* row) { each(read_row(d, row)); });
}

std::optional<airing> store::find(std::int64_t id) const {
    if (impl_->version == 0) {
        return std::nullopt;
    }
    sqlite3* d = impl_->handle();
    auto stmt = sqlite::prepare(d, impl_->select_sql() + " WHERE id = ?1");
    sqlite::bind_int(d, stmt.get(), 1, id);
    int rc = sqlite3_step(stmt.get());
    if (rc == SQLITE_DONE) {
        return std::nullopt;
    }
    if (rc != SQLITE_ROW) {
        sqlite::fail(d, rc, "cannot read airing " + std::to_string(id));
    }
    return read_row(d, stmt.get());
}

// --- the summary ------------------------------------------------------------------------------

std::string store::summary_upsert_sql() {
    return "INSERT INTO airing_summary (channel, day, hour, kind, campaign, media, status, count, "
           "airtime_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8) ON CONFLICT (channel, day, "
           "hour, kind, campaign, media, status) DO UPDATE SET count = count + 1, airtime_ms = "
           "airtime_ms + excluded.airtime_ms";
}

std::string store::summary_sql(const summary_filter& f, bool daily) {
    // Only the conditions in use appear: with a channel, a range of the primary key. The
    // campaign is tested on each entry (+ keeps it out of the key lookup, where it would cost
    // a sort for the ORDER BY).
    std::string sql = daily ? summary_day_select : summary_select;
    const char* glue = " WHERE ";
    auto add = [&](const char* term) {
        sql += glue;
        sql += term;
        glue = " AND ";
    };
    if (f.channel) {
        add("channel = ?1");
    }
    if (f.from) {
        add("day >= ?2");
    }
    if (f.to) {
        add("day <= ?3");
    }
    if (f.campaign) {
        add("+campaign = ?4");
    }
    sql += daily ? summary_day_order : summary_order;
    return sql;
}

std::string store::missed_sql(const filter& f) {
    // INDEXED BY: with a channel the planner would rather walk airings_by_channel, every row
    // of the channel; the rows that did not air whole are a small part of them.
    return std::string(select_columns) + " INDEXED BY airings_missed" + missed_where(f);
}

std::string store::missed_where(const filter& f) {
    auto rest = where_sql(f);
    constexpr std::string_view where = " WHERE ";
    if (rest.starts_with(where)) {
        rest.replace(0, where.size(), " AND ");
    }
    return std::string(" WHERE ") + missed_condition + rest;
}

namespace {

constexpr std::int64_t ms_per_day = 86'400'000;

// Binds a summary filter to the parameters summary_sql() and rows_summary_sql() name.
void bind_summary_filter(sqlite3* d, sqlite3_stmt* s, const summary_filter& f) {
    if (f.channel) {
        sqlite::bind_text(d, s, 1, *f.channel);
    }
    if (f.from) {
        const auto day = f.from->time_since_epoch().count();
        sqlite::bind_int(d, s, 2, day);
        if (sqlite3_bind_parameter_count(s) >= 5) {
            sqlite::bind_int(d, s, 5, (day - 2) * ms_per_day);
        }
    }
    if (f.to) {
        const auto day = f.to->time_since_epoch().count();
        sqlite::bind_int(d, s, 3, day);
        if (sqlite3_bind_parameter_count(s) >= 6) {
            sqlite::bind_int(d, s, 6, (day + 3 + 7) * ms_per_day); // a make-good: a week later
        }
    }
    if (f.campaign) {
        sqlite::bind_text(d, s, 4, *f.campaign);
    }
}

// One summary entry as stored (or computed), its text columns unparsed: what check_summary
// compares, so a hand-edited kind or status is a difference, not an exception.
struct raw_entry {
    std::string channel;
    std::int64_t day = 0;
    std::int64_t hour = 0;
    std::string kind, campaign, media, status;
    std::int64_t count = 0;
    std::int64_t airtime_ms = 0;

    auto key() const { return std::tie(channel, day, hour, kind, campaign, media, status); }
};

void read_raw(sqlite3_stmt* s, raw_entry& e) {
    e.channel = column_text(s, 0);
    e.day = sqlite3_column_int64(s, 1);
    e.hour = sqlite3_column_int64(s, 2);
    e.kind = column_text(s, 3);
    e.campaign = column_text(s, 4);
    e.media = column_text(s, 5);
    e.status = column_text(s, 6);
    e.count = sqlite3_column_int64(s, 7);
    e.airtime_ms = sqlite3_column_int64(s, 8);
}

// A text column without a copy: valid until the statement steps again.
std::string_view column_view(sqlite3_stmt* s, int i) {
    const auto* p = sqlite3_column_text(s, i);
    return p == nullptr ? std::string_view{}
                        : std::string_view(reinterpret_cast<const char*>(p),
                                           static_cast<std::size_t>(sqlite3_column_bytes(s, i)));
}

// Into `r`, whose strings keep their capacity from entry to entry: a year's report reads
// millions of entries.
void read_summary(sqlite3* d, sqlite3_stmt* s, summary_row& r) {
    r.channel.assign(column_view(s, 0));
    r.day = core::local_days{date::days{sqlite3_column_int64(s, 1)}};
    r.hour = sqlite3_column_int(s, 2);
    const auto kind_text = column_view(s, 3);
    const auto kind = parse_kind(kind_text);
    r.campaign.assign(column_view(s, 4));
    r.media.assign(column_view(s, 5));
    const auto status_text = column_view(s, 6);
    const auto status = parse_status(status_text);
    if (!kind || !status) {
        // The CHECK constraints of airings make this unreachable unless a file was edited.
        sqlite::fail(d, SQLITE_CORRUPT,
                     "summary entry of " + r.channel + " has kind '" + std::string(kind_text) +
                         "' and status '" + std::string(status_text) +
                         "' (onair asrun --reindex rebuilds it)");
    }
    r.kind = *kind;
    r.status = *status;
    r.count = sqlite3_column_int64(s, 7);
    r.airtime = core::milliseconds{sqlite3_column_int64(s, 8)};
}

// The least channel of the summary after `after` (the least of all without it).
std::optional<std::string> next_channel(sqlite3* d, sqlite3_stmt* s,
                                        const std::optional<std::string>& after) {
    sqlite::reset_guard reset(s);
    if (after) {
        sqlite::bind_text(d, s, 1, *after);
    }
    const int rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        sqlite::fail(d, rc, "cannot read the summary's channels");
    }
    return column_optional_text(s, 0);
}

std::string entry_text(const raw_entry& e) {
    char hour[8];
    std::snprintf(hour, sizeof hour, "%02lld", static_cast<long long>(e.hour));
    const std::string when = e.hour < 0 ? std::string(" (by day)") : " hour " + std::string(hour);
    return "summary entry (channel " + e.channel + ", " +
           core::format_date(core::local_days{date::days{e.day}}) + when + ", " + e.kind +
           ", campaign " + (e.campaign.empty() ? std::string("-") : e.campaign) + ", media " +
           e.media + ", " + e.status + ")";
}

std::string counts_text(const raw_entry& e) {
    return "count " + std::to_string(e.count) + ", airtime " +
           core::seconds_text(core::milliseconds{e.airtime_ms}) + " s";
}

} // namespace

void store::daily_summary(const summary_filter& f,
                          const std::function<void(const summary_row&)>& each) const {
    if (impl_->version >= 4) {
        stream_summary(f, each, true);
        return;
    }
    // No day table yet (a file an older daemon still writes): the hours summed, a day at a time
    // (the hour entries of a channel's day come together).
    std::map<std::tuple<airing_kind, std::string, std::string, airing_status>, summary_row> day;
    std::string channel;
    core::local_days current{};
    auto flush = [&] {
        for (auto& [key, r] : day) {
            each(r);
        }
        day.clear();
    };
    stream_summary(
        f,
        [&](const summary_row& r) {
            if (r.channel != channel || r.day != current) {
                flush();
                channel = r.channel;
                current = r.day;
            }
            auto [it, fresh] = day.try_emplace({r.kind, r.campaign, r.media, r.status}, r);
            it->second.hour = -1;
            if (!fresh) {
                it->second.count += r.count;
                it->second.airtime += r.airtime;
            }
        },
        false);
    flush();
}

void store::summary(const summary_filter& f,
                    const std::function<void(const summary_row&)>& each) const {
    stream_summary(f, each, false);
}

void store::stream_summary(const summary_filter& f,
                           const std::function<void(const summary_row&)>& each, bool daily) const {
    if (impl_->version == 0) {
        return;
    }
    sqlite3* d = impl_->handle();
    read_snapshot snapshot(d); // declared first: ends after the statements below are finalized
    summary_row r;             // reused: its strings keep their capacity from entry to entry
    auto emit = [&](sqlite3_stmt* s) {
        read_summary(d, s, r);
        each(r);
    };
    if (impl_->version < 3) {
        // No summary table yet (a file an older daemon still writes): the same from the rows.
        auto stmt = sqlite::prepare(d, rows_summary_sql(f, impl_->version >= 4));
        bind_summary_filter(d, stmt.get(), f);
        step_rows(d, stmt.get(), impl_->file, emit);
        return;
    }
    if (f.channel || (!f.from && !f.to)) {
        auto stmt = sqlite::prepare(d, summary_sql(f, daily));
        bind_summary_filter(d, stmt.get(), f);
        step_rows(d, stmt.get(), impl_->file, emit);
        return;
    }
    // Days of every channel: the key starts with the channel, so one range of it per channel,
    // found by seeking past the previous one (a few channels, each one index seek).
    const std::string table = daily ? "airing_summary_day" : "airing_summary";
    auto first = sqlite::prepare(d, "SELECT min(channel) FROM " + table);
    auto after = sqlite::prepare(d, "SELECT min(channel) FROM " + table + " WHERE channel > ?1");
    summary_filter one = f;
    one.channel = std::string();
    auto stmt = sqlite::prepare(d, summary_sql(one, daily));
    for (auto channel = next_channel(d, first.get(), std::nullopt); channel;
         channel = next_channel(d, after.get(), channel)) {
        sqlite::reset_guard reset(stmt.get());
        one.channel = *channel;
        bind_summary_filter(d, stmt.get(), one);
        step_rows(d, stmt.get(), impl_->file, emit);
    }
}

void store::missed(const filter& f, const std::function<void(const airing&)>& each) const {
    if (impl_->version == 0) {
        return;
    }
    sqlite3* d = impl_->handle();
    // Before schema 3 there is no airings_missed: the same rows through the start-time index.
    auto sql = impl_->version >= 4 ? missed_sql(f)
               : impl_->version == 3
                   ? impl_->select_sql() + " INDEXED BY airings_missed" + missed_where(f)
                   : impl_->select_sql() + missed_where(f);
    auto stmt = sqlite::prepare(d, sql);
    bind_filter(d, stmt.get(), f);
    step_rows(d, stmt.get(), impl_->file, [&](sqlite3_stmt* row) { each(read_row(d, row)); });
}

namespace {

// One campaign's missed rows in [?2, ?3) (and of channel ?1), through airings_missed_by_campaign.
std::string campaign_missed_where(const filter& f) {
    std::string sql = std::string(" INDEXED BY airings_missed_by_campaign WHERE ") +
                      missed_condition + " AND campaign = ?4";
    if (f.channel) {
        sql += " AND channel = ?1";
    }
    if (f.from) {
        sql += " AND scheduled_start_ms >= ?2";
    }
    if (f.to) {
        sql += " AND scheduled_start_ms < ?3";
    }
    return sql;
}

} // namespace

void store::campaign_missed(const filter& f, const std::string& campaign, std::size_t limit,
                            const std::function<void(const airing&)>& each) const {
    if (impl_->version < 4) {
        std::size_t n = 0;
        missed(f, [&](const airing& a) {
            if (a.campaign == campaign && n++ < limit) {
                each(a);
            }
        });
        return;
    }
    sqlite3* d = impl_->handle();
    auto stmt = sqlite::prepare(d, std::string(select_columns) + campaign_missed_where(f) +
                                       " ORDER BY scheduled_start_ms, id LIMIT ?5");
    bind_filter(d, stmt.get(), f);
    sqlite::bind_text(d, stmt.get(), 4, campaign);
    sqlite::bind_int(d, stmt.get(), 5, static_cast<std::int64_t>(limit));
    step_rows(d, stmt.get(), impl_->file, [&](sqlite3_stmt* row) { each(read_row(d, row)); });
}

void store::campaign_missed_reasons(const filter& f, const std::string& campaign,
                                    const std::function<void(const missed_reason&)>& each) const {
    missed_reason r;
    r.campaign = campaign;
    if (impl_->version < 4) {
        std::map<std::tuple<std::string, airing_status, std::string>, std::int64_t> counts;
        missed(f, [&](const airing& a) {
            if (a.campaign == campaign && a.status) {
                ++counts[{a.channel, *a.status, a.detail.value_or("")}];
            }
        });
        for (const auto& [key, n] : counts) {
            std::tie(r.channel, r.status, r.detail) = key;
            r.count = n;
            each(r);
        }
        return;
    }
    sqlite3* d = impl_->handle();
    auto stmt = sqlite::prepare(d, "SELECT channel, status, coalesce(detail, ''), count(*) FROM "
                                   "airings" +
                                       campaign_missed_where(f) + " GROUP BY 1, 2, 3");
    bind_filter(d, stmt.get(), f);
    sqlite::bind_text(d, stmt.get(), 4, campaign);
    step_rows(d, stmt.get(), impl_->file, [&](sqlite3_stmt* row) {
        r.channel = column_text(row, 0);
        r.status = parse_status(column_text(row, 1)).value_or(airing_status::failed);
        r.detail = column_text(row, 2);
        r.count = sqlite3_column_int64(row, 3);
        each(r);
    });
}

std::int64_t store::reindex_summary() {
    impl_->require_writable("reindex_summary");
    sqlite3* d = impl_->handle();
    transaction t(d);
    sqlite::exec(d, "DELETE FROM airing_summary");
    const auto entries = fill_summary(d);
    sqlite::exec(d, "DELETE FROM airing_summary_day");
    fill_summary_day_step(d);
    t.commit();
    return entries;
}

std::vector<std::string> store::check_summary(std::size_t limit,
                                              const std::optional<std::string>& channel) const {
    std::vector<std::string> differences;
    if (impl_->version < 3 || limit == 0) {
        return differences;
    }
    sqlite3* d = impl_->handle();
    read_snapshot snapshot(d); // both sides from one state of the file
    summary_filter f;
    f.channel = channel;
    auto rows = sqlite::prepare(d, rows_summary_sql(f, impl_->version >= 4));
    auto kept = sqlite::prepare(d, summary_sql(f));
    bind_summary_filter(d, rows.get(), f);
    bind_summary_filter(d, kept.get(), f);
    merge_differences(d, rows.get(), kept.get(), limit, differences);
    if (impl_->version >= 4) {
        // the day table against the rows too
        auto want = sqlite::prepare(d, rows_summary_sql(f, true, true));
        auto have = sqlite::prepare(d, summary_sql(f, true));
        bind_summary_filter(d, want.get(), f);
        bind_summary_filter(d, have.get(), f);
        std::vector<std::string> by_day;
        merge_differences(d, want.get(), have.get(), limit - std::min(limit, differences.size()),
                          by_day);
        for (auto& line : by_day) {
            differences.push_back(std::move(line));
        }
    }
    return differences;
}

// Two summaries in key order, merged: `want` is what the rows (or hours) say, `have` what is
// kept. Each difference as a line, at most `limit`.
void store::merge_differences(sqlite3_ref d, sqlite3_stmt_ref want_stmt, sqlite3_stmt_ref have_stmt,
                              std::size_t limit, std::vector<std::string>& differences) const {
    auto* rows = want_stmt;
    auto* kept = have_stmt;
    auto step = [&](sqlite3_stmt* s, raw_entry& e) {
        const int rc = sqlite3_step(s);
        if (rc == SQLITE_DONE) {
            return false;
        }
        if (rc != SQLITE_ROW) {
            sqlite::fail(d, rc, "cannot read the summary from " + impl_->file.string());
        }
        read_raw(s, e);
        return true;
    };
    raw_entry want, have;
    bool more_want = step(rows, want);
    bool more_have = step(kept, have);
    while ((more_want || more_have) && differences.size() < limit) {
        if (more_want && (!more_have || want.key() < have.key())) {
            differences.push_back(entry_text(want) + ": missing; the rows say " +
                                  counts_text(want));
            more_want = step(rows, want);
        } else if (more_have && (!more_want || have.key() < want.key())) {
            differences.push_back(entry_text(have) + ": " + counts_text(have) + "; no such rows");
            more_have = step(kept, have);
        } else {
            if (want.count != have.count || want.airtime_ms != have.airtime_ms) {
                differences.push_back(entry_text(have) + ": " + counts_text(have) +
                                      "; the rows say " + counts_text(want));
            }
            more_want = step(rows, want);
            more_have = step(kept, have);
        }
    }
}

} // namespace onair::asrun
