#pragma once

// One daemon per state dir: an exclusive lock (flock) on STATE_DIR/onair.lock, held for the
// life of the process (the kernel drops it when the process ends, however it ends). The file
// holds the holder's pid, for the message a second daemon prints.

#include <filesystem>
#include <optional>
#include <string>

namespace onair::service {

class state_lock {
public:
    // Takes the lock. Throws std::runtime_error "another onair (pid N) is running on DIR"
    // when another process holds it, or why the lock file cannot be made.
    explicit state_lock(const std::filesystem::path& state_dir);
    ~state_lock();
    state_lock(const state_lock&) = delete;
    state_lock& operator=(const state_lock&) = delete;

private:
    int fd_ = -1;
};

} // namespace onair::service
