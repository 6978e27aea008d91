#pragma once

#include "asrun/airing.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <string>

namespace onair::asrun::test {

// A fresh folder per test, removed afterwards.
class temp_dir {
public:
    temp_dir() {
        std::random_device rd;
        path_ = std::filesystem::path(::testing::TempDir()) /
                ("onair-asrun-" + std::to_string(rd()) + std::to_string(rd()));
        std::filesystem::create_directories(path_);
    }
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// An instant from a UTC date and time.
inline core::instant utc(int y, unsigned mo, unsigned d, int h, int mi, int s = 0, int ms = 0) {
    using namespace std::chrono;
    return date::sys_days{date::year{y} / date::month{mo} / date::day{d}} + hours{h} + minutes{mi} +
           seconds{s} + milliseconds{ms};
}

// A spot on air since `start` (scheduled 30 s from `start`), still open.
inline airing on_air_spot(const std::string& channel, core::instant start) {
    airing a;
    a.channel = channel;
    a.kind = airing_kind::spot;
    a.media = "spot-helmet";
    a.campaign = "road-safety";
    a.break_id = "b0700";
    a.title = "Helmet";
    a.file = "/srv/media/helmet.mp4";
    a.scheduled_start = start;
    a.scheduled_end = start + std::chrono::seconds{30};
    a.actual_start = start + std::chrono::milliseconds{40};
    a.timezone = "Asia/Vientiane";
    return a;
}

} // namespace onair::asrun::test
