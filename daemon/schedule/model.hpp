#pragma once

#include "core/diagnostics.hpp"
#include "core/time.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace onair::schedule {

using core::location;

// Where a value was read (for diagnostics): never part of the value, so two configs that say
// the same thing on different lines compare equal.
struct place : location {
    place() = default;
    place(const location& l) : location(l) {}
    bool operator==(const place&) const { return true; }
};
using core::milliseconds;
using std::filesystem::path;

// Weekdays as a bit set, bit 0 = monday .. bit 6 = sunday.
using weekday_set = unsigned;
constexpr weekday_set every_day = 0x7f;
inline bool on_day(weekday_set days, core::local_days d) {
    return (days >> core::weekday_index(d)) & 1u;
}

// ---- the schedule file (playlists/*.yaml) ----

struct media_item {
    std::string id;
    path file;                            // absolute, lexically normal
    std::string title;                    // UTF-8, untouched
    std::optional<milliseconds> duration; // declared; trims the file when shorter
    location where;
    location file_where; // the `file:` value, for probe errors
    location duration_where;
};

enum class rotation { sequential, shuffle };

struct campaign {
    std::string id;
    std::string title;
    core::local_days from;
    core::local_days until; // inclusive
    std::vector<std::string> spots;
    rotation order = rotation::sequential;
    int weight = 1;
    std::optional<int> max_per_day;
    std::optional<milliseconds> min_gap;
    std::vector<core::day_window> dayparts; // empty: all day
    // make_good: {within: D}: a spot of it that did not air is placed again in room the plan
    // left free in a later break up to D after it (docs/planning.md). Empty: off.
    std::optional<milliseconds> make_good_within;
    location where;
    std::vector<location> spot_where; // one per spot

    bool in_flight(core::local_days d) const { return d >= from && d <= until; }
};

struct break_rule {
    std::string id;
    std::optional<milliseconds> every; // either every (+offset, between) ...
    milliseconds offset{0};
    std::optional<core::day_window> between; // empty: all day
    std::vector<milliseconds> at;            // ... or fixed times of day
    milliseconds length{0};
    weekday_set days = every_day;
    location where;
};

struct programme {
    std::string id;
    std::string media;
    milliseconds at{0}; // time of day
    weekday_set days = every_day;
    std::optional<core::local_days> from;
    std::optional<core::local_days> until;
    location where;
    location media_where;

    bool runs_on(core::local_days d) const {
        return on_day(days, d) && (!from || d >= *from) && (!until || d <= *until);
    }
};

struct exception_rule {
    core::local_days date;
    bool skip_breaks = false;
    bool skip_programmes = false;
    location where;
};

struct schedule {
    path file; // as displayed in diagnostics
    std::map<std::string, media_item> media;
    std::vector<campaign> campaigns;   // in file order
    std::vector<break_rule> breaks;    // in file order
    std::vector<programme> programmes; // in file order
    std::vector<exception_rule> exceptions;

    const media_item* find_media(const std::string& id) const {
        auto it = media.find(id);
        return it == media.end() ? nullptr : &it->second;
    }
};

// ---- the config file (config/onair.yaml) ----

enum class channel_kind { tv, radio };

struct video_format {
    int width = 1280;
    int height = 720;
    int framerate_num = 25;
    int framerate_den = 1;

    bool operator==(const video_format&) const = default;
};

struct audio_format {
    int rate = 48000;
    int channels = 2;

    bool operator==(const audio_format&) const = default;
};

enum class filler_type { black, slate, loop, live };

struct filler {
    filler_type type = filler_type::black;
    path image;                       // slate
    std::vector<path> media;          // loop
    std::string uri;                  // live
    std::shared_ptr<filler> fallback; // live; null means black
    place where;

    // Written out because `fallback` is compared by what it holds, not by its address.
    bool operator==(const filler& o) const {
        return type == o.type && image == o.image && media == o.media && uri == o.uri &&
               (fallback == o.fallback || (fallback && o.fallback && *fallback == *o.fallback));
    }
};

