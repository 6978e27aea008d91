// How fast the as-run sink catches up: N completed rows in a local store (as after a day or a
// week with the database away), shipped to a PostgreSQL from scratch with the sink's own
// batches. Prints rows per second, for each batch size.
//
//   bench_sink DSN [ROWS]      (DSN: a database onair may write to; its asrun table is emptied)

#include "asrun_pg/sink.hpp"
#include "asrun/store.hpp"
#include "asrun_pg/connection.hpp"
#include "asrun_pg/schema.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>

using namespace onair;

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << "usage: bench_sink DSN [ROWS]\n";
        return 2;
    }
    const std::string dsn = argv[1];
    const int rows = argc > 2 ? std::stoi(argv[2]) : 100'000;
    const auto dir = std::filesystem::temp_directory_path() / "onair-bench-sink";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const auto file = dir / "asrun.sqlite";
    {
        asrun::store s(file);
        asrun::store::batch b(s);
        const auto t0 = core::instant(std::chrono::hours(24 * 20'000));
        for (int i = 0; i < rows; ++i) {
            asrun::airing a;
            a.channel = i % 2 == 0 ? "police-tv" : "police-radio";
            a.kind = asrun::airing_kind::spot;
            a.media = "tip-" + std::to_string(i % 6);
            a.campaign = "tip-2026";
            a.break_id = "b" + std::to_string(i / 6);
            a.title = "ໂທ 1300: Hotline";
            a.file = "/srv/onair/media/tip-" + std::to_string(i % 6) + ".mp4";
            a.scheduled_start = t0 + std::chrono::seconds(30 * i);
            a.scheduled_end = a.scheduled_start + std::chrono::seconds(30);
            a.actual_start = a.scheduled_start + std::chrono::milliseconds(3);
            a.actual_end = a.scheduled_end;
            a.status = asrun::airing_status::aired;
            a.timezone = "Asia/Vientiane";
            a.media_sha256 = std::string(64, 'c');
            s.record(a);
        }
        b.commit();
    }
    for (const std::size_t batch : {500u, 2000u, 5000u}) {
        {
            asrun_pg::connection c(dsn);
            asrun_pg::migrate(c);
            c.exec("DELETE FROM asrun WHERE station = 'bench'");
        }
        asrun_pg::sink_options o;
        o.dsn = dsn;
        o.station = "bench";
        o.store_file = file;
        o.batch = batch;
        asrun_pg::shipper s(o);
        const auto start = std::chrono::steady_clock::now();
        std::size_t sent = 0;
        while (const auto n = s.step()) {
            sent += n;
        }
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::printf("sink catch-up: %zu rows, batch %zu: %.2f s, %.0f rows/s\n", sent, batch,
                    seconds, static_cast<double>(sent) / seconds);
    }
    std::filesystem::remove_all(dir);
    return 0;
}
