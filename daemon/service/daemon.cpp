#include "service/daemon.hpp"

#include "asrun/store.hpp"
#include "media/check.hpp"
#include "media/probe.hpp"
#include "planner/planner.hpp"
#include "schedule/load.hpp"
#include "service/channel_runner.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <systemd/sd-daemon.h>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

namespace onair::service {

namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;

// A spot's loudness correction is kept within this, so a near-silent file is not blown up.
constexpr double max_gain_db = 20;
// How often the daemon notes that it is alive (the end of airings a crash leaves open).
constexpr auto heartbeat_every = std::chrono::seconds(1);
// A channel whose output has not moved for this long is stalled: no watchdog ping.
constexpr auto stall_after = std::chrono::seconds(10);

std::string diagnostics_text(const core::diagnostics& diags) {
    std::ostringstream out;
    for (const auto& d : diags.all()) {
        out << d.where.file << ':' << d.where.line << ':' << d.where.column << ": "
            << core::to_string(d.level) << ": " << d.message << '\n';
    }
    return out.str();
}

// Everything a channel needs to air, built aside before it is swapped in.
struct channel_setup {
    schedule::channel channel;
    std::shared_ptr<planner::planner> plan; // null: the schedule is broken, filler only
    std::map<std::string, media_facts> facts;
};

struct loaded {
    schedule::config cfg;
    std::vector<channel_setup> channels;
};

// Loads the config and the schedules, probes the media (through the cache) and builds each
// channel's planner. Throws std::runtime_error with every diagnostic when the config is broken;
// a channel whose schedule is broken airs filler (and the errors are logged).
loaded load(const run_options& o, logger& log, bool strict) {
    core::diagnostics diags;
    auto st = schedule::load_station(o.config, diags);
    // errors in the config itself stop everything; a broken schedule only its channel (unless
    // reloading, where anything broken keeps the old plan on air)
    core::diagnostics config_errors;
    for (const auto& d : diags.all()) {
        if (d.where.file == schedule::display_path(o.config) && d.level == core::severity::error) {
            config_errors.add(d);
        }
    }
    if (!st || config_errors.has_errors() || (strict && diags.has_errors())) {
        throw std::runtime_error(diagnostics_text(strict ? diags : config_errors));
    }
    loaded out;
    out.cfg = st->cfg;
    for (const auto& id : o.channels) {
        if (!st->cfg.find_channel(id)) {
            throw std::invalid_argument("no channel '" + id + "' in " + o.config.string());
        }
    }
    media::prober prober(st->cfg.state_dir.empty() ? fs::path{}
                                                   : st->cfg.state_dir / "probe-cache.json");
    for (std::size_t i = 0; i < st->cfg.channels.size(); ++i) {
        const auto& ch = st->cfg.channels[i];
        if (!o.channels.empty() &&
            std::find(o.channels.begin(), o.channels.end(), ch.id) == o.channels.end()) {
            continue;
        }
        channel_setup setup;
        setup.channel = ch;
        const auto& sched = st->schedules.at(i);
        core::diagnostics own;
        const std::string file = schedule::display_path(ch.schedule_file);
        for (const auto& d : diags.all()) {
            if (d.where.file == file && d.level == core::severity::error) {
                own.add(d);
            }
        }
        if (sched && !own.has_errors()) {
            core::diagnostics probe_diags;
            auto durations = media::media_durations(*sched, prober, probe_diags);
            for (const auto& d : probe_diags.all()) {
                log.warning("media", "channel", ch.id, "at",
                            d.where.file + ":" + std::to_string(d.where.line), "message", d.message);
            }
            planner::channel_input in;
            in.channel_id = ch.id;
            in.zone = ch.zone;
            in.sched = sched;
            in.media_durations = std::move(durations);
            if (ch.kind == schedule::channel_kind::tv && ch.video) {
                in.frame_duration = std::pair{ch.video->framerate_den, ch.video->framerate_num};
            }
            setup.plan = std::make_shared<planner::planner>(std::move(in));
            for (const auto& [id, m] : sched->media) {
                const auto probed = prober.probe(m.file);
                media_facts f;
                if (ch.loudness && probed.ok && probed.loudness_lufs) {
                    f.gain_db = std::clamp(*ch.loudness - *probed.loudness_lufs, -max_gain_db,
                                           max_gain_db);
                }
                setup.facts[m.file.string()] = f;
            }
        } else {
            log.error("the channel's schedule has errors; it airs filler until they are fixed",
                      "channel", ch.id, "schedule", file);
            for (const auto& d : own.all()) {
                log.error(d.message, "at",
                          d.where.file + ":" + std::to_string(d.where.line) + ":" +
                              std::to_string(d.where.column));
            }
        }
        out.channels.push_back(std::move(setup));
    }
    prober.save();
    return out;
}

// The last moment the daemon is known to have been alive: the heartbeat file's time.
core::instant last_alive(const fs::path& heartbeat, core::instant fallback) {
    std::error_code ec;
    const auto t = fs::last_write_time(heartbeat, ec);
    if (ec) {
        return fallback;
    }
    const auto sys = std::chrono::file_clock::to_sys(t);
    return std::chrono::time_point_cast<core::milliseconds>(sys);
}

class daemon {
public:
    daemon(run_options o, const clock& wall, logger& log)
        : options_(std::move(o)), wall_(wall), log_(log), signals_(io_, SIGINT, SIGTERM, SIGHUP),
          heartbeat_timer_(io_) {}

