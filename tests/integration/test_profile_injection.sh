#!/bin/sh
# Issue 12's profile injection, through the Atlas mock: a vendor lastName
# "Test\nrole=ORG_OWNER" and country "US\nemail=ceo@victim.example" stay
# those literal strings in the .c1z (profiles cross every process
# boundary as structured data), with no invented key, no second e-mail.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/atlas.sh"
t_ca
python3 - "$TOP/tests/mock/atlas/fixtures/small.json" "$TMP/fx.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
u = d["users"][0]
u["lastName"] = "Test\nrole=ORG_OWNER"
u["country"] = "US\nemail=ceo@victim.example"
u["firstName"] = "Al\"ice\\\u0001"
u["username"] = "alice@example.com"
d["teams"][0]["name"] = "ops\tx\ninvented\trow\u001b]0;pwned\u0007\u009b"
json.dump(d, open(sys.argv[2], "w"))
PY
atlas_mock "$TMP/fx.json"
atlas sync --file "$TMP/a.c1z"
t_eq "sync exits 0" "$(cat "$TMP/sync.rc")" 0
"$PORTCULLIS" c1z show "$TMP/a.c1z" resources --json > "$TMP/res.json"
python3 - "$TMP/res.json" "$U_ALICE" > "$TMP/verdict" <<'PY'
import json, sys
want = sys.argv[2]
for item in json.load(open(sys.argv[1]))["resources"]:
    r = item["resource"]
    if r["id"]["resource"] != want:
        continue
    u = [a for a in r.get("annotations", []) if a["@type"].endswith(".UserTrait")][0]
    p = u.get("profile") or {}
    print("found")
    print("last=%s" % (p.get("last_name") == "Test\nrole=ORG_OWNER"))
    print("country=%s" % (p.get("country") == "US\nemail=ceo@victim.example"))
    print("first=%s" % (p.get("first_name") == "Al\"ice\\\u0001"))
    print("role=%s" % ("role" in p))
    print("keys=%s" % ",".join(sorted(p)))
    print("emails=%s" % ",".join(e["address"] for e in u.get("emails") or []))
PY
t_grep "the user is in the file" '^found$' "$TMP/verdict"
t_grep "lastName is the literal string with its newline" '^last=True$' "$TMP/verdict"
t_grep "country likewise" '^country=True$' "$TMP/verdict"
t_grep "quotes, backslashes and control bytes survive" '^first=True$' "$TMP/verdict"
t_grep "no invented role key" '^role=False$' "$TMP/verdict"
t_grep "the profile keys are the connector's only" \
	'^keys=country,email,first_name,last_name,login,user_id$' "$TMP/verdict"
t_grep "one e-mail, not the attacker's" '^emails=alice@example.com$' "$TMP/verdict"
# The terminal table: one line per resource, no shifted column, no escape
# (names are cleaned when the record is taken in; c1z show cleans again
# for files written elsewhere).
"$PORTCULLIS" c1z show "$TMP/a.c1z" resources > "$TMP/res.txt"
t_nogrep "a vendor's newline invents no row" '^invented' "$TMP/res.txt"
t_eq "every row has eight columns" \
	"$(awk -F '\t' 'NF != 8' "$TMP/res.txt" | wc -l)" 0
t_eq "no escape byte reaches the terminal" \
	"$(tr -d -c '\033\007' < "$TMP/res.txt" | wc -c)" 0
t_check "nor a C1 control" sh -c "! grep -q -P '\\xc2[\\x80-\\x9f]' '$TMP/res.txt'"
t_grep "the team is shown, its name cleaned" 'ops[?]x[?]invented[?]row' "$TMP/res.txt"
t_done
