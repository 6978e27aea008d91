#include "asrun/export.hpp"
#include "asrun/store.hpp"
#include "asrun_fixture.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>

namespace onair::asrun {
namespace {

using test::temp_dir;
using test::utc;

const std::string lao_title = "ໃສ່ໝວກກັນກະທົບ, \"ທຸກຄັ້ງ\"";
const std::string sha_helmet = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

// The chain value the store gave row `id` (chain_test pins how it is computed).
std::string chain_of(const store& s, std::int64_t id) {
    return s.find(id)->chain.value_or("");
}

// Three rows on two channels in two zones: a closed spot with a Lao title that needs quoting,
// a skipped programme with NULLs, an insert still on air, and a row whose zone is unknown.
void fill(store& s) {
    airing spot;
    spot.channel = "police-tv";
    spot.kind = airing_kind::spot;
    spot.media = "spot-helmet";
    spot.campaign = "road-safety";
    spot.break_id = "b0700";
    spot.title = lao_title;
    spot.file = "/srv/media/helmet.mp4";
    spot.scheduled_start = utc(2026, 11, 30, 23, 58);
    spot.scheduled_end = utc(2026, 11, 30, 23, 58, 30);
    spot.actual_start = utc(2026, 11, 30, 23, 58, 0, 12);
    spot.timezone = "Asia/Vientiane";
    spot.media_sha256 = sha_helmet;
    auto id = s.open_airing(spot);
    s.close_airing(id, utc(2026, 11, 30, 23, 58, 30, 4), airing_status::aired);

    airing news;
    news.channel = "radio-de";
    news.kind = airing_kind::programme;
    news.media = "news";
    news.title = "Nachrichten";
    news.file = "/srv/media/news.mp3";
    news.scheduled_start = utc(2026, 12, 1, 5, 0);
    news.scheduled_end = utc(2026, 12, 1, 5, 30);
    news.status = airing_status::skipped;
    news.detail = "not reached, operator skip";
    news.timezone = "Europe/Berlin";
    s.record(news);

    airing insert;
    insert.channel = "police-tv";
    insert.kind = airing_kind::insert;
    insert.media = "psa-flood";
    insert.title = "Flood warning\nline two";
    insert.file = "/srv/media/flood.mp4";
    insert.scheduled_start = utc(2026, 12, 1, 0, 10);
    insert.scheduled_end = utc(2026, 12, 1, 0, 11);
    insert.actual_start = utc(2026, 12, 1, 0, 10);
    insert.timezone = "Asia/Vientiane";
    s.open_airing(insert);

    airing old;
    old.channel = "old";
    old.kind = airing_kind::spot;
    old.media = "m";
    old.title = "t";
    old.file = "f";
    old.scheduled_start = utc(2026, 12, 1, 6, 0);
    old.scheduled_end = utc(2026, 12, 1, 6, 0, 10);
    old.status = airing_status::failed;
    old.detail = "decoder error";
    old.timezone = "Nowhere/Unknown";
    s.record(old);
}

std::string export_of(const store& s, export_format format, const filter& f = {}) {
    std::ostringstream out;
    export_airings(s, f, format, out);
    return out.str();
}

TEST(export_csv, is_byte_exact) {
    temp_dir dir;
    store s(dir.path() / "asrun.sqlite");
    fill(s);
    EXPECT_EQ(export_of(s, export_format::csv),
              "channel,kind,media,campaign,break,title,file,scheduled_start,scheduled_end,"
              "actual_start,actual_end,status,detail,media_sha256,chain\n"
              "police-tv,spot,spot-helmet,road-safety,b0700,\"ໃສ່ໝວກກັນກະທົບ, "
              "\"\"ທຸກຄັ້ງ\"\"\",/srv/media/helmet.mp4,2026-12-01T06:58:00.000+07:00,"
              "2026-12-01T06:58:30.000+07:00,2026-12-01T06:58:00.012+07:00,"
              "2026-12-01T06:58:30.004+07:00,aired,," +
                  sha_helmet + "," + chain_of(s, 1) +
                  "\n"
                  "police-tv,insert,psa-flood,,,\"Flood warning\nline two\",/srv/media/flood.mp4,"
                  "2026-12-01T07:10:00.000+07:00,2026-12-01T07:11:00.000+07:00,"
                  "2026-12-01T07:10:00.000+07:00,,,,,\n"
                  "radio-de,programme,news,,,Nachrichten,/srv/media/news.mp3,"
                  "2026-12-01T06:00:00.000+01:00,2026-12-01T06:30:00.000+01:00,,,skipped,"
                  "\"not reached, operator skip\",," +
                  chain_of(s, 2) +
                  "\n"
                  "old,spot,m,,,t,f,2026-12-01T06:00:00.000+00:00,2026-12-01T06:00:10.000+00:00,,,"
                  "failed,decoder error,," +
                  chain_of(s, 4) + "\n");
}

TEST(export_json, is_byte_exact) {
    temp_dir dir;
    store s(dir.path() / "asrun.sqlite");
    fill(s);
    const std::string out = export_of(s, export_format::json);
    EXPECT_EQ(out, std::string("[\n") +
                       "  {\"channel\":\"police-tv\",\"kind\":\"spot\",\"media\":\"spot-helmet\","
                       "\"campaign\":\"road-safety\",\"break\":\"b0700\",\"title\":\"ໃສ່ໝວກກັນກະທົບ, "
                       "\\\"ທຸກຄັ້ງ\\\"\",\"file\":\"/srv/media/helmet.mp4\","
                       "\"scheduled_start\":\"2026-12-01T06:58:00.000+07:00\","
                       "\"scheduled_end\":\"2026-12-01T06:58:30.000+07:00\","
                       "\"actual_start\":\"2026-12-01T06:58:00.012+07:00\","
                       "\"actual_end\":\"2026-12-01T06:58:30.004+07:00\",\"status\":\"aired\","
                       "\"detail\":null,\"media_sha256\":\"" +
                       sha_helmet + "\",\"chain\":\"" + chain_of(s, 1) +
                       "\"},\n"
                       "  {\"channel\":\"police-tv\",\"kind\":\"insert\",\"media\":\"psa-flood\","
                       "\"campaign\":null,\"break\":null,\"title\":\"Flood warning\\nline two\","
                       "\"file\":\"/srv/media/flood.mp4\","
                       "\"scheduled_start\":\"2026-12-01T07:10:00.000+07:00\","
                       "\"scheduled_end\":\"2026-12-01T07:11:00.000+07:00\","
                       "\"actual_start\":\"2026-12-01T07:10:00.000+07:00\",\"actual_end\":null,"
                       "\"status\":null,\"detail\":null,\"media_sha256\":null,\"chain\":null},\n"
                       "  {\"channel\":\"radio-de\",\"kind\":\"programme\",\"media\":\"news\","
                       "\"campaign\":null,\"break\":null,\"title\":\"Nachrichten\","
                       "\"file\":\"/srv/media/news.mp3\","
                       "\"scheduled_start\":\"2026-12-01T06:00:00.000+01:00\","
                       "\"scheduled_end\":\"2026-12-01T06:30:00.000+01:00\",\"actual_start\":null,"
                       "\"actual_end\":null,\"status\":\"skipped\","
                       "\"detail\":\"not reached, operator skip\",\"media_sha256\":null,"
                       "\"chain\":\"" +
                       chain_of(s, 2) +
                       "\"},\n"
                       "  {\"channel\":\"old\",\"kind\":\"spot\",\"media\":\"m\",\"campaign\":null,"
                       "\"break\":null,\"title\":\"t\",\"file\":\"f\","
                       "\"scheduled_start\":\"2026-12-01T06:00:00.000+00:00\","
                       "\"scheduled_end\":\"2026-12-01T06:00:10.000+00:00\",\"actual_start\":null,"
                       "\"actual_end\":null,\"status\":\"failed\",\"detail\":\"decoder error\","
                       "\"media_sha256\":null,\"chain\":\"" +
                       chain_of(s, 4) + "\"}\n]\n");
    // and it is JSON, with the keys in the order of the CSV columns
    auto parsed = nlohmann::ordered_json::parse(out);
    ASSERT_EQ(parsed.size(), 4u);
    EXPECT_EQ(parsed[0]["title"], lao_title);
    std::string keys;
    for (const auto& [k, v] : parsed[0].items()) {
        keys += (keys.empty() ? "" : ",") + k;
    }
    EXPECT_EQ(keys + "\n", std::string(csv_header));
}

TEST(export_both, follow_the_filter) {
    temp_dir dir;
    store s(dir.path() / "asrun.sqlite");
    fill(s);
    filter f{"radio-de", {}, {}};
    EXPECT_EQ(export_of(s, export_format::csv, f),
              std::string(csv_header) +
                  "radio-de,programme,news,,,Nachrichten,/srv/media/news.mp3,"
                  "2026-12-01T06:00:00.000+01:00,2026-12-01T06:30:00.000+01:00,,,skipped,"
                  "\"not reached, operator skip\",," +
                  chain_of(s, 2) + "\n");
    f = {"police-tv", utc(2026, 12, 1, 0, 0), {}};
    auto json = nlohmann::json::parse(export_of(s, export_format::json, f));
    ASSERT_EQ(json.size(), 1u);
    EXPECT_EQ(json[0]["kind"], "insert");
}

TEST(export_both, of_nothing) {
    temp_dir dir;
    store s(dir.path() / "asrun.sqlite");
    EXPECT_EQ(export_of(s, export_format::csv), csv_header);
    EXPECT_EQ(export_of(s, export_format::json), "[]\n");
    std::ostringstream csv, json;
    export_nothing(export_format::csv, csv);
    export_nothing(export_format::json, json);
    EXPECT_EQ(csv.str(), csv_header);
    EXPECT_EQ(json.str(), "[]\n");
}

TEST(csv_field, quotes_as_rfc_4180_asks) {
    EXPECT_EQ(csv_field("plain ລາວ"), "plain ລາວ");
    EXPECT_EQ(csv_field(""), "");
    EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
    EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    EXPECT_EQ(csv_field("two\r\nlines"), "\"two\r\nlines\"");
}

} // namespace
} // namespace onair::asrun