    int run() {
        loaded l;
        try {
            l = load(options_, log_, false);
        } catch (const std::invalid_argument& e) {
            log_.error(e.what());
            return 2;
        } catch (const std::exception& e) {
            std::cerr << e.what();
            log_.error("the config cannot be loaded; nothing airs", "config", options_.config.string());
            return 1;
        }
        cfg_ = l.cfg;
        const fs::path state = cfg_.state_dir.empty() ? fs::path("var") : cfg_.state_dir;
        std::error_code ec;
        fs::create_directories(state, ec);
        heartbeat_ = state / "onair.alive";
        store_ = std::make_unique<asrun::store>(asrun::store_file(state));
        const auto closed = store_->close_interrupted(last_alive(heartbeat_, wall_.now()));
        if (closed > 0) {
            log_.warning("closed airings a previous run left open as interrupted", "count", closed);
        }
        beat();

        for (auto& setup : l.channels) {
            start_channel(std::move(setup));
        }
        if (std::none_of(runners_.begin(), runners_.end(),
                         [](const auto& r) { return r->state().on_air; })) {
            log_.error("no channel could go on air");
            return 1;
        }
        wait_signal();
        io_.run();
        return 0;
    }

private:
    void start_channel(channel_setup setup) {
        auto r = std::make_unique<channel_runner>(io_, setup.channel, setup.plan,
                                                  std::move(setup.facts), *store_, wall_, log_);
        try {
            r->start();
        } catch (const std::exception& e) {
            log_.error("the channel cannot go on air", "channel", setup.channel.id, "reason",
                       e.what());
        }
        runners_.push_back(std::move(r));
    }

    void wait_signal() {
        signals_.async_wait([this](boost::system::error_code ec, int sig) {
            if (ec) {
                return;
            }
            if (sig == SIGHUP) {
                reload();
                wait_signal();
                return;
            }
            shutdown(sig == SIGTERM ? "SIGTERM" : "SIGINT");
        });
    }

    void shutdown(const std::string& why) {
        sd_notify(0, "STOPPING=1");
        log_.info("stopping", "reason", why);
        for (auto& r : runners_) {
            r->stop("the daemon stopped (" + why + ")");
        }
        heartbeat_timer_.cancel();
        signals_.cancel();
        beat();
        io_.stop();
    }

