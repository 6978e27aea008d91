// The daemon's wiring: who owns what, and the order things start and stop in. The jobs live in
// their own files: station.cpp (loading), channel_runner.cpp (airing a channel),
// api_backend.cpp (the HTTP API's view), metrics_bridge.cpp, heartbeat.cpp, state_lock.cpp.
//
// Threads: the io_context thread owns every runner and all daemon state. A small worker pool
// loads and probes (reload, background probing) and posts results back to the loop; GStreamer's
// streaming threads only post to the pipelines' buses. Every handler is a catch boundary: what
// goes wrong in one is logged and counted, and the loop turns on.

#include "service/daemon.hpp"

#include "asrun/export.hpp"
#include "asrun/store.hpp"
#include "asrun/writer.hpp"
#include "asrun_pg/sink.hpp"
#include "control/event_hub.hpp"
#include "control/metrics.hpp"
#include "control/server.hpp"
#include "service/api_backend.hpp"
#include "service/asrun_log.hpp"
#include "service/channel_runner.hpp"
#include "service/console_feed.hpp"
#include "service/heartbeat.hpp"
#include "service/metrics_bridge.hpp"
#include "service/playout_engine.hpp"
#include "service/state_lock.hpp"
#include "service/teardown.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <future>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

namespace onair::service {

namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;

// A channel whose output has not moved for this long is not airing (health, metrics).
constexpr auto stall_after = std::chrono::seconds(10);
// Threads for loading, probing and planning off the loop: few, and below the streaming
// threads' priority, so that work never takes the cores that encode the air.
constexpr int pool_threads = 2;
constexpr int pool_nice = 10;
// How long start-up waits for media the probe cache does not know before it goes on air.
constexpr auto startup_probe_budget = std::chrono::seconds(5);
// How often the files of media that had no length (missing when their schedule was read) are
// looked for again (recheck_missing_media).
constexpr std::uint64_t media_recheck_every = 10;

// Runs `job` on a pool thread at a lower priority (Linux: nice is per thread).
template <class Job> auto niced(Job job) {
    return [job = std::move(job)]() mutable {
        static thread_local bool lowered = false;
        if (!lowered) {
            lowered = true;
            ::setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), pool_nice);
        }
        job();
    };
}

class daemon final {
public:
    daemon(run_options o, const clock& wall, core::logger& log)
        : options_(std::move(o)), wall_(wall), log_(log), signals_(io_, SIGINT, SIGTERM, SIGHUP),
          pool_(pool_threads) {}

    // Pool jobs hold references into the daemon (and the API's cursors): they end first.
    ~daemon() {
        stopping_ = true;
        pool_.stop();
        pool_.join();
        api_.reset();
    }

