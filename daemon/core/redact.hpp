#pragma once

// Secrets out of text that leaves the process (logs, metrics, status, API answers): an output's
// URI names its password, passphrase or stream key, and GStreamer's error messages quote the
// URI back. Every text built from a URI or a password goes through redact() first.

#include <string>
#include <string_view>

namespace onair::core {

// The text with every secret it holds replaced by "***":
// - the user info of a URI ("srt://user:pw@host" -> "srt://***@host");
// - the value of a parameter named passphrase, password, passwd, pass, key, streamid, token or
//   secret (any case), in a URI's query or written NAME=VALUE anywhere in the text;
// - the last path segment of an rtmp:// or rtmps:// URI (the stream key).
// URIs are found anywhere in the text (inside an error message too); a URI ends at white
// space or a quote. When in doubt, more is hidden rather than less.
std::string redact(std::string_view text);

} // namespace onair::core
