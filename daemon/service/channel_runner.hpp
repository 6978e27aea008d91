#pragma once

// Airs one channel: plans it in a rolling window, hands each item to the engine a lead ahead of
// its start, and writes every airing with the time it really went to air, taken from the
// pipeline. The rules it keeps are listed in docs/run.md and unit-tested one by one
// (tests/unit/service/channel_runner_test.cpp) with a fake engine and a manual clock.
//
// Lives on the daemon's io_context thread. The engine's events come in through its poll fd and
// a short timer calls tick(), which does everything else; tests call tick() themselves.
// Nothing here throws out of a handler: a failure of the engine is the channel's alone (it is
// rebuilt with backoff while the other channels air on).

#include "core/log.hpp"
#include "planner/planner.hpp"
#include "schedule/model.hpp"
#include "service/airing_log.hpp"
#include "service/clock.hpp"
#include "service/cue_queue.hpp"
#include "service/engine.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace onair::service {

using namespace std::chrono_literals;

struct runner_options {
    core::milliseconds lead = 5s;          // clips are prepared this long before they air
    core::milliseconds join_lead = 3s;     // a programme under way is joined this far ahead
    core::milliseconds shortest_join = 2s; // ... unless less than this of it is left
    core::milliseconds horizon = 6h;       // the plan looks this far ahead
    core::milliseconds replan_every = 1min;
    std::chrono::milliseconds tick = 40ms;    // engine checks, clock watch, taking due items
    core::milliseconds slew_tolerance = 20ms; // wall against pipeline clock: re-anchored above
    core::milliseconds step_tolerance = 1s;   // ... and treated as a clock step above
    // An output that has not moved for this long is a stalled pipeline: it is rebuilt.
    std::chrono::milliseconds stall_restart = 5s;
    // A clip still on the pipeline this long after its planned end has stopped delivering (a
    // hung decoder, a file that stopped growing): the runner takes it off and logs it failed.
    std::chrono::milliseconds hung_grace = 500ms;
    // A pipeline that cannot be built is tried again after retry_min, doubling to retry_max.
    std::chrono::milliseconds retry_min = 1s;
    std::chrono::milliseconds retry_max = 30s;
    // Where engines the runner is done with are finished and stopped. Null: at once, on the
    // runner's thread (the unit tests); the daemon hands them to threads of their own.
    engine_teardown* teardown = nullptr;
    // Called (on the runner's thread) when a spot of a campaign that makes good did not air:
    // the daemon builds a plan with it (take_missed, then take_make_goods). Null: not asked.
    std::function<void()> on_missed;
};

// What is known of a media file at load: its loudness correction and its SHA-256.
struct media_facts {
    double gain_db = 0;
    std::optional<std::string> sha256;
};

// What the runner reports about itself (the API's now/next, metrics, health).
struct channel_state {
    bool on_air = false;              // the pipeline is running
    std::optional<planner::item> now; // the item on air, if any (else filler)
    std::optional<core::instant> now_actual_start;
    bool now_kind_insert = false;      // the item on air is an operator insert
    std::optional<planner::item> next; // the next item prepared or planned
    std::uint64_t aired = 0, failed = 0, skipped = 0, truncated = 0, interrupted = 0;
    std::optional<core::milliseconds> last_start_error;
    core::milliseconds filler{0}; // how long filler has aired (nothing else on air)
    std::optional<core::instant> plan_horizon;
    std::chrono::steady_clock::time_point output_moved{}; // when the output last advanced
    std::vector<playout::output_status> outputs;          // each output's state
    std::uint64_t restarts = 0;        // times the pipeline was rebuilt (failed, or output stalled)
    std::uint64_t internal_errors = 0; // exceptions caught at the runner's handlers
    std::string down_reason;           // why the channel is off air (empty while on air)
    std::optional<std::chrono::milliseconds> retry_backoff; // while down: the current backoff
};

class channel_runner {
public:
    channel_runner(boost::asio::io_context& io, const schedule::channel& channel,
                   std::shared_ptr<planner::planner> plan, std::map<std::string, media_facts> facts,
                   airing_log& log_rows, engine_factory make_engine, const clock& clk,
                   core::logger& log, runner_options options = {});
    ~channel_runner();
    channel_runner(const channel_runner&) = delete;
    channel_runner& operator=(const channel_runner&) = delete;

    // Puts the channel on air and starts its timer. Never throws: a pipeline that cannot be
    // built leaves the channel down (state().down_reason) and is tried again with backoff.
    void start();
    // Takes the channel off air: items on air are closed `interrupted`, file outputs finalised.
    void stop(const std::string& why);
    // One turn of the runner (the timer calls it every `tick`; tests call it by hand).
    void tick();

