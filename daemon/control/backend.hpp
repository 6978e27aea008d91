#pragma once

// What the HTTP API asks of the running daemon. The service implements this interface; the
// server calls it on the io_context thread only, so an implementation reads and changes the
// daemon's state without locks. Plain structs only: the API must not see planner, playout or
// as-run types (control depends on core and schedule alone).
//
// Calls that may take long (planning a day, a reload, reading as-run rows) are asynchronous:
// they return at once and the backend calls the completion handler later, ON THE io_context
// THREAD (run the work elsewhere, then post the result back), exactly once, and destroys it
// there too (move it into the handler you post). The server copes with a connection that is
// gone by then. The other calls are quick and synchronous.
//
// A call that cannot be served returns a `failure` whose status is the HTTP status the client
// gets (404 unknown channel, 422 unknown media, 400 bad parameter, 503 not ready); its message
// becomes {"error": MESSAGE}. A status outside 400-599 is answered as 500. An exception thrown
// from a call (or passed to a completion as a failure) is answered 500 and counted in
// onair_internal_errors_total{where="api"}.

#include "core/diagnostics.hpp"
#include "core/time.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace onair::control {

struct failure {
    int status = 500;
    std::string message;
};

// A value or the HTTP failure that stands in its place.
template <class T> using outcome = std::variant<T, failure>;

// One item of a channel's rundown as it airs (or will air).
struct item_info {
    core::instant start;
    core::instant end;
    std::string kind;  // spot | programme | insert | filler
    std::string media; // media id; empty for filler
    std::string title;
    std::string campaign; // empty when none (programmes, inserts, filler)
    std::string break_id; // empty when none
};

// One output of a channel, as `GET /channels` shows it (see playout::output_status).
struct output_info {
    std::string name;  // "udp 127.0.0.1:5000", "file out/a.ts"
    std::string type;  // file, udp, srt, rtmp, hls, icecast, null
    std::string state; // up, retrying, failed
    int reconnects = 0;
    std::string last_error; // why it last went down; empty if never
};

// The sound of a channel's mix, in dBFS per audio channel (the last 200 ms).
struct levels_info {
    std::vector<double> peak_db;
    std::vector<double> rms_db;
};

struct channel_info {
    std::string id;
    std::string name;
    std::string kind;                      // tv | radio
    const date::time_zone* zone = nullptr; // times are printed in it; null prints UTC
    bool airing = false;                   // the pipeline is up and its output is moving
    std::optional<item_info> now;          // empty when nothing (not even filler) is known
    std::optional<item_info> next;
    std::vector<output_info> outputs;
    std::string down_reason; // why it is not airing; empty while it airs
    // Not in GET /channels (it changes all the time): the console feed's `levels` event.
    std::optional<levels_info> levels;
};

// GET /api/v1/asrun parameters, as the client sent them. The backend parses `from`/`to`
// (ISO 8601 or YYYY-MM-DD, local to the channel as `onair asrun` reads them) and answers a
// bad one with failure{400, ...}.
enum class asrun_format { csv, json };
struct asrun_query {
    std::string channel; // empty: every channel
    std::string from;    // empty: no bound
    std::string to;
    asrun_format format = asrun_format::csv;
};

// One piece of an as-run export.
struct asrun_piece {
    std::string text;    // the next part of the export (may be empty)
    bool more = false;   // false: the export is complete (`text` is still sent)
    bool failed = false; // a read error: the server breaks the connection (see below)
};

// The rows of an as-run export, pulled a piece at a time so that an export of any length is
// streamed (HTTP chunked transfer) in constant memory: the server asks for the next piece only
// once the previous one has been written to the socket, and never asks again before `done`
// has been called. The server keeps the cursor alive until `done` has been called, and
// destroys it on the io_context thread.
class asrun_cursor {
public:
    virtual ~asrun_cursor() = default;
    // Reads the next piece (the CSV header or "[" first, then some rows, a few hundred at
    // most, then "]" for JSON) and passes it to `done` on the io_context thread. On a read
    // error, pass {.failed = true} (or throw from next() itself): the server then breaks the
    // connection without the final chunk, so that the client sees an incomplete response
    // instead of a short one that looks whole.
    virtual void next(std::function<void(asrun_piece)> done) = 0;
};

