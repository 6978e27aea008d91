#include "schedule/load.hpp"
#include "schedule/yaml_reader.hpp"

#include "core/ids.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace onair::schedule {
namespace {

using detail::field;
using detail::map_fields;
using detail::reader;

std::string line_of(const core::location& l) { return std::to_string(l.line); }

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
        // 25, or a fraction such as 30000/1001
        const std::string expected = "a frame rate such as 25 or 30000/1001";
        if (!fr.value.IsScalar()) {
            r.type_error(fr, expected);
            ok = false;
        } else {
            const std::string& s = fr.value.Scalar();
            auto slash = s.find('/');
            field num = fr, den = fr;
            num.value = YAML::Node(s.substr(0, slash));
            auto n = r.integer(num, 1, 300000);
            std::optional<long long> d = 1;
            if (slash != std::string::npos) {
                den.value = YAML::Node(s.substr(slash + 1));
                d = r.integer(den, 1, 100000);
            }
            if (!n || !d) {
                ok = false;
            } else if (*n / *d < 1 || *n / *d > 120) {
                r.error(fr.value_at, "field '" + fr.name + "': " + s +
                                         " is out of range, expected 1 to 120 frames a second");
                ok = false;
            } else {
                v.framerate_num = static_cast<int>(*n);
                v.framerate_den = static_cast<int>(*d);
            }
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
    for (const char* scheme : {"udp://", "srt://", "rtmp://", "rtmps://", "http://", "https://",
                               "rtsp://", "file://"}) {
        if (uri.rfind(scheme, 0) == 0 && uri.size() > std::string(scheme).size()) {
            return true;
        }
    }
    return false;
}

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
    std::vector<std::string> types{"black", "slate", "loop"};
    if (allow_live) {
        types.push_back("live");
    }
    auto type = r.choice(t, types);
    if (!type) {
        if (!allow_live && t.value.IsScalar() && t.value.Scalar() == "live") {
            r.error(t.value_at, "field '" + t.name + "': a live feed cannot be the fallback of a "
                                                      "live feed");
        }
        return std::nullopt;
    }
    auto refuse = [&](const char* key) {
        if (field x = m.get(key); x.present()) {
            r.error(x.key_at, "field '" + x.name + "' does not apply to filler type " + *type);
            return true;
        }
        return false;
    };
    bool ok = true;
    if (*type == "black") {
        out.type = filler_type::black;
        ok = !refuse("image") && !refuse("media") && !refuse("uri") && !refuse("fallback");
    } else if (*type == "slate") {
        out.type = filler_type::slate;
        field img = m.require("image");
        auto p = img.present() ? r.file_path(img) : std::nullopt;
        ok = p.has_value();
        if (p) {
            out.image = *p;
        }
        ok = !refuse("media") && !refuse("uri") && !refuse("fallback") && ok;
    } else if (*type == "loop") {
        out.type = filler_type::loop;
        field list = m.require("media");
        if (list.present()) {
            if (auto items = r.sequence(list)) {
                if (items->empty()) {
                    r.error(list.value_at, "field '" + list.name +
                                               "': expected at least one media file, found none");
                    ok = false;
                }
                for (const auto& item : *items) {
                    if (auto p = r.file_path(item)) {
                        out.media.push_back(*p);
                    } else {
                        ok = false;
                    }
                }
            } else {
                ok = false;
            }
        } else {
            ok = false;
        }
        ok = !refuse("image") && !refuse("uri") && !refuse("fallback") && ok;
    } else {
        out.type = filler_type::live;
        field uri = m.require("uri");
        if (uri.present()) {
            if (auto s = r.string(uri)) {
                if (!valid_live_uri(*s)) {
                    r.error(uri.value_at, "field '" + uri.name +
                                              "': expected a feed URI (udp://, srt://, rtmp://, "
                                              "http://, https://, rtsp:// or file://), found '" +
                                              *s + "'");
                    ok = false;
                }
                out.uri = *s;
            } else {
                ok = false;
            }
        } else {
            ok = false;
        }
        if (field fb = m.get("fallback"); fb.present()) {
            if (auto inner = read_filler(r, fb, false)) {
                out.fallback = std::make_shared<filler>(*inner);
            } else {
                ok = false;
            }
        }
        ok = !refuse("image") && !refuse("media") && ok;
    }
    if (!ok) {
        return std::nullopt;
    }
    return out;
}

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
        {"icecast", {output_type::icecast, {"host", "port", "mount", "password", "password_file",
                                            "format"}}},
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
            std::string ext = fp->extension().string();
            std::set<std::string> allowed{".ts", ".mkv"};
            if (kind == channel_kind::radio) {
                allowed.insert({".mp3", ".ogg", ".wav"});
            }
            if (!allowed.count(ext)) {
                std::string list;
                for (const auto& a : allowed) {
                    list += (list.empty() ? "" : ", ") + a;
                }
                r.error(p.value_at, "field '" + p.name + "': the extension '" + ext +
                                        "' names no container a " + to_string(kind) +
                                        " channel can write; expected " + list);
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
        std::string scheme = otype == output_type::srt ? "srt://" : "rtmp";
        if (!o.uri.empty() && o.uri.rfind(scheme, 0) != 0) {
            r.error(u.value_at, "field '" + u.name + "': expected a " +
                                    (otype == output_type::srt ? "srt://" : "rtmp:// or rtmps://") +
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
                r.error(s.value_at, "field '" + s.name + "': expected 1s to 60s, found '" +
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
            r.error(mount.value_at, "field '" + mount.name + "': a mount starts with '/', found '" +
                                        o.mount + "'");
            ok = false;
        }
        field pw = m.get("password");
        field pwf = m.get("password_file");
        if (pw.present() == pwf.present()) {
            r.error(m.where(), "output '" + f.name +
                                   "': give exactly one of 'password' and 'password_file'");
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

std::optional<channel> read_channel(reader& r, const field& f) {
    map_fields m(r, f,
                 {"id", "name", "kind", "timezone", "video", "audio", "loudness", "schedule",
                  "filler", "outputs"});
    if (!m.ok()) {
        return std::nullopt;
    }
    channel c;
    c.where = m.where();
    bool ok = true;
    field id = m.require("id");
    if (auto s = id.present() ? r.id(id) : std::nullopt) {
        c.id = *s;
        m.set_name("channels." + c.id);
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
    if (auto s = kind.present() ? r.choice(kind, {"tv", "radio"}) : std::nullopt) {
        c.kind = *s == "tv" ? channel_kind::tv : channel_kind::radio;
    } else {
        ok = false;
    }
    field tz = m.require("timezone");
    if (auto s = tz.present() ? r.string(tz) : std::nullopt) {
        c.timezone = *s;
        c.zone = core::find_zone(*s);
        if (!c.zone) {
            r.error(tz.value_at, "field '" + tz.name + "': unknown time zone '" + *s +
                                     "'; expected an IANA name such as Asia/Vientiane");
            ok = false;
        }
    } else {
        ok = false;
    }
    if (field v = m.get("video"); v.present()) {
        if (c.kind == channel_kind::radio && kind.present()) {
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
    if (ok && c.outputs.empty()) {
        r.warning(outs.present() ? outs.value_at : m.where(),
                  "channel '" + c.id + "' has no outputs: it will air nowhere");
    }
    if (!ok) {
        return std::nullopt;
    }
    return c;
}

void read_control(reader& r, const field& f, control& out) {
    if (f.is_null()) {
        return;
    }
    map_fields m(r, f, {"listen", "token_file"});
    if (!m.ok()) {
        return;
    }
    if (field l = m.get("listen"); l.present()) {
        if (auto s = r.string(l)) {
            auto colon = s->rfind(':');
            field port = l;
            bool good = colon != std::string::npos && colon > 0;
            if (good) {
                port.value = YAML::Node(s->substr(colon + 1));
                std::string host = s->substr(0, colon);
                if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
                    host = host.substr(1, host.size() - 2);
                }
                out.listen_host = host;
                good = r.integer(port, 1, 65535).has_value();
                if (good) {
                    out.listen_port = std::stoi(s->substr(colon + 1));
                }
            } else {
                r.error(l.value_at, "field '" + l.name + "': expected HOST:PORT such as "
                                                         "127.0.0.1:8750, found '" +
                                        *s + "'");
            }
        }
    }
    if (field t = m.get("token_file"); t.present() && !t.is_null()) {
        out.token_file = r.file_path(t);
    }
}

} // namespace

std::optional<config> load_config(const std::filesystem::path& file, core::diagnostics& diags) {
    const std::string display = file.string();
    auto root = detail::read_yaml_file(file, display, {}, diags);
    if (!root) {
        return std::nullopt;
    }
    auto base = std::filesystem::absolute(file).parent_path();
    reader r(display, base, diags);
    field top;
    top.value = *root;
    top.exists = true;
    top.value_at = r.at(*root);
    map_fields m(r, top, {"station", "state_dir", "control", "channels"});
    config cfg;
    cfg.file = file;
    if (field s = m.require("station"); s.present()) {
        cfg.station = r.string(s).value_or("");
    }
    if (field s = m.require("state_dir"); s.present()) {
        cfg.state_dir = r.file_path(s).value_or(std::filesystem::path());
    }
    read_control(r, m.get("control"), cfg.api);
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
        auto c = read_channel(r, item);
        if (!c) {
            continue;
        }
        if (auto [it, fresh] = ids.emplace(c->id, c->where); !fresh) {
            r.error(c->where, "duplicate channel id '" + c->id + "' (first at line " +
                                  line_of(it->second) + ")");
            continue;
        }
        for (const auto& o : c->outputs) {
            if (o.type != output_type::file) {
                continue;
            }
            if (auto [it, fresh] = files.emplace(o.file, o.where); !fresh) {
                r.error(o.where, "output file '" + o.file.string() +
                                     "' is already written by the output at line " +
                                     line_of(it->second));
            }
        }
        cfg.channels.push_back(std::move(*c));
    }
    return cfg;
}

const char* to_string(channel_kind k) { return k == channel_kind::tv ? "tv" : "radio"; }

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

const char* to_string(rotation r) { return r == rotation::sequential ? "sequential" : "shuffle"; }

} // namespace onair::schedule
