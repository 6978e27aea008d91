// core::redact: every kind of secret, wherever it sits in a text, and text without secrets
// left exactly as it was.
#include "core/redact.hpp"

#include <gtest/gtest.h>

namespace onair::core {
namespace {

TEST(redact, text_without_secrets_is_unchanged) {
    for (const char* s :
         {"", "output down", "udp 127.0.0.1:5000", "file /var/out/police-tv.ts",
          "srt://0.0.0.0:9000?mode=listener&latency=200", "http://[::1]:8750/api/v1/health",
          "hls /var/www/hls", "icecast 127.0.0.1:8000/radio.mp3", "monkey=3 keys=4 pass",
          "a key is needed", "ໂທລະພາບ ປກສ — Police TV", "https://example.org/a/b?x=1#frag"}) {
        EXPECT_EQ(redact(s), s);
    }
}

TEST(redact, uri_user_info) {
    EXPECT_EQ(redact("srt://user:pw@host:9000"), "srt://***@host:9000");
    EXPECT_EQ(redact("icecast://source:hackme@radio.lan:8000/live.mp3"),
              "icecast://***@radio.lan:8000/live.mp3");
    EXPECT_EQ(redact("http://token@[::1]:8750/x"), "http://***@[::1]:8750/x");
    // The last '@' of the authority ends the user info: a password may hold one.
    EXPECT_EQ(redact("srt://u:p@ss@host"), "srt://***@host");
    // An '@' in the path is not user info.
    EXPECT_EQ(redact("http://host/a@b"), "http://host/a@b");
}

TEST(redact, every_secret_query_parameter_in_any_case) {
    for (const char* name :
         {"passphrase", "password", "passwd", "pass", "key", "streamid", "token", "secret",
          "PassPhrase", "KEY", "Token"}) {
        const std::string n = name;
        EXPECT_EQ(redact("srt://h:9000?mode=caller&" + n + "=SECRET&latency=120"),
                  "srt://h:9000?mode=caller&" + n + "=***&latency=120")
            << name;
        EXPECT_EQ(redact("srt://h:9000?" + n + "=SECRET"), "srt://h:9000?" + n + "=***") << name;
    }
    // Not a secret: a longer or shorter name, an empty value, a name without a value.
    EXPECT_EQ(redact("srt://h?passphrases=1&keys=2&pas=3"), "srt://h?passphrases=1&keys=2&pas=3");
    EXPECT_EQ(redact("srt://h?passphrase=&key"), "srt://h?passphrase=&key");
}

TEST(redact, srt_stream_id_with_an_unescaped_hash) {
    EXPECT_EQ(redact("srt://h:9000?streamid=#!::r=live/x,m=publish&latency=1"),
              "srt://h:9000?streamid=***&latency=1");
}

TEST(redact, rtmp_stream_key_is_the_last_path_segment) {
    EXPECT_EQ(redact("rtmp://a.rtmp.youtube.com/live2/abcd-efgh-ijkl"),
              "rtmp://a.rtmp.youtube.com/live2/***");
    EXPECT_EQ(redact("rtmps://live-api-s.facebook.com:443/rtmp/FB-123?s_bl=1&key=x"),
              "rtmps://live-api-s.facebook.com:443/rtmp/***?s_bl=1&key=***");
    EXPECT_EQ(redact("RTMP://host/app/key/"), "RTMP://host/app/***/");
    EXPECT_EQ(redact("rtmp://host/onlykey"), "rtmp://host/***");
    EXPECT_EQ(redact("rtmp://user:pw@host/app/k"), "rtmp://***@host/app/***");
    EXPECT_EQ(redact("rtmp://host"), "rtmp://host");
    EXPECT_EQ(redact("rtmp://host/"), "rtmp://host/");
    // Other schemes keep their path.
    EXPECT_EQ(redact("srt://host/app/k"), "srt://host/app/k");
}

TEST(redact, uris_inside_messages_and_names) {
    // The colon after the key goes with it: the key may hold one.
    EXPECT_EQ(redact("output down channel=tv output=\"rtmp rtmp://x.tv/live/SK1\" error=\"Could "
                     "not connect to rtmp://x.tv/live/SK1: refused\""),
              "output down channel=tv output=\"rtmp rtmp://x.tv/live/***\" error=\"Could "
              "not connect to rtmp://x.tv/live/*** refused\"");
    EXPECT_EQ(redact("srt srt://relay:9000?passphrase=0123456789ab"),
              "srt srt://relay:9000?passphrase=***");
    // A URI ends at white space or a quote; what follows is prose again.
    EXPECT_EQ(redact("failed: srt://u:p@h?pass=x 'srt://h2?key=y' done"),
              "failed: srt://***@h?pass=*** 'srt://h2?key=***' done");
    // Two in a row; a comma belongs to the URI before it (stream ids hold commas).
    EXPECT_EQ(redact("a=srt://h?token=t1, b=rtmp://h/app/k2"),
              "a=srt://h?token=*** b=rtmp://h/app/***");
    // A value that runs into the text after it is hidden with it: more rather than less.
    EXPECT_EQ(redact("srt://h?passphrase=abc: Connection refused"),
              "srt://h?passphrase=*** Connection refused");
}

TEST(redact, name_equals_value_outside_a_uri) {
    EXPECT_EQ(redact("passphrase=abc"), "passphrase=***");
    EXPECT_EQ(redact("set password=hunter2 and retry"), "set password=*** and retry");
    EXPECT_EQ(redact("(token=abc,other=1)"), "(token=***,other=1)");
    EXPECT_EQ(redact("secret=\"two words\" after"), "secret=*** after");
    EXPECT_EQ(redact("key='unterminated"), "key=***");
    // Only whole words: a name inside a longer word is not a secret name.
    EXPECT_EQ(redact("monkey=3 tip-key=4 mykey=5"), "monkey=3 tip-key=4 mykey=5");
    EXPECT_EQ(redact("key= spaced"), "key= spaced");
}

TEST(redact, idempotent) {
    for (const char* s : {"srt://***@h?passphrase=***", "rtmp://h/app/***", "key=***"}) {
        EXPECT_EQ(redact(s), s);
    }
    const std::string once = redact("rtmp://u:p@h/app/k?token=1 password=2");
    EXPECT_EQ(redact(once), once);
}

TEST(redact, odd_input_does_not_trip_it) {
    EXPECT_EQ(redact("://"), "://");
    EXPECT_EQ(redact("x://"), "x://");
    EXPECT_EQ(redact("1srt://u:p@h"), "1srt://***@h"); // scheme starts at the letter
    EXPECT_EQ(redact("srt:/u:p@h"), "srt:/u:p@h");
    EXPECT_EQ(redact("pass="), "pass=");
    EXPECT_EQ(redact(std::string("srt://u:p@h\0x", 13)), std::string("srt://***@h\0x", 13));
}

} // namespace
} // namespace onair::core
