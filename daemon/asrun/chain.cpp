#include "asrun/chain.hpp"

#include <glib.h>

#include <memory>

namespace onair::asrun {
namespace {

struct checksum_deleter {
    void operator()(GChecksum* c) const { g_checksum_free(c); }
};
using checksum_ptr = std::unique_ptr<GChecksum, checksum_deleter>;

std::int64_t ms(core::instant t) {
    return t.time_since_epoch().count();
}

// Length-prefixed, so no value can pass for two, whatever bytes it holds.
void field(std::string& out, std::string_view v) {
    out += std::to_string(v.size());
    out += ':';
    out += v;
    out += ',';
}
void field(std::string& out, const std::optional<std::string>& v) {
    if (v) {
        field(out, std::string_view(*v));
    } else {
        out += "-,";
    }
}
void field(std::string& out, std::int64_t v) {
    field(out, std::string_view(std::to_string(v)));
}
void field(std::string& out, const std::optional<core::instant>& v) {
    if (v) {
        field(out, ms(*v));
    } else {
        out += "-,";
    }
}

} // namespace

const std::string genesis_chain(64, '0');

std::string canonical_content(const airing& row, std::int64_t seq) {
    std::string out = "onair-asrun-2,";
    out.reserve(256);
    field(out, row.id);
    field(out, seq);
    field(out, std::string_view(row.channel));
    field(out, std::string_view(to_string(row.kind)));
    field(out, std::string_view(row.media));
    field(out, row.campaign);
    field(out, row.break_id);
    field(out, std::string_view(row.title));
    field(out, std::string_view(row.file));
    field(out, ms(row.scheduled_start));
    field(out, ms(row.scheduled_end));
    field(out, row.actual_start);
    field(out, row.actual_end);
    field(out, row.status ? std::optional<std::string>(to_string(*row.status)) : std::nullopt);
    field(out, row.detail);
    field(out, std::string_view(row.timezone));
    field(out, row.media_sha256);
    // rows of schema 4 on: a make-good's reference (other rows hash exactly as before)
    if (row.make_good_of) {
        field(out, ms(*row.make_good_of));
    }
    return out;
}

std::string sha256_hex(std::string_view bytes) {
    checksum_ptr c(g_checksum_new(G_CHECKSUM_SHA256));
    g_checksum_update(c.get(), reinterpret_cast<const guchar*>(bytes.data()),
                      static_cast<gssize>(bytes.size()));
    // owned by the checksum, valid until it is freed
    return g_checksum_get_string(c.get());
}

std::string chain_value(std::string_view previous, const airing& row, std::int64_t seq) {
    std::string bytes(previous);
    bytes += canonical_content(row, seq);
    return sha256_hex(bytes);
}

} // namespace onair::asrun
