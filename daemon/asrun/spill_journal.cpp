#include "asrun/spill_journal.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

namespace onair::asrun {
namespace {

std::string errno_text(const std::string& what, int err) {
    return what + ": " + std::strerror(err);
}

// A new or removed file is durable only once its folder is synced.
void sync_folder(const std::filesystem::path& file) {
    auto folder = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
    int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

} // namespace

spill_journal::spill_journal(std::filesystem::path file) : file_(std::move(file)) {}

spill_journal::~spill_journal() {
    close_fd();
}

void spill_journal::close_fd() {
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

std::optional<std::string> spill_journal::load() {
    std::ifstream in(file_, std::ios::binary);
    if (!in) {
        std::error_code ec;
        if (!std::filesystem::exists(file_, ec)) {
            size_ = 0;
            lines_ = 0;
            return std::nullopt;
        }
        return "cannot read " + file_.string();
    }
    long long bytes = 0;
    long long complete = 0;
    std::size_t lines = 0;
    char buffer[65536];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
        for (std::streamsize i = 0; i < in.gcount(); ++i) {
            ++bytes;
            if (buffer[i] == '\n') {
                complete = bytes;
                ++lines;
            }
        }
    }
    size_ = complete;
    lines_ = lines;
    if (complete != bytes && ::truncate(file_.c_str(), complete) != 0) {
        return errno_text("cannot cut the partial last line of " + file_.string(), errno);
    }
    return std::nullopt;
}

std::optional<std::string> spill_journal::append(const std::string& text, std::size_t lines) {
    if (fd_ < 0) {
        std::error_code ec;
        const bool existed = std::filesystem::exists(file_, ec);
        fd_ = ::open(file_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
        if (fd_ < 0) {
            return errno_text("cannot open " + file_.string(), errno);
        }
        if (!existed) {
            sync_folder(file_);
        }
    }
    const char* p = text.data();
    std::size_t left = text.size();
    int err = 0;
    while (left > 0) {
        auto n = ::write(fd_, p, left);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            err = errno;
            break;
        }
        p += n;
        left -= static_cast<std::size_t>(n);
    }
    if (err == 0 && ::fsync(fd_) != 0) {
        err = errno;
    }
    if (err != 0) {
        // Never leave half an event: cut back to the last whole batch (cutting frees space,
        // so it works on a full disk too). Reopen next time: the state after a failed fsync
        // is the kernel's to decide.
        [[maybe_unused]] int rc = ::ftruncate(fd_, size_);
        close_fd();
        return errno_text("cannot write " + file_.string(), err);
    }
    size_ += static_cast<long long>(text.size());
    lines_ += lines;
    return std::nullopt;
}

void spill_journal::each(
    const std::function<void(std::string_view line, std::size_t number)>& each) const {
    std::ifstream in(file_, std::ios::binary);
    std::string line;
    std::size_t number = 0;
    long long read = 0;
    // Only the complete lines counted so far: never a line being appended.
    while (read < size_ && std::getline(in, line)) {
        read += static_cast<long long>(line.size()) + 1;
        each(line, ++number);
    }
}

std::optional<std::string> spill_journal::clear() {
    close_fd();
    if (::unlink(file_.c_str()) != 0 && errno != ENOENT) {
        int err = errno;
        // Cannot remove it: empty it, so it is not written to the store twice.
        if (::truncate(file_.c_str(), 0) != 0) {
            return errno_text("cannot remove " + file_.string(), err);
        }
    }
    sync_folder(file_);
    size_ = 0;
    lines_ = 0;
    return std::nullopt;
}

} // namespace onair::asrun
