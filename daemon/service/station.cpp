#include "service/station.hpp"
#include "asrun/store.hpp"

#include "media/check.hpp"
#include "media/probe.hpp"
#include "playout/engine.hpp"
#include "schedule/address.hpp"

#include <algorithm>
#include <sstream>

namespace onair::service {

namespace {

namespace fs = std::filesystem;

core::diagnostics errors_of_file(const core::diagnostics& diags, const std::string& file) {
    core::diagnostics out;
    for (const auto& d : diags.all()) {
        if (d.where.file == file && d.level == core::severity::error) {
            out.add(d);
        }
    }
    return out;
}

std::string where_text(const core::location& w) {
    return w.file + ":" + std::to_string(w.line) + ":" + std::to_string(w.column);
}

channel_setup setup_channel(const schedule::channel& ch,
                            const std::shared_ptr<const schedule::schedule>& sched,
                            const core::diagnostics& own, media::prober& prober,
                            core::logger& log) {
    channel_setup setup;
    setup.channel = ch;
    // here (start-up, or the pool at a reload) rather than when its pipeline is built on the
    // loop: a slate that is not a picture airs black at once, and the loop decodes nothing
    playout::check_slates(ch);
    if (!sched || own.has_errors()) {
        log.error("the channel's schedule has errors; it airs filler until they are fixed",
                  "channel", ch.id, "schedule", schedule::display_path(ch.schedule_file));
        for (const auto& d : own.all()) {
            log.error(d.message, "at", where_text(d.where));
        }
        return setup;
    }
    core::diagnostics probe_diags;
    auto durations = media::media_durations(*sched, prober, probe_diags);
    for (const auto& d : probe_diags.all()) {
        if (d.message.find(media::not_probed_yet) != std::string::npos) {
            ++setup.unprobed;
            continue; // planned once background probing has its length
        }
        log.warning("media", "channel", ch.id, "at", where_text(d.where), "message", d.message);
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
        f.gain_db = media::gain_db_for(ch.loudness, probed);
        if (!probed.ok && probed.error == media::not_probed_yet && m.duration) {
            ++setup.unprobed; // declared length: planned now, its facts come later
        }
        setup.facts[m.file.string()] = f;
    }
    return setup;
}

} // namespace

std::string diagnostics_text(const core::diagnostics& diags) {
    std::ostringstream out;
    for (const auto& d : diags.all()) {
        out << where_text(d.where) << ": " << core::to_string(d.level) << ": " << d.message << '\n';
    }
    return out.str();
}

namespace {

fs::path probe_cache_of(const schedule::config& cfg) {
    return cfg.state_dir.empty() ? fs::path{} : cfg.state_dir / "probe-cache.json";
}

station_setup build(std::shared_ptr<const schedule::station> st, core::diagnostics diags,
                    const run_options& o, core::logger& log, probing p) {
    station_setup out;
    out.cfg = st->cfg;
    media::prober prober(probe_cache_of(st->cfg));
    prober.cache_only(p == probing::cache_only);
    for (std::size_t i = 0; i < st->cfg.channels.size(); ++i) {
        const auto& ch = st->cfg.channels[i];
        if (!o.channels.empty() &&
            std::find(o.channels.begin(), o.channels.end(), ch.id) == o.channels.end()) {
            continue;
        }
        const auto own = errors_of_file(diags, schedule::display_path(ch.schedule_file));
        out.channels.push_back(setup_channel(ch, st->schedules.at(i), own, prober, log));
    }
    if (!prober.save()) {
        log.warning("the probe cache cannot be saved", "reason", prober.save_error());
    }
    out.source = std::move(st);
    out.diags = std::move(diags);
    return out;
}

} // namespace

std::size_t station_setup::unprobed() const {
    std::size_t n = 0;
    for (const auto& c : channels) {
        n += c.unprobed;
    }
    return n;
}

void apply_overrides(schedule::config& cfg, const run_options& o) {
    if (o.state_dir) {
        cfg.state_dir = std::filesystem::absolute(*o.state_dir).lexically_normal();
    }
    if (!o.listen) {
        return;
    }
    std::string problem;
    auto at = schedule::parse_host_port(*o.listen);
    if (!at) {
        problem = "--listen: expected HOST:PORT such as 127.0.0.1:8751 (" + at.error() +
                  "), found '" + *o.listen + "'";
    } else if (!schedule::is_loopback(at->host) && !cfg.api.token_file) {
        // the rule of control.listen: off loopback, anyone on the network reaches the API
        problem = "--listen: listening on '" + at->host +
                  "' (not loopback) needs a token: set control.token_file in " +
                  schedule::display_path(cfg.file);
    }
    if (!problem.empty()) {
        core::diagnostics d;
        d.error({}, problem);
        throw load_error("onair run: " + problem + "\n", d);
    }
    cfg.api.listen_host = at->host;
    cfg.api.listen_port = at->port;
}

station_setup load_station(const run_options& o, core::logger& log, bool strict, probing p) {
    core::diagnostics diags;
    auto st = schedule::load_station(o.config, diags);
    // errors in the config itself stop everything; a broken schedule only its channel (unless
    // reloading, where anything broken keeps the old plan on air)
    const core::diagnostics config_errors = errors_of_file(diags, schedule::display_path(o.config));
    if (!st || config_errors.has_errors() || (strict && diags.has_errors())) {
        const auto& shown = strict ? diags : config_errors;
        throw load_error(diagnostics_text(shown), shown);
    }
    apply_overrides(st->cfg, o);
    for (const auto& id : o.channels) {
        if (!st->cfg.find_channel(id)) {
            throw std::invalid_argument("no channel '" + id + "' in " + o.config.string());
        }
    }
    return build(std::make_shared<const schedule::station>(std::move(*st)), std::move(diags), o,
                 log, p);
}

station_setup rebuild_station(const station_setup& s, const run_options& o, core::logger& log,
                              probing p) {
    return build(s.source, s.diags, o, log, p);
}

std::vector<planner::missed_spot> missed_spots(const asrun::store& s, const std::string& channel,
                                               core::instant from, core::instant to) {
    std::vector<planner::missed_spot> out;
    asrun::filter f;
    f.channel = channel;
    f.from = from;
    f.to = to;
    s.missed(f, [&](const asrun::airing& a) {
        if (a.kind != asrun::airing_kind::spot || !a.campaign || !a.status) {
            return;
        }
        const auto planned = a.scheduled_end - a.scheduled_start;
        const bool owed =
            *a.status == asrun::airing_status::failed ||
            *a.status == asrun::airing_status::skipped ||
            (*a.status == asrun::airing_status::interrupted &&
             (!a.actual_start || !a.actual_end || (*a.actual_end - *a.actual_start) * 2 < planned));
        if (owed) {
            out.push_back({a.scheduled_start, *a.campaign, a.media});
        }
    });
    return out;
}

void attach_missed(station_setup& s, const std::filesystem::path& asrun_file, core::instant now,
                   core::logger& log) {
    std::error_code ec;
    if (!std::filesystem::exists(asrun_file, ec)) {
        return;
    }
    try {
        const asrun::store store(asrun_file, asrun::open_mode::read_only);
        for (auto& ch : s.channels) {
            if (!ch.plan) {
                continue;
            }
            const auto& sched = *ch.plan->input().sched;
            const bool makes_good =
                std::any_of(sched.campaigns.begin(), sched.campaigns.end(),
                            [](const auto& c) { return c.make_good_within.has_value(); });
            if (!makes_good) {
                continue;
            }
            auto in = ch.plan->input();
            in.missed = missed_spots(store, ch.channel.id, now - make_good_lookback, now);
            if (!in.missed.empty()) {
                ch.plan = std::make_shared<planner::planner>(std::move(in));
            }
        }
    } catch (const std::exception& e) {
        log.warning("the as-run cannot be read for make-goods; planning without them", "reason",
                    e.what());
    }
}

void warm_plans(const station_setup& s, core::instant now, core::milliseconds ahead) {
    for (const auto& ch : s.channels) {
        if (ch.plan) {
            ch.plan->plan_window(now, now + ahead);
        }
    }
}

std::size_t probe_station_media(const station_setup& s, core::logger& log,
                                const std::atomic<bool>& cancel) {
    using namespace std::chrono_literals;
    media::prober prober(probe_cache_of(s.cfg));
    std::size_t decoded = 0;
    auto last_save = std::chrono::steady_clock::now();
    for (const auto& ch : s.channels) {
        if (!ch.plan) {
            continue;
        }
        for (const auto& [id, m] : ch.plan->input().sched->media) {
            if (cancel) {
                break;
            }
            const auto before = prober.decoded();
            const auto r = prober.probe(m.file);
            if (prober.decoded() == before) {
                continue;
            }
            ++decoded;
            if (!r.ok) {
                log.warning("media cannot air", "channel", ch.channel.id, "media", id, "file",
                            m.file.string(), "reason", r.error);
            }
            if (std::chrono::steady_clock::now() - last_save > 5s) {
                prober.save();
                last_save = std::chrono::steady_clock::now();
            }
        }
    }
    if (!prober.save()) {
        log.warning("the probe cache cannot be saved", "reason", prober.save_error());
    }
    return decoded;
}

} // namespace onair::service
