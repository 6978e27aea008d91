// The as-run writer against real faults: a second SQLite connection holding the write lock,
// a store path that cannot be opened, a read-only and a full file system (tmpfs mounts, so
// these two skip where mounting is not permitted), and writers stopped with events still in
// the spill journal. Each case checks that every row lands, in order, with exact columns, and
// that the chain verifies. No sleeps: every wait is a bounded flush or wait_stored.

#include "asrun/sqlite_handle.hpp"
#include "asrun/store.hpp"
#include "asrun/verify.hpp"
#include "asrun/writer.hpp"
#include "asrun_fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/mount.h>
#include <unistd.h>
#include <vector>

namespace onair::asrun {
namespace {

using test::on_air_spot;
using test::temp_dir;
using test::utc;
using namespace std::chrono_literals;

// Fast retries, so a released fault is noticed within milliseconds.
writer_options fast() {
    writer_options o;
    o.retry_min = 5ms;
    o.retry_max = 40ms;
    o.busy_timeout = 20ms;
    return o;
}

constexpr auto patience = 10s; // bound on every wait: never reached when the code works

// Another process's write lock, as an sqlite3 shell or a backup tool holds it.
class lock_holder {
public:
    explicit lock_holder(const std::filesystem::path& file)
        : db_(sqlite::open(file.string(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) {
        sqlite3_busy_timeout(db_.get(), 10'000); // the writer may be mid-commit
        sqlite::exec(db_.get(), "BEGIN IMMEDIATE");
    }
    void release() { sqlite::exec(db_.get(), "COMMIT"); }

private:
    sqlite::db_ptr db_;
};

std::vector<airing> stored_rows(const std::filesystem::path& state) {
    store s(store_file(state), open_mode::read_only);
    std::vector<airing> rows;
    s.airings({}, [&](const airing& a) { rows.push_back(a); });
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    return rows;
}

std::vector<std::string> completion_order(const std::filesystem::path& state) {
    store s(store_file(state), open_mode::read_only);
    std::vector<std::string> media;
    s.completed_in_order([&](const airing& a) { media.push_back(a.media); });
    return media;
}

// Stored row `got` equals what was written, the store's own columns aside.
void expect_row(const airing& want, airing got) {
    got.id = 0;
    got.seq.reset();
    got.chain.reset();
    EXPECT_EQ(got, want) << "media " << want.media;
}

// The store holds exactly `want`, in order, the store's own columns aside.
void expect_stored(const std::filesystem::path& state, const std::vector<airing>& want) {
    auto rows = stored_rows(state);
    ASSERT_EQ(rows.size(), want.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        expect_row(want[i], rows[i]);
    }
}

airing spot(int i, core::instant start) {
    auto a = on_air_spot(i % 2 == 0 ? "police-tv" : "lao-radio", start + i * 30s);
    a.media = "m" + std::to_string(i);
    a.media_sha256 = std::string(64, static_cast<char>('a' + i % 6));
    return a;
}

airing closed(airing a, airing_status s, std::optional<std::string> detail = {}) {
    a.actual_end = a.scheduled_end;
    a.status = s;
    a.detail = std::move(detail);
    return a;
}

airing skipped(airing a) {
    a.actual_start.reset();
    a.status = airing_status::skipped;
    a.detail = "not reached";
    return a;
}

// A tmpfs of its own, unmounted at the end. Skips the test where mounting is not permitted.
class tmpfs {
public:
    tmpfs(const std::filesystem::path& where, const std::string& size) : where_(where) {
        std::filesystem::create_directories(where_);
        options_ = "size=" + size + ",mode=0755";
        if (::mount("tmpfs", where_.c_str(), "tmpfs", 0, options_.c_str()) != 0) {
            error_ = std::strerror(errno);
        } else {
            mounted_ = true;
        }
    }
    ~tmpfs() {
        if (mounted_) {
            ::umount2(where_.c_str(), MNT_DETACH);
        }
    }
    bool mounted() const { return mounted_; }
    const std::string& error() const { return error_; }
    void read_only(bool ro) {
        unsigned long flags = MS_REMOUNT | (ro ? MS_RDONLY : 0);
        ASSERT_EQ(::mount("tmpfs", where_.c_str(), "tmpfs", flags, options_.c_str()), 0)
            << std::strerror(errno);
    }

private:
    std::filesystem::path where_;
    std::string options_;
    std::string error_;
    bool mounted_ = false;
};

#define SKIP_UNLESS_MOUNTED(fs)                                                                    \
    if (!(fs).mounted()) {                                                                         \
        GTEST_SKIP() << "cannot mount a tmpfs here (" << (fs).error()                              \
                     << "): run as root with CAP_SYS_ADMIN";                                       \
    }

TEST(writer, a_locked_store_spills_then_every_row_lands_in_order_and_the_chain_verifies) {
    temp_dir dir;
    std::ostringstream log_text;
    core::logger log(log_text);
    const auto t0 = utc(2026, 12, 1, 7, 0);
    std::vector<airing> want;
    std::vector<std::string> completed;
    writer_status during;
    std::optional<std::string> head;
    {
        writer w(dir.path(), log, fast());
        auto first = spot(0, t0);
        auto t = w.open_airing(first);
        w.close_airing(t, first.scheduled_end, airing_status::aired);
        ASSERT_TRUE(w.wait_stored(patience));
        want.push_back(closed(first, airing_status::aired));
        completed.push_back("m0");

        lock_holder lock(store_file(dir.path()));
        for (int i = 1; i <= 6; ++i) {
            auto row = spot(i, t0);
            if (i % 3 == 0) {
                w.record(skipped(row));
                want.push_back(skipped(row));
            } else {
                auto ti = w.open_airing(row);
                w.close_airing(ti, row.scheduled_end, airing_status::truncated, "cut, short");
                want.push_back(closed(row, airing_status::truncated, "cut, short"));
            }
            completed.push_back(row.media);
        }
        ASSERT_TRUE(w.flush(patience)); // fsync'd in the journal
        during = w.status();
        EXPECT_TRUE(std::filesystem::exists(spill_file(dir.path())));
        EXPECT_FALSE(w.wait_stored(50ms)); // still locked: not in SQLite

        lock.release();
        ASSERT_TRUE(w.wait_stored(patience));
        auto after = w.status();
        EXPECT_TRUE(after.store_ok);
        EXPECT_EQ(after.reason, "");
        EXPECT_EQ(after.waiting, 0u);
        EXPECT_EQ(after.lost, 0u);
        EXPECT_EQ(after.spilled_total, during.spilled_total);
        head = after.chain_head;
    }
    EXPECT_FALSE(during.store_ok);
    EXPECT_NE(during.reason.find("database is locked"), std::string::npos) << during.reason;
    EXPECT_EQ(during.waiting, 10u); // 4 opens + 4 closes + 2 records
    EXPECT_EQ(during.spilled_total, 10u);
    EXPECT_FALSE(std::filesystem::exists(spill_file(dir.path())));

    expect_stored(dir.path(), want);
    EXPECT_EQ(completion_order(dir.path()), completed);
    store s(store_file(dir.path()), open_mode::read_only);
    auto v = verify_chain(s);
    EXPECT_TRUE(v.ok());
    EXPECT_EQ(v.rows, 7u);
    ASSERT_TRUE(head.has_value());
    EXPECT_EQ(v.head, *head);

    // Once per transition, not per row.
    const auto text = log_text.str();
    const std::string down = "warning: as-run store unavailable; rows go to the spill journal";
    EXPECT_NE(text.find(down), std::string::npos) << text;
    EXPECT_EQ(text.find(down), text.rfind(down)) << text;
    EXPECT_NE(text.find("as-run store back; waiting rows written from_journal=10 from_memory=0"),
              std::string::npos)
        << text;
}

TEST(writer, the_calling_thread_never_waits_for_a_locked_store) {
    temp_dir dir;
    std::ostringstream log_text;
    core::logger log(log_text);
    writer_options o = fast();
    o.busy_timeout = 2s; // the writer thread sits in SQLite's busy wait for seconds
    writer w(dir.path(), log, o);
    ASSERT_TRUE(w.flush(patience));
    lock_holder lock(store_file(dir.path()));
    auto worst = std::chrono::steady_clock::duration::zero();
    std::vector<writer::ticket> tickets;
    const auto t0 = utc(2026, 12, 1, 7, 0);
    for (int i = 0; i < 200; ++i) {
        auto start = std::chrono::steady_clock::now();
        tickets.push_back(w.open_airing(spot(i, t0)));
        worst = std::max(worst, std::chrono::steady_clock::now() - start);
    }
    // Generous against a loaded machine; a call that waited on SQLite would take 2 s.
    EXPECT_LT(worst, 200ms);
    lock.release();
    for (auto t : tickets) {
        w.close_airing(t, t0 + 1h, airing_status::aired);
    }
    ASSERT_TRUE(w.wait_stored(patience));
    EXPECT_EQ(w.status().lost, 0u);
}

TEST(writer, a_store_that_cannot_be_opened_at_start_up_is_retried_while_rows_spill) {
    temp_dir dir;
    std::ostringstream log_text;
    core::logger log(log_text);
    // A real CANTOPEN that root cannot bypass: the store's path is a folder.
    std::filesystem::create_directories(store_file(dir.path()));
    const auto t0 = utc(2026, 12, 1, 7, 0);
    std::vector<airing> want;
    {
        writer w(dir.path(), log, fast());
        w.close_interrupted(t0); // as the daemon does first
        for (int i = 0; i < 5; ++i) {
            w.record(skipped(spot(i, t0)));
            want.push_back(skipped(spot(i, t0)));
        }
        ASSERT_TRUE(w.flush(patience));
        auto st = w.status();
        EXPECT_FALSE(st.store_ok);
        EXPECT_NE(st.reason.find("cannot open"), std::string::npos) << st.reason;
        EXPECT_EQ(st.waiting, 6u);

        std::filesystem::remove(store_file(dir.path()));
        ASSERT_TRUE(w.wait_stored(patience));
        EXPECT_TRUE(w.status().store_ok);
    }
    expect_stored(dir.path(), want);
    EXPECT_FALSE(std::filesystem::exists(spill_file(dir.path())));
}

TEST(writer, a_read_only_state_dir_keeps_rows_in_memory_until_it_is_writable) {
    temp_dir dir;
    // Root ignores file modes, not a read-only mount: the state dir is a tmpfs remounted ro.
    const auto state = dir.path() / "state";
    tmpfs fs(state, "4m");
    SKIP_UNLESS_MOUNTED(fs);
    std::ostringstream log_text;
    core::logger log(log_text);
    const auto t0 = utc(2026, 12, 1, 7, 0);
    std::vector<airing> want;
    {
        store s(store_file(state)); // yesterday's rows
        s.record(skipped(spot(0, t0)));
        want.push_back(skipped(spot(0, t0)));
    }
    fs.read_only(true);
    {
        writer w(state, log, fast());
        w.close_interrupted(t0);
        for (int i = 1; i <= 20; ++i) {
            auto row = spot(i, t0);
            auto t = w.open_airing(row);
            w.close_airing(t, row.scheduled_end, airing_status::aired);
            want.push_back(closed(row, airing_status::aired));
        }
        // Neither SQLite nor the journal can take them: nothing is durable yet.
        EXPECT_FALSE(w.flush(1s));
        auto st = w.status();
        EXPECT_FALSE(st.store_ok);
        EXPECT_FALSE(st.reason.empty());
        EXPECT_EQ(st.waiting, 41u);
        EXPECT_EQ(st.spilled_total, 0u);
        EXPECT_EQ(st.lost, 0u);

        fs.read_only(false);
        ASSERT_TRUE(w.wait_stored(patience));
        EXPECT_EQ(w.status().lost, 0u);
    }
    expect_stored(state, want);
    store s(store_file(state), open_mode::read_only);
    EXPECT_TRUE(verify_chain(s).ok());
    EXPECT_NE(log_text.str().find("as-run spill journal cannot be written; rows wait in memory"),
              std::string::npos)
        << log_text.str();
}

TEST(writer, a_full_disk_loses_no_row_once_it_is_freed) {
    temp_dir dir;
    const auto state = dir.path() / "state";
    tmpfs fs(state, "2m");
    SKIP_UNLESS_MOUNTED(fs);
    std::ostringstream log_text;
    core::logger log(log_text);
    const auto t0 = utc(2026, 12, 1, 7, 0);
    std::vector<airing> want;
    {
        writer w(state, log, fast());
        w.record(skipped(spot(0, t0)));
        want.push_back(skipped(spot(0, t0)));
        ASSERT_TRUE(w.wait_stored(patience));

        // Fill the disk to the last block.
        const auto filler = state / "filler";
        {
            int fd = ::open(filler.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
            ASSERT_GE(fd, 0);
            std::string block(4096, 'x');
            while (::write(fd, block.data(), block.size()) > 0) {
            }
            EXPECT_EQ(errno, ENOSPC);
            ::close(fd);
        }
        for (int i = 1; i <= 50; ++i) {
            auto row = skipped(spot(i, t0));
            row.detail = std::string(3000, 'd'); // a WAL frame or more each
            w.record(row);
            want.push_back(row);
        }
        EXPECT_FALSE(w.flush(1s));
        auto st = w.status();
        EXPECT_FALSE(st.store_ok);
        EXPECT_NE(st.reason.find("full"), std::string::npos) << st.reason;
        EXPECT_EQ(st.waiting, 50u);
        EXPECT_EQ(st.lost, 0u);

        std::filesystem::remove(filler);
        ASSERT_TRUE(w.wait_stored(patience));
        EXPECT_EQ(w.status().lost, 0u);
    }
    expect_stored(state, want);
    store s(store_file(state), open_mode::read_only);
    EXPECT_TRUE(verify_chain(s).ok());
}

// Fills the file system under `file` to its last block; returns the bytes written.
std::size_t fill_disk(const std::filesystem::path& file) {
    int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) {
        return 0;
    }
    std::size_t total = 0;
    std::string block(4096, 'x');
    for (ssize_t n; (n = ::write(fd, block.data(), block.size())) > 0;) {
        total += static_cast<std::size_t>(n);
    }
    ::close(fd);
    return total;
}

// As a station's worst week would do it: the disk fills and is freed again and again, with
// airings opened while it was free and closed while it is full, and a reader (the API, a
// report) reading the store between faults. Every row lands once the disk is free for good.
TEST(writer, a_disk_filled_and_freed_again_and_again_loses_no_row) {
    temp_dir dir;
    const auto state = dir.path() / "state";
    tmpfs fs(state, "4m");
    SKIP_UNLESS_MOUNTED(fs);
    std::ostringstream log_text;
    core::logger log(log_text);
    const auto t0 = utc(2026, 12, 1, 7, 0);
    std::vector<airing> want;
    {
        writer w(state, log, fast());
        int i = 0;
        for (int cycle = 0; cycle < 8; ++cycle) {
            // Free: one airing whole, one opened only.
            auto whole = spot(i++, t0);
            w.close_airing(w.open_airing(whole), whole.scheduled_end, airing_status::aired);
            want.push_back(closed(whole, airing_status::aired));
            auto open = spot(i++, t0);
            open.detail = std::string(2000, 'o');
            auto ticket = w.open_airing(open);
            ASSERT_TRUE(w.wait_stored(patience)) << "cycle " << cycle << "\n" << log_text.str();
            stored_rows(state); // a reader between faults

            const auto filler = state / "filler";
            ASSERT_GT(fill_disk(filler), 0u);
            w.close_airing(ticket, open.scheduled_end, airing_status::aired);
            want.push_back(closed(open, airing_status::aired));
            for (int k = 0; k < 20; ++k) {
                auto row = skipped(spot(i++, t0));
                row.detail = std::string(3000, 'd');
                w.record(row);
                want.push_back(row);
            }
            EXPECT_FALSE(w.wait_stored(30ms));
            std::filesystem::remove(filler);
            ASSERT_TRUE(w.wait_stored(patience)) << "cycle " << cycle << "\n" << log_text.str();
            EXPECT_EQ(w.status().lost, 0u) << log_text.str();
        }
    }
    const auto text = log_text.str();
    EXPECT_EQ(text.find("lost"), std::string::npos) << text;
    // One transition each way per fault: a store that opens but cannot commit is not "back".
    auto count = [&](const std::string& what) {
        std::size_t n = 0;
        for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
            ++n;
        }
        return n;
    };
    EXPECT_EQ(count("as-run store unavailable"), 8u) << text;
    EXPECT_EQ(count("as-run store back"), 8u) << text;
    expect_stored(state, want);
    store s(store_file(state), open_mode::read_only);
    EXPECT_TRUE(verify_chain(s).ok());
}

// A stop with the disk still full: nowhere on disk can take the rows, so the log is their last
// copy, one journal line each; put back in the journal, the next writer stores them first.
TEST(writer, rows_that_nothing_can_take_at_stop_are_logged_as_journal_lines_that_replay) {
    temp_dir dir;
    const auto state = dir.path() / "state";
    tmpfs fs(state, "2m");
    SKIP_UNLESS_MOUNTED(fs);
    std::ostringstream log_text;
    core::logger log(log_text);
    const auto t0 = utc(2026, 12, 1, 7, 0);
    std::vector<airing> want;
    const auto filler = state / "filler";
    {
        writer w(state, log, fast());
        w.record(skipped(spot(0, t0)));
        want.push_back(skipped(spot(0, t0)));
        ASSERT_TRUE(w.wait_stored(patience));
        ASSERT_GT(fill_disk(filler), 0u);
        for (int i = 1; i <= 3; ++i) {
            auto row = skipped(spot(i, t0));
            row.detail = "a \"quoted\" reason\\ and = signs";
            w.record(row);
            want.push_back(row);
        }
        EXPECT_FALSE(w.flush(200ms));
    } // stopped with the disk full
    const auto text = log_text.str();
    EXPECT_NE(text.find("as-run rows lost at stop"), std::string::npos) << text;

    // What a person does: unquote the logged lines into the journal, free the disk, restart.
    std::filesystem::remove(filler);
    std::string journal;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        const std::string key = "as-run event not written journal_line=\"";
        auto at = line.find(key);
        if (at == std::string::npos) {
            continue;
        }
        std::string value = line.substr(at + key.size());
        value.pop_back(); // the closing quote
        std::string plain;
        for (std::size_t k = 0; k < value.size(); ++k) {
            if (value[k] == '\\' && k + 1 < value.size()) {
                ++k;
            }
            plain += value[k];
        }
        journal += plain + "\n";
    }
    std::ofstream(spill_file(state)) << journal;
    {
        writer w(state, log, fast());
        ASSERT_TRUE(w.wait_stored(patience)) << log_text.str();
    }
    expect_stored(state, want);
}

TEST(writer, a_journal_left_by_a_stopped_writer_is_written_first_by_the_next_one) {
    temp_dir dir;
    std::ostringstream log_text;
    core::logger log(log_text);
    const auto t0 = utc(2026, 12, 1, 7, 0);
    std::vector<airing> want;
    {
        std::optional<lock_holder> lock;
        writer w(dir.path(), log, fast());
        auto a = spot(0, t0);
        auto ta = w.open_airing(a); // in SQLite before the lock
        ASSERT_TRUE(w.wait_stored(patience));
        lock.emplace(store_file(dir.path()));
        w.close_airing(ta, a.scheduled_end, airing_status::aired); // journaled with its row id
        auto b = spot(1, t0);
        auto tb = w.open_airing(b); // opened and closed in the journal
        w.close_airing(tb, b.scheduled_end, airing_status::failed, "decoder error");
        w.record(skipped(spot(2, t0)));
        want = {closed(a, airing_status::aired), closed(b, airing_status::failed, "decoder error"),
                skipped(spot(2, t0))};
        ASSERT_TRUE(w.flush(patience));
        EXPECT_EQ(ta, 1u);
        // w stops here with the store still locked: its events stay in the journal
    }
    ASSERT_TRUE(std::filesystem::exists(spill_file(dir.path())));
    {
        writer w(dir.path(), log, fast());
        auto c = spot(3, t0);
        auto tc = w.open_airing(c);
        EXPECT_EQ(tc, 1u); // the same ticket number as the earlier run's first one
        w.close_airing(tc, c.scheduled_end, airing_status::aired);
        want.push_back(closed(c, airing_status::aired));
        ASSERT_TRUE(w.wait_stored(patience));
        EXPECT_EQ(w.status().lost, 0u);
    }
    EXPECT_FALSE(std::filesystem::exists(spill_file(dir.path())));
    expect_stored(dir.path(), want);
    EXPECT_EQ(completion_order(dir.path()), (std::vector<std::string>{"m0", "m1", "m2", "m3"}));
    store s(store_file(dir.path()), open_mode::read_only);
    EXPECT_TRUE(verify_chain(s).ok());
}

TEST(writer, a_row_opened_in_the_journal_and_never_closed_is_closed_interrupted) {
    temp_dir dir;
    std::ostringstream log_text;
    core::logger log(log_text);
    const auto t0 = utc(2026, 12, 1, 7, 0);
    auto on_air = spot(0, t0);
    {
        writer w(dir.path(), log, fast());
        ASSERT_TRUE(w.flush(patience));
        lock_holder lock(store_file(dir.path()));
        w.open_airing(on_air); // then the daemon dies: no close ever comes
        w.record(skipped(spot(1, t0)));
        ASSERT_TRUE(w.flush(patience));
    }
    const auto last_alive = on_air.actual_start.value() + 12s;
    {
        writer w(dir.path(), log, fast());
        w.close_interrupted(last_alive);
        w.record(skipped(spot(2, t0)));
        ASSERT_TRUE(w.wait_stored(patience));
    }
    auto rows = stored_rows(dir.path());
    ASSERT_EQ(rows.size(), 3u);
    auto interrupted = on_air;
    interrupted.actual_end = last_alive;
    interrupted.status = airing_status::interrupted;
    expect_row(interrupted, rows[0]);
    expect_row(skipped(spot(1, t0)), rows[1]);
    expect_row(skipped(spot(2, t0)), rows[2]);
    EXPECT_EQ(completion_order(dir.path()), (std::vector<std::string>{"m1", "m0", "m2"}));
    store s(store_file(dir.path()), open_mode::read_only);
    EXPECT_TRUE(verify_chain(s).ok());
}

TEST(writer, a_thousand_events_across_a_lock_and_unlock_land_in_order) {
    temp_dir dir;
    std::ostringstream log_text;
    core::logger log(log_text);
    const auto t0 = utc(2026, 12, 1, 7, 0);
    std::vector<std::string> opened;    // media in the order rows were created
    std::vector<std::string> completed; // media in the order rows were completed
    std::optional<lock_holder> lock;
    bool released = false;
    writer w(dir.path(), log, fast());
    std::optional<std::pair<writer::ticket, std::string>> on_air;
    int events = 0;
    for (int i = 0; events < 1000; ++i) {
        if (events >= 300 && !lock) {
            lock.emplace(store_file(dir.path()));
        }
        if (events >= 700 && !released) {
            released = true;
            ASSERT_TRUE(w.flush(patience));
            EXPECT_GT(w.status().spilled_total, 0u);
            lock->release();
        }
        auto row = spot(i, t0);
        if (i % 4 == 3) {
            w.record(skipped(row));
            opened.push_back(row.media);
            completed.push_back(row.media);
            ++events;
            continue;
        }
        // One item on air at a time, as on a channel: close the last, open the next.
        if (on_air) {
            w.close_airing(on_air->first, row.scheduled_start, airing_status::aired);
            completed.push_back(on_air->second);
            ++events;
        }
        on_air = {w.open_airing(row), row.media};
        opened.push_back(row.media);
        ++events;
    }
    ASSERT_TRUE(released);
    ASSERT_TRUE(w.wait_stored(patience)) << w.status().reason;
    auto rows = stored_rows(dir.path());
    std::vector<std::string> got;
    for (const auto& r : rows) {
        got.push_back(r.media);
    }
    EXPECT_EQ(got, opened);
    EXPECT_EQ(completion_order(dir.path()), completed);
    EXPECT_FALSE(std::filesystem::exists(spill_file(dir.path())));
    store s(store_file(dir.path()), open_mode::read_only);
    auto v = verify_chain(s);
    EXPECT_TRUE(v.ok());
    EXPECT_EQ(v.rows, completed.size());
    EXPECT_EQ(v.open, 1u);
    EXPECT_EQ(w.status().chain_head, v.head);
}

} // namespace
} // namespace onair::asrun
