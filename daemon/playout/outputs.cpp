// The outputs of a channel: shared encoders behind the raw tees, one bin per destination behind
// the encoders' tees, and the take-down / retry cycle of a failing destination.

#include "playout/outputs.hpp"
#include "schedule/container.hpp"

#include "core/redact.hpp"

#include <gst/video/video.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <ctime>
#include <fstream>
#include <numeric>
#include <stdexcept>

namespace onair::playout::detail {
namespace {

constexpr const char* raw_key = "raw";
// Past this long on air, a failure counts as a new one: the retry delay starts again at 1 s.
constexpr std::chrono::seconds stable_after{30};
// A bin whose start failed waits this long for its ERROR (which says why) before it goes.
constexpr std::chrono::seconds start_grace{1};
// HLS: segments listed in the playlist; two more stay on disk for players still reading them.
constexpr int hls_playlist_length = 5;
constexpr int hls_extra_files = 2;

// A file output's container. Whether the channel's kind may write it is check_file_output's
// question, asked before: here every container is known.
schedule::container file_container(const std::filesystem::path& file) {
    if (auto c = schedule::container_for(schedule::channel_kind::radio, file)) {
        return *c;
    }
    throw std::runtime_error("cannot write '" + file.string() +
                             "': its extension names no container");
}

// A recording already at `path` (from before a restart of the daemon or of the output) is
// moved aside, never overwritten: to STEM.YYYYMMDDTHHMMSSZ.EXT, stamped with the time it was
// last written (UTC), with -2, -3 ... added when that name is taken.
void set_aside(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec) || std::filesystem::file_size(path, ec) == 0 ||
        ec) {
        return;
    }
    const auto written = std::filesystem::last_write_time(path, ec);
    if (ec) {
        return;
    }
    const auto sys = std::chrono::file_clock::to_sys(written);
    const std::time_t t = std::chrono::system_clock::to_time_t(sys);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    const std::string base = path.stem().string() + "." + stamp;
    auto target = path.parent_path() / (base + path.extension().string());
    for (int n = 2; std::filesystem::exists(target, ec); ++n) {
        target = path.parent_path() / (base + "-" + std::to_string(n) + path.extension().string());
    }
    std::filesystem::rename(path, target, ec);
}

const char* aac_encoder() {
    // avenc_aac (libav) is the better encoder; voaacenc is the fallback some systems have
    static const char* name = [] {
        gst::ensure_init();
        if (GstElementFactory* f = gst_element_factory_find("avenc_aac")) {
            gst_object_unref(f);
            return "avenc_aac";
        }
        return "voaacenc";
    }();
    return name;
}

// An output bin's input: whatever goes wrong downstream is that output's business. The tee in
// front passes any flow error but NOT_LINKED up to the encoder, which would stop every output,
// so the bin's ghost pads answer OK; the ERROR message on the bus takes the bin down.
GstFlowReturn swallow_chain(GstPad* pad, GstObject* parent, GstBuffer* buffer) {
    gst_proxy_pad_chain_default(pad, parent, buffer);
    return GST_FLOW_OK;
}

GstFlowReturn swallow_chain_list(GstPad* pad, GstObject* parent, GstBufferList* list) {
    gst_proxy_pad_chain_list_default(pad, parent, list);
    return GST_FLOW_OK;
}

GstPadProbeReturn count_delivered(GstPad*, GstPadProbeInfo*, gpointer data) {
    glib_shared<std::atomic<int>>::of(data).fetch_add(1);
    return GST_PAD_PROBE_OK;
}

// Counts the buffers that reach `pad` (a destination's sink pad) into `counter`.
void watch_delivery(GstPad* pad, const std::shared_ptr<std::atomic<int>>& counter) {
    glib_shared<std::atomic<int>>::add_probe(
        pad,
        static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST),
        count_delivered, counter);
}

void set_queue(GstElement* q, bool live, guint64 max_ns) {
    g_object_set(q, "max-size-time", max_ns, "max-size-bytes", 0u, "max-size-buffers", 0u, nullptr);
    if (live) {
        // drop the oldest data rather than hold the tee: a late output loses a moment of its
        // own stream, the others lose nothing
        make_leaky(q);
    }
}

