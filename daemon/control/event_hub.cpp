#include "control/event_hub.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <deque>

namespace onair::control {

namespace net = boost::asio;

struct event_hub::subscriber : std::enable_shared_from_this<event_hub::subscriber> {
    subscriber(net::io_context& io, event_hub_options o) : io(io), timer(io), options(o) {}

    net::io_context& io;
    net::steady_timer timer;
    event_hub_options options;
    std::deque<std::string> queued;
    std::function<void(asrun_piece)> waiting; // the stream's next(), parked
    bool closed = false;

    void offer(std::string text) {
        if (closed) {
            return;
        }
        if (queued.size() >= options.max_queued) {
            queued.clear();
            queued.push_back(sse_event("resync", "{}"));
        }
        queued.push_back(std::move(text));
        deliver();
    }

    // Hands what is queued to the parked next(), later on the loop (never inside the caller).
    void deliver() {
        if (!waiting || (queued.empty() && !closed)) {
            return;
        }
        asrun_piece p;
        p.more = !closed;
        for (auto& text : queued) {
            p.text += text;
        }
        queued.clear();
        timer.cancel();
        net::post(io, [done = std::exchange(waiting, {}), p = std::move(p)]() mutable {
            done(std::move(p));
        });
    }

    void park(std::function<void(asrun_piece)> done) {
        waiting = std::move(done);
        if (!queued.empty() || closed) {
            deliver();
            return;
        }
        timer.expires_after(options.keepalive);
        timer.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
            auto self = weak.lock();
            if (ec || !self || !self->waiting) {
                return;
            }
            self->queued.push_back(": keepalive\n\n");
            self->deliver();
        });
    }
};

namespace {

class event_stream final : public asrun_cursor {
public:
    explicit event_stream(std::shared_ptr<event_hub::subscriber> s) : s_(std::move(s)) {}
    ~event_stream() override {
        s_->closed = true;
        s_->waiting = {};
        s_->timer.cancel();
    }
    void next(std::function<void(asrun_piece)> done) override { s_->park(std::move(done)); }

private:
    std::shared_ptr<event_hub::subscriber> s_;
};

} // namespace

std::string sse_event(const std::string& type, const std::string& data) {
    return "event: " + type + "\ndata: " + data + "\n\n";
}

event_hub::event_hub(net::io_context& io, event_hub_options o) : io_(io), options_(o) {}

event_hub::~event_hub() {
    close_all();
}

void event_hub::publish(const std::string& type, const std::string& data) {
    const auto text = sse_event(type, data);
    std::erase_if(subscribers_, [](const std::weak_ptr<subscriber>& w) { return w.expired(); });
    for (auto& w : subscribers_) {
        if (auto s = w.lock()) {
            s->offer(text);
        }
    }
}

std::unique_ptr<asrun_cursor> event_hub::subscribe() {
    auto s = std::make_shared<subscriber>(io_, options_);
    // The browser's EventSource reconnects after this long when the stream breaks.
    s->queued.push_back("retry: 2000\n\n" + sse_event("hello", "{}"));
    subscribers_.push_back(s);
    return std::make_unique<event_stream>(std::move(s));
}

std::size_t event_hub::subscribers() const {
    return static_cast<std::size_t>(std::count_if(
        subscribers_.begin(), subscribers_.end(),
        [](const std::weak_ptr<subscriber>& w) { return !w.expired() && !w.lock()->closed; }));
}

void event_hub::close_all() {
    for (auto& w : subscribers_) {
        if (auto s = w.lock()) {
            s->closed = true;
            s->deliver();
        }
    }
    subscribers_.clear();
}

} // namespace onair::control
