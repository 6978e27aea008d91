#pragma once

// Shared by probe.cpp and prober.cpp; not part of the module's interface.

#include "media/probe.hpp"

#include <cstdint>
#include <filesystem>
#include <string>

namespace onair::media::detail {

// What a stat() and an open() tell without decoding. `error` is empty when the file may be
// decoded. Cheap, so it is done on every probe, cached or not: permissions and existence change
// without touching the size or the mtime the cache is keyed by.
struct file_facts {
    std::string error;
    std::uintmax_t size = 0;
    std::int64_t mtime_ns = 0;
};
file_facts inspect_file(const std::filesystem::path& file);

struct decode_outcome {
    probe_result result;
    bool cacheable = true; // false for failures that may pass by themselves (timeouts)
};
// Decodes a file that inspect_file() accepted, once, as fast as the machine goes.
decode_outcome decode_file(const std::filesystem::path& file);

} // namespace onair::media::detail
