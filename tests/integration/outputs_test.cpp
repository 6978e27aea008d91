// The outputs of a live channel against real peers on loopback: UDP, SRT and HLS read back and
// decoded, a real icecast2 killed and restarted under a radio channel while a tv channel keeps
// airing, a file output that cannot be written. Each test runs the engine in real time for
// 8-13 s.

#include "render_fixture.hpp"

#include "playout/engine.hpp"

#include <gst/gst.h>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <regex>
#include <sstream>
#include <thread>

namespace onair::playout {
namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

schedule::channel tv_channel(const std::string& id) {
    schedule::channel ch;
    ch.id = id;
    ch.kind = schedule::channel_kind::tv;
    ch.video = schedule::video_format{320, 240, 25, 1};
    ch.audio = schedule::audio_format{48000, 2};
    return ch;
}

schedule::channel radio_channel(const std::string& id) {
    schedule::channel ch;
    ch.id = id;
    ch.kind = schedule::channel_kind::radio;
    ch.audio = schedule::audio_format{48000, 2};
    return ch;
}

// A loopback port nobody listens on now (the kernel's pick for a socket of `type`).
int free_port(int type) {
    const int fd = socket(AF_INET, type, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    close(fd);
    return ntohs(a.sin_port);
}

schedule::output make_output(schedule::output_type t) {
    schedule::output o;
    o.type = t;
    return o;
}

// A GStreamer pipeline in the test that decodes what an output sends and counts the frames (or
// audio buffers) that reach its sink, with the arrival time and timestamp of each.
class receiver {
public:
    explicit receiver(const std::string& description) {
        GError* err = nullptr;
        pipeline_ = gst_parse_launch(description.c_str(), &err);
        if (err != nullptr) {
            ADD_FAILURE() << err->message;
            g_error_free(err);
        }
        GstElement* sink = gst_bin_get_by_name(GST_BIN(pipeline_), "out");
        GstPad* pad = gst_element_get_static_pad(sink, "sink");
        gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, &receiver::count, this, nullptr);
        gst_object_unref(pad);
        gst_object_unref(sink);
        gst_element_set_state(pipeline_, GST_STATE_PLAYING);
    }
    ~receiver() {
        gst_element_set_state(pipeline_, GST_STATE_NULL);
        gst_object_unref(pipeline_);
    }
    receiver(const receiver&) = delete;
    receiver& operator=(const receiver&) = delete;

    std::size_t count() const {
        std::lock_guard lock(mutex_);
        return arrivals_.size();
    }
    // Frames that arrived in [from, to).
    std::size_t between(clock_type::time_point from, clock_type::time_point to) const {
        std::lock_guard lock(mutex_);
        std::size_t n = 0;
        for (auto t : arrivals_) {
            n += t >= from && t < to ? 1 : 0;
        }
        return n;
    }
    // Frames missing among those that arrived in [from, to): the gaps in their timestamps, in
    // whole frames of `frame` length (and any frame without one). Arrival times jitter on a loaded
    // machine; timestamps do not, so this is the exact check that nothing was lost.
    std::size_t missing_between(clock_type::time_point from, clock_type::time_point to,
                                GstClockTime frame) const {
        std::lock_guard lock(mutex_);
        std::vector<GstClockTime> pts;
        std::size_t missing = 0; // a frame without a timestamp counts as lost
        for (std::size_t i = 0; i < arrivals_.size(); ++i) {
            if (arrivals_[i] >= from && arrivals_[i] < to) {
                if (GST_CLOCK_TIME_IS_VALID(pts_[i])) {
                    pts.push_back(pts_[i]);
                } else {
                    ++missing;
                }
            }
        }
        std::sort(pts.begin(), pts.end());
        for (std::size_t i = 1; i < pts.size(); ++i) {
            const GstClockTime step = pts[i] - pts[i - 1];
            missing += step > frame + frame / 2 ? (step + frame / 2) / frame - 1 : 0;
        }
        return missing;
    }
    std::string error() const {
        GstBus* bus = gst_element_get_bus(pipeline_);
        std::string why;
        while (GstMessage* m = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR)) {
            GError* e = nullptr;
            gst_message_parse_error(m, &e, nullptr);
            why += e->message;
            g_error_free(e);
            gst_message_unref(m);
        }
        gst_object_unref(bus);
        return why;
    }

private:
    static GstPadProbeReturn count(GstPad*, GstPadProbeInfo* info, gpointer self) {
        auto* r = static_cast<receiver*>(self);
        const GstBuffer* buffer = GST_PAD_PROBE_INFO_BUFFER(info);
        std::lock_guard lock(r->mutex_);
        r->arrivals_.push_back(clock_type::now());
        r->pts_.push_back(GST_BUFFER_PTS(buffer));
        return GST_PAD_PROBE_OK;
    }
    GstElement* pipeline_ = nullptr;
    mutable std::mutex mutex_;
    std::vector<clock_type::time_point> arrivals_;
    std::vector<GstClockTime> pts_;
};