    int run() {
        station_setup s;
        try {
            s = load_station(options_, log_, false, probing::cache_only);
        } catch (const std::invalid_argument& e) {
            log_.error(e.what());
            return 2;
        } catch (const std::exception& e) {
            std::cerr << e.what();
            log_.error("the config cannot be loaded; nothing airs", "config",
                       options_.config.string());
            return 1;
        }
        cfg_ = s.cfg;
        source_ = s.source;
        source_diags_ = s.diags;
        const fs::path state = cfg_.state_dir.empty() ? fs::path("var") : cfg_.state_dir;
        try {
            lock_ = std::make_unique<state_lock>(state);
        } catch (const std::exception& e) {
            log_.error(e.what());
            return 1;
        }
        heartbeat_file_ = state / "onair.alive";
        asrun_file_ = asrun::store_file(state);
        // The store is opened by the writer's thread: one that is locked, full or read-only
        // costs no air, its rows wait in the spill journal.
        writer_ = std::make_unique<asrun::writer>(state, log_);
        writer_->close_interrupted(heartbeat::last_alive(heartbeat_file_, wall_.now()));
        start_sink();
        // every completed row also goes to the console's feed (`asrun` event)
        rows_ = std::make_unique<announcing_log>(
            std::make_unique<writer_log>(*writer_), [this](const asrun::airing& row) {
                if (events_ && !stopping_) { // (the daemon going: the feed may be gone)
                    events_->publish("asrun", asrun::json_object(row));
                }
            });
        heartbeat_ =
            std::make_unique<heartbeat>(io_, heartbeat_file_, wall_, log_,
                                        heartbeat::hooks{[this] { each_second(); },
                                                         [this](std::chrono::microseconds late) {
                                                             metrics_.observe_loop_tick(late);
                                                         }});
        heartbeat_->beat_file();

        // Media the probe cache does not know are decoded on the pool. A small library is done
        // within the start-up budget and airs complete from the first item; a large one starts
        // with what is known (declared lengths, the cache) and the rest joins the plans as it
        // is probed, so that a cold cache never holds back air (or systemd's start timeout).
        if (s.unprobed() > 0) {
            auto probed = probe_in_background(s);
            if (probed.wait_for(startup_probe_budget) == std::future_status::ready) {
                started_with_all_probed_ = true;
                s = rebuild_station(s, options_, log_, probing::cache_only);
            } else {
                log_.warning("going on air before every media file is probed; the rest is "
                             "probed in the background",
                             "files", s.unprobed());
            }
        }
        // spots owed a make-good: the rows a crash left open are closed first (interrupted)
        writer_->flush(std::chrono::seconds(2));
        attach_missed(s, asrun_file_, wall_.now(), log_);
        for (auto& setup : s.channels) {
            start_channel(std::move(setup));
        }
        start_api();
        wait_signal();
        // READY once the loop runs: channels that are still coming up, or down, show in health
        heartbeat_->start();
        turn_loop();
        return 0;
    }

private:
    // Asio hands an exception thrown by a handler to run(): the loop's last catch boundary.
    void turn_loop() {
        for (;;) {
            try {
                io_.run();
                return;
            } catch (const std::exception& e) {
                metrics_.count_internal_error("loop");
                log_.error("internal error; the station airs on", "where", "loop", "reason",
                           e.what());
            }
        }
    }

    // Once a second, on the heartbeat: the metrics, and the chain head published each hour.
    void each_second() {
        refresh_metrics();
        if (++seconds_ % media_recheck_every == 0) {
            recheck_missing_media();
        }
        const auto st = writer_->status();
        if (st.chain_head && *st.chain_head != published_head_ &&
            (wall_.now() - head_published_at_ >= std::chrono::hours(1) ||
             published_head_.empty())) {
            publish_chain_head();
        }
    }

    // The chain head in the log (and the metric) lets `onair asrun --verify --head HASH` prove
    // later that no row was taken off the end of the log since.
    void publish_chain_head() {
        const auto st = writer_->status();
        if (!st.chain_head) {
            return;
        }
        published_head_ = *st.chain_head;
        head_published_at_ = wall_.now();
        log_.info("as-run chain head", "head", *st.chain_head, "waiting", st.waiting);
    }

    std::vector<std::string> degraded() const {
        std::vector<std::string> out;
        const auto st = writer_->status();
        if (!st.store_ok) {
            out.push_back("as-run store: " + st.reason + " (" + std::to_string(st.waiting) +
                          " rows wait in the spill journal)");
        }
        if (st.lost > 0) {
            out.push_back("as-run store: " + std::to_string(st.lost) + " rows lost");
        }
        return out;
    }

    std::vector<channel_runner*> runner_list() {
        std::vector<channel_runner*> out;
        for (auto& r : runners_) {
            out.push_back(r.get());
        }
        return out;
    }

    // The as-run sink (asrun_sink), when the config has one: its own thread reads the store
    // and ships to PostgreSQL; nothing of it reaches the loop but its status.
    void start_sink() {
        if (!cfg_.sink) {
            return;
        }
        asrun_pg::sink_options o;
        o.dsn = cfg_.sink->dsn;
        o.station = cfg_.sink->station;
        o.store_file = asrun_file_;
        sink_ = std::make_unique<asrun_pg::sink>(o, log_);
    }

    // A reload that changes asrun_sink: the old sink stops on the pool (it may be waiting on
    // the database), the new one starts at once and resumes where the database says.
    void replace_sink(const std::optional<schedule::asrun_sink>& next) {
        if (next == cfg_.sink) {
            return;
        }
        if (sink_) {
            std::shared_ptr<asrun_pg::sink> old(std::move(sink_));
            asio::post(pool_, [old]() mutable { old.reset(); });
        }
        cfg_.sink = next;
        start_sink();
    }

