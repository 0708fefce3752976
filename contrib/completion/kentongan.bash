# bash completion for kentongan and kentongand -*- shell-script -*-

# The incident codes, from kentongan codes (the hub's taxonomy).
_kentongan_codes()
{
    kentongan codes 2>/dev/null | awk '{ print $1 }'
}

_kentongan()
{
    local cur prev words cword
    _init_completion || return

    local commands="push listen query export members stats verify codes setup help"
    local common="--hub --cert --key --ca --json --help"
    local command="" i
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
            -*) ;;
            *) command=${words[i]}; break ;;
        esac
    done

    case $prev in
        --cert|--key|--ca|--taxonomy|--receipt|--hub-cert)
            _filedir
            return ;;
        --misp-feed)
            _filedir -d
            return ;;
        --code)
            COMPREPLY=($(compgen -W "$(_kentongan_codes)" -- "$cur"))
            return ;;
        --severity|--min-severity)
            COMPREPLY=($(compgen -W "info low medium high critical" -- "$cur"))
            return ;;
        --tlp)
            COMPREPLY=($(compgen -W "clear green amber amber+strict red" -- "$cur"))
            return ;;
        --format)
            COMPREPLY=($(compgen -W "json stix misp" -- "$cur"))
            return ;;
        --from)
            COMPREPLY=($(compgen -W "misp stix" -- "$cur"))
            return ;;
        --lang)
            COMPREPLY=($(compgen -W "en id" -- "$cur"))
            return ;;
        --indicator)
            COMPREPLY=($(compgen -W "ipv4: ipv6: cidr: domain: url: email: md5: sha1: sha256: cve: asn:" -- "$cur"))
            compopt -o nospace
            return ;;
        --hub|--operator-hub|--id|--title|--description|--observed-at|--since|--until|--after|--limit|--sender|--recipient|--sector)
            return ;;
    esac

    if [[ -z $command ]]; then
        COMPREPLY=($(compgen -W "$commands --help" -- "$cur"))
        return
    fi

    local opts
    case $command in
        push) opts="--code --severity --tlp --title --description --observed-at --id --indicator --sector --recipient --from" ;;
        listen) opts="--code --min-severity --since --format --no-sign" ;;
        query) opts="--code --sender --min-severity --since --until --after --limit --all --format --operator --tlp" ;;
        export) opts="--misp-feed --code --sender --min-severity --since --until" ;;
        members) opts="" ;;
        stats) opts="--since --until" ;;
        verify) opts="--receipt --hub-cert --ledger" ;;
        codes) opts="--lang --taxonomy" ;;
        setup) opts="--operator-hub --taxonomy --format --force" ;;
        *) return ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts $common" -- "$cur"))
    elif [[ $command == push ]]; then
        _filedir
    fi
} && complete -F _kentongan kentongan

_kentongand()
{
    local cur prev words cword
    _init_completion || return

    case $prev in
        -c)
            _filedir conf
            return ;;
    esac
    COMPREPLY=($(compgen -W "-c -t -V -h" -- "$cur"))
} && complete -F _kentongand kentongand

# ex: filetype=sh
