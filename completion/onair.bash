# bash completion for onair(1)                                    -*- shell-script -*-
#
# Installed as share/bash-completion/completions/onair. Completes the commands, each command's
# options, file names after --config and --output, formats after --format, and the ids of
# channels and media, which it asks `onair list` for (with the --config of the command line, if
# any; quietly: nothing is printed when that fails).

# The commands and their options: the one place to change when the command line changes
# (tests/docs/completion.sh compares them with `onair COMMAND --help`).
_onair_commands="run check plan render probe asrun report status now reload insert skip list"

_onair_options_of() {
    case $1 in
    run) echo "--config --channel --state-dir --listen" ;;
    check) echo "--config --config-only --no-probe --days --start --format --quiet" ;;
    plan) echo "--config --channel --date --from --to --format" ;;
    render) echo "--config --channel --from --to --output --quiet" ;;
    probe) echo "--format" ;;
    asrun) echo "--config --channel --from --to --format --verify --head --reindex --compare --state-dir --db --station" ;;
    report) echo "--config --from --to --format --campaign --channel -o --output --outcomes --no-verify --db --station" ;;
    status) echo "--config --timeout" ;;
    now) echo "--config --once --interval" ;;
    reload) echo "--config --timeout --listen" ;;
    insert | skip) echo "--config --timeout" ;;
    list) echo "--config --channel" ;;
    esac
    echo "--help"
}

_onair_formats_of() {
    case $1 in
    check | probe) echo "text json" ;;
    plan) echo "text json csv" ;;
    asrun) echo "csv json text" ;;
    report) echo "text csv json html pdf" ;;
    esac
}

# The options that take a value (the word after them is not a positional).
_onair_takes_value() {
    case $1 in
    --config | --channel | --days | --start | --date | --from | --to | --format | --output | \
        -o | --head | --timeout | --interval | --campaign | --outcomes | --compare | \
        --state-dir | --listen | --db | --station) return 0 ;;
    esac
    return 1
}

# `onair list WHAT [--channel CH]` with the command line's program and --config; the ids only.
_onair_ids() {
    local program=${COMP_WORDS[0]} config="" i word
    [[ $program == "~/"* ]] && program=$HOME/${program#"~/"}
    for ((i = 1; i < ${#COMP_WORDS[@]}; i++)); do
        word=${COMP_WORDS[i]}
        if [[ $word == --config && $i -ne $COMP_CWORD ]]; then
            config=${COMP_WORDS[i + 1]}
            [[ $config == "=" ]] && config=${COMP_WORDS[i + 2]}
        elif [[ $word == --config=* ]]; then
            config=${word#--config=}
        fi
    done
    [[ $config == "~/"* ]] && config=$HOME/${config#"~/"}
    local args=(list "$@")
    [[ -n $config ]] && args+=(--config "$config")
    "$program" "${args[@]}" 2>/dev/null </dev/null | cut -f1
}

_onair_files() {
    if declare -F _filedir >/dev/null; then
        _filedir
    else
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -f -- "$1")
    fi
}

_onair() {
    local cword=$COMP_CWORD
    local cur=${COMP_WORDS[cword]} prev=${COMP_WORDS[cword - 1]}
    # --option=value: COMP_WORDBREAKS splits it into "--option" "=" "value"
    if [[ $cur == "=" ]]; then
        cur=""
    elif [[ $prev == "=" ]] && ((cword > 1)); then
        prev=${COMP_WORDS[cword - 2]}
    fi
    COMPREPLY=()

    # the command: the first word that is not an option
    local command="" i word
    local -a positionals=()
    for ((i = 1; i < cword; i++)); do
        word=${COMP_WORDS[i]}
        if [[ -z $command ]]; then
            [[ $word != -* ]] && command=$word
            continue
        fi
        if [[ $word == -* ]]; then
            if _onair_takes_value "$word"; then # skip its value, and the "=" of --option=value
                if [[ ${COMP_WORDS[i + 1]} == "=" ]]; then ((i += 2)); else ((i += 1)); fi
            fi
        else
            positionals+=("$word")
        fi
    done

    if [[ -z $command ]]; then
        if [[ $cur == -* ]]; then
            mapfile -t COMPREPLY < <(compgen -W "--help --version" -- "$cur")
        else
            mapfile -t COMPREPLY < <(compgen -W "$_onair_commands" -- "$cur")
        fi
        return 0
    fi

    case $prev in
    --config | --output | --compare | --state-dir)
        _onair_files "$cur"
        return 0
        ;;
    --format)
        mapfile -t COMPREPLY < <(compgen -W "$(_onair_formats_of "$command")" -- "$cur")
        return 0
        ;;
    --channel)
        mapfile -t COMPREPLY < <(compgen -W "$(_onair_ids channels)" -- "$cur")
        return 0
        ;;
    --days | --start | --date | --from | --to | --head | --timeout | --interval | --listen | --db | --station)
        return 0 # a value to type
        ;;
    esac

    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$(_onair_options_of "$command")" -- "$cur")
        return 0
    fi

    case $command in
    insert | skip)
        if ((${#positionals[@]} == 0)); then
            mapfile -t COMPREPLY < <(compgen -W "$(_onair_ids channels)" -- "$cur")
        elif [[ $command == insert ]] && ((${#positionals[@]} == 1)); then
            mapfile -t COMPREPLY < <(compgen -W "$(_onair_ids media --channel "${positionals[0]}")" -- "$cur")
        fi
        ;;
    list)
        ((${#positionals[@]} == 0)) && mapfile -t COMPREPLY < <(compgen -W "channels media" -- "$cur")
        ;;
    probe)
        _onair_files "$cur"
        ;;
    esac
    return 0
}

complete -F _onair onair