    // Operator insert: `media` (of the channel's schedule) airs after the item on air and after
    // every insert already queued, on a whole second at least join_lead ahead, logged with kind
    // `insert`; planned items whose slot it takes are logged `skipped`. The error (unknown
    // media, length unknown, channel down) when it cannot.
    std::variant<planner::item, std::string> insert(const std::string& media);
    // Operator skip: the item on air now ends now (logged `skipped`) and the filler shows until
    // the next item. What was taken off, or nothing when filler was airing.
    std::optional<planner::item> skip();

    // A new plan (reload, or durations found by background probing): every item not yet
    // prepared comes from it from now on.
    void replace_plan(std::shared_ptr<planner::planner> plan,
                      std::map<std::string, media_facts> facts);

    // The missed spots reported through runner_options::on_missed since the last call.
    std::vector<planner::missed_spot> take_missed() { return std::exchange(missed_, {}); }
    bool owes_make_goods() const { return !missed_.empty(); }
    // The plan built with them: it replaces `built_from` (unless a reload replaced that
    // meanwhile) and the channel is replanned from now, its media facts kept.
    void take_make_goods(const std::shared_ptr<planner::planner>& built_from,
                         std::shared_ptr<planner::planner> plan);

    const schedule::channel& channel() const { return channel_; }
    const std::shared_ptr<planner::planner>& plan() const { return plan_; }
    // The console's view of the mix while the channel airs (null/empty otherwise).
    std::shared_ptr<const std::string> preview() { return engine_ ? engine_->preview() : nullptr; }
    std::optional<playout::audio_levels> levels() const {
        return engine_ ? engine_->levels() : std::nullopt;
    }
    // Start errors observed since the last call (for the metrics histogram).
    std::vector<core::milliseconds> take_start_errors() { return std::exchange(start_errors_, {}); }
    channel_state state() const;
    // On air and its output moved within stall_after.
    bool airing(std::chrono::milliseconds stall_after) const;

private:
    struct on_engine; // an item handed to the engine
    void arm_bus();
    void arm_timer();
    bool try_start();
    void go_down(const std::string& why);
    void turn();
    void replan(core::instant now);
    void take_due(core::instant now);
    void watch_clock(core::instant now);
    void record_due_failures(core::instant now);
    void end_hung_clips(core::instant now);
    void on_event(const playout::event& e);
    void on_started(on_engine& entry, const playout::event& e);
    void on_ended(on_engine& entry, const playout::event& e);
    void on_failed(std::uint64_t serial, on_engine& entry, const playout::event& e);
    void clear_now(const planner::item& item);
    void rebuild(const std::string& why);
    void retire_engine(bool finish);
    void close_on_air(asrun::airing_status status, const std::string& why);
    void log_row(const planner::item& it, bool insert, asrun::airing_status status,
                 const std::string& detail);
    // A planned spot that did not air (failed, skipped, or cut after `aired` of it): owed a
    // make-good when its campaign makes good.
    void missed(const planner::item& it, bool insert, core::milliseconds aired);
    asrun::airing row_for(const planner::item& it, bool insert = false) const;
    void hand(const cue& c, bool insert);
    void drop_for_insert(core::instant from, core::instant to);
    core::instant wall_of(playout::nanoseconds rt) const;
    playout::nanoseconds running_time_of(core::instant t) const;

    boost::asio::io_context& io_;
    schedule::channel channel_;
    std::shared_ptr<planner::planner> plan_;
    std::map<std::string, media_facts> facts_;
    airing_log& rows_;
    engine_factory make_engine_;
    const clock& clock_;
    core::logger& log_;
    runner_options options_;

    std::unique_ptr<engine> engine_; // null while the channel is down
    // Cleared when the engine is retired: its events (a teardown thread draining it) are
    // dropped rather than reaching a runner that has moved on.
    std::shared_ptr<std::atomic<bool>> engine_live_;
    boost::asio::posix::stream_descriptor bus_;
    boost::asio::steady_timer timer_;
    cue_queue queue_;
    std::map<std::uint64_t, std::unique_ptr<on_engine>> cued_; // by engine serial
    std::map<std::uint64_t, std::string> pending_failures_;    // failed inside schedule_clip
    // wall instant <-> pipeline running time, sampled together
    core::instant anchor_wall_{};
    playout::nanoseconds anchor_rt_{0};
    std::optional<core::instant> last_replan_;
    playout::nanoseconds last_position_{-1};
    channel_state state_;
    std::vector<core::milliseconds> start_errors_;
    std::vector<planner::missed_spot> missed_; // reported, not yet taken by the daemon
    std::chrono::steady_clock::time_point last_tick_{};
    bool started_ = false; // start() was called and stop() was not
    int failures_ = 0;     // pipelines in a row that could not be built or died at once
    std::chrono::steady_clock::time_point retry_at_{};
};

} // namespace onair::service