void link_or_throw(GstElement* a, GstElement* b, const std::string& what) {
    if (!gst_element_link(a, b)) {
        throw std::runtime_error("cannot link " + what);
    }
}

// Links `q` to the muxer's pad for its kind of stream: a muxer with video_%u / audio_%u
// templates (matroskamux, oggmux) or video / audio (flvmux) gets that one; gst_element_link
// alone may pick the video pad for sound.
void link_to_mux(GstElement* q, GstElement* mux, bool video, const std::string& what) {
    const char* kind = video ? "video" : "audio";
    GstPadTemplate* chosen = nullptr;
    for (const GList* l = gst_element_class_get_pad_template_list(GST_ELEMENT_GET_CLASS(mux));
         l != nullptr; l = l->next) {
        auto* t = static_cast<GstPadTemplate*>(l->data);
        if (GST_PAD_TEMPLATE_DIRECTION(t) == GST_PAD_SINK &&
            g_str_has_prefix(GST_PAD_TEMPLATE_NAME_TEMPLATE(t), kind)) {
            chosen = t;
        }
    }
    if (chosen == nullptr) {
        link_or_throw(q, mux, what); // one kind of sink pad for everything (mpegtsmux, wavenc)
        return;
    }
    gst::pad_ptr pad(GST_PAD_TEMPLATE_PRESENCE(chosen) == GST_PAD_REQUEST
                         ? gst_element_request_pad(mux, chosen, nullptr, nullptr)
                         : gst_element_get_static_pad(mux, GST_PAD_TEMPLATE_NAME_TEMPLATE(chosen)));
    GstElement* feed = q;
    if (video) {
        // The shared encoder gives H.264 byte-stream (what MPEG-TS carries); a muxer that wants
        // avc (Matroska, FLV) gets its own parser to convert, so outputs of both kinds can
        // share one encoder.
        auto parse = gst::make("h264parse");
        GstElement* bin = GST_ELEMENT(gst_element_get_parent(q)); // transfer full
        gst::add(bin, {parse.get()});
        gst_object_unref(bin);
        link_or_throw(q, parse.get(), what);
        feed = parse.get();
    }
    gst::pad_ptr src(gst_element_get_static_pad(feed, "src"));
    if (!pad || gst_pad_link(src.get(), pad.get()) != GST_PAD_LINK_OK) {
        throw std::runtime_error("cannot link " + what);
    }
}

std::string read_password(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::string pw;
    if (!in || !std::getline(in, pw)) {
        throw std::runtime_error("cannot read the icecast password file '" + file.string() + "'");
    }
    while (!pw.empty() && (pw.back() == '\r' || pw.back() == ' ' || pw.back() == '\t')) {
        pw.pop_back();
    }
    return pw;
}

} // namespace

std::string output_name(const schedule::output& out) {
    std::string n = schedule::to_string(out.type);
    switch (out.type) {
    case schedule::output_type::file:
        return n + " " + out.file.string();
    case schedule::output_type::udp:
        return n + " " + out.host + ":" + std::to_string(out.port);
    case schedule::output_type::srt:
    case schedule::output_type::rtmp:
        return n + " " + core::redact(out.uri);
    case schedule::output_type::hls:
        return n + " " + out.dir.string();
    case schedule::output_type::icecast:
        return n + " " + out.host + ":" + std::to_string(out.port) + out.mount;
    case schedule::output_type::null:
        return n;
    }
    return n;
}

// One encoder (or the raw stream itself) and the tee its outputs hang off.
struct output_manager::encoded {
    std::string key; // "h264 2500", "aac 128", "mp3 128", "vorbis 128", "raw"
    bool video = false;
    int bitrate_kbps = 0;
    int gop_ms = 2000;         // video: key frame distance
    GstElement* tee = nullptr; // borrowed from the pipeline
    gst::element_ptr encoder;  // video: x264enc, for the key frame distance
};

struct output_manager::slot {
    schedule::output spec;
    std::string name;
    std::string video_key; // empty: no video
    std::string audio_key;
    std::string password;
    bool carries_title = false; // icecast mp3