struct reload_result {
    // Errors mean the reload was refused and the old schedule stays on air (422); warnings
    // alone go with a 200.
    std::vector<core::diagnostic> diagnostics;
    std::vector<std::string> channels; // the channels now airing the new plan (200 only)
};

struct insert_result {
    std::string channel;
    std::string media;
    std::string title;
    std::chrono::milliseconds duration{0};
    std::optional<core::instant> start; // when it will air, when already known
    const date::time_zone* zone = nullptr;
};

// One media item a channel can air (its schedule's library), for the console's insert picker.
struct media_info {
    std::string id;
    std::string title;
    std::optional<std::chrono::milliseconds> duration; // empty: not known (cannot be inserted)
};

// GET /api/v1/report: the campaign report (report/gather.hpp) of the period, in one of its
// forms. Dates are YYYY-MM-DD local days, checked by the server.
struct report_query {
    std::optional<std::string> campaign;
    std::optional<std::string> channel;
    std::optional<core::local_days> from;
    std::optional<core::local_days> to;
    std::string format = "json"; // json, csv, html or pdf
    bool verify = true;          // walk the chain for the document (json, html, pdf)
    // national=1: the national report (asrun_pg/national.hpp) from control.national_db, every
    // station (or `station`); json or csv
    bool national = false;
    std::optional<std::string> station;
};

struct report_answer {
    std::string content_type;
    std::string body;
    std::string filename; // for Content-Disposition (html, pdf, csv)
};

struct skip_result {
    std::string channel;
    std::string media; // what was taken off air; empty when filler was airing
    std::string title;
};

struct health_info {
    bool ok = true;
    std::vector<std::string> not_airing; // channel ids whose pipeline is not airing
    std::vector<std::string> degraded;   // reasons, such as "as-run store: database is locked"
};

template <class T> using completion = std::function<void(T)>;

class backend {
public:
    virtual ~backend() = default;

    // Every channel of the station, in config order.
    virtual std::vector<channel_info> channels() = 0;

    // For GET /api/v1/health: 200 when ok, else 503 with the channels not airing and the
    // reasons.
    virtual health_info health() = 0;

    // The rundown of a channel's local day, exactly as `onair plan --format json` prints it.
    // failure{404} for an unknown channel. Asynchronous (see the top of this file). The
    // server has already refused a day outside the plan horizon.
    virtual void plan_json(const std::string& channel, core::local_days day,
                           completion<outcome<std::string>> done) = 0;

    virtual outcome<std::unique_ptr<asrun_cursor>> asrun(const asrun_query& query) = 0;

    // Parse, validate, plan, swap (or keep the old schedule on any error). Asynchronous. A
    // failure (such as 409 "a reload is already running") is answered as it says.
    virtual void reload(completion<outcome<reload_result>> done) = 0;

    // Queues `media` to air right after the current item (logged with kind `insert`).
    // failure{404} unknown channel, failure{422} unknown media.
    virtual outcome<insert_result> insert(const std::string& channel, const std::string& media) = 0;

    // GET /api/v1/asrun/verify: the as-run chain checked (as `onair asrun --verify`), its answer
    // as JSON. Asynchronous: it reads the whole log.
    virtual void verify(completion<outcome<std::string>> done) = 0;

    // GET /api/v1/report: failure{400} for what the report refuses (an unknown campaign),
    // {404} an unknown channel, {503} when reports are already being made. Asynchronous.
    virtual void report(const report_query& query, completion<outcome<report_answer>> done) = 0;

    // GET /api/v1/channels/{id}/preview.jpg: the newest picture of the mix (JPEG), null when
    // there is none yet (or the channel is radio). failure{404} unknown channel.
    virtual outcome<std::shared_ptr<const std::string>> preview(const std::string& channel) = 0;

    // The media of the channel's schedule, by id. failure{404} unknown channel.
    virtual outcome<std::vector<media_info>> media(const std::string& channel) = 0;

    // Ends the current item now (logged `skipped`). failure{404} unknown channel.
    virtual outcome<skip_result> skip(const std::string& channel) = 0;

    // GET /api/v1/events: the Server-Sent Events stream of the console (control/event_hub).
    virtual outcome<std::unique_ptr<asrun_cursor>> events() = 0;

    // Called before each /metrics scrape, to bring gauges that are cheaper to compute on
    // demand (plan horizon, ...) up to date.
    virtual void refresh_metrics() = 0;
};

} // namespace onair::control