    // parse -> validate -> plan -> swap: the new config is built aside and swapped in only
    // when complete; on any error the old one stays on air.
    void reload() {
        log_.info("reloading", "config", options_.config.string());
        loaded l;
        try {
            l = load(options_, log_, true);
        } catch (const std::exception& e) {
            log_.error("reload failed; the old schedule stays on air", "config",
                       options_.config.string());
            std::istringstream lines(e.what());
            for (std::string line; std::getline(lines, line);) {
                log_.error(line);
            }
            return;
        }
        for (auto& setup : l.channels) {
            auto it = std::find_if(runners_.begin(), runners_.end(), [&](const auto& r) {
                return r->channel().id == setup.channel.id;
            });
            if (it == runners_.end()) {
                start_channel(std::move(setup));
                continue;
            }
            if (same_air(setup.channel, (*it)->channel())) {
                (*it)->replace_plan(setup.plan, std::move(setup.facts));
            } else {
                log_.info("the channel's format or outputs changed; restarting it", "channel",
                          setup.channel.id);
                (*it)->stop("reload changed the channel's format or outputs");
                auto r = std::make_unique<channel_runner>(io_, setup.channel, setup.plan,
                                                          std::move(setup.facts), *store_, wall_,
                                                          log_);
                r->start();
                *it = std::move(r);
            }
        }
        cfg_ = l.cfg;
        log_.info("reloaded");
    }

    static bool same_air(const schedule::channel& a, const schedule::channel& b) {
        auto key = [](const schedule::channel& c) {
            std::ostringstream k;
            k << schedule::to_string(c.kind) << '|' << c.audio.rate << '|' << c.audio.channels;
            if (c.video) {
                k << '|' << c.video->width << 'x' << c.video->height << '@'
                  << c.video->framerate_num << '/' << c.video->framerate_den;
            }
            k << '|' << static_cast<int>(c.fill.type) << '|' << c.fill.image.string() << '|'
              << c.fill.uri;
            for (const auto& m : c.fill.media) {
                k << '|' << m.string();
            }
            for (const auto& o : c.outputs) {
                k << "|o:" << static_cast<int>(o.type) << ',' << o.file.string() << ',' << o.host
                  << ',' << o.port << ',' << o.uri << ',' << o.dir.string() << ','
                  << o.mount << ',' << o.format << ',' << o.video_bitrate.value_or(0) << ','
                  << o.audio_bitrate.value_or(0);
            }
            return k.str();
        };
        return key(a) == key(b);
    }

    void beat() {
        {
            std::ofstream(heartbeat_, std::ios::trunc) << core::format_iso(wall_.now(), *date::locate_zone("UTC")) << '\n';
        }
        bool all_moving = !runners_.empty();
        bool all_on_air = !runners_.empty();
        const auto now = std::chrono::steady_clock::now();
        for (const auto& r : runners_) {
            const auto s = r->state();
            all_on_air = all_on_air && s.on_air;
            all_moving = all_moving && s.on_air && now - s.output_moved < stall_after;
        }
        if (all_on_air && !ready_) {
            ready_ = true;
            sd_notify(0, "READY=1");
        }
        // the watchdog is fed only while the loop turns and every channel's output moves: a
        // stalled pipeline gets the service restarted
        if (all_moving) {
            sd_notify(0, "WATCHDOG=1");
        }
        heartbeat_timer_.expires_after(heartbeat_every);
        heartbeat_timer_.async_wait([this](boost::system::error_code ec) {
            if (!ec) {
                beat();
            }
        });
    }

    run_options options_;
    const clock& wall_;
    logger& log_;
    asio::io_context io_;
    asio::signal_set signals_;
    asio::steady_timer heartbeat_timer_;
    schedule::config cfg_;
    fs::path heartbeat_;
    std::unique_ptr<asrun::store> store_;
    std::vector<std::unique_ptr<channel_runner>> runners_;
    bool ready_ = false;
};

} // namespace

int run(const run_options& options, const clock& wall, logger& log) {
    daemon d(options, wall, log);
    return d.run();
}

} // namespace onair::service
