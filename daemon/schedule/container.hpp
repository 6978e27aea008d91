#pragma once

// The one table of what a file output can write: the container follows the file's extension
// (case aside), and a tv channel writes only the containers that carry video. The config
// check, the pipeline builder and `onair render` all ask here.

#include "schedule/model.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace onair::schedule {

enum class container { ts, mkv, ogg, wav, mp3 };

// The container `file` names for a channel of `kind`; nothing when it names none it can write.
std::optional<container> container_for(channel_kind kind, const std::filesystem::path& file);
// The extensions a channel of `kind` can write, for messages: ".mkv, .mp3, .ogg, .ts, .wav".
std::string container_extensions(channel_kind kind);

} // namespace onair::schedule
