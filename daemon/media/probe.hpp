#pragma once

// What a media file holds, found by decoding it once: container durations lie (MPEG-TS often
// says 0), so the length is the end of the last decoded buffer, and the loudness is measured on
// the decoded audio (EBU R128, libebur128).

#include "core/time.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace onair::media {

struct stream_info {
    std::string type;  // "video" or "audio"
    std::string codec; // human-readable, from GStreamer's caps description
    int width = 0, height = 0, framerate_num = 0, framerate_den = 1; // video
    int rate = 0, channels = 0;                                      // audio
};

struct probe_result {
    std::filesystem::path file;
    bool ok = false;       // the file can be aired
    std::string error;     // why not, when !ok ("no such file", "not a media file", ...)
    std::string container; // e.g. "MPEG-2 Transport Stream", "Quicktime"
    std::optional<core::milliseconds> container_duration; // what the container claims
    core::milliseconds duration{0};                       // decoded: what will really play
    bool has_video = false;
    bool has_audio = false;
    bool still_image = false;      // a single picture (slates)
    std::int64_t video_frames = 0; // decoded pictures of the first video stream
    std::vector<stream_info> streams;
    std::optional<double> loudness_lufs; // integrated loudness; empty without audio or if silent
    std::optional<double> true_peak_dbtp;
    // Lowercase hex SHA-256 of the file's bytes, for the as-run log's media_sha256. Filled by
    // prober (cached with the rest, so computed once per file version) whenever the file could
    // be read, aireable or not; empty otherwise and from probe_file().
    std::string sha256;
};

// Probes files, remembering results in a cache file keyed by path, size and mtime, so a second
// `check` of a large library does not decode anything again.
class prober {
public:
    // With an empty `cache_file`, results are remembered only for the life of the prober.
    // The file is read on the first probe; a missing or corrupt one counts as empty.
    explicit prober(std::filesystem::path cache_file = {});

    // Cache only: a file the cache does not know is not decoded; its result says "not probed
    // yet" (ok false). The daemon starts this way, so a cold cache does not hold back air while
    // every file of a library decodes, and probes the rest in the background.
    void cache_only(bool on) { cache_only_ = on; }
    // Told how decoding goes, for a progress bar: (files decoded, files to decode) at the start
    // of each probe_all that decodes something and after each file, from the decoding threads.
    void on_progress(std::function<void(std::size_t, std::size_t)> f) { progress_ = std::move(f); }
    ~prober();
    prober(const prober&) = delete;
    prober& operator=(const prober&) = delete;

    // Cheap for a file the cache knows (a stat): the runner calls it for each item's sha256.
    probe_result probe(const std::filesystem::path& file);
    // The same for many files, decoding those the cache does not know `jobs` at a time (0: one
    // per core). Results are in the order of `files`; a file named twice is decoded once.
    std::vector<probe_result> probe_all(const std::vector<std::filesystem::path>& files,
                                        unsigned jobs = 0);
    // Writes the cache back (atomically, creating its directory) if it changed. Never throws:
    // false when it could not, with the reason in save_error(). The destructor saves too.
    bool save();
    const std::string& save_error() const { return save_error_; }

    std::size_t cache_hits() const { return hits_; }
    std::size_t decoded() const { return decoded_; }

private:
    struct cache;
    std::filesystem::path cache_file_;
    std::unique_ptr<cache> cache_;
    std::size_t hits_ = 0;
    std::size_t decoded_ = 0;
    bool cache_only_ = false;
    std::string save_error_;
    std::function<void(std::size_t, std::size_t)> progress_;
};

// The error of a result that the cache did not know, in cache-only mode.
inline constexpr const char* not_probed_yet = "not probed yet";

// The loudness correction a file gets on air and in render for a channel's `target` (LUFS;
// empty = off): the difference to the target, kept within +-20 dB so that a near-silent file is
// not blown up. 0 when either loudness is unknown.
double gain_db_for(std::optional<double> target_lufs, const probe_result& r);

// Decodes one file without any cache.
probe_result probe_file(const std::filesystem::path& file);

// "30.000s": how probe results and media diagnostics show a measured length.
std::string format_seconds(core::milliseconds d);

} // namespace onair::media
