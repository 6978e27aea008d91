#pragma once

// Airs one channel: plans it in a rolling window, hands each item to the playout engine a lead
// ahead of its start, and writes every airing to the as-run store with the time it really went
// to air, taken from the pipeline. Lives on the daemon's io_context thread: the engine's bus
// comes in through its poll fd, and a short timer does the rest.

#include "asrun/store.hpp"
#include "planner/planner.hpp"
#include "playout/engine.hpp"
#include "schedule/model.hpp"
#include "service/clock.hpp"
#include "service/cue_queue.hpp"
#include "core/log.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
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
    std::chrono::milliseconds tick = 40ms; // engine checks, clock watch, taking due items
    core::milliseconds slew_tolerance = 20ms; // wall against pipeline clock: re-anchored above
    core::milliseconds step_tolerance = 1s;   // ... and treated as a clock step above
    // An output that has not moved for this long is a stalled pipeline: it is rebuilt (the
    // daemon stops feeding systemd's watchdog if the channel still does not move after
    // twice this).
    std::chrono::milliseconds stall_restart = 5s;
};

// Fault injection for the stall tests, from ONAIR_TEST_STALL="CHANNEL:SECONDS[:once]": from
// SECONDS after the channel first goes on air its output is blocked (engine inject_stall()),
// and so is every pipeline rebuilt after that unless `once`. Nullopt when the variable is unset
// or names another channel; std::invalid_argument when it cannot be read.
struct stall_fault {
    std::chrono::milliseconds after{0};
    bool once = false;
};
std::optional<stall_fault> stall_fault_for(const std::string& channel_id, const char* spec);

// What is known of a media file at load: its loudness correction and its SHA-256.
struct media_facts {
    double gain_db = 0;
    std::optional<std::string> sha256;
};

// What the runner reports about itself (the API's now/next, metrics, the watchdog).
struct channel_state {
    bool on_air = false;                 // the pipeline is running
    std::optional<planner::item> now;    // the item on air, if any (else filler)
    std::optional<core::instant> now_actual_start;
    bool now_kind_insert = false;        // the item on air is an operator insert
    std::optional<planner::item> next;   // the next item prepared or planned
    std::uint64_t aired = 0, failed = 0, skipped = 0, truncated = 0, interrupted = 0;
    std::optional<core::milliseconds> last_start_error;
    core::milliseconds filler{0};        // how long filler has aired (nothing else on air)
    std::optional<core::instant> plan_horizon;
    std::chrono::steady_clock::time_point output_moved{}; // when the output last advanced
    std::vector<playout::output_status> outputs;          // each output's state
    std::uint64_t restarts = 0; // times the pipeline was rebuilt (failed, or output stalled)
};

class channel_runner {
public:
    channel_runner(boost::asio::io_context& io, const schedule::channel& channel,
                   std::shared_ptr<planner::planner> plan, std::map<std::string, media_facts> facts,
                   asrun::store& store, const clock& wall, core::logger& log, runner_options options = {});
    ~channel_runner();
    channel_runner(const channel_runner&) = delete;
    channel_runner& operator=(const channel_runner&) = delete;

    // Builds the pipeline and puts the channel on air. Throws std::runtime_error if it cannot.
    void start();
    // Takes the channel off air: items on air are closed `interrupted`, file outputs finalised.
    void stop(const std::string& why);

    // Operator insert: `media` (of the channel's schedule) airs right after the item on air (or
    // in a few seconds when filler airs), logged with kind `insert`; planned items whose slot
    // it takes are logged `skipped`. The error (unknown media, length unknown) when it cannot.
    std::variant<planner::item, std::string> insert(const std::string& media);
    // Operator skip: the item on air ends now (logged `skipped`) and the filler shows until
    // the next item. What was taken off, or nothing when filler was airing.
    std::optional<planner::item> skip();

    // A new plan (reload): every item not yet prepared comes from it from now on.
    void replace_plan(std::shared_ptr<planner::planner> plan,
                      std::map<std::string, media_facts> facts);

    const schedule::channel& channel() const { return channel_; }
    const std::shared_ptr<planner::planner>& plan() const { return plan_; }
    // Start errors observed since the last call (for the metrics histogram).
    std::vector<core::milliseconds> take_start_errors() { return std::exchange(start_errors_, {}); }
    channel_state state() const;

private:
    struct on_engine; // an item handed to the engine
    void tick();
    void arm_bus();
    void arm_timer();
    void replan(core::instant now);
    void take_due(core::instant now);
    void watch_clock(core::instant now);
    void record_due_failures(core::instant now);
    void inject_fault_when_due(std::chrono::steady_clock::time_point now);
    void on_event(const playout::event& e);
    void restart_engine(const std::string& why);
    void build_engine();
    asrun::airing row_for(const planner::item& it, bool insert = false) const;
    void hand(const cue& c, bool insert);
    void drop_for_insert(core::instant from, core::instant to);
    core::instant wall_of(playout::nanoseconds rt) const;
    playout::nanoseconds running_time_of(core::instant t) const;

    boost::asio::io_context& io_;
    schedule::channel channel_;
    std::shared_ptr<planner::planner> plan_;
    std::map<std::string, media_facts> facts_;
    asrun::store& store_;
    const clock& wall_;
    core::logger& log_;
    runner_options options_;

    std::unique_ptr<playout::channel_engine> engine_;
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
    std::chrono::steady_clock::time_point last_tick_{};
    bool running_ = false;
    int restarts_ = 0;
    std::chrono::steady_clock::time_point started_{}; // when this pipeline went on air
    std::optional<stall_fault> fault_;
    std::chrono::steady_clock::time_point fault_at_{};
    bool fault_fired_ = false;    // the fault has blocked a pipeline
    bool fault_in_engine_ = false; // ... this one
};

} // namespace onair::service
