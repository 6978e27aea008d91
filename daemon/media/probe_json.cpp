#include "media/probe_json.hpp"

#include <cmath>

namespace onair::media {

using json = nlohmann::ordered_json;

namespace {

json stream_to_json(const stream_info& s) {
    json j{{"type", s.type}, {"codec", s.codec}};
    if (s.type == "video") {
        j["width"] = s.width;
        j["height"] = s.height;
        j["framerate_num"] = s.framerate_num;
        j["framerate_den"] = s.framerate_den;
    } else if (s.type == "audio") {
        j["rate"] = s.rate;
        j["channels"] = s.channels;
    }
    return j;
}

stream_info stream_from_json(const json& j) {
    stream_info s;
    s.type = j.at("type").get<std::string>();
    s.codec = j.at("codec").get<std::string>();
    s.width = j.value("width", 0);
    s.height = j.value("height", 0);
    s.framerate_num = j.value("framerate_num", 0);
    s.framerate_den = j.value("framerate_den", 1);
    s.rate = j.value("rate", 0);
    s.channels = j.value("channels", 0);
    return s;
}

// Loudness to a hundredth of a LU/dB: finer is noise, and it keeps the JSON readable.
json rounded_or_null(const std::optional<double>& v) {
    return v ? json(std::round(*v * 100.0) / 100.0) : json(nullptr);
}

} // namespace

json to_json(const probe_result& r) {
    json streams = json::array();
    for (const auto& s : r.streams) {
        streams.push_back(stream_to_json(s));
    }
    return json{
        {"file", r.file.string()},
        {"ok", r.ok},
        {"error", r.error.empty() ? json(nullptr) : json(r.error)},
        {"container", r.container},
        {"duration_ms", r.duration.count()},
        {"container_duration_ms",
         r.container_duration ? json(r.container_duration->count()) : json(nullptr)},
        {"has_video", r.has_video},
        {"has_audio", r.has_audio},
        {"still_image", r.still_image},
        {"video_frames", r.video_frames},
        {"streams", streams},
        {"loudness_lufs", rounded_or_null(r.loudness_lufs)},
        {"true_peak_dbtp", rounded_or_null(r.true_peak_dbtp)},
        {"sha256", r.sha256.empty() ? json(nullptr) : json(r.sha256)},
    };
}

probe_result probe_result_from_json(const json& j) {
    probe_result r;
    r.file = j.at("file").get<std::string>();
    r.ok = j.at("ok").get<bool>();
    r.error = j.at("error").is_null() ? std::string() : j.at("error").get<std::string>();
    r.container = j.at("container").get<std::string>();
    r.duration = core::milliseconds{j.at("duration_ms").get<std::int64_t>()};
    if (const auto& c = j.at("container_duration_ms"); !c.is_null()) {
        r.container_duration = core::milliseconds{c.get<std::int64_t>()};
    }
    r.has_video = j.at("has_video").get<bool>();
    r.has_audio = j.at("has_audio").get<bool>();
    r.still_image = j.at("still_image").get<bool>();
    r.video_frames = j.value("video_frames", std::int64_t{0});
    for (const auto& s : j.at("streams")) {
        r.streams.push_back(stream_from_json(s));
    }
    if (const auto& l = j.at("loudness_lufs"); !l.is_null()) {
        r.loudness_lufs = l.get<double>();
    }
    if (const auto& t = j.at("true_peak_dbtp"); !t.is_null()) {
        r.true_peak_dbtp = t.get<double>();
    }
    if (auto it = j.find("sha256"); it != j.end() && !it->is_null()) {
        r.sha256 = it->get<std::string>();
    }
    return r;
}

} // namespace onair::media
