#pragma once

#include <stdexcept>
#include <string>

namespace onair::asrun {

// A failure of the as-run store: what was being done, then SQLite's own message. `code` is the
// SQLite extended result code (0 when the failure did not come from SQLite).
class store_error : public std::runtime_error {
public:
    store_error(const std::string& what, int code) : std::runtime_error(what), code_(code) {}
    int code() const { return code_; }

private:
    int code_;
};

} // namespace onair::asrun