constexpr const char* decode_ts_video =
    " ! tsdemux ! h264parse ! avdec_h264 ! fakesink name=out sync=false async=false";

// Runs the engines' owner loop (dispatch + service) for `d` of real time, calling `step` each
// turn.
void run_for(std::vector<channel_engine*> engines, clock_type::duration d,
             const std::function<void(clock_type::time_point)>& step = {}) {
    const auto end = clock_type::now() + d;
    while (clock_type::now() < end) {
        for (auto* e : engines) {
            ASSERT_TRUE(e->dispatch(5ms)) << e->fatal_error();
            e->service(clock_type::now());
        }
        if (step) {
            step(clock_type::now());
        }
    }
}

const output_status* find_status(const std::vector<output_status>& v, const std::string& type) {
    for (const auto& s : v) {
        if (s.type == type) {
            return &s;
        }
    }
    return nullptr;
}

// How icecast's status page writes a string: ASCII as is, other code points as &#N;.
std::string as_html_entities(const std::string& utf8) {
    std::string out;
    for (std::size_t i = 0; i < utf8.size();) {
        const auto c = static_cast<unsigned char>(utf8[i]);
        if (c < 0x80) {
            out += static_cast<char>(c);
            ++i;
            continue;
        }
        const int extra = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
        unsigned cp = c & (0x3fu >> extra);
        for (int k = 1; k <= extra; ++k) {
            cp = (cp << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3fu);
        }
        out += "&#" + std::to_string(cp) + ";";
        i += 1 + extra;
    }
    return out;
}

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

