#include "playout/decodable.hpp"

#include <gst/gst.h>
#include <gst/pbutils/pbutils.h>

#include <map>
#include <memory>
#include <mutex>
#include <unistd.h>

namespace onair::playout::detail {
namespace {

constexpr auto check_wait = std::chrono::seconds(10);

struct unref {
    void operator()(gpointer p) const { g_object_unref(p); }
};
struct free_error {
    void operator()(GError* e) const { g_error_free(e); }
};

} // namespace

std::optional<std::string> why_undecodable(const std::filesystem::path& file,
                                           std::chrono::milliseconds wait) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) {
        return "no such file";
    }
    GError* raw = nullptr;
    std::unique_ptr<GstDiscoverer, unref> discoverer(
        gst_discoverer_new(static_cast<GstClockTime>(wait.count()) * GST_MSECOND, &raw));
    std::unique_ptr<GError, free_error> error(raw);
    if (!discoverer) {
        return std::string("cannot check it: ") + (error ? error->message : "no discoverer");
    }
    std::unique_ptr<gchar, decltype(&g_free)> uri(
        gst_filename_to_uri(std::filesystem::absolute(file).c_str(), nullptr), &g_free);
    raw = nullptr;
    std::unique_ptr<GstDiscovererInfo, unref> info(
        gst_discoverer_discover_uri(discoverer.get(), uri.get(), &raw));
    error.reset(raw);
    const auto result = info ? gst_discoverer_info_get_result(info.get()) : GST_DISCOVERER_ERROR;
    if (result == GST_DISCOVERER_OK) {
        return std::nullopt;
    }
    if (error) {
        return error->message;
    }
    return result == GST_DISCOVERER_TIMEOUT ? "it did not decode in time" : "it cannot be decoded";
}

std::optional<std::string> slate_problem(const std::filesystem::path& image, bool decode) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(image, ec) || ::access(image.c_str(), R_OK) != 0) {
        return "not a readable file";
    }
    const auto size = std::filesystem::file_size(image, ec);
    const auto mtime = std::filesystem::last_write_time(image, ec).time_since_epoch().count();
    const std::string key =
        image.string() + '\n' + std::to_string(size) + '\n' + std::to_string(mtime);
    static std::mutex mutex;
    static std::map<std::string, std::optional<std::string>> seen;
    {
        std::lock_guard lock(mutex);
        if (auto it = seen.find(key); it != seen.end()) {
            return it->second;
        }
    }
    if (!decode) {
        return std::nullopt; // not seen yet: the load that checks it comes first as a rule
    }
    auto why = why_undecodable(image, std::chrono::seconds(5));
    std::lock_guard lock(mutex);
    if (seen.size() > 256) {
        seen.clear(); // bounded: slates are few, versions of them fewer still
    }
    seen.emplace(key, why);
    return why;
}

std::vector<std::filesystem::path> decodable_only(const std::vector<std::filesystem::path>& files,
                                                  core::logger& log) {
    std::vector<std::filesystem::path> out;
    for (const auto& f : files) {
        if (auto why = why_undecodable(f, check_wait)) {
            log.warning("loop filler file cannot be decoded; the render leaves it out", "file",
                        f.string(), "reason", *why);
            continue;
        }
        out.push_back(f);
    }
    return out;
}

} // namespace onair::playout::detail
