# bash completion for heapscan (installed as share/bash-completion/completions/heapscan).
# Commands, then the options each command accepts (as its --help lists
# them), values of --format/--by/--sort, and files.
_heapscan()
{
    local cur prev cmd opts
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    local commands="info top diff graph dominators paths leaks trend collect goroutines help"
    if [ "$COMP_CWORD" -eq 1 ]; then
        COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
        return
    fi
    cmd=${COMP_WORDS[1]}
    case $prev in
        --format)
            case $cmd in
                graph) COMPREPLY=($(compgen -W "dot json csv text" -- "$cur")) ;;
                dominators|paths) COMPREPLY=($(compgen -W "text json" -- "$cur")) ;;
                trend) COMPREPLY=($(compgen -W "text json csv svg html" -- "$cur")) ;;
                goroutines) COMPREPLY=($(compgen -W "text json csv dot" -- "$cur")) ;;
                *) COMPREPLY=($(compgen -W "text json csv" -- "$cur")) ;;
            esac
            return ;;
        --by)
            case $cmd in
                goroutines) COMPREPLY=($(compgen -W "stack state function created-by" -- "$cur")) ;;
                *) COMPREPLY=($(compgen -W "function file line address site type root object" -- "$cur")) ;;
            esac
            return ;;
        --sort) COMPREPLY=($(compgen -W "flat cum retained size count" -- "$cur")); return ;;
        --sysroot|--debug-dir|--dir) COMPREPLY=($(compgen -d -- "$cur")); return ;;
        --demangle) COMPREPLY=($(compgen -W "short templates full none" -- "$cur")); return ;;
        --every|--count) return ;;
        -i|--sample-index|-n|--limit|--nodecount|--depth|--min-retained|--fail-if|--paths|--focus|--ignore|--tag|--stuck)
            return ;;
    esac
    local common="--format -o --output --binary --sysroot --debug-dir --demangle --help"
    case $cmd in
        help) COMPREPLY=($(compgen -W "$commands" -- "$cur")); return ;;
        info) opts="$common" ;;
        goroutines) opts="$common -n --limit --by --stuck --fail-if" ;;
        top) opts="$common -i --sample-index -n --limit --by --sort --focus --ignore --tag" ;;
        diff) opts="$common -i --sample-index -n --limit --by --sort --focus --ignore --tag --fail-if" ;;
        graph) opts="$common -i --sample-index --by --focus --ignore --tag --nodecount --base --dot --paths" ;;
        dominators) opts="$common --depth --min-retained" ;;
        paths) opts="$common" ;;
        leaks) opts="$common -n --limit --by --sort" ;;
        trend) opts="$common -i --sample-index -n --limit --by --cum --focus --ignore --tag --fail-if --skip-bad" ;;
        collect) opts="--dir --every --count -i --sample-index -h --help" ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    else
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}
complete -o filenames -F _heapscan heapscan