TEST(outputs, one_encoder_feeds_udp_srt_hls_and_a_file) {
    const auto dir = testing::scratch_dir() / "outputs-tv";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const int udp_port = free_port(SOCK_DGRAM);
    const int srt_port = free_port(SOCK_DGRAM);

    channel_engine engine(tv_channel("out-tv"), mode::live, testing::test_log());
    auto udp = make_output(schedule::output_type::udp);
    udp.host = "127.0.0.1";
    udp.port = udp_port;
    auto srt = make_output(schedule::output_type::srt);
    srt.uri = "srt://127.0.0.1:" + std::to_string(srt_port) + "?mode=listener";
    auto hls = make_output(schedule::output_type::hls);
    hls.dir = dir / "hls";
    hls.segment = 1s;
    auto file = make_output(schedule::output_type::file);
    file.file = dir / "out.ts";
    for (const auto& o : {udp, srt, hls, file}) {
        engine.add_output(o);
    }

    receiver udp_rx("udpsrc address=127.0.0.1 port=" + std::to_string(udp_port) +
                    " caps=video/mpegts" + decode_ts_video);
    engine.start();
    engine.service(clock_type::now());
    std::unique_ptr<receiver> srt_rx;
    const auto t0 = clock_type::now();
    run_for({&engine}, 10s, [&](clock_type::time_point now) {
        if (!srt_rx && now - t0 > 1s) {
            // a caller joining the listener mid-stream
            srt_rx = std::make_unique<receiver>(
                "srtsrc uri=srt://127.0.0.1:" + std::to_string(srt_port) + "?mode=caller" +
                decode_ts_video);
        }
    });

    for (const auto& s : engine.outputs()) {
        EXPECT_EQ(s.state, "up") << s.name << ": " << s.last_error;
        EXPECT_EQ(s.reconnects, 0) << s.name;
    }
    // UDP from the first second: 25 fps steady, not one frame lost (timestamps without a gap);
    // the count by arrival allows the jitter of a loaded machine at the window's two edges
    constexpr GstClockTime frame = GST_SECOND / 25;
    const std::size_t steady = udp_rx.between(t0 + 3s, t0 + 9s);
    EXPECT_GE(steady, 145u) << udp_rx.error();
    EXPECT_LE(steady, 155u);
    EXPECT_EQ(udp_rx.missing_between(t0 + 3s, t0 + 9s, frame), 0u);
    EXPECT_GE(udp_rx.count(), 200u);
    // SRT joined at ~1 s, decodes from the next key frame (at most 2 s later), then loses nothing
    ASSERT_TRUE(srt_rx);
    const std::size_t srt_steady = srt_rx->between(t0 + 4s, t0 + 9s);
    EXPECT_GE(srt_steady, 120u) << srt_rx->error();
    EXPECT_LE(srt_steady, 130u);
    EXPECT_EQ(srt_rx->missing_between(t0 + 4s, t0 + 9s, frame), 0u);

    // HLS: 1 s segments, the playlist holds the last 5, old segments are deleted (7 kept)
    const std::string playlist = read_file(dir / "hls" / "index.m3u8");
    EXPECT_NE(playlist.find("#EXT-X-TARGETDURATION:1\n"), std::string::npos) << playlist;
    std::regex seg_re("segment(\\d{5})\\.ts");
    std::vector<int> listed;
    for (std::sregex_iterator it(playlist.begin(), playlist.end(), seg_re), end; it != end; ++it) {
        listed.push_back(std::stoi((*it)[1]));
    }
    EXPECT_EQ(listed.size(), 5u) << playlist;
    std::size_t on_disk = 0;
    for (const auto& f : std::filesystem::directory_iterator(dir / "hls")) {
        on_disk += f.path().extension() == ".ts" ? 1 : 0;
    }
    EXPECT_LE(on_disk, 8u); // 7 closed, 1 being written
    EXPECT_FALSE(std::filesystem::exists(dir / "hls" / "segment00000.ts"));
    ASSERT_FALSE(listed.empty());
    EXPECT_GE(listed.back(), 7); // ~9 s of 1 s segments written
    // every listed segment is a whole second of picture starting on a key frame
    for (int n : listed) {
        char name[32];
        std::snprintf(name, sizeof name, "segment%05d.ts", n);
        const auto d = testing::decode(dir / "hls" / name, true);
        EXPECT_EQ(d.frames.size(), 25u) << name;
    }
    engine.stop();
    // the file has every frame of the run from its start: ~10 s at 25 fps
    const auto d = testing::decode(dir / "out.ts", true);
    EXPECT_GE(d.frames.size(), 240u);
    EXPECT_LE(d.frames.size(), 260u);
}

// icecast2 on loopback, in its own directory, as this user (as root it must drop to nobody).
class icecast_server {
public:
    icecast_server() {
        dir_ = testing::scratch_dir() / "icecast";
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
        std::filesystem::permissions(dir_, std::filesystem::perms::all);
        port_ = free_port(SOCK_STREAM);
        std::ofstream cfg(dir_ / "icecast.xml");
        cfg << "<icecast><limits><sources>4</sources><source-timeout>5</source-timeout></limits>"
               "<authentication><source-password>secret</source-password>"
               "<admin-user>admin</admin-user><admin-password>admin-secret</admin-password>"
               "</authentication><hostname>127.0.0.1</hostname>"
               "<listen-socket><port>"
            << port_
            << "</port><bind-address>127.0.0.1</bind-address></listen-socket>"
               "<fileserve>1</fileserve><paths><basedir>"
            << dir_.string() << "</basedir><logdir>" << dir_.string()
            << "</logdir><webroot>/usr/share/icecast2/web</webroot>"
               "<adminroot>/usr/share/icecast2/admin</adminroot></paths>"
               "<logging><accesslog>access.log</accesslog><errorlog>error.log</errorlog>"
               "<loglevel>2</loglevel></logging><security><chroot>0</chroot>"
            << (geteuid() == 0 ? "<changeowner><user>nobody</user><group>nogroup</group>"
                                 "</changeowner>"
                               : "")
            << "</security></icecast>\n";
    }
    ~icecast_server() { kill(); }
    icecast_server(const icecast_server&) = delete;
    icecast_server& operator=(const icecast_server&) = delete;