enum class output_type { file, udp, srt, rtmp, hls, icecast, null };

struct output {
    output_type type = output_type::null;
    path file;                        // file
    std::string host;                 // udp, icecast
    int port = 0;                     // udp, icecast
    std::string uri;                  // srt, rtmp
    path dir;                         // hls
    milliseconds segment{6000};       // hls
    std::string mount;                // icecast
    std::string password;             // icecast
    path password_file;               // icecast
    std::string format;               // icecast: mp3 | ogg
    std::optional<int> video_bitrate; // kbit/s
    std::optional<int> audio_bitrate; // kbit/s
    place where;

    bool operator==(const output&) const = default;
};

// A station's survey estimate of who listens or watches a channel in a daily window: the
// campaign report multiplies it by the airings in the window (estimated impressions).
struct audience_estimate {
    core::day_window window;
    weekday_set days = every_day;
    std::int64_t persons = 0;
    std::string source; // where the figure comes from ("2026 listener survey"); shown with it
    place where;

    bool operator==(const audience_estimate&) const = default;
};

struct channel {
    std::string id;
    std::string name;
    channel_kind kind = channel_kind::tv;
    std::string timezone;
    const date::time_zone* zone = nullptr;
    std::optional<video_format> video; // tv only
    audio_format audio;
    std::optional<double> loudness; // LUFS target; empty = off
    path schedule_file;
    filler fill;
    std::vector<output> outputs;
    std::vector<audience_estimate> audience; // reports only: never shapes the air
    location where;
    location schedule_where;
};

// The part of a channel that shapes its pipeline: a reload that changes any of it rebuilds the
// channel; one that changes only its plan (schedule, loudness, name) swaps the plan in. A new
// field of video_format, audio_format, filler or output takes part by itself (their == are
// defaulted); a new channel field that shapes the pipeline must be added here.
inline auto air_fields(const channel& c) {
    return std::tie(c.kind, c.video, c.audio, c.fill, c.outputs);
}

// Another daemon of the station, as control.peers names it.
struct control_peer {
    std::string url; // as shown: "http://HOST:PORT"
    std::string host;
    int port = 0;
    location where;
};

struct control {
    std::string listen_host = "127.0.0.1";
    int listen_port = 8750;
    std::optional<path> token_file; // absolute
    // token_file as written, when it is relative: under systemd's LoadCredential= the token is
    // $CREDENTIALS_DIRECTORY/<this> when that file exists. Empty for an absolute token_file.
    std::string token_credential;
    bool read_token = false; // GET routes (all but /api/v1/health) need the token too
    int plan_days = 366;     // the plan route answers for today +- this many days
    // The control URLs of the station's other daemons (a backup, one unit per channel), in the
    // order written: `onair status` asks them too. The daemon itself never calls them.
    std::vector<control_peer> peers;
    // The shared PostgreSQL database the stations ship their as-run to (asrun_sink), read by
    // GET /api/v1/report?national=1 for the console's national view; empty: none.
    std::string national_db;
};

// Where completed as-run rows are also shipped (`asrun_sink`): a PostgreSQL database shared by
// stations. The local store stays the source of truth; the sink only copies it.
struct asrun_sink {
    std::string dsn;     // libpq connection string or postgresql:// URI (may hold a password)
    std::string station; // this station's id in the shared database
    location where;
    bool operator==(const asrun_sink&) const = default;
};

struct config {
    path file;
    std::string station;
    path state_dir;
    control api;
    std::optional<asrun_sink> sink;
    std::vector<channel> channels;

    const channel* find_channel(const std::string& id) const {
        for (const auto& c : channels) {
            if (c.id == id) {
                return &c;
            }
        }
        return nullptr;
    }
};

const char* to_string(channel_kind k);
const char* to_string(filler_type t);
const char* to_string(output_type t);
const char* to_string(rotation r);

} // namespace onair::schedule
