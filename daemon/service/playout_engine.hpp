#pragma once

// The real engine behind a channel runner: a live GStreamer pipeline (playout::channel_engine)
// with the channel's outputs.

#include "core/log.hpp"
#include "service/engine.hpp"

namespace onair::service {

// Builds live pipelines. An output that cannot be built is that output's failure, not the
// channel's: it is logged and the channel airs to the others.
engine_factory playout_engines(core::logger& log);

} // namespace onair::service