    gst::element_ptr bin; // on the pipeline while up (or while a failed start is pending)
    // buffers that reached the destination's sink (streaming thread): the second one means the
    // first was delivered (a sink that cannot connect or write fails on its first)
    std::shared_ptr<std::atomic<int>> delivered = std::make_shared<std::atomic<int>>(0);
    std::vector<std::pair<GstElement*, gst::pad_ptr>> links; // tee, its request pad
    std::string state = "starting";
    bool failed_start = false;
    bool on_pipeline = false; // linked; "up" once data is delivered
    bool title_pending = false;
    int reconnects = 0;
    int attempts = 0;
    std::string last_error;
    std::chrono::milliseconds delay{1000};
    steady_time next_try{};
    steady_time since{};
};

output_manager::output_manager(GstElement* pipeline, GstElement* vtee, GstElement* atee,
                               const format& f, std::string channel_name, core::logger& log)
    : pipeline_(pipeline), vtee_(vtee), atee_(atee), fmt_(f),
      channel_name_(std::move(channel_name)), log_(log) {}

output_manager::~output_manager() = default;

output_manager::encoded& output_manager::encoder(const std::string& key) {
    for (auto& e : encoders_) {
        if (e->key == key) {
            return *e;
        }
    }
    auto e = std::make_unique<encoded>();
    e->key = key;
    e->video = key.rfind("h264", 0) == 0;
    if (key != raw_key) {
        e->bitrate_kbps = std::stoi(key.substr(key.find(' ') + 1));
    }
    encoders_.push_back(std::move(e));
    return *encoders_.back();
}

// queue ! [convert] ! encoder ! parser ! tee, on the pipeline, fed from the raw tee.
void output_manager::build_encoder(encoded& e) {
    std::vector<gst::element_ptr> chain;
    auto q = gst::make("queue");
    set_queue(q.get(), fmt_.live, fmt_.live ? GST_SECOND : 3 * GST_SECOND);
    chain.push_back(std::move(q));
    const std::string codec = e.key.substr(0, e.key.find(' '));
    if (e.video) {
        auto enc = gst::make("x264enc");
        gst_util_set_object_arg(G_OBJECT(enc.get()), "speed-preset", "ultrafast");
        if (fmt_.live) {
            // no lookahead or B-frames: live output must not lag the clock
            gst_util_set_object_arg(G_OBJECT(enc.get()), "tune", "zerolatency");
        }
        // key frames on a fixed grid (no scene-cut ones), so HLS segments cut evenly
        g_object_set(enc.get(), "bitrate", static_cast<guint>(e.bitrate_kbps), "option-string",
                     "scenecut=0", nullptr);
        e.encoder = gst::ref(enc.get());
        chain.push_back(std::move(enc));
        auto parse = gst::make("h264parse");
        // SPS/PPS before every key frame: a receiver (or a re-added output) can join anywhere
        g_object_set(parse.get(), "config-interval", -1, nullptr);
        chain.push_back(std::move(parse));
        // one fixed format out of the shared encoder, whichever output links first (see
        // link_to_mux for the muxers that want avc)
        auto caps = gst::make("capsfilter");
        gst::caps_ptr c(
            gst_caps_from_string("video/x-h264,stream-format=byte-stream,alignment=au"));
        g_object_set(caps.get(), "caps", c.get(), nullptr);
        chain.push_back(std::move(caps));
    } else {
        chain.push_back(gst::make("audioconvert"));
        if (codec == "aac") {
            auto enc = gst::make(aac_encoder());
            g_object_set(enc.get(), "bitrate", e.bitrate_kbps * 1000, nullptr);
            chain.push_back(std::move(enc));
            chain.push_back(gst::make("aacparse"));
        } else if (codec == "mp3") {
            auto enc = gst::make("lamemp3enc");
            gst_util_set_object_arg(G_OBJECT(enc.get()), "target", "bitrate");
            g_object_set(enc.get(), "cbr", TRUE, "bitrate", e.bitrate_kbps, nullptr);
            chain.push_back(std::move(enc));
        } else if (codec == "vorbis") {
            auto enc = gst::make("vorbisenc");
            g_object_set(enc.get(), "bitrate", e.bitrate_kbps * 1000, nullptr);
            chain.push_back(std::move(enc));
        } else {
            throw std::runtime_error("no encoder for " + e.key);
        }
    }
    auto tee = gst::make("tee");
    g_object_set(tee.get(), "allow-not-linked", TRUE, nullptr);
    e.tee = tee.get();
    chain.push_back(std::move(tee));
    for (auto& el : chain) {
        gst::add(pipeline_, {el.get()});
    }
    for (std::size_t i = 0; i + 1 < chain.size(); ++i) {
        link_or_throw(chain[i].get(), chain[i + 1].get(), "the " + e.key + " encoder");
    }
    GstElement* raw = e.video ? vtee_ : atee_;
    gst::pad_ptr src(gst_element_request_pad_simple(raw, "src_%u"));
    gst::pad_ptr dst(gst_element_get_static_pad(chain.front().get(), "sink"));
    if (gst_pad_link(src.get(), dst.get()) != GST_PAD_LINK_OK) {
        throw std::runtime_error("cannot link the " + e.key + " encoder to the mixer");
    }
}

