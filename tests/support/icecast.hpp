#pragma once

// A real icecast2 on loopback in its own directory (as root it drops to nobody), to be killed
// and started again under a radio channel's output.

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace onair::test_support {

class icecast_server {
public:
    // Writes the server's config in `dir` (made empty first); `source_password` is what a
    // source must send.
    icecast_server(std::filesystem::path dir, std::string source_password);
    icecast_server(const icecast_server&) = delete;
    icecast_server& operator=(const icecast_server&) = delete;
    ~icecast_server();

    // Starts the server and waits (up to 2 s) until it answers; false if it did not.
    bool start();
    // SIGKILL, as a crash would end it.
    void kill();
    int port() const { return port_; }
    // Whether a source is streaming on `mount` (from the server's status page).
    bool has_source(const std::string& mount) const;

private:
    std::filesystem::path dir_;
    int port_ = 0;
    pid_t pid_ = -1;
};

} // namespace onair::test_support