namespace onair::asrun {
namespace {

// `n` rows on two channels in two zones, three to a scheduled start (so pages break inside a
// run of equal starts, where only the id orders them): closed, skipped, and one still on air.
void fill_rows(store& s, int n) {
    for (int i = 0; i < n; ++i) {
        airing a;
        a.channel = i % 2 == 0 ? "police-tv" : "radio-de";
        a.kind = i % 5 == 0 ? airing_kind::programme : airing_kind::spot;
        a.media = "m" + std::to_string(i);
        if (a.kind == airing_kind::spot) {
            a.campaign = "c, \"" + std::to_string(i % 7) + "\"";
        }
        a.title = i % 3 == 0 ? lao_title : "Title " + std::to_string(i);
        a.file = "/srv/media/m" + std::to_string(i) + ".mp4";
        a.scheduled_start = utc(2026, 12, 1, 0, 0) + std::chrono::minutes{i / 3};
        a.scheduled_end = a.scheduled_start + std::chrono::seconds{30};
        a.timezone = i % 2 == 0 ? "Asia/Vientiane" : "Europe/Berlin";
        if (i % 4 == 1) {
            a.status = airing_status::skipped;
            a.detail = "not reached";
            s.record(a);
            continue;
        }
        a.actual_start = a.scheduled_start + std::chrono::milliseconds{i};
        a.media_sha256 = sha_helmet;
        auto id = s.open_airing(a);
        if (i != n - 2) { // one row stays on air
            s.close_airing(id, a.scheduled_end, airing_status::aired);
        }
    }
}

std::string paged(const store* s, const filter& f, export_format format, std::size_t page_rows,
                  std::size_t& pieces) {
    export_pager pager(s, f, format, page_rows);
    std::string out;
    pieces = 0;
    bool more = true;
    while (more) {
        more = pager.next(out);
        ++pieces;
    }
    EXPECT_FALSE(pager.next(out)); // done stays done, and appends nothing
    return out;
}

TEST(export_pager, pages_are_byte_for_byte_the_export) {
    for (int n : {0, 1, 200, 201, 450}) {
        temp_dir dir;
        store s(dir.path() / "asrun.sqlite");
        fill_rows(s, n);
        for (auto format : {export_format::csv, export_format::json}) {
            for (const filter& f :
                 {filter{}, filter{"police-tv", utc(2026, 12, 1, 0, 10), utc(2026, 12, 1, 2, 0)}}) {
                std::ostringstream whole;
                const auto rows = export_airings(s, f, format, whole);
                std::size_t pieces = 0;
                EXPECT_EQ(paged(&s, f, format, 200, pieces), whole.str())
                    << n << " rows, format " << static_cast<int>(format);
                // full pages, then the one that finds fewer (perhaps none) and closes
                EXPECT_EQ(pieces, rows / 200 + 1) << n << " rows";
            }
        }
    }
}

TEST(export_pager, small_pages_split_runs_of_equal_starts_exactly) {
    temp_dir dir;
    store s(dir.path() / "asrun.sqlite");
    fill_rows(s, 40);
    for (std::size_t page : {1u, 2u, 3u, 7u}) {
        std::ostringstream whole;
        export_airings(s, {}, export_format::json, whole);
        std::size_t pieces = 0;
        EXPECT_EQ(paged(&s, {}, export_format::json, page, pieces), whole.str()) << page;
        EXPECT_EQ(pieces, 40 / page + 1) << page;
    }
}

TEST(export_pager, no_store_is_an_empty_log) {
    std::size_t pieces = 0;
    EXPECT_EQ(paged(nullptr, {}, export_format::csv, 200, pieces), csv_header);
    EXPECT_EQ(paged(nullptr, {}, export_format::json, 200, pieces), "[]\n");
    EXPECT_EQ(pieces, 1u);
}

TEST(export_rows, a_row_formats_as_the_writers_write_it) {
    temp_dir dir;
    store s(dir.path() / "asrun.sqlite");
    fill(s);
    auto row = *s.find(1);
    std::ostringstream csv;
    csv_writer(csv).write(row);
    EXPECT_EQ(std::string(csv_header) + csv_row(row), csv.str());
    std::ostringstream json;
    json_writer w(json);
    w.write(row);
    w.finish();
    EXPECT_EQ("[\n  " + json_object(row) + "\n]\n", json.str());
}

} // namespace
} // namespace onair::asrun
