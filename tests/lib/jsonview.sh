# shellcheck shell=bash
# jsonview.sh - the tests' one JSON reader (sourced by common.sh, bash).
# A document is read by python3 once into a map of paths to printed values;
# every look-up below is a look-up in that map. Starting python3 costs more
# on a loaded machine than the run of acmectl that printed the JSON, so the
# map of the last text read is kept in $TEST_TMP/jsonview.last and reused
# while the same text is asked about, also from the subshells of $(...).
#
#   json_field SRC KEY   KEY of the document SRC (a file, or JSON text): a
#                        dotted KEY (a.b), array indexes (a.0.b); arrays
#                        joined with ",", booleans true/false, null as null;
#                        a line, or nothing when absent or not JSON
#   json_step JSON NAME FIELD
#                        FIELD of the first of "steps" called NAME (as
#                        python prints it, "" for null or absent); a line,
#                        or nothing when there is no such step
#   json_ids JSON KEY    the "id" of each object of the array KEY, comma-
#                        joined; a line (empty without such an array), or
#                        nothing when JSON is not JSON or KEY a number
#   is_json_object TEXT  true when TEXT is one JSON object
#   json_view [TEXT]     reads TEXT (default: $OUT of the last run) into JV
#   jv KEY               what json_field TEXT KEY prints, without the
#                        newline, from JV
#   jv @KIND.KEY         KEY of the last object of kind KIND among
#                        cert_manager.objects (values as python prints them)

[ -n "${JSONVIEW_SH_LOADED:-}" ] && return 0
JSONVIEW_SH_LOADED=1

# The map's keys: a path as json_field spells it; the other families start
# with \x1f, which no path a test asks for holds.
JV_SEP=$'\x1f'

# What python3 prints for a document: NUL-terminated key and value pairs.
# Keys holding a "." are left out of the paths with all below them:
# json_field splits KEY at every ".", so it never reaches them (the @KIND
# family keeps them, as jv always did). NULs inside strings are
# dropped, as $(...) drops them from json_field's old output.
JSONVIEW_PY='
import json, sys
S = "\x1f"
try:
    doc = json.load(open(sys.argv[2])) if sys.argv[1] == "file" else json.loads(sys.argv[2])
except ValueError:
    sys.exit(0)
out = []

def put(k, v):
    out.append(k.replace("\0", "") + "\0" + v.replace("\0", "") + "\0")

def text(v):  # json_field printing rules
    if isinstance(v, list):
        return ",".join(str(x) for x in v)
    if isinstance(v, bool):
        return "true" if v else "false"
    return "null" if v is None else str(v)

def walk(v, path, fmt, top, dotted):
    if not top:
        put(path, fmt(v))
    kids = v.items() if isinstance(v, dict) else enumerate(v) if isinstance(v, list) else ()
    for k, kid in kids:
        k = str(k)
        if dotted or "." not in k:
            walk(kid, k if top else path + "." + k, fmt, False, dotted)

put(S + "ok", "")
if isinstance(doc, dict):
    put(S + "object", "")
walk(doc, "", text, True, False)
if isinstance(doc, dict):
    for k, items in doc.items():  # json_ids; a true number or boolean has no ids
        if items and not isinstance(items, (list, dict, str)):
            put(S + "noids" + S + k, "")
        ids = [str(i.get("id")) for i in items if isinstance(i, dict)] if isinstance(items, list) else []
        put(S + "ids" + S + k, ",".join(ids))
    seen = set()
    steps = doc.get("steps")
    for s in steps if isinstance(steps, list) else []:  # json_step: the first of a name
        if isinstance(s, dict) and isinstance(s.get("name"), str) and s["name"] not in seen:
            seen.add(s["name"])
            put(S + "step" + S + s["name"], "")
            for k, v in s.items():
                if v is not None:
                    put(S + "step" + S + s["name"] + S + str(k), str(v))
    cm = doc.get("cert_manager")
    objs = [o for o in ((cm or {}).get("objects") or []) if isinstance(o, dict)] if isinstance(cm, dict) else []
    last = {}
    for o in objs:
        last[str(o.get("kind"))] = o
    for kind, o in last.items():
        walk(o, S + "@" + kind, str, False, True)
sys.stdout.write("".join(out))
'

declare -gA JV=()
declare -gA JV_DOC=()
JV_DOC_TEXT=
JV_DOC_READ=false

# jv_load_map FILE: fills JV_DOC from the pairs in FILE after its first
# record (the text they were read from).
jv_load_map() {
	local k v
	JV_DOC=()
	{
		IFS= read -r -d '' _ || true # the text the map was read from
		while IFS= read -r -d '' k && IFS= read -r -d '' v; do
			# bash has no empty key; no test asks for one
			[ -z "$k" ] || JV_DOC[$k]=$v
		done
	} <"$1"
}

# jv_read_file FILE: JV_DOC becomes the map of FILE, read anew each time.
jv_read_file() {
	local tmp="$TEST_TMP/jsonview.$BASHPID"
	printf '\0' >"$tmp"
	python3 -c "$JSONVIEW_PY" file "$1" >>"$tmp" || true
	jv_load_map "$tmp"
	rm -f "$tmp"
	JV_DOC_READ=false
}

# jv_read_text TEXT: JV_DOC becomes the map of the JSON text TEXT, read
# again only when it differs from the last text read.
jv_read_text() {
	local cache="$TEST_TMP/jsonview.last" tmp="$TEST_TMP/jsonview.$BASHPID" cached=
	$JV_DOC_READ && [ "$1" == "$JV_DOC_TEXT" ] && return 0
	[ ! -f "$cache" ] || IFS= read -r -d '' cached <"$cache" || true
	if [ -f "$cache" ] && [ "$1" == "$cached" ]; then
		jv_load_map "$cache"
	else
		printf '%s\0' "$1" >"$tmp"
		python3 -c "$JSONVIEW_PY" text "$1" >>"$tmp" || true
		jv_load_map "$tmp"
		mv -f "$tmp" "$cache"
	fi
	JV_DOC_TEXT=$1
	JV_DOC_READ=true
}

json_field() {
	if [ -f "$1" ]; then
		jv_read_file "$1"
	else
		jv_read_text "$1"
	fi
	[ -z "$2" ] || [ -z "${JV_DOC[$2]+x}" ] || printf '%s\n' "${JV_DOC[$2]}"
}

json_step() {
	jv_read_text "$1"
	[ -z "${JV_DOC[${JV_SEP}step$JV_SEP$2]+x}" ] ||
		printf '%s\n' "${JV_DOC[${JV_SEP}step$JV_SEP$2$JV_SEP$3]-}"
}

json_ids() {
	jv_read_text "$1"
	[ -z "${JV_DOC[${JV_SEP}ok]+x}" ] || [ -n "${JV_DOC[${JV_SEP}noids$JV_SEP$2]+x}" ] || printf '%s\n' "${JV_DOC[${JV_SEP}ids$JV_SEP$2]-}"
}

is_json_object() {
	jv_read_text "$1"
	[ -n "${JV_DOC[${JV_SEP}object]+x}" ]
}

json_view() {
	local k
	jv_read_text "${1-$OUT}"
	JV=()
	for k in "${!JV_DOC[@]}"; do
		JV[$k]=${JV_DOC[$k]}
	done
}

jv() {
	case $1 in
	@*) printf '%s' "${JV[$JV_SEP$1]-}" ;;
	*) printf '%s' "${JV[$1]-}" ;;
	esac
}
