#pragma once

// A render's guard against a loop filler file that cannot be decoded. Live mode skips such a
// file when its bin fails; a render (not paced by a clock) can stall instead, its mixer waiting
// on outputs that wait for the failed file. So a render checks each file first, once.

#include "core/log.hpp"

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace onair::playout::detail {

// Why GStreamer cannot decode `file` (typefind, demux, a first buffer of each stream), or
// nothing when it can. Waits at most `wait`.
std::optional<std::string> why_undecodable(const std::filesystem::path& file,
                                           std::chrono::milliseconds wait);

// Why a slate image cannot air (missing, unreadable, not a picture GStreamer decodes), or
// nothing. Remembered per file version (path, size, modification time). With `decode`, a
// version not seen yet is decoded (some tens of milliseconds, at most 5 s): for the station's
// load (start-up, or the pool at a reload: service::check_slates) and render. Without it, as a
// live pipeline is built on the loop, only what is remembered and a stat count: the loop never
// waits on a decoder.
std::optional<std::string> slate_problem(const std::filesystem::path& image, bool decode);

// The files of `files` that decode, in order; each that does not is logged (warning) with the
// reason and left out.
std::vector<std::filesystem::path> decodable_only(const std::vector<std::filesystem::path>& files,
                                                  core::logger& log);

} // namespace onair::playout::detail
