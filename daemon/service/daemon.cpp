#include "service/daemon.hpp"

#include "asrun/export.hpp"
#include "asrun/store.hpp"
#include "asrun/window.hpp"
#include "control/backend.hpp"
#include "control/metrics.hpp"
#include "control/server.hpp"
#include "planner/format.hpp"
#include "media/check.hpp"
#include "media/probe.hpp"
#include "planner/planner.hpp"
#include "schedule/load.hpp"
#include "service/channel_runner.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <systemd/sd-daemon.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <algorithm>
#include <csignal>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <tuple>
#include <variant>

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
// How often freed heap goes back to the system. Each prepared 720p clip takes some 40 MB of
// decoded pictures from many streaming threads' malloc arenas, and glibc keeps what they free:
// without this a tv channel's resident memory settles near its worst break, not its working
// set (bench_memory: 202 MB after six clips were taken off, 73 MB after a trim).
constexpr int trim_every_beats = 60;

// A load that failed, with every diagnostic.
struct load_error : std::runtime_error {
    core::diagnostics diags;
    load_error(const std::string& text, core::diagnostics d)
        : std::runtime_error(text), diags(std::move(d)) {}
};

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
loaded load(const run_options& o, core::logger& log, bool strict) {
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
        throw load_error(diagnostics_text(strict ? diags : config_errors),
                         strict ? diags : config_errors);
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
                if (probed.ok && !probed.sha256.empty()) {
                    f.sha256 = probed.sha256;
                }
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

// An as-run export for the API, pulled a page at a time: each page re-queries from where the
// last one stopped (rows come ordered by scheduled start, then id), so a long range is never
// held in memory and the loop is never held for long.
class asrun_pages final : public control::asrun_cursor {
public:
    asrun_pages(const asrun::store& store, asrun::filter f, control::asrun_format format)
        : store_(store), filter_(std::move(f)), format_(format) {}

    bool next(std::string& out) override {
        std::ostringstream text;
        if (!begun_) {
            begun_ = true;
            if (format_ == control::asrun_format::csv) {
                text << asrun::csv_header;
            } else {
                text << "[";
            }
        }
        struct page_full {};
        std::size_t rows = 0;
        asrun::filter f = filter_;
        if (last_) {
            f.from = last_->first;
        }
        try {
            store_.airings(f, [&](const asrun::airing& row) {
                if (last_ && row.scheduled_start == last_->first && row.id <= last_->second) {
                    return; // sent with the page before
                }
                write(text, row);
                last_ = std::pair{row.scheduled_start, row.id};
                if (++rows == page_rows) {
                    throw page_full{};
                }
            });
        } catch (const page_full&) {
            out += text.str();
            return true;
        }
        if (format_ == control::asrun_format::json) {
            text << (count_ == 0 ? "]\n" : "\n]\n");
        }
        out += text.str();
        return false;
    }

private:
    static constexpr std::size_t page_rows = 200;

    void write(std::ostringstream& text, const asrun::airing& row) {
        if (format_ == control::asrun_format::csv) {
            std::ostringstream line;
            asrun::csv_writer w(line); // writes the header first: drop it
            w.write(row);
            const std::string l = line.str();
            text << l.substr(std::string(asrun::csv_header).size());
        } else {
            std::ostringstream obj;
            asrun::json_writer w(obj);
            w.write(row);
            std::string o = obj.str(); // "[\n  {...}" without the closing bracket
            const auto brace = o.find('{');
            text << (count_ == 0 ? "\n  " : ",\n  ") << o.substr(brace);
        }
        ++count_;
    }

    const asrun::store& store_;
    asrun::filter filter_;
    control::asrun_format format_;
    bool begun_ = false;
    std::size_t count_ = 0;
    std::optional<std::pair<core::instant, std::int64_t>> last_;
};

class daemon final : public control::backend {
public:
    daemon(run_options o, const clock& wall, core::logger& log)
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
        start_api();
        wait_signal();
        io_.run();
        return 0;
    }

    // --- control::backend (called on the io_context thread) ---

    std::vector<control::channel_info> channels() override {
        std::vector<control::channel_info> out;
        const auto now = std::chrono::steady_clock::now();
        for (const auto& r : runners_) {
            const auto st = r->state();
            control::channel_info c;
            c.id = r->channel().id;
            c.name = r->channel().name;
            c.kind = schedule::to_string(r->channel().kind);
            c.zone = r->channel().zone;
            c.airing = st.on_air && now - st.output_moved < stall_after;
            if (st.now) {
                c.now = info_of(*st.now, st.now_kind_insert);
            }
            if (st.next) {
                c.next = info_of(*st.next, false);
            }
            out.push_back(std::move(c));
        }
        return out;
    }

    control::outcome<std::string> plan_json(const std::string& channel,
                                            core::local_days day) override {
        channel_runner* r = find(channel);
        if (r == nullptr) {
            return control::failure{404, "no channel '" + channel + "'"};
        }
        if (!r->plan()) {
            return control::failure{503, "the channel's schedule has errors; it airs filler"};
        }
        auto& p = *r->plan();
        planner::rundown_header h{r->channel().id, r->channel().name, r->channel().zone,
                                  p.day_start(day), p.day_start(day + date::days{1})};
        return planner::to_json(h, p.plan_window(h.from, h.to)).dump(2) + "\n";
    }

    control::outcome<std::unique_ptr<control::asrun_cursor>>
    asrun(const control::asrun_query& q) override {
        asrun::filter f;
        const date::time_zone* zone = date::locate_zone("UTC");
        if (!q.channel.empty()) {
            channel_runner* r = find(q.channel);
            const schedule::channel* ch = r ? &r->channel() : cfg_.find_channel(q.channel);
            if (ch == nullptr) {
                return control::failure{404, "no channel '" + q.channel + "'"};
            }
            f.channel = q.channel;
            zone = ch->zone;
        } else if (!cfg_.channels.empty()) {
            zone = cfg_.channels.front().zone;
        }
        for (auto [text, bound, name] : {std::tuple{&q.from, &f.from, "from"},
                                         std::tuple{&q.to, &f.to, "to"}}) {
            if (text->empty()) {
                continue;
            }
            auto t = asrun::parse_bound(*text, *zone);
            if (!t) {
                return control::failure{400, std::string(name) + ": " + t.error()};
            }
            *bound = *t;
        }
        return std::unique_ptr<control::asrun_cursor>(
            std::make_unique<asrun_pages>(*store_, f, q.format));
    }

    control::reload_result reload() override {
        control::reload_result out;
        core::diagnostics diags;
        if (!reload_from_disk(diags)) {
            out.diagnostics = diags.all();
            if (out.diagnostics.empty()) {
                core::diagnostic d;
                d.where.file = options_.config.string();
                d.message = "the config cannot be loaded";
                out.diagnostics.push_back(d);
            }
            return out;
        }
        for (const auto& d : diags.all()) {
            out.diagnostics.push_back(d); // warnings only
        }
        for (const auto& r : runners_) {
            out.channels.push_back(r->channel().id);
        }
        return out;
    }

    control::outcome<control::insert_result> insert(const std::string& channel,
                                                    const std::string& media) override {
        channel_runner* r = find(channel);
        if (r == nullptr) {
            return control::failure{404, "no channel '" + channel + "'"};
        }
        auto result = r->insert(media);
        if (auto* why = std::get_if<std::string>(&result)) {
            return control::failure{422, *why};
        }
        const auto& it = std::get<planner::item>(result);
        control::insert_result out;
        out.channel = channel;
        out.media = media;
        out.title = it.title;
        out.duration = it.duration;
        out.start = it.start;
        out.zone = r->channel().zone;
        return out;
    }

    control::outcome<control::skip_result> skip(const std::string& channel) override {
        channel_runner* r = find(channel);
        if (r == nullptr) {
            return control::failure{404, "no channel '" + channel + "'"};
        }
        control::skip_result out;
        out.channel = channel;
        if (auto it = r->skip()) {
            out.media = it->media;
            out.title = it->title;
        }
        return out;
    }

    void refresh_metrics() override {
        const auto now_wall = wall_.now();
        const auto now = std::chrono::steady_clock::now();
        for (const auto& r : runners_) {
            const auto st = r->state();
            const std::string& id = r->channel().id;
            metrics_.set_on_air(id, st.on_air && now - st.output_moved < stall_after);
            auto& seen = seen_[id];
            auto count = [&](const char* status, std::uint64_t total, std::uint64_t& last) {
                for (; last < total; ++last) {
                    metrics_.count_airing(id, status);
                }
            };
            count("aired", st.aired, seen.aired);
            count("truncated", st.truncated, seen.truncated);
            count("failed", st.failed, seen.failed);
            count("skipped", st.skipped, seen.skipped);
            count("interrupted", st.interrupted, seen.interrupted);
            for (const auto e : r->take_start_errors()) {
                metrics_.observe_start_error(id, std::chrono::duration_cast<std::chrono::microseconds>(e));
            }
            if (st.filler > seen.filler) {
                metrics_.add_filler(id, st.filler - seen.filler);
                seen.filler = st.filler;
            }
            if (st.plan_horizon) {
                metrics_.set_plan_horizon(id, *st.plan_horizon - now_wall);
            }
            for (; seen.restarts < st.restarts; ++seen.restarts) {
                metrics_.count_pipeline_restart(id);
            }
            for (const auto& o : st.outputs) {
                metrics_.set_output_up(id, o.name, o.state == "up");
                auto& last = seen.reconnects[o.name];
                for (; last < o.reconnects; ++last) {
                    metrics_.count_output_reconnect(id, o.name);
                }
            }
        }
        metrics_.sample_process();
    }

private:
    struct seen_counts {
        std::uint64_t aired = 0, truncated = 0, failed = 0, skipped = 0, interrupted = 0;
        std::uint64_t restarts = 0;
        core::milliseconds filler{0};
        std::map<std::string, int> reconnects;
    };

    channel_runner* find(const std::string& id) {
        for (auto& r : runners_) {
            if (r->channel().id == id) {
                return r.get();
            }
        }
        return nullptr;
    }

    static control::item_info info_of(const planner::item& it, bool insert) {
        control::item_info i;
        i.start = it.start;
        i.end = it.end;
        i.kind = insert ? "insert" : planner::to_string(it.kind);
        i.media = it.media;
        i.title = it.title;
        i.campaign = it.campaign;
        i.break_id = it.break_id;
        return i;
    }

    // The HTTP API: loopback unless the operator says otherwise. If it cannot start (the port
    // taken, the token file unreadable) the channels air on and the error is logged.
    void start_api() {
        try {
            auto opts = control::options_from(cfg_.api);
            opts.now = [this] { return wall_.now(); };
            api_ = std::make_unique<control::server>(io_, *this, registry_, opts);
            api_->start();
            log_.info("HTTP API listening", "address",
                      api_->local_endpoint().address().to_string() + ":" +
                          std::to_string(api_->local_endpoint().port()));
        } catch (const std::exception& e) {
            api_.reset();
            log_.error("the HTTP API cannot start; the channels air on without it", "reason",
                       e.what());
        }
    }

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
                reload_on_signal();
                wait_signal();
                return;
            }
            shutdown(sig == SIGTERM ? "SIGTERM" : "SIGINT");
        });
    }

    void shutdown(const std::string& why) {
        sd_notify(0, "STOPPING=1");
        log_.info("stopping", "reason", why);
        if (api_) {
            api_->stop();
        }
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
    // SIGHUP
    void reload_on_signal() {
        core::diagnostics diags;
        reload_from_disk(diags);
    }

    // parse -> validate -> plan -> swap: the new config is built aside and swapped in only
    // when complete; on any error the old one stays on air. True when swapped in.
    bool reload_from_disk(core::diagnostics& diags) {
        log_.info("reloading", "config", options_.config.string());
        loaded l;
        try {
            l = load(options_, log_, true);
        } catch (const load_error& e) {
            diags = e.diags;
            log_.error("reload failed; the old schedule stays on air", "config",
                       options_.config.string(), "errors", e.diags.error_count());
            std::istringstream lines(e.what());
            for (std::string line; std::getline(lines, line);) {
                log_.error(line);
            }
            metrics_.set_reload(false, wall_.now());
            return false;
        } catch (const std::exception& e) {
            core::diagnostic d;
            d.where.file = options_.config.string();
            d.message = e.what();
            diags.add(d);
            log_.error("reload failed; the old schedule stays on air", "reason", e.what());
            metrics_.set_reload(false, wall_.now());
            return false;
        }
        std::set<std::string> ids;
        for (const auto& setup : l.channels) {
            ids.insert(setup.channel.id);
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
                // the counters of the runner that goes are taken into the metrics now; the new
                // one counts from zero
                refresh_metrics();
                seen_.erase(setup.channel.id);
                auto r = std::make_unique<channel_runner>(io_, setup.channel, setup.plan,
                                                          std::move(setup.facts), *store_, wall_,
                                                          log_);
                try {
                    r->start();
                } catch (const std::exception& e) {
                    log_.error("the channel cannot go on air", "channel", setup.channel.id,
                               "reason", e.what());
                }
                *it = std::move(r);
            }
        }
        // a channel the new config no longer has goes off air
        for (auto it = runners_.begin(); it != runners_.end();) {
            const auto id = (*it)->channel().id;
            if (ids.count(id) != 0) {
                ++it;
                continue;
            }
            log_.info("the channel is no longer in the config; taking it off air", "channel", id);
            (*it)->stop("reload removed the channel");
            refresh_metrics();
            seen_.erase(id);
            it = runners_.erase(it);
        }
        cfg_ = l.cfg;
        metrics_.set_reload(true, wall_.now());
        log_.info("reloaded");
        return true;
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
                  << o.segment.count() << ',' << o.mount << ',' << o.password << ','
                  << o.password_file.string() << ',' << o.format << ','
                  << o.video_bitrate.value_or(0) << ',' << o.audio_bitrate.value_or(0);
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
#if defined(__GLIBC__)
        if (++beats_ % trim_every_beats == 0) {
            ::malloc_trim(0);
        }
#endif
        heartbeat_timer_.expires_after(heartbeat_every);
        heartbeat_timer_.async_wait([this](boost::system::error_code ec) {
            if (!ec) {
                beat();
            }
        });
    }

    run_options options_;
    const clock& wall_;
    core::logger& log_;
    asio::io_context io_;
    asio::signal_set signals_;
    asio::steady_timer heartbeat_timer_;
    schedule::config cfg_;
    fs::path heartbeat_;
    std::unique_ptr<asrun::store> store_;
    std::vector<std::unique_ptr<channel_runner>> runners_;
    bool ready_ = false;
    int beats_ = 0;
    control::metrics::registry registry_;
    control::metrics::station_metrics metrics_{registry_};
    std::map<std::string, seen_counts> seen_;
    std::unique_ptr<control::server> api_; // declared last: stopped before the rest goes
};

} // namespace

int run(const run_options& options, const clock& wall, core::logger& log) {
    daemon d(options, wall, log);
    return d.run();
}

} // namespace onair::service