    void refresh_metrics() {
        const auto now = wall_.now();
        for (auto& r : runners_) {
            bridge_.update(*r, now, stall_after);
        }
        const auto st = writer_->status();
        metrics_.set_asrun_store_up(st.store_ok);
        metrics_.set_asrun_waiting_rows(st.waiting);
        metrics_.set_asrun_spilled_rows(st.spilled_total);
        if (st.chain_head) {
            metrics_.set_chain_head(*st.chain_head);
        }
        if (sink_) {
            const auto sink = sink_->status();
            metrics_.set_asrun_sink(sink.connected, sink.lag(), sink.shipped_total);
        }
        metrics_.sample_process();
    }

    // The HTTP API: loopback unless the operator says otherwise. If it cannot start (the port
    // taken, the token file unreadable) the channels air on and the error is logged.
    void start_api() {
        station_view view;
        view.runners = [this] { return runner_list(); };
        view.config = [this]() -> const schedule::config& { return cfg_; };
        view.asrun_file = [this] { return asrun_file_; };
        view.now = [this] { return wall_.now(); };
        view.version = options_.version;
        view.reload = [this](control::completion<control::reload_result> done) {
            reload(std::move(done));
        };
        view.degraded = [this] { return degraded(); };
        view.refresh_metrics = [this] { refresh_metrics(); };
        view.stall_after = stall_after;
        events_ = std::make_unique<control::event_hub>(io_);
        view.subscribe = [this] { return events_->subscribe(); };
        backend_ = std::make_unique<api_backend>(std::move(view), io_, pool_);
        feed_ = std::make_unique<console_feed>(
            io_, *events_, [this] { return backend_->channels(); }, [this] { return wall_.now(); },
            [this] { return backend_->health(); });
        feed_->start();
        control::server_options opts;
        try {
            opts = api_options(cfg_);
        } catch (const std::exception& e) {
            log_.error("the HTTP API cannot start; the channels air on without it", "reason",
                       e.what());
            return;
        }
        // binds now or keeps retrying with backoff (the port may be held a while)
        api_ = std::make_unique<control::server>(io_, *backend_, registry_, opts, log_, &metrics_);
        api_->start();
    }

    // Reads the token file: throws when it cannot.
    control::server_options api_options(const schedule::config& cfg) {
        auto opts = control::options_from(cfg.api);
        opts.now = [this] { return wall_.now(); };
        opts.station = cfg.station;
        opts.national = !cfg.api.national_db.empty();
        return opts;
    }

    std::unique_ptr<channel_runner> make_runner(channel_setup setup) {
        runner_options o;
        o.teardown = &teardown_;
        // after the runner's turn: several misses of one turn make one new plan
        o.on_missed = [this, id = setup.channel.id] {
            asio::post(io_, [this, id] { plan_make_goods(id); });
        };
        return std::make_unique<channel_runner>(io_, setup.channel, setup.plan,
                                                std::move(setup.facts), *rows_,
                                                playout_engines(log_), wall_, log_, o);
    }

    void start_channel(channel_setup setup) {
        runners_.push_back(make_runner(std::move(setup)));
        runners_.back()->start();
    }

    void wait_signal() {
        signals_.async_wait([this](boost::system::error_code ec, int sig) {
            if (ec) {
                return;
            }
            try {
                if (sig == SIGHUP) {
                    reload(nullptr);
                    wait_signal();
                    return;
                }
                shutdown(sig == SIGTERM ? "SIGTERM" : "SIGINT");
            } catch (const std::exception& e) {
                metrics_.count_internal_error("signal");
                log_.error("internal error; the station airs on", "where", "signal", "reason",
                           e.what());
                if (sig == SIGHUP) {
                    wait_signal();
                } else {
                    io_.stop();
                }
            }
        });
    }

    void shutdown(const std::string& why) {
        log_.info("stopping", "reason", why);
        if (feed_) {
            feed_->stop();
            events_->close_all(); // the console's streams end: the browser sees it at once
        }
        if (api_) {
            api_->stop();
        }
        for (auto& r : runners_) {
            r->stop("the daemon stopped (" + why + ")");
        }
        // every channel's outputs drain at once, each on its own thread: files are finalised
        teardown_.wait();
        signals_.cancel();
        // what the runners closed reaches SQLite (or the journal) before the head is published
        if (!writer_->flush(std::chrono::seconds(5))) {
            log_.warning("the as-run writer did not finish in time; its journal keeps the rest");
        }
        publish_chain_head();
        heartbeat_->stop();
        io_.stop();
    }

