// The media hash the as-run log records: computed by the prober for every readable file,
// kept in the probe cache (so once per file version), and recomputed when the file changes.

#include "asrun/chain.hpp"
#include "media/probe.hpp"
#include "media_fixture.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <iterator>

namespace onair::asrun {
namespace {

using media::testing::copy_of;
using media::testing::scratch_dir;

std::string bytes_of(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(media_sha256, is_the_files_sha256_cached_per_version) {
    const auto dir = scratch_dir() / "sha";
    std::filesystem::create_directories(dir);
    const auto cache = dir / "probe-cache.json";
    const auto tone = copy_of("tone.ogg", "sha-tone.ogg");
    const auto text = copy_of("text.txt", "sha-text.txt");
    const auto tone_sha = sha256_hex(bytes_of(tone));
    {
        media::prober p(cache);
        auto r = p.probe_all({tone, text});
        ASSERT_TRUE(r[0].ok) << r[0].error;
        EXPECT_EQ(r[0].sha256, tone_sha);
        EXPECT_EQ(r[0].sha256.size(), 64u);
        // not aireable, but readable: a failed airing still says which bytes were there
        EXPECT_FALSE(r[1].ok);
        EXPECT_EQ(r[1].sha256, sha256_hex(bytes_of(text)));
        EXPECT_EQ(p.decoded(), 2u);
    }
    {
        // a new prober reads it from the cache file without decoding or hashing
        media::prober p(cache);
        EXPECT_EQ(p.probe(tone).sha256, tone_sha);
        EXPECT_EQ(p.decoded(), 0u);
        EXPECT_EQ(p.cache_hits(), 1u);
        // another version of the file: hashed again
        { std::ofstream(text, std::ios::app) << "one more line\n"; }
        auto again = p.probe(text);
        EXPECT_EQ(p.decoded(), 1u);
        EXPECT_EQ(again.sha256, sha256_hex(bytes_of(text)));
    }
    EXPECT_EQ(media::prober().probe(dir / "missing.ogg").sha256, "");

    // a cache written before hashes were kept: hashed on the next hit, not decoded again
    {
        std::ifstream in(cache);
        auto j = nlohmann::json::parse(in);
        for (auto& [key, e] : j["files"].items()) {
            e["result"].erase("sha256");
        }
        std::ofstream(cache) << j.dump();
    }
    media::prober p(cache);
    EXPECT_EQ(p.probe(tone).sha256, tone_sha);
    EXPECT_EQ(p.decoded(), 0u);
}

} // namespace
} // namespace onair::asrun