// Long: one case per output type, each a few lines of the same small
// builders (input, muxed, finish_sink), read best side by side.
gst::element_ptr output_manager::build_bin(slot& s) {
    const auto& o = s.spec;
    auto bin = gst::sink(gst_bin_new(nullptr));
    // a sink that prerolls or connects does so inside its bin: adding one never takes the
    // pipeline out of PLAYING
    g_object_set(bin.get(), "async-handling", TRUE, nullptr);
    const bool has_video = !s.video_key.empty();

    // input queue per stream, then what the type needs
    auto input = [&](const char* pad_name) {
        auto q = gst::make("queue");
        set_queue(q.get(), fmt_.live, fmt_.live ? 2 * GST_SECOND : 3 * GST_SECOND);
        gst::add(bin.get(), {q.get()});
        GstPad* ghost = gst::add_ghost(bin.get(), pad_name, q.get(), "sink");
        gst_pad_set_chain_function(ghost, swallow_chain);
        gst_pad_set_chain_list_function(ghost, swallow_chain_list);
        return q;
    };
    s.delivered = std::make_shared<std::atomic<int>>(0);
    bool watched = false;
    auto finish_sink = [&](GstElement* sink) {
        g_object_set(sink, "sync", FALSE, "async", FALSE, nullptr);
        gst::add(bin.get(), {sink});
        if (!watched) {
            watched = true;
            gst::pad_ptr pad(gst_element_get_static_pad(sink, "sink"));
            watch_delivery(pad.get(), s.delivered);
        }
    };
    // a muxer fed by the inputs, ending in `sink`
    auto muxed = [&](gst::element_ptr mux, gst::element_ptr sink) {
        gst::add(bin.get(), {mux.get()});
        finish_sink(sink.get());
        link_or_throw(mux.get(), sink.get(), s.name);
        if (has_video) {
            auto vq = input("video");
            link_to_mux(vq.get(), mux.get(), true, s.name);
        }
        auto aq = input("audio");
        link_to_mux(aq.get(), mux.get(), false, s.name);
    };
    auto ts_mux = [&](bool network) {
        auto mux = gst::make("mpegtsmux");
        if (network) {
            // 7 x 188 bytes per datagram; tables and PCR often, so a receiver tunes in quickly
            g_object_set(mux.get(), "alignment", 7, "pat-interval", guint64(9000), "pmt-interval",
                         guint64(9000), "pcr-interval", guint(3600), nullptr);
        }
        return mux;
    };

    switch (o.type) {
    case schedule::output_type::file: {
        std::error_code ec;
        if (o.file.has_parent_path()) {
            std::filesystem::create_directories(o.file.parent_path(), ec);
        }
        set_aside(o.file);
        auto sink = gst::make("filesink");
        g_object_set(sink.get(), "location", o.file.c_str(), nullptr);
        switch (file_container(o.file)) {
        case schedule::container::ts:
            muxed(ts_mux(false), std::move(sink));
            break;
        case schedule::container::mkv:
            muxed(gst::make("matroskamux"), std::move(sink));
            break;
        case schedule::container::ogg:
            muxed(gst::make("oggmux"), std::move(sink));
            break;
        case schedule::container::wav:
            muxed(gst::make("wavenc"), std::move(sink));
            break;
        case schedule::container::mp3: { // the encoded stream as it is
            finish_sink(sink.get());
            auto aq = input("audio");
            link_or_throw(aq.get(), sink.get(), s.name);
            break;
        }
        }
        break;
    }
    case schedule::output_type::udp: {
        auto sink = gst::make("udpsink");
        g_object_set(sink.get(), "host", o.host.c_str(), "port", o.port, nullptr);
        muxed(ts_mux(true), std::move(sink));
        break;
    }
    case schedule::output_type::srt: {
        auto sink = gst::make("srtsink");
        // listener or caller comes from the URI's mode=; without a peer the data is dropped
        // rather than the stream held
        g_object_set(sink.get(), "uri", o.uri.c_str(), "wait-for-connection", FALSE, nullptr);
        muxed(ts_mux(true), std::move(sink));
        break;
    }
    case schedule::output_type::rtmp: {
        auto mux = gst::make("flvmux");
        g_object_set(mux.get(), "streamable", TRUE, nullptr);
        auto sink = gst::make("rtmp2sink");
        g_object_set(sink.get(), "location", o.uri.c_str(), nullptr);
        muxed(std::move(mux), std::move(sink));
        break;
    }
    case schedule::output_type::hls: {
        std::error_code ec;
        std::filesystem::create_directories(o.dir, ec);
        auto sink = gst::make("hlssink2");
        const auto seg_s = std::max<std::int64_t>(1, (o.segment.count() + 500) / 1000);
        g_object_set(sink.get(), "location", (o.dir / "segment%05d.ts").c_str(),
                     "playlist-location", (o.dir / "index.m3u8").c_str(), "target-duration",
                     static_cast<guint>(seg_s), "playlist-length",
                     static_cast<guint>(hls_playlist_length), "max-files",
                     static_cast<guint>(hls_playlist_length + hls_extra_files), nullptr);
        gst::add(bin.get(), {sink.get()});
        auto request = [&](const char* name, GstElement* q) {
            GstPad* pad = gst_element_request_pad_simple(sink.get(), name);
            gst::pad_ptr held(pad);
            if (pad && !watched) {
                watched = true;
                watch_delivery(pad, s.delivered);
            }
            gst::pad_ptr src(gst_element_get_static_pad(q, "src"));
            if (!pad || gst_pad_link(src.get(), pad) != GST_PAD_LINK_OK) {
                throw std::runtime_error("cannot link " + s.name);
            }
        };
        if (has_video) {
            auto vq = input("video");
            request("video", vq.get());
        }
        auto aq = input("audio");
        request("audio", aq.get());
        break;
    }
    case schedule::output_type::icecast: {
        auto sink = gst::make("shout2send");
        g_object_set(sink.get(), "ip", o.host.c_str(), "port", static_cast<guint>(o.port), "mount",
                     o.mount.c_str(), "password", s.password.c_str(), "streamname",
                     channel_name_.c_str(), "timeout", 5000u, nullptr);
        if (o.format == "ogg") {
            muxed(gst::make("oggmux"), std::move(sink));
        } else {
            finish_sink(sink.get());
            auto aq = input("audio");
            link_or_throw(aq.get(), sink.get(), s.name);
        }
        break;
    }
    case schedule::output_type::null: {
        if (has_video) {
            auto vq = input("video");
            auto vs = gst::make("fakesink");
            finish_sink(vs.get());
            link_or_throw(vq.get(), vs.get(), s.name);
        }
        auto aq = input("audio");
        auto as = gst::make("fakesink");
        finish_sink(as.get());
        link_or_throw(aq.get(), as.get(), s.name);
        break;
    }
    }
    return bin;
}