    // Decodes on the pool what the probe cache did not know at start-up. The future is ready
    // once everything is probed; the plans of the channels that use the media are then rebuilt
    // with their lengths and facts (unless start-up waited for them, or a reload has replaced
    // those plans in the meantime).
    std::future<void> probe_in_background(const station_setup& s) {
        log_.info("probing media", "files", s.unprobed());
        probing_ = true;
        auto probed = std::make_shared<std::promise<void>>();
        auto future = probed->get_future();
        asio::post(pool_, niced([this, s, probed] {
                       std::size_t decoded = 0;
                       try {
                           decoded = probe_station_media(s, log_, stopping_);
                       } catch (const std::exception& e) {
                           log_.error("probing failed", "reason", e.what());
                       }
                       probed->set_value();
                       try {
                           auto fresh = std::make_shared<station_setup>(
                               rebuild_station(s, options_, log_, probing::cache_only));
                           attach_missed(*fresh, asrun_file_, wall_.now(), log_);
                           warm_plans(*fresh, wall_.now(), runner_options{}.horizon);
                           asio::post(io_, [this, fresh, decoded] {
                               probing_ = false;
                               log_.info("media probed", "decoded", decoded);
                               if (!started_with_all_probed_) {
                                   take_probed(*fresh);
                               }
                           });
                       } catch (const std::exception& e) {
                           log_.error("probing failed", "reason", e.what());
                           asio::post(io_, [this] { probing_ = false; });
                       }
                   }));
        return future;
    }

    // A media file that was missing when its schedule was loaded (a reload while it was being
    // copied, a share not mounted yet) has no length, so its spots are not planned. Every
    // `media_recheck_every` seconds the files of such media are looked at on the pool; when one
    // is there again, the station is built again (its media probed) and the channels that use it
    // take the new plans, as after background probing. A file that is there but cannot be
    // decoded is tried once, not every time.
    void recheck_missing_media() {
        if (rechecking_ || reloading_ || probing_ || !source_) {
            return;
        }
        std::vector<fs::path> files;
        for (auto& r : runners_) {
            if (!r->plan()) {
                continue;
            }
            const auto& in = r->plan()->input();
            for (const auto& [id, m] : in.sched->media) {
                if (in.media_durations.count(id) == 0) {
                    files.push_back(m.file);
                }
            }
        }
        if (files.empty()) {
            missing_media_.clear();
            return;
        }
        rechecking_ = true;
        asio::post(pool_, niced([this, files, seen = missing_media_, source = source_,
                                 diags = source_diags_] {
                       std::map<fs::path, bool> now; // file -> there (and not tried yet)
                       std::size_t back = 0;
                       for (const auto& f : files) {
                           std::error_code ec;
                           const bool there = fs::is_regular_file(f, ec);
                           const auto it = seen.find(f);
                           const bool tried = it != seen.end() && it->second;
                           if (there && !tried) {
                               ++back;
                           }
                           now[f] = there; // there: tried now (or before)
                       }
                       std::shared_ptr<station_setup> fresh;
                       if (back > 0) {
                           try {
                               station_setup from;
                               from.source = source;
                               from.diags = diags;
                               fresh = std::make_shared<station_setup>(
                                   rebuild_station(from, options_, log_, probing::decode));
                               attach_missed(*fresh, asrun_file_, wall_.now(), log_);
                               warm_plans(*fresh, wall_.now(), runner_options{}.horizon);
                           } catch (const std::exception& e) {
                               log_.error("replanning with the media that came back failed",
                                          "reason", e.what());
                           }
                       }
                       asio::post(io_, [this, now, fresh, back] {
                           rechecking_ = false;
                           missing_media_ = now;
                           if (fresh) {
                               log_.info("media files are back; their spots are planned again",
                                         "files", back);
                               take_probed(*fresh);
                           }
                       });
                   }));
    }

    void take_probed(station_setup& fresh) {
        for (auto& setup : fresh.channels) {
            channel_runner* r = find(setup.channel.id);
            if (r && r->plan() && setup.plan &&
                r->plan()->input().sched == setup.plan->input().sched) {
                r->replace_plan(setup.plan, std::move(setup.facts));
            }
        }
    }

