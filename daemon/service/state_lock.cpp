#include "service/state_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace onair::service {

state_lock::state_lock(const std::filesystem::path& state_dir) {
    std::error_code ec;
    std::filesystem::create_directories(state_dir, ec);
    const auto file = state_dir / "onair.lock";
    fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (fd_ < 0) {
        throw std::runtime_error("cannot open " + file.string() + ": " + std::strerror(errno));
    }
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        char buf[32] = {};
        const auto n = ::pread(fd_, buf, sizeof buf - 1, 0);
        ::close(fd_);
        fd_ = -1;
        if (err == EWOULDBLOCK) {
            std::string pid = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "?";
            while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) {
                pid.pop_back();
            }
            throw std::runtime_error("another onair (pid " + pid + ") is running on " +
                                     state_dir.string());
        }
        throw std::runtime_error("cannot lock " + file.string() + ": " + std::strerror(err));
    }
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, pid.data(), pid.size(), 0) < 0) {
        // the lock holds without the pid; only the second daemon's message loses it
    }
}

state_lock::~state_lock() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

} // namespace onair::service