void output_manager::add(const schedule::output& out) {
    const bool tv = fmt_.video;
    auto s = std::make_unique<slot>();
    s->spec = out;
    s->name = output_name(out);
    const int vbr = out.video_bitrate.value_or(2500);
    const int abr = out.audio_bitrate.value_or(128);
    const std::string aac = "aac " + std::to_string(abr);
    s->audio_key = aac;
    if (tv) {
        s->video_key = "h264 " + std::to_string(vbr);
    }
    switch (out.type) {
    case schedule::output_type::file: {
        if (auto why = check_file_output(
                tv ? schedule::channel_kind::tv : schedule::channel_kind::radio, out.file)) {
            throw std::runtime_error(*why);
        }
        switch (file_container(out.file)) {
        case schedule::container::mp3:
            s->audio_key = "mp3 " + std::to_string(abr);
            break;
        case schedule::container::ogg:
            s->audio_key = "vorbis " + std::to_string(abr);
            break;
        case schedule::container::wav:
            s->audio_key = raw_key;
            break;
        case schedule::container::ts:
        case schedule::container::mkv:
            break;
        }
        break;
    }
    case schedule::output_type::icecast:
        if (tv) {
            throw std::runtime_error("output " + s->name + ": icecast is for radio channels");
        }
        s->audio_key = (out.format == "ogg" ? "vorbis " : "mp3 ") + std::to_string(abr);
        s->carries_title = out.format != "ogg";
        s->password = out.password_file.empty() ? out.password : read_password(out.password_file);
        break;
    case schedule::output_type::null:
        s->audio_key = raw_key;
        if (tv) {
            s->video_key = raw_key;
        }
        break;
    default:
        break;
    }
    // encoders first: an output of a kind we cannot build throws before anything is changed
    for (const std::string* key : {&s->video_key, &s->audio_key}) {
        if (key->empty() || *key == raw_key) {
            continue;
        }
        encoded& e = encoder(*key);
        if (e.tee == nullptr) {
            build_encoder(e);
        }
    }
    if (!s->video_key.empty() && s->video_key != raw_key) {
        encoded& e = encoder(s->video_key);
        if (out.type == schedule::output_type::hls) {
            // key frames on every segment boundary, and at least every 2 s
            e.gop_ms = std::gcd(e.gop_ms, static_cast<int>(out.segment.count()));
        }
        const auto gop = std::max<std::int64_t>(1, static_cast<std::int64_t>(e.gop_ms) *
                                                       fmt_.fps_num / (1000LL * fmt_.fps_den));
        g_object_set(e.encoder.get(), "key-int-max", static_cast<guint>(gop), nullptr);
    }
    build_bin(*s); // proves the bin can be built; live, a fresh one goes on air in service()
    slot& added = *s;
    slots_.push_back(std::move(s));
    if (!fmt_.live) {
        // render: part of the pipeline from the start; it starts and ends with it
        bring_up(added, steady_time{});
    }
}

