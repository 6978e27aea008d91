#!/usr/bin/env bash
# man.onair1_names_every_command_and_option: every command that `onair --help` lists, and every
# option that `onair --help` and `onair COMMAND --help` list, appears in onair(1) as man renders
# it. Names each one that does not.
# Usage: man_options.sh ONAIR_BINARY ONAIR_1
set -u
onair=$1 page=$2
command -v man >/dev/null || { echo "man is not installed"; exit 77; }
[ -s "$page" ] || { echo "FAIL: $page: missing or empty"; exit 1; }

# The page as one line of words: lines joined, runs of blanks made one, and a word broken after
# a hyphen at the end of a line joined again.
text=$(LC_ALL=C.UTF-8 MANWIDTH=80 man -E UTF-8 -l "$page" 2>/dev/null | tr -s ' \n\t' '   ' |
    sed 's/\([[:alnum:]]\)- \([[:alnum:]]\)/\1-\2/g')
[ -n "$text" ] || { echo "FAIL: man rendered nothing from $page"; exit 1; }

# The options of a --help text: the first field of each line that starts with two blanks and a
# dash ("  -h,--help", "  --days INT:INT ...").
options_of() {
    sed -n 's/^  \+\(-[^ ]*\).*/\1/p' | tr ',' '\n' | grep -- '^--[a-z]' | sort -u
}

top_help=$("$onair" --help) || { echo "FAIL: $onair --help exited $?"; exit 1; }
commands=$(printf '%s\n' "$top_help" | sed -n '/^Subcommands:/,$p' | sed -n 's/^  \([a-z][a-z0-9-]*\) .*/\1/p')
[ -n "$commands" ] || { echo "FAIL: no subcommands in $onair --help"; exit 1; }

missing=0
check() { # WHAT TEXT
    case " $text " in
    *" $2 "* | *" $2,"* | *" $2."* | *" $2;"* | *" $2:"* | *" $2)"* | *"[$2"* | *"($2"* | *"$2]"* | *" $2="*) ;;
    *)
        echo "FAIL: onair(1) does not name $1 '$2'"
        missing=$((missing + 1))
        ;;
    esac
}

for option in $(printf '%s\n' "$top_help" | options_of); do
    check "the option" "$option"
done
count=0
for command in $commands; do
    check "the command" "onair $command"
    help=$("$onair" "$command" --help) || { echo "FAIL: onair $command --help exited $?"; missing=$((missing + 1)); continue; }
    for option in $(printf '%s\n' "$help" | options_of); do
        check "the option of onair $command" "$option"
        count=$((count + 1))
    done
done
if [ $missing -ne 0 ]; then
    echo "$missing missing"
    exit 1
fi
echo "ok: onair(1) names the $(echo $commands | wc -w) commands and their $count options"
