#include "cli/cli.hpp"
#include "cli/commands.hpp"

#include "media/probe.hpp"
#include "media/probe_json.hpp"

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace onair::cli {
namespace {

struct probe_options {
    std::vector<std::string> files;
    std::string format = "text";
};

std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

std::string framerate(const media::stream_info& s) {
    if (s.framerate_num <= 0) {
        return "still";
    }
    if (s.framerate_num % s.framerate_den == 0) {
        return std::to_string(s.framerate_num / s.framerate_den) + " fps";
    }
    return fixed(static_cast<double>(s.framerate_num) / s.framerate_den, 3) + " fps";
}

void print_text(std::ostream& out, const std::string& shown, const media::probe_result& r) {
    out << shown << '\n';
    out << "  container  " << r.container << '\n';
    if (r.still_image) {
        out << "  duration   still image\n";
    } else {
        out << "  duration   " << media::format_seconds(r.duration) << " (container: "
            << (r.container_duration ? media::format_seconds(*r.container_duration)
                                     : std::string("unknown"))
            << ")\n";
    }
    for (const auto& s : r.streams) {
        if (s.type == "video") {
            out << "  video      " << s.codec << ", " << s.width << 'x' << s.height << ", "
                << framerate(s) << '\n';
        } else if (s.type == "audio") {
            out << "  audio      " << s.codec << ", " << s.rate << " Hz, " << s.channels
                << (s.channels == 1 ? " channel" : " channels") << '\n';
        }
    }
    if (r.has_audio) {
        out << "  loudness   "
            << (r.loudness_lufs ? fixed(*r.loudness_lufs, 1) + " LUFS" : std::string("silent"))
            << ", true peak "
            << (r.true_peak_dbtp ? fixed(*r.true_peak_dbtp, 1) + " dBTP" : std::string("none"))
            << '\n';
    }
}

int run_probe(const probe_options& o) {
    bool all_ok = true;
    auto list = nlohmann::ordered_json::array();
    bool first = true;
    // No cache file: `probe` always looks at the files as they are now. Probing them together
    // decodes several at once.
    media::prober prober;
    auto results =
        prober.probe_all(std::vector<std::filesystem::path>(o.files.begin(), o.files.end()));
    for (std::size_t i = 0; i < o.files.size(); ++i) {
        const auto& file = o.files[i];
        const auto& r = results[i];
        if (!r.ok) {
            all_ok = false;
            std::cerr << file << ": error: " << r.error << '\n';
        }
        if (o.format == "json") {
            list.push_back(media::to_json(r));
        } else if (r.ok) {
            if (!first) {
                std::cout << '\n';
            }
            first = false;
            print_text(std::cout, file, r);
        }
    }
    if (o.format == "json") {
        std::cout << list.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
                  << '\n';
    }
    return all_ok ? ok : input_error;
}

} // namespace

command add_probe(CLI::App& app) {
    auto o = std::make_shared<probe_options>();
    auto* sub = app.add_subcommand(
        "probe", "Decode media files and print their duration, streams and loudness");
    sub->add_option("FILE", o->files, "Media files")->required();
    sub->add_option("--format", o->format, "text or json (default text)")
        ->check(CLI::IsMember({"text", "json"}));
    return [o] { return run_probe(*o); };
}

} // namespace onair::cli