void output_manager::bring_up(slot& s, steady_time now) {
    ++s.attempts;
    gst::element_ptr bin;
    try {
        bin = build_bin(s);
    } catch (const std::exception& e) {
        s.state = "failed";
        s.last_error = core::redact(e.what());
        log_.error("output failed", "channel", channel_name_, "output", s.name, "error",
                   s.last_error);
        return;
    }
    s.bin = std::move(bin);
    gst::add(pipeline_, {s.bin.get()});
    if (fmt_.live && !gst_element_sync_state_with_parent(s.bin.get())) {
        // the ERROR that says why is on the bus; it takes the bin down (or service() does)
        s.failed_start = true;
        s.state = "retrying";
        s.since = now;
        return;
    }
    auto link = [&](const std::string& key, GstElement* raw, const char* ghost) {
        GstElement* tee = key == raw_key ? raw : encoder(key).tee;
        gst::pad_ptr src(gst_element_request_pad_simple(tee, "src_%u"));
        gst::pad_ptr dst(gst_element_get_static_pad(s.bin.get(), ghost));
        if (const auto res = gst_pad_link(src.get(), dst.get()); res != GST_PAD_LINK_OK) {
            throw std::runtime_error("cannot link output " + s.name + " (" + ghost + ": " +
                                     gst_pad_link_get_name(res) + ")");
        }
        if (fmt_.live && key != raw_key && encoder(key).video) {
            // a key frame now rather than at the next GOP: the output is watchable at once
            gst_pad_send_event(src.get(), gst_video_event_new_upstream_force_key_unit(
                                              GST_CLOCK_TIME_NONE, TRUE, 0));
        }
        s.links.emplace_back(tee, std::move(src));
    };
    if (!s.video_key.empty()) {
        link(s.video_key, vtee_, "video");
    }
    link(s.audio_key, atee_, "audio");
    s.on_pipeline = true;
    s.since = now;
    s.title_pending = s.carries_title && !title_.empty();
}