    // A channel's spots that did not air (reported by its runner) go into a new plan built on
    // the pool, with their make-goods; the runner takes it unless a reload came first. One
    // build per channel at a time: misses reported meanwhile wait for the next.
    void plan_make_goods(const std::string& id) {
        channel_runner* r = find(id);
        if (stopping_ || r == nullptr || !r->plan() || !r->owes_make_goods() ||
            make_goods_building_.count(id) != 0) {
            return;
        }
        auto from = r->plan();
        auto in = from->input();
        for (auto& m : r->take_missed()) {
            in.missed.push_back(std::move(m));
        }
        make_goods_building_.insert(id);
        asio::post(pool_, niced([this, id, from, in = std::move(in)]() mutable {
                       std::shared_ptr<planner::planner> plan;
                       try {
                           plan = std::make_shared<planner::planner>(std::move(in));
                           const auto now = wall_.now();
                           plan->plan_window(now, now + runner_options{}.horizon);
                       } catch (const std::exception& e) {
                           log_.error("planning make-goods failed", "channel", id, "reason",
                                      e.what());
                       }
                       asio::post(io_, [this, id, from, plan] {
                           make_goods_building_.erase(id);
                           channel_runner* runner = find(id);
                           if (runner == nullptr || stopping_) {
                               return;
                           }
                           if (plan) {
                               runner->take_make_goods(from, plan);
                           }
                           plan_make_goods(id); // what was missed meanwhile
                       });
                   }));
    }

    channel_runner* find(const std::string& id) {
        for (auto& r : runners_) {
            if (r->channel().id == id) {
                return r.get();
            }
        }
        return nullptr;
    }

    // SIGHUP and POST /reload: the station is loaded on the pool (files read, media probed,
    // plans built, the token file read); the loop swaps it in when it is complete. A reload
    // asked for while one runs is done once more after it, and answers every caller that
    // waited: a storm of SIGHUPs is one or two reloads.
    void reload(control::completion<control::reload_result> done) {
        if (done) {
            reload_waiters_.push_back(std::move(done));
        }
        if (reloading_) {
            reload_again_ = true;
            return;
        }
        reloading_ = true;
        reload_again_ = false;
        log_.info("reloading", "config", options_.config.string());
        auto waiters = std::make_shared<std::vector<control::completion<control::reload_result>>>(
            std::exchange(reload_waiters_, {}));
        asio::post(pool_, niced([this, waiters] {
                       auto loaded = std::make_shared<loaded_station>(load_for_reload());
                       asio::post(io_, [this, loaded, waiters] {
                           control::reload_result out = swap_in(*loaded);
                           if (events_) {
                               events_->publish("reload", control::reload_json_text(out));
                           }
                           for (auto& w : *waiters) {
                               w(out);
                           }
                           reloading_ = false;
                           if (reload_again_ || !reload_waiters_.empty()) {
                               reload(nullptr);
                           }
                       });
                   }));
    }

    struct loaded_station {
        std::optional<station_setup> setup;
        std::optional<control::server_options> api;
        core::diagnostics errors;
    };

    // On the pool: everything a reload reads, or every reason it cannot.
    loaded_station load_for_reload() {
        loaded_station out;
        try {
            out.setup = load_station(options_, log_, true, probing::decode);
            attach_missed(*out.setup, asrun_file_, wall_.now(), log_);
            warm_plans(*out.setup, wall_.now(), runner_options{}.horizon);
            out.api = api_options(out.setup->cfg);
        } catch (const load_error& e) {
            out.setup.reset();
            out.errors = e.diags;
        } catch (const std::exception& e) {
            out.setup.reset();
            core::diagnostic d;
            d.where.file = options_.config.string();
            d.message = e.what();
            out.errors.add(d);
        }
        return out;
    }

    // On the loop: swaps a loaded station in, or keeps the old one on air.
    control::reload_result swap_in(loaded_station& l) {
        control::reload_result out;
        if (!l.setup) {
            refuse_reload(l.errors);
            out.diagnostics = l.errors.all();
            return out;
        }
        for (const auto& d : l.setup->diags.all()) {
            out.diagnostics.push_back(d); // warnings only
        }
        apply(std::move(*l.setup));
        if (api_ && l.api) {
            api_->reconfigure(*l.api); // a changed listen address or token takes effect now
        }
        for (const auto& r : runners_) {
            out.channels.push_back(r->channel().id);
        }
        return out;
    }