    void start() {
        pid_ = fork();
        if (pid_ == 0) {
            const std::string cfg = (dir_ / "icecast.xml").string();
            execlp("icecast2", "icecast2", "-c", cfg.c_str(), static_cast<char*>(nullptr));
            _exit(127);
        }
        // up once it accepts connections
        for (int i = 0; i < 100; ++i) {
            if (!get("/status-json.xsl", 1s).empty()) {
                return;
            }
            std::this_thread::sleep_for(20ms);
        }
        ADD_FAILURE() << "icecast2 did not come up";
    }
    void kill() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
            pid_ = -1;
        }
    }
    int port() const { return port_; }

    // An HTTP GET on loopback: the body (what arrived within `for_at_most`), "" on no answer.
    std::string get(const std::string& path, clock_type::duration for_at_most) const {
        const int fd = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(static_cast<std::uint16_t>(port_));
        if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
            close(fd);
            return {};
        }
        timeval tv{0, 100'000};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        const std::string req = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
        (void)!write(fd, req.data(), req.size());
        std::string all;
        const auto end = clock_type::now() + for_at_most;
        char buf[4096];
        while (clock_type::now() < end) {
            const ssize_t n = read(fd, buf, sizeof buf);
            if (n == 0) {
                break;
            }
            if (n > 0) {
                all.append(buf, static_cast<std::size_t>(n));
            }
        }
        close(fd);
        const auto body = all.find("\r\n\r\n");
        return body == std::string::npos ? std::string{} : all.substr(body + 4);
    }

private:
    std::filesystem::path dir_;
    int port_ = 0;
    pid_t pid_ = -1;
};

