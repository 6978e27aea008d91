#pragma once

// RAII for SQLite handles and the one place SQLite return codes become exceptions. Private to
// onair::asrun (and its tests): no public header includes it, so users of the store never see
// sqlite3.h.

#include "asrun/error.hpp"

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

namespace onair::asrun::sqlite {

struct db_deleter {
    // sqlite3_close_v2 defers the close until the last statement is finalized, so the order in
    // which members are destroyed cannot leak the connection.
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct stmt_deleter {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using db_ptr = std::unique_ptr<sqlite3, db_deleter>;
using stmt_ptr = std::unique_ptr<sqlite3_stmt, stmt_deleter>;

// Resets a statement when a step sequence ends, even by exception, so a cached statement never
// holds a read transaction open between calls.
class reset_guard {
public:
    explicit reset_guard(sqlite3_stmt* s) : s_(s) {}
    reset_guard(const reset_guard&) = delete;
    reset_guard& operator=(const reset_guard&) = delete;
    ~reset_guard() {
        sqlite3_reset(s_);
        sqlite3_clear_bindings(s_);
    }

private:
    sqlite3_stmt* s_;
};

[[noreturn]] void fail(sqlite3* db, int rc, const std::string& what);
// Throws unless rc is one of the codes the caller expects.
inline void check(sqlite3* db, int rc, const std::string& what, int expected = SQLITE_OK) {
    if (rc != expected) {
        fail(db, rc, what);
    }
}

db_ptr open(const std::string& file, int flags);
stmt_ptr prepare(sqlite3* db, const std::string& sql);
// Runs SQL that returns no rows (pragmas that set, DDL); may hold several statements.
void exec(sqlite3* db, const std::string& sql);
// The first column of the first row of a one-row query, as text.
std::string query_text(sqlite3* db, const std::string& sql);
std::int64_t query_int(sqlite3* db, const std::string& sql);

void bind_int(sqlite3* db, sqlite3_stmt* s, int index, std::int64_t v);
void bind_text(sqlite3* db, sqlite3_stmt* s, int index, const std::string& v);
void bind_null(sqlite3* db, sqlite3_stmt* s, int index);

} // namespace onair::asrun::sqlite