    void refuse_reload(const core::diagnostics& diags) {
        log_.error("reload failed; the old schedule stays on air", "config",
                   options_.config.string(), "errors", diags.error_count());
        std::istringstream lines(diagnostics_text(diags));
        for (std::string line; std::getline(lines, line);) {
            log_.error(line);
        }
        metrics_.set_reload(false, wall_.now());
    }

    // parse -> validate -> plan (done by the caller) -> swap: channels whose pipeline shape
    // changed are rebuilt alone; the others take the new plan; channels gone go off air.
    void apply(station_setup s) {
        source_ = s.source;
        source_diags_ = s.diags;
        std::set<std::string> ids;
        for (auto& setup : s.channels) {
            ids.insert(setup.channel.id);
            auto it = std::find_if(runners_.begin(), runners_.end(), [&](const auto& r) {
                return r->channel().id == setup.channel.id;
            });
            if (it == runners_.end()) {
                start_channel(std::move(setup));
            } else if (same_air(setup.channel, (*it)->channel())) {
                (*it)->replace_plan(setup.plan, std::move(setup.facts));
            } else {
                log_.info("the channel's format or outputs changed; restarting it", "channel",
                          setup.channel.id);
                (*it)->stop("reload changed the channel's format or outputs");
                bridge_.retire(**it, wall_.now(), stall_after);
                *it = make_runner(std::move(setup));
                (*it)->start();
            }
        }
        for (auto it = runners_.begin(); it != runners_.end();) {
            if (ids.count((*it)->channel().id) != 0) {
                ++it;
                continue;
            }
            log_.info("the channel is no longer in the config; taking it off air", "channel",
                      (*it)->channel().id);
            (*it)->stop("reload removed the channel");
            bridge_.retire(**it, wall_.now(), stall_after);
            it = runners_.erase(it);
        }
        replace_sink(s.cfg.sink);
        cfg_ = s.cfg;
        metrics_.set_reload(true, wall_.now());
        log_.info("reloaded");
    }

    run_options options_;
    const clock& wall_;
    core::logger& log_;
    asio::io_context io_;
    asio::signal_set signals_;
    asio::thread_pool pool_;
    schedule::config cfg_;
    std::unique_ptr<state_lock> lock_;
    fs::path heartbeat_file_;
    fs::path asrun_file_;
    std::unique_ptr<asrun::writer> writer_;
    std::unique_ptr<asrun_pg::sink> sink_;
    std::unique_ptr<airing_log> rows_;
    // Declared before the runners: engines they retire are finished before it goes.
    threaded_teardown teardown_{log_};
    std::vector<std::unique_ptr<channel_runner>> runners_;
    control::metrics::registry registry_;
    control::metrics::station_metrics metrics_{registry_};
    metrics_bridge bridge_{metrics_};
    std::unique_ptr<heartbeat> heartbeat_;
    std::unique_ptr<control::event_hub> events_; // the console's live feed (GET /api/v1/events)
    std::unique_ptr<console_feed> feed_;
    std::string published_head_;
    core::instant head_published_at_{};
    std::atomic<bool> stopping_{false};
    bool started_with_all_probed_ = false;
    // recheck_missing_media: the source the runners' plans were built from, and the files of
    // media without a length seen at the last look (true: there, already tried)
    std::shared_ptr<const schedule::station> source_;
    core::diagnostics source_diags_;
    std::map<fs::path, bool> missing_media_;
    bool rechecking_ = false;
    std::set<std::string> make_goods_building_; // channels whose make-good plan is being built
    bool probing_ = false; // background probing runs: it plans what it probes itself
    std::uint64_t seconds_ = 0;
    bool reloading_ = false;
    bool reload_again_ = false;
    std::vector<control::completion<control::reload_result>> reload_waiters_;
    std::unique_ptr<api_backend> backend_;
    std::unique_ptr<control::server> api_; // declared last: stopped before the rest goes
};

} // namespace

int run(const run_options& options, const clock& wall, core::logger& log) {
    daemon d(options, wall, log);
    return d.run();
}

} // namespace onair::service
