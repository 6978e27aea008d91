#pragma once

// probe_result as JSON: the shape `onair probe --format json` prints and the probe cache stores.
//
//   {"file": "/abs/a.mp4", "ok": true, "error": null, "container": "ISO MP4/M4A",
//    "duration_ms": 30000, "container_duration_ms": 30000, "has_video": true,
//    "has_audio": true, "still_image": false, "video_frames": 750,
//    "streams": [{"type": "video", "codec": "H.264 (High Profile)", "width": 1280,
//                 "height": 720, "framerate_num": 25, "framerate_den": 1},
//                {"type": "audio", "codec": "MPEG-4 AAC", "rate": 48000, "channels": 2}],
//    "loudness_lufs": -23.1, "true_peak_dbtp": -4.2,
//    "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}
//
// Absent values are null; `error` is null when ok; `sha256` is null when not computed.

#include "media/probe.hpp"

#include <nlohmann/json.hpp>

namespace onair::media {

nlohmann::ordered_json to_json(const probe_result& r);
// Throws nlohmann::json::exception when `j` is not in the shape to_json writes.
probe_result probe_result_from_json(const nlohmann::ordered_json& j);

} // namespace onair::media
