#pragma once

#include <optional>
#include <string>
#include <utility>

namespace onair::core {

// A value or the reason there is none. Used where failure is expected input (parsing a field),
// so callers can collect every problem instead of stopping at the first.
template <class T> class result {
public:
    result(T value) : value_(std::move(value)) {}
    static result failure(std::string why) {
        result r;
        r.error_ = std::move(why);
        return r;
    }

    explicit operator bool() const { return value_.has_value(); }
    const T& operator*() const { return *value_; }
    const T* operator->() const { return &*value_; }
    const std::string& error() const { return error_; }

private:
    result() = default;
    std::optional<T> value_;
    std::string error_;
};

} // namespace onair::core
