#include "asrun/store.hpp"

#include "asrun/chain.hpp"
#include "asrun/sqlite_handle.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace onair::asrun {
namespace {

void chain_completed_rows(sqlite3* db);

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
}};

constexpr const char* select_columns =
    "SELECT id, channel, kind, media, campaign, break_id, title, file, scheduled_start_ms, "
    "scheduled_end_ms, actual_start_ms, actual_end_ms, status, detail, timezone, media_sha256, "
    "seq, chain FROM airings";
constexpr const char* chain_walk_tail = " WHERE seq IS NOT NULL ORDER BY seq";

// What a report counts: a narrower read than select_columns.
constexpr const char* outcome_columns =
    "SELECT id, channel, kind, media, campaign, scheduled_start_ms, actual_start_ms, "
    "actual_end_ms, status FROM airings";
// A version 1 file opened read-only (the daemon has not upgraded it yet) has no chain columns.
constexpr const char* select_columns_v1 =
    "SELECT id, channel, kind, media, campaign, break_id, title, file, scheduled_start_ms, "
    "scheduled_end_ms, actual_start_ms, actual_end_ms, status, detail, timezone, NULL, NULL, "
    "NULL FROM airings";

std::int64_t to_ms(core::instant t) {
    return t.time_since_epoch().count();
}
core::instant from_ms(std::int64_t ms) {
    return core::instant{core::milliseconds{ms}};
}

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
    auto select = sqlite::prepare(db, std::string(select_columns) +
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

    sqlite3* handle() const { return db.get(); }

    std::string select_sql() const { return version >= 2 ? select_columns : select_columns_v1; }

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
                "detail, timezone, media_sha256) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
                "?10, ?11, ?12, ?13, ?14, ?15)");
        impl_->close =
            sqlite::prepare(db, "UPDATE airings SET actual_end_ms = ?2, status = ?3, detail = ?4 "
                                "WHERE id = ?1 AND status IS NULL");
        impl_->select_open = sqlite::prepare(db, std::string("SELECT id FROM airings WHERE status "
                                                             "IS NULL ORDER BY id"));
        impl_->select_by_id = sqlite::prepare(db, std::string(select_columns) + " WHERE id = ?1");
        impl_->last = sqlite::prepare(db, last_link_sql);
        impl_->link = sqlite::prepare(db, set_link_sql);
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
    impl_->chain(*impl_->read_by_id(id));
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
    // chained as read back, so the chain covers exactly the stored bytes
    impl_->chain(*impl_->read_by_id(id));
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
        impl_->chain(*impl_->read_by_id(id));
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

} // namespace onair::asrun
