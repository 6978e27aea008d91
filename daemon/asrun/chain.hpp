#pragma once

// Tamper evidence for the as-run log. Every completed row carries
//
//     chain = hex(SHA-256(previous_chain || canonical_content(row)))
//
// where previous_chain is the chain of the row completed just before it in the whole store
// (64 ASCII zeros for the first one). Rows are chained when they are completed (closed or
// recorded), in completion order, which the `seq` column keeps (1, 2, 3, ...). Changing any
// stored field of a row breaks that row's chain; removing a row leaves a gap in `seq` and
// breaks the link of the row after it. docs/asrun.md defines the content for third parties.

#include "asrun/airing.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace onair::asrun {

// The chain value the first completed row links to.
extern const std::string genesis_chain;

// The bytes a row's chain covers: its fields in a fixed order, each as `<decimal length>:<bytes>,`
// or `-,` when absent (NULL), after the tag "onair-asrun-2,". Times are UTC milliseconds in
// decimal. `seq` is the row's place in the chain.
std::string canonical_content(const airing& row, std::int64_t seq);

// Lowercase hex SHA-256 of `bytes` (GLib's GChecksum).
std::string sha256_hex(std::string_view bytes);

// The chain value of `row` completed as number `seq` after a row whose chain is `previous`.
std::string chain_value(std::string_view previous, const airing& row, std::int64_t seq);

} // namespace onair::asrun
