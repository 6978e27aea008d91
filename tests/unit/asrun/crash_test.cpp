// A child process writes airings as the daemon would and is killed with SIGKILL at a random
// moment; the parent then checks what the spec promises: the file is intact, no airing the
// child saw completed is lost, and the rows left open are closed as interrupted.

#include "asrun/sqlite_handle.hpp"
#include "asrun/store.hpp"
#include "test_support.hpp"

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

// Runs in the child: opens rows and closes every other one, reporting each id over `fd` only
// once close_airing has returned (that is, once the commit is durable). Never returns.
[[noreturn]] void write_until_killed(const std::filesystem::path& file, int fd) {
    try {
        store s(file);
        auto t = utc(2026, 12, 1, 0, 0);
        for (std::int64_t i = 0;; ++i) {
            auto id = s.open_airing(on_air_spot(i % 2 == 0 ? "police-tv" : "lao-radio", t));
            if (i % 2 == 0) {
                s.close_airing(id, t + 30s, airing_status::aired);
                // 8 bytes: below PIPE_BUF, so the parent never reads half an id
                if (::write(fd, &id, sizeof id) != static_cast<ssize_t>(sizeof id)) {
                    ::_exit(3);
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

TEST(crash, a_killed_writer_loses_no_completed_airing) {
    std::random_device rd;
    std::mt19937 rng(rd());
    for (int round = 0; round < 3; ++round) {
        temp_dir dir;
        const auto file = dir.path() / "asrun.sqlite";
        int fds[2];
        ASSERT_EQ(::pipe(fds), 0);
        pid_t child = ::fork();
        ASSERT_GE(child, 0);
        if (child == 0) {
            ::close(fds[0]);
            write_until_killed(file, fds[1]);
        }
        ::close(fds[1]);

        child_guard guard{child};

        std::set<std::int64_t> closed;
        // Kill it at a random moment once it is writing (creating the store takes a few
        // fsyncs, longer on a busy machine).
        const auto give_up = std::chrono::steady_clock::now() + 10s;
        while (closed.empty() && std::chrono::steady_clock::now() < give_up) {
            read_ids(fds[0], closed, std::chrono::steady_clock::now() + 10ms);
        }
        const auto delay =
            std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 300)(rng));
        read_ids(fds[0], closed, std::chrono::steady_clock::now() + delay);
        ASSERT_EQ(::kill(child, SIGKILL), 0);
        int wstatus = 0;
        ASSERT_EQ(::waitpid(child, &wstatus, 0), child);
        guard.pid = -1;
        // killed by us, not ended by an error of its own
        ASSERT_TRUE(WIFSIGNALED(wstatus)) << "child exited with " << WEXITSTATUS(wstatus);
        read_ids(fds[0], closed, std::nullopt);
        ::close(fds[0]);
        ASSERT_FALSE(closed.empty()) << "the child closed nothing in 10 s";

        {
            auto db = sqlite::open(file.string(), SQLITE_OPEN_READWRITE);
            EXPECT_EQ(sqlite::query_text(db.get(), "PRAGMA integrity_check"), "ok");
        }
        store s(file);
        for (auto id : closed) {
            auto row = s.find(id);
            ASSERT_TRUE(row) << "airing " << id << " was reported closed and is gone";
            EXPECT_EQ(row->status, airing_status::aired) << id;
        }
        std::size_t open = 0, total = 0;
        s.airings({}, [&](const airing& a) {
            ++total;
            open += a.open();
        });
        // at most the one row on air when the child died, plus the last closed one whose
        // report the kill may have beaten
        EXPECT_GE(total, closed.size() * 2 - 1);
        const auto alive = utc(2027, 1, 1, 0, 0);
        EXPECT_EQ(s.close_interrupted(alive), open);
        s.airings({}, [&](const airing& a) {
            ASSERT_TRUE(a.status);
            if (!closed.count(a.id) && *a.status == airing_status::interrupted) {
                EXPECT_EQ(a.actual_end, alive);
            }
        });
        EXPECT_EQ(s.close_interrupted(alive), 0u);
    }
}

} // namespace
} // namespace onair::asrun
