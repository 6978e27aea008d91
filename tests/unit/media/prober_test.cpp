#include "media/probe.hpp"

#include "media_fixture.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>

namespace onair::media {
namespace {

using testing::copy_of;
using testing::scratch_dir;

std::filesystem::path fresh_dir(const std::string& name) {
    auto d = scratch_dir() / name;
    std::filesystem::remove_all(d);
    std::filesystem::create_directories(d);
    return d;
}

void touch_later(const std::filesystem::path& p) {
    std::filesystem::last_write_time(p, std::filesystem::last_write_time(p) +
                                            std::chrono::seconds(10));
}

TEST(prober, second_probe_is_a_cache_hit) {
    auto dir = fresh_dir("hit");
    auto file = copy_of("tone.ogg", "hit.ogg");
    prober p(dir / "probe-cache.json");
    auto first = p.probe(file);
    ASSERT_TRUE(first.ok) << first.error;
    EXPECT_EQ(p.decoded(), 1u);
    auto second = p.probe(file);
    EXPECT_EQ(p.decoded(), 1u);
    EXPECT_EQ(p.cache_hits(), 1u);
    EXPECT_EQ(second.duration, first.duration);
    EXPECT_EQ(second.loudness_lufs, first.loudness_lufs);
    EXPECT_EQ(second.file, file);
}

TEST(prober, cache_survives_the_process_and_a_touch_decodes_again) {
    auto dir = fresh_dir("persist");
    auto cache = dir / "state" / "probe-cache.json"; // the directory does not exist yet
    auto file = copy_of("tone.ogg", "persist.ogg");
    {
        prober p(cache);
        ASSERT_TRUE(p.probe(file).ok);
        EXPECT_TRUE(p.save()) << p.save_error();
    }
    ASSERT_TRUE(std::filesystem::exists(cache));
    {
        prober p(cache);
        auto r = p.probe(file);
        EXPECT_TRUE(r.ok);
        EXPECT_EQ(r.duration, std::chrono::milliseconds{2000});
        EXPECT_EQ(p.decoded(), 0u);
        EXPECT_EQ(p.cache_hits(), 1u);
    }
    touch_later(file);
    {
        prober p(cache);
        EXPECT_TRUE(p.probe(file).ok);
        EXPECT_EQ(p.decoded(), 1u);
        EXPECT_EQ(p.cache_hits(), 0u);
    }
}

TEST(prober, a_changed_size_decodes_again) {
    auto dir = fresh_dir("size");
    auto file = copy_of("video-50.mp4", "size.mp4");
    prober p(dir / "probe-cache.json");
    auto before = std::filesystem::last_write_time(file);
    ASSERT_TRUE(p.probe(file).ok);
    std::filesystem::resize_file(file, std::filesystem::file_size(file) / 2);
    std::filesystem::last_write_time(file, before); // same mtime, other size
    auto r = p.probe(file);
    EXPECT_EQ(p.decoded(), 2u);
    EXPECT_FALSE(r.ok);
}

TEST(prober, corrupt_cache_is_ignored_and_replaced) {
    auto dir = fresh_dir("corrupt");
    auto cache = dir / "probe-cache.json";
    testing::write_file(cache, "{\"version\": 1, \"files\": {\"/x\": [tru");
    auto file = copy_of("tone.ogg", "corrupt.ogg");
    {
        prober p(cache);
        EXPECT_TRUE(p.probe(file).ok);
        EXPECT_EQ(p.decoded(), 1u);
        EXPECT_TRUE(p.save()) << p.save_error();
    }
    std::ifstream in(cache);
    auto j = nlohmann::json::parse(in); // now valid
    EXPECT_EQ(j["version"], 1);
    EXPECT_EQ(j["files"].size(), 1u);
}

TEST(prober, wrong_shape_entries_are_skipped) {
    auto dir = fresh_dir("shape");
    auto cache = dir / "probe-cache.json";
    auto file = copy_of("tone.ogg", "shape.ogg");
    auto key = std::filesystem::absolute(file).lexically_normal().string();
    testing::write_file(
        cache, nlohmann::json{{"version", 1}, {"files", {{key, {{"size", "big"}}}}}}.dump());
    prober p(cache);
    EXPECT_TRUE(p.probe(file).ok);
    EXPECT_EQ(p.decoded(), 1u);
}

TEST(prober, failures_are_cached_except_missing_files) {
    auto dir = fresh_dir("failures");
    prober p(dir / "probe-cache.json");
    auto text = copy_of("text.txt", "failures.txt");
    EXPECT_EQ(p.probe(text).error, "not a media file");
    EXPECT_EQ(p.probe(text).error, "not a media file");
    EXPECT_EQ(p.decoded(), 1u);
    EXPECT_EQ(p.cache_hits(), 1u);

    auto missing = dir / "missing.mp4";
    EXPECT_EQ(p.probe(missing).error, "no such file");
    EXPECT_EQ(p.decoded(), 1u);
    // the file appears: it is probed, not remembered as missing
    std::filesystem::copy_file(testing::sample("tone.ogg"), missing);
    EXPECT_TRUE(p.probe(missing).ok);
    EXPECT_EQ(p.decoded(), 2u);
}

TEST(prober, probe_all_decodes_each_file_once_in_parallel_and_keeps_the_order) {
    auto dir = fresh_dir("all");
    auto ogg = copy_of("tone.ogg", "all.ogg");
    auto mp4 = copy_of("video-50.mp4", "all.mp4");
    auto cached = copy_of("still.png", "all.png");
    prober p(dir / "probe-cache.json");
    ASSERT_TRUE(p.probe(cached).ok);
    auto results = p.probe_all({ogg, mp4, dir / "missing.ogg", ogg, cached}, 2);
    ASSERT_EQ(results.size(), 5u);
    EXPECT_EQ(results[0].file, ogg);
    EXPECT_TRUE(results[0].has_audio);
    EXPECT_EQ(results[1].file, mp4);
    EXPECT_EQ(results[1].video_frames, 50);
    EXPECT_EQ(results[2].error, "no such file");
    EXPECT_EQ(results[3].duration, results[0].duration);
    EXPECT_TRUE(results[4].still_image);
    EXPECT_EQ(p.decoded(), 3u); // the png once before, then the ogg and the mp4 once each
    EXPECT_EQ(p.cache_hits(), 1u);
    auto again = p.probe_all({mp4, ogg});
    EXPECT_EQ(p.decoded(), 3u);
    EXPECT_EQ(p.cache_hits(), 3u);
    EXPECT_EQ(again[0].video_frames, 50);
}

TEST(prober, save_without_changes_writes_nothing) {
    auto dir = fresh_dir("nochange");
    auto cache = dir / "probe-cache.json";
    prober p(cache);
    EXPECT_TRUE(p.save());
    EXPECT_FALSE(std::filesystem::exists(cache));
}

TEST(prober, unwritable_cache_is_reported_not_thrown) {
    auto dir = fresh_dir("unwritable");
    auto blocker = dir / "not-a-dir";
    testing::write_file(blocker, "x");
    prober p(blocker / "probe-cache.json");
    EXPECT_TRUE(p.probe(copy_of("tone.ogg", "unwritable.ogg")).ok);
    EXPECT_FALSE(p.save());
    EXPECT_FALSE(p.save_error().empty());
}

TEST(prober, without_a_cache_file_results_are_kept_in_memory) {
    prober p;
    auto file = copy_of("tone.ogg", "memory.ogg");
    EXPECT_TRUE(p.probe(file).ok);
    EXPECT_TRUE(p.probe(file).ok);
    EXPECT_EQ(p.decoded(), 1u);
    EXPECT_TRUE(p.save());
}

} // namespace
} // namespace onair::media
