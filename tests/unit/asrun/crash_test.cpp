// A child process writes airings as the daemon would and is killed with SIGKILL at a random
// moment, thirty times over one file; after each kill the parent checks what the spec promises:
// the file is intact, no airing a child saw completed is lost, the rows left open are closed as
// interrupted, and the chain still verifies.

#include "asrun/sqlite_handle.hpp"
#include "asrun/store.hpp"
#include "asrun/verify.hpp"
#include "asrun_fixture.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <poll.h>
#include <set>
#include <sys/wait.h>
#include <unistd.h>

namespace onair::asrun {
namespace {

using test::on_air_spot;
using test::temp_dir;
using test::utc;
using namespace std::chrono_literals;

// Runs in the child: opens rows, closes them, and records every third item as skipped, as a
// runner would. Reports each completed id over `fd` only once the call has returned (that is,
// once the commit is durable). Never returns.
[[noreturn]] void write_until_killed(const std::filesystem::path& file, int fd,
                                     core::instant start) {
    try {
        store s(file);
        auto t = start;
        auto ack = [fd](std::int64_t id) {
            // 8 bytes: below PIPE_BUF, so the parent never reads half an id
            if (::write(fd, &id, sizeof id) != static_cast<ssize_t>(sizeof id)) {
                ::_exit(3);
            }
        };
        for (std::int64_t i = 0;; ++i) {
            auto row = on_air_spot(i % 2 == 0 ? "police-tv" : "lao-radio", t);
            row.media_sha256 = std::string(64, static_cast<char>('a' + i % 6));
            if (i % 3 == 2) {
                row.actual_start.reset();
                row.status = airing_status::skipped;
                row.detail = "not reached";
                ack(s.record(row));
            } else {
                auto id = s.open_airing(row);
                if (s.close_airing(id, t + 30s, airing_status::aired)) {
                    ack(id);
                }
            }
            t += 30s;
        }
    } catch (...) {
        ::_exit(2);
    }
}

// Reads whole ids from `fd` until `deadline` (or end of file when `deadline` is empty).
void read_ids(int fd, std::set<std::int64_t>& ids,
              std::optional<std::chrono::steady_clock::time_point> deadline) {
    for (;;) {
        int timeout_ms = -1;
        if (deadline) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                *deadline - std::chrono::steady_clock::now());
            if (left <= 0ms) {
                return;
            }
            timeout_ms = static_cast<int>(left.count());
        }
        pollfd p{fd, POLLIN, 0};
        int n = ::poll(&p, 1, timeout_ms);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        ASSERT_GE(n, 0);
        if (n == 0) {
            return;
        }
        std::int64_t id = 0;
        auto got = ::read(fd, &id, sizeof id);
        if (got == 0) {
            return; // the child is gone and everything it wrote has been read
        }
        ASSERT_EQ(got, static_cast<ssize_t>(sizeof id));
        ids.insert(id);
    }
}

// Kills and reaps the child if a failed assertion leaves the test early.
struct child_guard {
    pid_t pid;
    ~child_guard() {
        if (pid > 0) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
        }
    }
};

TEST(crash, a_writer_killed_thirty_times_loses_no_completed_airing_and_keeps_its_chain) {
    std::random_device rd;
    const auto seed = rd();
    std::mt19937 rng(seed);
    SCOPED_TRACE("seed " + std::to_string(seed));
    temp_dir dir;
    const auto file = dir.path() / "asrun.sqlite";
    { store created(file); } // the schema exists before the first child starts

    std::set<std::int64_t> completed; // every id any child acknowledged, over all rounds
    std::size_t interrupted_total = 0;
    auto t = utc(2026, 12, 1, 0, 0);
    for (int round = 0; round < 30; ++round) {
        SCOPED_TRACE("round " + std::to_string(round));
        int fds[2];
        ASSERT_EQ(::pipe(fds), 0);
        pid_t child = ::fork();
        ASSERT_GE(child, 0);
        if (child == 0) {
            ::close(fds[0]);
            write_until_killed(file, fds[1], t);
        }
        ::close(fds[1]);
        child_guard guard{child};

        // Killed at any moment, opening the store included.
        const auto delay =
            std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 50)(rng));
        std::set<std::int64_t> acked;
        read_ids(fds[0], acked, std::chrono::steady_clock::now() + delay);
        ASSERT_EQ(::kill(child, SIGKILL), 0);
        int wstatus = 0;
        ASSERT_EQ(::waitpid(child, &wstatus, 0), child);
        guard.pid = -1;
        // killed by us, not ended by an error of its own
        ASSERT_TRUE(WIFSIGNALED(wstatus)) << "child exited with " << WEXITSTATUS(wstatus);
        read_ids(fds[0], acked, std::nullopt);
        ::close(fds[0]);

        {
            auto db = sqlite::open(file.string(), SQLITE_OPEN_READWRITE);
            ASSERT_EQ(sqlite::query_text(db.get(), "PRAGMA integrity_check"), "ok");
        }
        // What the daemon does at start: reopen, close what the crash left open.
        store s(file);
        const auto alive = t + 1h;
        std::size_t open = 0;
        s.airings({}, [&](const airing& a) { open += a.open(); });
        EXPECT_LE(open, 1u); // at most the one row on air when the child died
        EXPECT_EQ(s.close_interrupted(alive), open);
        interrupted_total += open;
        EXPECT_EQ(s.close_interrupted(alive), 0u);

        completed.insert(acked.begin(), acked.end());
        for (auto id : completed) {
            auto row = s.find(id);
            ASSERT_TRUE(row) << "airing " << id << " was reported completed and is gone";
            ASSERT_TRUE(row->status) << id;
            EXPECT_NE(*row->status, airing_status::interrupted) << id;
            EXPECT_TRUE(row->chain) << id;
        }
        auto v = verify_chain(s);
        ASSERT_TRUE(v.ok()) << v.faults.front().what << " at airing " << v.faults.front().id;
        EXPECT_EQ(v.open, 0u);
        // every row is completed and chained: acknowledged, interrupted, or completed in the
        // instant between the commit and the report the kill beat
        EXPECT_GE(v.rows, completed.size() + interrupted_total);
        // the summary was kept in the same transactions: a kill never splits them
        const auto differences = s.check_summary(5);
        EXPECT_TRUE(differences.empty()) << differences.front();
        t += 24h; // the next child writes a later day
    }
    // the rounds did write: the kills were not all before the first commit
    EXPECT_GT(completed.size(), 30u);
}

} // namespace
} // namespace onair::asrun
