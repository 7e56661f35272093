# jsonview.sh - reads a --json answer once for many look-ups (sourced, bash,
# after common.sh). json_field starts python3 for each field, which on a
# loaded machine costs more than the run of acmectl that printed the JSON.
#
#   json_view [TEXT]  parses TEXT (default: $OUT of the last run) into JV;
#                     JV is empty when TEXT is not JSON
#   jv KEY            prints what json_field TEXT KEY would (dotted KEY,
#                     array indexes, arrays joined with ",", null as null),
#                     nothing when absent
#   jv @KIND.KEY      KEY of the last object of kind KIND among
#                     cert_manager.objects (values as python prints them)

declare -A JV

json_view() {
	local k v
	JV=()
	while IFS= read -r -d '' k && IFS= read -r -d '' v; do
		JV[$k]=$v
	done < <(python3 -c '
import json, sys
try:
    doc = json.loads(sys.argv[1])
except ValueError:
    sys.exit(0)

def text(v):  # as json_field prints a value
    if isinstance(v, list):
        return ",".join(str(x) for x in v)
    if isinstance(v, bool):
        return "true" if v else "false"
    return "null" if v is None else str(v)

def walk(v, path, fmt):
    if path:
        sys.stdout.write(path + "\0" + fmt(v) + "\0")
    kids = v.items() if isinstance(v, dict) else enumerate(v) if isinstance(v, list) else ()
    for k, kid in kids:
        walk(kid, (path + "." if path else "") + str(k), fmt)

walk(doc, "", text)
cm = doc.get("cert_manager") if isinstance(doc, dict) else None
objs = [o for o in ((cm or {}).get("objects") or []) if isinstance(o, dict)] if isinstance(cm, dict) else []
last = {}
for o in objs:
    last[str(o.get("kind"))] = o
for kind, o in last.items():
    walk(o, "@" + kind, str)
' "${1-$OUT}")
}

jv() {
	printf '%s' "${JV[$1]-}"
}
