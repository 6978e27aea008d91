#!/usr/bin/env bash
# completion.bash_completes_commands_options_and_ids: completion/onair.bash, driven as bash
# drives it (COMP_WORDS, COMP_CWORD, then the completion function), against the real onair:
# a PATH entry holds a link to the built binary, and a scratch station has two channels whose
# schedules have known media ids.
# Usage: completion.sh COMPLETION_FILE ONAIR_BINARY
set -u
completion=$1 binary=$2

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/bin" "$scratch/station"
ln -s "$binary" "$scratch/bin/onair"
export PATH="$scratch/bin:$PATH"

cat >"$scratch/station/onair.yaml" <<'YAML'
station: Test
state_dir: var
channels:
  - id: tv
    name: Test TV
    kind: tv
    timezone: Asia/Vientiane
    schedule: tv.yaml
    outputs: [{type: "null"}]
  - id: radio
    name: Test Radio
    kind: radio
    timezone: Asia/Vientiane
    schedule: radio.yaml
    outputs: [{type: "null"}]
YAML
cat >"$scratch/station/tv.yaml" <<'YAML'
media:
  spot-b: {file: b.mp4, duration: 20s}
  spot-a: {file: a.mp4, duration: 30s, title: "Spot A"}
campaigns:
  c: {from: 2026-12-01, until: 2026-12-31, spots: [spot-a, spot-b]}
breaks:
  - {id: b, at: ["07:00"], length: 60s}
YAML
cat >"$scratch/station/radio.yaml" <<'YAML'
media:
  jingle: {file: jingle.ogg, duration: 10s}
campaigns:
  c: {from: 2026-12-01, until: 2026-12-31, spots: [jingle]}
breaks:
  - {id: b, at: ["07:00"], length: 60s}
YAML
config=$scratch/station/onair.yaml

# shellcheck source=/dev/null
source "$completion" || { echo "FAIL: cannot source $completion"; exit 1; }
declare -F _onair >/dev/null || { echo "FAIL: $completion defines no _onair"; exit 1; }
[[ $(complete -p onair 2>/dev/null) == *"-F _onair"* ]] || { echo "FAIL: no 'complete -F _onair onair'"; exit 1; }

failures=0
# complete LINE: COMPREPLY for the cursor at the end of LINE (a trailing blank starts a new word;
# "=" is a word of its own, as COMP_WORDBREAKS makes it); whatever the completion prints on
# stderr goes to $scratch/stderr.
complete_line() {
    local line=$1
    read -r -a COMP_WORDS <<<"${line//=/ = }"
    [[ $line == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE=$line
    COMP_POINT=${#line}
    COMPREPLY=()
    _onair onair "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" 2>>"$scratch/stderr"
}
# expect LINE WORDS...: COMPREPLY is exactly WORDS, in that order
expect() {
    local line=$1
    shift
    complete_line "$line"
    if [[ "${COMPREPLY[*]}" != "$*" ]]; then
        echo "FAIL: '$line<TAB>' gives '${COMPREPLY[*]}', expected '$*'"
        failures=$((failures + 1))
    else
        echo "ok: '$line<TAB>' gives '$*'"
    fi
}
# expect_some LINE WORDS...: COMPREPLY holds each of WORDS
expect_some() {
    local line=$1 word
    shift
    complete_line "$line"
    for word in "$@"; do
        if [[ " ${COMPREPLY[*]} " != *" $word "* ]]; then
            echo "FAIL: '$line<TAB>' gives '${COMPREPLY[*]}', without '$word'"
            failures=$((failures + 1))
            return
        fi
    done
    echo "ok: '$line<TAB>' has $*"
}
sorted() { tr ' ' '\n' | grep -v '^$' | sort | tr '\n' ' '; }

export ONAIR_CONFIG=$config # what the ids are read from when the line names no --config

expect "onair ch" check
expect_some "onair check --" --no-probe --quiet
expect "onair insert " tv radio
expect "onair insert tv " spot-a spot-b
expect "onair insert radio " jingle
expect "onair insert tv spot-a "
expect "onair skip r" radio
expect "onair plan --channel " tv radio
expect "onair list " channels media
expect "onair check --format " text json
expect "onair plan --format=" text json csv
expect "onair plan --format=j" json
expect "onair plan --channel=" tv radio

# the --config of the command line wins over $ONAIR_CONFIG
export ONAIR_CONFIG=$scratch/none.yaml
expect "onair insert " # nothing: the default config does not exist
expect "onair insert --config $config " tv radio
expect "onair insert --config $config radio " jingle
expect "onair render --config $config --channel " tv radio
# ... and a config that fails says nothing
expect "onair insert --config $scratch/missing.yaml "
if [[ -s $scratch/stderr ]]; then
    echo "FAIL: the completion printed on stderr:"
    cat "$scratch/stderr"
    failures=$((failures + 1))
fi

# The commands and each command's options are those of the binary's --help.
top_help=$(onair --help)
commands=$(printf '%s\n' "$top_help" | sed -n '/^Subcommands:/,$p' | sed -n 's/^  \([a-z][a-z0-9-]*\) .*/\1/p')
complete_line "onair "
if [[ $(echo "${COMPREPLY[*]}" | sorted) != $(echo $commands | sorted) ]]; then
    echo "FAIL: the completion's commands '${COMPREPLY[*]}' are not those of onair --help: '$(echo $commands)'"
    failures=$((failures + 1))
fi
for command in $commands; do
    want=$(onair "$command" --help | sed -n 's/^  \+\(-[^ ]*\).*/\1/p' | tr ',' '\n' | grep -- '^--[a-z]' | sort -u | tr '\n' ' ')
    complete_line "onair $command --"
    got=$(echo "${COMPREPLY[*]}" | sorted)
    if [[ $got != "$want" ]]; then
        echo "FAIL: 'onair $command --<TAB>' gives '$got'; onair $command --help has '$want'"
        failures=$((failures + 1))
    fi
done
[[ $failures -eq 0 ]] || { echo "$failures failures"; exit 1; }
echo "ok: the options of the $(echo $commands | wc -w) commands are those of their --help"