void output_manager::take_down(slot& s, const std::string& why, steady_time now) {
    for (auto& [tee, pad] : s.links) {
        // a push in flight on a released pad comes back NOT_LINKED, which the tee ignores
        gst_element_release_request_pad(tee, pad.get());
    }
    s.links.clear();
    s.on_pipeline = false;
    if (s.bin) {
        gst_element_set_locked_state(s.bin.get(), TRUE);
        gst_element_set_state(s.bin.get(), GST_STATE_NULL);
        gst_bin_remove(GST_BIN(pipeline_), s.bin.get());
        s.bin.reset();
    }
    if (s.state == "up" && now - s.since >= stable_after) {
        s.delay = std::chrono::seconds(1);
    }
    s.failed_start = false;
    s.state = "retrying";
    s.last_error = core::redact(why);
    s.next_try = now + s.delay;
    log_.warning("output down", "channel", channel_name_, "output", s.name, "error", s.last_error,
                 "retry_in_ms", s.delay.count());
    s.delay = std::min<std::chrono::milliseconds>(s.delay * 2, max_retry_delay);
}

void output_manager::service(steady_time now, bool pipeline_running) {
    if (!fmt_.live || !pipeline_running) {
        return;
    }
    for (auto& s : slots_) {
        if (s->state == "failed") {
            continue;
        }
        if (s->failed_start && now - s->since >= start_grace) {
            take_down(*s, s->last_error.empty() ? "cannot start" : s->last_error, now);
            continue;
        }
        if (s->on_pipeline && s->state != "up" && s->delivered->load() >= 2) {
            if (s->attempts > 1) {
                ++s->reconnects;
                log_.info("output up", "channel", channel_name_, "output", s->name, "reconnects",
                          s->reconnects);
            }
            s->state = "up";
            s->since = now;
        }
        if (!s->on_pipeline && s->state != "up" && !s->failed_start && now >= s->next_try) {
            try {
                bring_up(*s, now);
            } catch (const std::exception& e) {
                take_down(*s, e.what(), now);
            }
        }
        if (s->on_pipeline && s->title_pending) {
            send_title(*s);
        }
    }
}

void output_manager::send_title(slot& s) {
    if (s.links.empty() || !s.bin) {
        return;
    }
    gst::pad_ptr pad(gst_element_get_static_pad(s.bin.get(), "audio"));
    // the sink reads tags only once it knows its format: wait for the caps
    if (!pad || !gst_pad_has_current_caps(pad.get())) {
        return;
    }
    // shout2send sends "ARTIST - TITLE" as the stream title: the channel, then what airs
    GstTagList* tags = gst_tag_list_new(GST_TAG_TITLE, title_.c_str(), GST_TAG_ARTIST,
                                        channel_name_.c_str(), nullptr);
    gst_pad_send_event(pad.get(), gst_event_new_tag(tags)); // the event takes the list
    s.title_pending = false;
}

bool output_manager::handle_error(GstMessage* msg, steady_time now) {
    if (!fmt_.live) {
        return false;
    }
    GstObject* src = GST_MESSAGE_SRC(msg);
    for (auto& s : slots_) {
        if (s->bin && (src == GST_OBJECT(s->bin.get()) ||
                       gst_object_has_as_ancestor(src, GST_OBJECT(s->bin.get())))) {
            take_down(*s, error_text(msg), now);
            return true;
        }
    }
    return false;
}

void output_manager::set_title(const std::string& title) {
    title_ = title;
    for (auto& s : slots_) {
        if (s->carries_title && s->on_pipeline) {
            s->title_pending = true;
            send_title(*s);
        }
    }
}

std::vector<output_status> output_manager::status() const {
    std::vector<output_status> v;
    for (const auto& s : slots_) {
        v.push_back(
            {s->name, schedule::to_string(s->spec.type), s->state, s->reconnects, s->last_error});
    }
    return v;
}

} // namespace onair::playout::detail
