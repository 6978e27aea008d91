#include "schedule/address.hpp"
#include "schedule/container.hpp"
#include "schedule/load.hpp"
#include "schedule/load_detail.hpp"
#include "schedule/yaml_reader.hpp"

#include "core/ids.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <set>

namespace onair::schedule {
namespace {

using detail::field;
using detail::map_fields;
using detail::reader;

std::string line_of(const core::location& l) {
    return std::to_string(l.line);
}

// "25" or "30000/1001": frames a second as a whole number or an exact fraction.
std::optional<std::pair<int, int>> framerate(reader& r, const field& f) {
    const std::string expected = "a frame rate such as 25 or 30000/1001";
    if (!f.value.IsScalar()) {
        r.type_error(f, expected);
        return std::nullopt;
    }
    const std::string& s = f.value.Scalar();
    auto whole = [](std::string_view t) -> std::optional<long long> {
        long long v = 0;
        auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
        if (t.empty() || ec != std::errc() || p != t.data() + t.size()) {
            return std::nullopt;
        }
        return v;
    };
    auto slash = s.find('/');
    auto num = whole(std::string_view(s).substr(0, slash));
    auto den = slash == std::string::npos ? std::optional<long long>(1)
                                          : whole(std::string_view(s).substr(slash + 1));
    if (!num || !den) {
        r.type_error(f, expected);
        return std::nullopt;
    }
    if (*den < 1 || *num < 1 || *num > 1'000'000 || *den > 1'000'000 || *num < *den ||
        *num > 120 * *den) {
        r.error(f.value_at,
                "field '" + f.name + "': expected 1 to 120 frames a second, found '" + s + "'");
        return std::nullopt;
    }
    return std::pair{static_cast<int>(*num), static_cast<int>(*den)};
}

std::optional<video_format> read_video(reader& r, const field& f) {
    map_fields m(r, f, {"width", "height", "framerate"});
    if (!m.ok()) {
        return std::nullopt;
    }
    video_format v;
    bool ok = true;
    for (auto [key, target] : {std::pair{"width", &v.width}, std::pair{"height", &v.height}}) {
        field d = m.require(key);
        if (!d.present()) {
            ok = false;
            continue;
        }
        auto n = r.integer(d, 16, 7680);
        if (!n) {
            ok = false;
        } else if (*n % 2 != 0) {
            r.error(d.value_at, "field '" + d.name + "': " + std::to_string(*n) +
                                    " is odd; 4:2:0 video needs an even number of pixels");
            ok = false;
        } else {
            *target = static_cast<int>(*n);
        }
    }
    field fr = m.require("framerate");
    if (fr.present()) {
        // 25, or a fraction such as 30000/1001 (29.97 is not exact, so it is not taken)
        auto rate = framerate(r, fr);
        ok = ok && rate;
        if (rate) {
            v.framerate_num = rate->first;
            v.framerate_den = rate->second;
        }
    }
    if (!ok) {
        return std::nullopt;
    }
    return v;
}

std::optional<audio_format> read_audio(reader& r, const field& f) {
    map_fields m(r, f, {"rate", "channels"});
    if (!m.ok()) {
        return std::nullopt;
    }
    audio_format a;
    bool ok = true;
    if (field d = m.get("rate"); d.present()) {
        static const std::set<long long> rates{8000,  11025, 16000, 22050, 24000,
                                               32000, 44100, 48000, 88200, 96000};
        auto n = r.integer(d, 8000, 96000);
        if (n && !rates.count(*n)) {
            r.error(d.value_at, "field '" + d.name + "': " + std::to_string(*n) +
                                    " is not a standard sample rate; expected one of 8000, 11025, "
                                    "16000, 22050, 24000, 32000, 44100, 48000, 88200, 96000");
            n.reset();
        }
        ok = ok && n;
        if (n) {
            a.rate = static_cast<int>(*n);
        }
    }
    if (field d = m.get("channels"); d.present()) {
        auto n = r.integer(d, 1, 8);
        ok = ok && n;
        if (n) {
            a.channels = static_cast<int>(*n);
        }
    }
    if (!ok) {
        return std::nullopt;
    }
    return a;
}

bool valid_live_uri(const std::string& uri) {
    for (const char* scheme :
         {"udp://", "srt://", "rtmp://", "rtmps://", "http://", "https://", "rtsp://", "file://"}) {
        if (uri.rfind(scheme, 0) == 0 && uri.size() > std::string(scheme).size()) {
            return true;
        }
    }
    return false;
}

// Long: one block per filler field, in the order docs/config.md lists them.
std::optional<filler> read_filler(reader& r, const field& f, bool allow_live) {
    map_fields m(r, f, {"type", "image", "media", "uri", "fallback"});
    if (!m.ok()) {
        return std::nullopt;
    }
    filler out;
    out.where = m.where();
    field t = m.require("type");
    if (!t.present()) {
        return std::nullopt;
    }
    if (!allow_live && t.value.IsScalar() && t.value.Scalar() == "live") {
        r.error(t.value_at, "field '" + t.name +
                                "': a live feed cannot be the fallback of a live "
                                "feed; expected black, slate or loop");
        return std::nullopt;
    }
    std::vector<std::string> types{"black", "slate", "loop"};
    if (allow_live) {
        types.push_back("live");
    }
    auto type = r.choice(t, types);
    if (!type) {
        return std::nullopt;
    }
    static const std::map<std::string, std::set<std::string>> own{
        {"black", {}},
        {"slate", {"image"}},
        {"loop", {"media"}},
        {"live", {"uri", "fallback"}},
    };
    bool ok = true;
    // Every field that belongs to another filler type, not just the first one found.
    for (const char* key : {"image", "media", "uri", "fallback"}) {
        if (field x = m.get(key); x.present() && !own.at(*type).count(key)) {
            r.error(x.key_at, "field '" + x.name + "' does not apply to filler type " + *type);
            ok = false;
        }
    }
    if (*type == "black") {
        out.type = filler_type::black;
    } else if (*type == "slate") {
        out.type = filler_type::slate;
        field img = m.require("image");
        auto p = img.present() ? r.file_path(img) : std::nullopt;
        ok = ok && p;
        if (p) {
            out.image = *p;
        }
    } else if (*type == "loop") {
        out.type = filler_type::loop;
        field list = m.require("media");
        auto items = list.present() ? r.sequence(list) : std::nullopt;
        ok = ok && items;
        if (items && items->empty()) {
            r.error(list.value_at,
                    "field '" + list.name + "': expected at least one media file, found none");
            ok = false;
        }
        for (const auto& item : items.value_or(std::vector<field>{})) {
            if (auto p = r.file_path(item)) {
                out.media.push_back(*p);
            } else {
                ok = false;
            }
        }
    } else {
        out.type = filler_type::live;
        field uri = m.require("uri");
        auto u = uri.present() ? r.string(uri) : std::nullopt;
        if (u && !valid_live_uri(*u)) {
            r.error(uri.value_at, "field '" + uri.name +
                                      "': expected a feed URI (udp://, srt://, rtmp://, http://, "
                                      "https://, rtsp:// or file://), found '" +
                                      *u + "'");
            u.reset();
        }
        ok = ok && u;
        out.uri = u.value_or("");
        if (field fb = m.get("fallback"); fb.present()) {
            if (auto inner = read_filler(r, fb, false)) {
                out.fallback = std::make_shared<filler>(*inner);
            } else {
                ok = false;
            }
        }
    }
    if (!ok) {
        return std::nullopt;
    }
    return out;
}

// Long: one block per output type and field, in the order docs/config.md lists them.
std::optional<output> read_output(reader& r, const field& f, channel_kind kind) {
    map_fields m(r, f,
                 {"type", "path", "host", "port", "uri", "dir", "segment", "mount", "password",
                  "password_file", "format", "video_bitrate", "audio_bitrate"});
    if (!m.ok()) {
        return std::nullopt;
    }
    output o;
    o.where = m.where();
    field t = m.require("type");
    if (!t.present()) {
        return std::nullopt;
    }
    auto type = r.choice(t, {"file", "udp", "srt", "rtmp", "hls", "icecast", "null"});
    if (!type) {
        return std::nullopt;
    }
    static const std::map<std::string, std::pair<output_type, std::set<std::string>>> keys{
        {"file", {output_type::file, {"path"}}},
        {"udp", {output_type::udp, {"host", "port"}}},
        {"srt", {output_type::srt, {"uri"}}},
        {"rtmp", {output_type::rtmp, {"uri"}}},
        {"hls", {output_type::hls, {"dir", "segment"}}},
        {"icecast",
         {output_type::icecast, {"host", "port", "mount", "password", "password_file", "format"}}},
        {"null", {output_type::null, {}}},
    };
    const auto& [otype, own] = keys.at(*type);
    o.type = otype;
    bool ok = true;
    for (const char* key : {"path", "host", "port", "uri", "dir", "segment", "mount", "password",
                            "password_file", "format"}) {
        if (field x = m.get(key); x.present() && !own.count(key)) {
            r.error(x.key_at, "field '" + x.name + "' does not apply to output type " + *type);
            ok = false;
        }
    }
    auto need_string = [&](const char* key, std::string& target) {
        field x = m.require(key);
        auto s = x.present() ? r.string(x) : std::nullopt;
        if (s && s->empty()) {
            r.error(x.value_at, "field '" + x.name + "': expected a value, found an empty string");
            s.reset();
        }
        ok = ok && s;
        if (s) {
            target = *s;
        }
        return x;
    };
    auto need_port = [&]() {
        field x = m.require("port");
        auto n = x.present() ? r.integer(x, 1, 65535) : std::nullopt;
        ok = ok && n;
        if (n) {
            o.port = static_cast<int>(*n);
        }
    };
    switch (otype) {
    case output_type::file: {
        field p = m.require("path");
        auto fp = p.present() ? r.file_path(p) : std::nullopt;
        if (fp) {
            o.file = *fp;
            if (!container_for(kind, *fp)) {
                r.error(p.value_at, "field '" + p.name + "': the extension '" +
                                        fp->extension().string() + "' names no container a " +
                                        to_string(kind) + " channel can write; expected " +
                                        container_extensions(kind));
                ok = false;
            }
        } else {
            ok = false;
        }
        break;
    }
    case output_type::udp:
        need_string("host", o.host);
        need_port();
        break;
    case output_type::srt:
    case output_type::rtmp: {
        field u = need_string("uri", o.uri);
        const bool srt = otype == output_type::srt;
        const bool fits = srt ? o.uri.rfind("srt://", 0) == 0
                              : o.uri.rfind("rtmp://", 0) == 0 || o.uri.rfind("rtmps://", 0) == 0;
        if (!o.uri.empty() && !fits) {
            r.error(u.value_at, "field '" + u.name + "': expected " +
                                    (srt ? "an srt://" : "an rtmp:// or rtmps://") +
                                    " URI, found '" + o.uri + "'");
            ok = false;
        }
        break;
    }
    case output_type::hls: {
        field d = m.require("dir");
        auto dp = d.present() ? r.file_path(d) : std::nullopt;
        ok = ok && dp;
        if (dp) {
            o.dir = *dp;
        }
        if (field s = m.get("segment"); s.present()) {
            auto seg = r.duration(s);
            if (seg && (*seg < std::chrono::seconds(1) || *seg > std::chrono::seconds(60))) {
                r.error(s.value_at, "field '" + s.name +
                                        "': expected a segment length from 1s to 60s, found '" +
                                        s.value.Scalar() + "'");
                seg.reset();
            }
            ok = ok && seg;
            if (seg) {
                o.segment = *seg;
            }
        }
        break;
    }
    case output_type::icecast: {
        if (kind != channel_kind::radio) {
            r.error(t.value_at, "field '" + t.name + "': icecast outputs are for radio channels");
            ok = false;
        }
        need_string("host", o.host);
        need_port();
        field mount = need_string("mount", o.mount);
        if (!o.mount.empty() && o.mount[0] != '/') {
            r.error(mount.value_at,
                    "field '" + mount.name + "': a mount starts with '/', found '" + o.mount + "'");
            ok = false;
        }
        field pw = m.get("password");
        field pwf = m.get("password_file");
        if (pw.present() && pwf.present()) {
            r.error(pwf.key_at,
                    "field '" + f.name + "': give either 'password' or 'password_file', not both");
            ok = false;
        } else if (!pw.present() && !pwf.present()) {
            r.error(m.where(), "field '" + f.name +
                                   "': missing 'password' or 'password_file' (icecast needs one)");
            ok = false;
        } else if (pw.present()) {
            auto s = r.string(pw);
            ok = ok && s;
            if (s) {
                o.password = *s;
            }
        } else {
            auto p = r.file_path(pwf);
            ok = ok && p;
            if (p) {
                o.password_file = *p;
            }
        }
        field fmt = m.require("format");
        auto s = fmt.present() ? r.choice(fmt, {"mp3", "ogg"}) : std::nullopt;
        ok = ok && s;
        if (s) {
            o.format = *s;
        }
        break;
    }
    case output_type::null:
        break;
    }
    if (field vb = m.get("video_bitrate"); vb.present()) {
        if (kind == channel_kind::radio) {
            r.error(vb.key_at, "field '" + vb.name + "' does not apply to a radio channel");
            ok = false;
        } else if (auto n = r.integer(vb, 100, 100000)) {
            o.video_bitrate = static_cast<int>(*n);
        } else {
            ok = false;
        }
    }
    if (field ab = m.get("audio_bitrate"); ab.present()) {
        if (auto n = r.integer(ab, 16, 512)) {
            o.audio_bitrate = static_cast<int>(*n);
        } else {
            ok = false;
        }
    }
    if (!ok) {
        return std::nullopt;
    }
    return o;
}

// "Asia/Vientian" -> "Asia/Vientiane". Only for names shaped like IANA ones: an abbreviation
// such as ICT is one or two letters from dozens of unrelated zones.
std::optional<std::string> suggest_zone(const std::string& name) {
    if (name.find('/') == std::string::npos) {
        return std::nullopt;
    }
    std::string best;
    std::size_t best_d = std::max<std::size_t>(1, name.size() / 5) + 1;
    for (const auto& z : date::get_tzdb().zones) {
        const std::string zn(z.name());
        if (auto d = core::edit_distance(name, zn); d < best_d) {
            best_d = d;
            best = zn;
        }
    }
    if (best.empty()) {
        return std::nullopt;
    }
    return best;
}

// One audience estimate: {window: "18:00-22:00", days: [mon, ...], persons: N, source: "..."}.
std::optional<audience_estimate> read_audience(reader& r, const field& f) {
    map_fields m(r, f, {"window", "days", "persons", "source"});
    if (!m.ok()) {
        return std::nullopt;
    }
    audience_estimate a;
    a.where = m.where();
    bool ok = true;
    field w = m.require("window");
    auto win = w.present() ? r.window(w) : std::nullopt;
    ok = ok && win;
    a.window = win.value_or(core::day_window{});
    if (field d = m.get("days"); d.present()) {
        auto v = r.weekdays(d);
        ok = ok && v;
        a.days = v.value_or(every_day);
    }
    field p = m.require("persons");
    auto n = p.present() ? r.integer(p, 0, 10'000'000'000LL) : std::nullopt;
    ok = ok && n;
    a.persons = n.value_or(0);
    if (field s = m.get("source"); s.present()) {
        auto text = r.string(s);
        ok = ok && text;
        a.source = text.value_or("");
    }
    if (!ok) {
        return std::nullopt;
    }
    return a;
}

// Long: one block per channel field, in the order docs/config.md lists them.
// Reads one channel. Returns it even when it has errors (`ok` false), so that the caller can
// still load the schedule it names; `ids` catches duplicates at the id itself.
channel read_channel(reader& r, const field& entry, bool& ok,
                     std::map<std::string, core::location>& ids) {
    const field f = detail::named_by_id(entry, "channels");
    map_fields m(r, f,
                 {"id", "name", "kind", "timezone", "video", "audio", "loudness", "schedule",
                  "filler", "outputs", "audience"});
    channel c;
    ok = m.ok();
    if (!m.ok()) {
        return c;
    }
    c.where = m.where();
    field id = m.require("id");
    if (auto s = id.present() ? r.id(id) : std::nullopt) {
        c.id = *s;
        if (auto [it, fresh] = ids.emplace(c.id, id.value_at); !fresh) {
            r.error(id.value_at, "duplicate channel id '" + c.id + "' (first at line " +
                                     line_of(it->second) + ")");
            ok = false;
        }
    } else {
        ok = false;
    }
    if (field n = m.get("name"); n.present()) {
        auto s = r.string(n);
        ok = ok && s;
        c.name = s.value_or("");
    } else {
        c.name = c.id;
    }
    field kind = m.require("kind");
    auto kind_word = kind.present() ? r.choice(kind, {"tv", "radio"}) : std::nullopt;
    if (kind_word) {
        c.kind = *kind_word == "tv" ? channel_kind::tv : channel_kind::radio;
    } else {
        ok = false;
    }
    field tz = m.require("timezone");
    if (auto s = tz.present() ? r.string(tz) : std::nullopt) {
        c.timezone = *s;
        c.zone = core::find_zone(*s);
        if (!c.zone) {
            auto best = suggest_zone(*s);
            r.error(tz.value_at, "field '" + tz.name + "': unknown time zone '" + *s + "'" +
                                     (best ? " (did you mean '" + *best + "'?)"
                                           : "; expected an IANA name such as Asia/Vientiane"));
            ok = false;
        }
    } else {
        ok = false;
    }
    if (field v = m.get("video"); v.present()) {
        if (c.kind == channel_kind::radio && kind_word) {
            r.error(v.key_at, "field '" + v.name + "' does not apply to a radio channel");
            ok = false;
        } else if (auto vf = read_video(r, v)) {
            c.video = *vf;
        } else {
            ok = false;
        }
    } else if (c.kind == channel_kind::tv) {
        c.video = video_format{};
    }
    if (field a = m.get("audio"); a.present()) {
        if (auto af = read_audio(r, a)) {
            c.audio = *af;
        } else {
            ok = false;
        }
    }
    if (field l = m.get("loudness"); l.is_null()) {
        c.loudness.reset();
    } else if (l.present()) {
        auto n = r.number(l, -70, 0);
        ok = ok && n;
        c.loudness = n;
    } else {
        c.loudness = -23.0;
    }
    field sch = m.require("schedule");
    if (auto p = sch.present() ? r.file_path(sch) : std::nullopt) {
        c.schedule_file = *p;
        c.schedule_where = sch.value_at;
    } else {
        ok = false;
    }
    if (field fl = m.get("filler"); fl.present()) {
        if (auto x = read_filler(r, fl, true)) {
            c.fill = *x;
        } else {
            ok = false;
        }
    } else {
        c.fill.where = m.where();
    }
    field outs = m.get("outputs");
    if (outs.present()) {
        if (auto items = r.sequence(outs)) {
            for (const auto& item : *items) {
                if (auto o = read_output(r, item, c.kind)) {
                    c.outputs.push_back(*o);
                } else {
                    ok = false;
                }
            }
        } else {
            ok = false;
        }
    }
    if (field aud = m.get("audience"); aud.present()) {
        if (auto items = r.sequence(aud)) {
            for (const auto& item : *items) {
                if (auto a = read_audience(r, item)) {
                    c.audience.push_back(*a);
                } else {
                    ok = false;
                }
            }
        } else {
            ok = false;
        }
    }
    if (ok && c.outputs.empty()) {
        r.warning(outs.present() ? outs.value_at : m.where(),
                  "channel '" + c.id + "' has no outputs: it will air nowhere");
    }
    return c;
}

// "HOST:PORT", "[v6]:PORT".
void read_listen(reader& r, const field& l, control& out) {
    auto s = r.string(l);
    if (!s) {
        return;
    }
    auto at = parse_host_port(*s);
    if (!at) {
        r.error(l.value_at, "field '" + l.name + "': expected HOST:PORT such as 127.0.0.1:8750 (" +
                                at.error() + "), found '" + *s + "'");
        return;
    }
    out.listen_host = at->host;
    out.listen_port = at->port;
}

void read_control(reader& r, const field& f, control& out) {
    if (!f.present() || f.is_null()) {
        return; // the defaults: loopback, no token
    }
    map_fields m(r, f, {"listen", "token_file", "read_token", "plan_days", "peers", "national_db"});
    if (!m.ok()) {
        return;
    }
    field l = m.get("listen");
    if (l.present()) {
        read_listen(r, l, out);
    }
    if (field t = m.get("token_file"); t.present() && !t.is_null()) {
        out.token_file = r.file_path(t);
        if (out.token_file) {
            const auto written = r.string(t).value_or("");
            if (!written.empty() && std::filesystem::path(written).is_relative()) {
                out.token_credential = written;
            }
        }
    }
    if (field t = m.get("read_token"); t.present()) {
        if (auto v = r.choice(t, {"true", "false"})) {
            out.read_token = *v == "true";
        }
    }
    if (field d = m.get("plan_days"); d.present()) {
        if (auto v = r.integer(d, 1, 3660)) {
            out.plan_days = static_cast<int>(*v);
        }
    }
    if (field p = m.get("peers"); p.present()) {
        detail::read_peers(r, p, out);
    }
    if (field n = m.get("national_db"); n.present() && !n.is_null()) {
        out.national_db = r.string(n).value_or("");
        if (out.national_db.empty()) {
            r.error(n.value_at, "field '" + n.name + "': expected a PostgreSQL connection " +
                                    "string (postgresql://HOST/DB or 'host=... dbname=...')");
        }
    }
    // Off loopback, anyone on the network reaches the API: without a token anyone could
    // insert, skip and reload.
    if (l.present() && !is_loopback(out.listen_host) && !out.token_file) {
        r.error(l.value_at, "field '" + l.name + "': listening on '" + out.listen_host +
                                "' (not loopback) needs a token: set control.token_file");
    }
    if (out.read_token && !out.token_file) {
        field t = m.get("read_token");
        r.error(t.value_at, "field '" + t.name + "': read_token needs control.token_file");
    }
}

// `asrun_sink: {type: postgresql, dsn: ..., station: ID}`.
std::optional<asrun_sink> read_sink(reader& r, const field& f) {
    if (!f.present() || f.is_null()) {
        return std::nullopt;
    }
    map_fields m(r, f, {"type", "dsn", "station"});
    if (!m.ok()) {
        return std::nullopt;
    }
    asrun_sink out;
    out.where = f.key_at;
    bool ok = true;
    if (field t = m.require("type"); t.present()) {
        ok = r.choice(t, {"postgresql"}).has_value() && ok;
    } else {
        ok = false;
    }
    if (field d = m.require("dsn"); d.present()) {
        out.dsn = r.string(d).value_or("");
        if (out.dsn.empty()) {
            r.error(d.value_at, "field '" + d.name + "': expected a PostgreSQL connection " +
                                    "string (postgresql://HOST/DB or 'host=... dbname=...')");
            ok = false;
        }
    } else {
        ok = false;
    }
    if (field s = m.require("station"); s.present()) {
        out.station = r.string(s).value_or("");
        const bool valid = !out.station.empty() && out.station.size() <= 64 &&
                           std::all_of(out.station.begin(), out.station.end(), [](unsigned char c) {
                               return std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.';
                           });
        if (!valid) {
            r.error(s.value_at, "field '" + s.name + "': expected a station id of 1 to 64 " +
                                    "letters, digits, '-', '_' or '.', found '" + out.station +
                                    "'");
            ok = false;
        }
    } else {
        ok = false;
    }
    return ok ? std::optional<asrun_sink>(std::move(out)) : std::nullopt;
}

} // namespace

namespace detail {

std::optional<config> load_config(const std::filesystem::path& file, core::diagnostics& diags,
                                  std::vector<unchecked_schedule>* unchecked) {
    const std::string display = display_path(file);
    auto doc = detail::read_yaml_file(file, display, {}, diags);
    if (!doc) {
        return std::nullopt;
    }
    auto base = std::filesystem::absolute(file).parent_path();
    reader r(display, base, diags, doc->text);
    field top;
    top.value = doc->root;
    top.exists = true;
    top.value_at = r.at(doc->root);
    map_fields m(r, top, {"station", "state_dir", "control", "asrun_sink", "channels"});
    config cfg;
    cfg.file = file;
    if (field s = m.require("station"); s.present()) {
        cfg.station = r.string(s).value_or("");
    }
    if (field s = m.require("state_dir"); s.present()) {
        cfg.state_dir = r.file_path(s).value_or(std::filesystem::path());
    }
    read_control(r, m.get("control"), cfg.api);
    cfg.sink = read_sink(r, m.get("asrun_sink"));
    field chans = m.require("channels");
    if (!chans.present()) {
        return cfg;
    }
    auto items = r.sequence(chans);
    if (!items) {
        return cfg;
    }
    if (items->empty()) {
        r.error(chans.value_at, "field 'channels': expected at least one channel, found none");
    }
    std::map<std::string, core::location> ids;
    std::map<std::filesystem::path, core::location> files;
    for (const auto& item : *items) {
        bool ok = false;
        auto c = read_channel(r, item, ok, ids);
        if (!ok) {
            if (unchecked && !c.schedule_file.empty()) {
                unchecked->push_back({c.schedule_file, c.schedule_where});
            }
            continue;
        }
        for (const auto& o : c.outputs) {
            if (o.type != output_type::file) {
                continue;
            }
            if (auto [it, fresh] = files.emplace(o.file, o.where); !fresh) {
                r.error(o.where, "output file '" + display_path(o.file) +
                                     "' is already written by the output at line " +
                                     line_of(it->second));
            }
        }
        cfg.channels.push_back(std::move(c));
    }
    return cfg;
}

} // namespace detail

std::optional<config> load_config(const std::filesystem::path& file, core::diagnostics& diags) {
    return detail::load_config(file, diags, nullptr);
}

const char* to_string(channel_kind k) {
    return k == channel_kind::tv ? "tv" : "radio";
}

const char* to_string(filler_type t) {
    switch (t) {
    case filler_type::black:
        return "black";
    case filler_type::slate:
        return "slate";
    case filler_type::loop:
        return "loop";
    case filler_type::live:
        return "live";
    }
    return "?";
}

const char* to_string(output_type t) {
    switch (t) {
    case output_type::file:
        return "file";
    case output_type::udp:
        return "udp";
    case output_type::srt:
        return "srt";
    case output_type::rtmp:
        return "rtmp";
    case output_type::hls:
        return "hls";
    case output_type::icecast:
        return "icecast";
    case output_type::null:
        return "null";
    }
    return "?";
}

const char* to_string(rotation r) {
    return r == rotation::sequential ? "sequential" : "shuffle";
}

} // namespace onair::schedule