TEST(outputs, icecast_comes_back_after_a_restart_and_tv_never_stalls) {
    const auto dir = testing::scratch_dir() / "outputs-radio";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    icecast_server ice;
    ice.start();

    channel_engine radio(radio_channel("out-radio"), mode::live, testing::test_log());
    auto cast = make_output(schedule::output_type::icecast);
    cast.host = "127.0.0.1";
    cast.port = ice.port();
    cast.mount = "/live.mp3";
    cast.password_file = dir / "password";
    std::ofstream(cast.password_file) << "secret\n";
    cast.format = "mp3";
    radio.add_output(cast);
    auto mp3 = make_output(schedule::output_type::file);
    mp3.file = dir / "out.mp3";
    radio.add_output(mp3); // shares the LAME encoder with icecast

    channel_engine tv(tv_channel("out-tv2"), mode::live, testing::test_log());
    const int udp_port = free_port(SOCK_DGRAM);
    auto udp = make_output(schedule::output_type::udp);
    udp.host = "127.0.0.1";
    udp.port = udp_port;
    tv.add_output(udp);
    receiver udp_rx("udpsrc address=127.0.0.1 port=" + std::to_string(udp_port) +
                    " caps=video/mpegts" + decode_ts_video);

    const std::string title = "ຢຸດຕິການຄ້າມະນຸດ — Stop human trafficking";
    radio.set_stream_title(title);
    radio.start();
    tv.start();
    const auto t0 = clock_type::now();
    radio.service(t0);
    tv.service(t0);
    run_for({&radio, &tv}, 2500ms);

    // the stream is there, with its title in UTF-8
    ASSERT_EQ(find_status(radio.outputs(), "icecast")->state, "up");
    const std::string status = ice.get("/status-json.xsl", 1s);
    EXPECT_NE(status.find("\"title\":\"out-radio - " + as_html_entities(title) + "\""),
              std::string::npos)
        << status;
    std::string before;
    std::thread listen([&] { before = ice.get("/live.mp3", 1s); });
    run_for({&radio, &tv}, 1100ms);
    listen.join();
    EXPECT_GT(before.size(), 4000u); // 128 kbit/s: 16 kB a second, less the burst's start
    EXPECT_EQ(static_cast<unsigned char>(before[0]), 0xff) << "not an MP3 frame sync";

    // the server dies: the icecast output alone goes down and is retried
    ice.kill();
    const auto mp3_size_at_kill = std::filesystem::file_size(mp3.file);
    bool saw_retrying = false;
    run_for({&radio, &tv}, 2500ms, [&](clock_type::time_point) {
        saw_retrying = saw_retrying || find_status(radio.outputs(), "icecast")->state == "retrying";
    });
    EXPECT_TRUE(saw_retrying);
    EXPECT_FALSE(find_status(radio.outputs(), "icecast")->last_error.empty());
    EXPECT_EQ(find_status(radio.outputs(), "file")->state, "up");
    // the file beside it (same encoder) kept growing at 128 kbit/s
    EXPECT_GT(std::filesystem::file_size(mp3.file) - mp3_size_at_kill, 30'000u);

    // back: the output reconnects on its next retry (1 s, 2 s, 4 s after the failure)
    ice.start();
    std::string after;
    bool listening = false;
    std::thread listen2;
    run_for({&radio, &tv}, 5500ms, [&](clock_type::time_point) {
        const auto* s = find_status(radio.outputs(), "icecast");
        if (!listening && s->state == "up" && s->reconnects >= 1) {
            listening = true;
            listen2 = std::thread([&] {
                std::this_thread::sleep_for(500ms);
                after = ice.get("/live.mp3", 1s);
            });
        }
    });
    if (listen2.joinable()) {
        listen2.join();
    }
    const auto* s = find_status(radio.outputs(), "icecast");
    EXPECT_EQ(s->state, "up") << s->last_error;
    EXPECT_GE(s->reconnects, 1);
    EXPECT_GT(after.size(), 4000u);
    EXPECT_NE(ice.get("/status-json.xsl", 1s).find(as_html_entities(title)), std::string::npos)
        << "title sent again after the reconnect";

    // the tv channel never stalled: 25 frames in every second from its start to the end
    for (auto t = t0 + 1s; t + 1s <= clock_type::now(); t += 1s) {
        const auto n = udp_rx.between(t, t + 1s);
        EXPECT_GE(n, 22u) << "tv second " << std::chrono::duration<double>(t - t0).count();
        EXPECT_LE(n, 28u);
    }
    EXPECT_EQ(udp_rx.missing_between(t0 + 1s, clock_type::now(), GST_SECOND / 25), 0u);
}

TEST(outputs, an_unwritable_file_fails_alone) {
    const auto dir = testing::scratch_dir() / "outputs-unwritable";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "not-a-dir") << "x";

    channel_engine engine(tv_channel("out-tv3"), mode::live, testing::test_log());
    auto bad = make_output(schedule::output_type::file);
    bad.file = dir / "not-a-dir" / "out.ts"; // a path under a file: not even root can write it
    engine.add_output(bad);
    const int udp_port = free_port(SOCK_DGRAM);
    auto udp = make_output(schedule::output_type::udp);
    udp.host = "127.0.0.1";
    udp.port = udp_port;
    engine.add_output(udp);
    auto null = make_output(schedule::output_type::null);
    engine.add_output(null);
    receiver udp_rx("udpsrc address=127.0.0.1 port=" + std::to_string(udp_port) +
                    " caps=video/mpegts" + decode_ts_video);
    engine.start();
    const auto t0 = clock_type::now();
    engine.service(t0);
    run_for({&engine}, 4500ms);

    const auto st = engine.outputs();
    ASSERT_EQ(st.size(), 3u);
    const auto* f = find_status(st, "file");
    EXPECT_EQ(f->state, "retrying");
    EXPECT_NE(f->last_error.find("out.ts"), std::string::npos) << f->last_error;
    EXPECT_EQ(f->reconnects, 0); // tried at 0, 1 and 3 s: never came up
    EXPECT_EQ(find_status(st, "udp")->state, "up");
    EXPECT_EQ(find_status(st, "null")->state, "up");
    const auto n = udp_rx.between(t0 + 1500ms, t0 + 4500ms);
    EXPECT_GE(n, 72u) << udp_rx.error();
    EXPECT_LE(n, 78u);
    EXPECT_EQ(udp_rx.missing_between(t0 + 1500ms, t0 + 4500ms, GST_SECOND / 25), 0u);
}

TEST(outputs, outputs_a_channel_cannot_have_are_refused) {
    channel_engine tv(tv_channel("out-tv4"), mode::live, testing::test_log());
    auto cast = make_output(schedule::output_type::icecast);
    cast.host = "127.0.0.1";
    cast.port = 8000;
    cast.mount = "/x";
    cast.password = "p";
    cast.format = "mp3";
    EXPECT_THROW(tv.add_output(cast), std::runtime_error);
    auto mp3 = make_output(schedule::output_type::file);
    mp3.file = "x.mp3";
    EXPECT_THROW(tv.add_output(mp3), std::runtime_error);

    channel_engine radio(radio_channel("out-radio2"), mode::live, testing::test_log());
    cast.password.clear();
    cast.password_file = testing::scratch_dir() / "no-such-password-file";
    EXPECT_THROW(radio.add_output(cast), std::runtime_error);
    EXPECT_TRUE(radio.outputs().empty());
}

} // namespace
} // namespace onair::playout
