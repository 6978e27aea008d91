#pragma once

// A minimal HTTP/1.1 client on loopback for the tests of the daemon's API: one request per
// connection (Connection: close), read to the end, with a deadline so a daemon that does not
// answer fails the test instead of hanging it.

#include <chrono>
#include <string>
#include <vector>

namespace onair::test_support {

struct http_reply {
    int status = 0; // 0: no connection or no answer before the deadline
    std::string headers;
    std::string body;
    std::chrono::steady_clock::duration took{}; // from connect to the last byte
};

struct http_request {
    std::string method = "GET";
    std::string path;
    std::string body;
    // POST bodies are sent with this Content-Type ("" sends none).
    std::string content_type = "application/json";
    // Further "Name: value" lines (an Origin, an Idempotency-Key, ...).
    std::vector<std::string> headers;
    std::chrono::milliseconds deadline{10'000};
};

// One request to 127.0.0.1:`port`, with `Host: 127.0.0.1:PORT` as a browser or curl sends it
// (the API refuses a Host that does not name its listen address: DNS rebinding).
http_reply http(int port, const http_request& request);

// The usual shape: a GET, or a POST of JSON.
http_reply http(int port, const std::string& method, const std::string& path,
                const std::string& body = {});

// An unused TCP (SOCK_STREAM) or UDP (SOCK_DGRAM) port on loopback, as the kernel hands it out.
int free_port(int type);

} // namespace onair::test_support
