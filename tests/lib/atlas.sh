# Helpers for the Atlas tests: start the mock, write a config, run.
# Needs common.sh sourced first.
ORG=a00000000000000000000001
P0=c00000000000000000000001
P1=c00000000000000000000002
T1=d00000000000000000000001
T2=d00000000000000000000002
U_ALICE=b00000000000000000000001 U_BOB=b00000000000000000000002
U_CAROL=b00000000000000000000003 U_DAVE=b00000000000000000000004
U_ERIN=b00000000000000000000005 U_FRANK=b00000000000000000000006

atlas_mock() {		# fixture [extra args]
	fx=$1
	shift
	t_pymock atlas atlas/server.py --fixture "$fx" "$@"
	ATLAS_PID=$MOCK_PID APORT=$MOCK_PORT
	echo "allow 127.0.0.1/32" > "$TMP/lo.cidr"
	cat > "$TMP/atlas.conf" <<CONF
policy-dir = $TOP/policy
[app atlas]
base-url = https://127.0.0.1:$APORT
ca-file = $CA/ca.pem
allow-file = $TMP/lo.cidr
public-key = pubkey01
connect-timeout = 5
timeout = 30
CONF
}

atlas_stop() {
	kill "$ATLAS_PID" 2>/dev/null
	wait "$ATLAS_PID" 2>/dev/null
}

# atlas NAME [flags...]: run portcullis; out/err/rc in $TMP/NAME.*
atlas() {
	n=$1
	shift
	# A run that names no output writes into the scratch directory, not
	# into the tree the tests run from.
	case " $* " in *" --file "*) ;; *)
		grep -q '^file' "$TMP/atlas.conf" ||
			set -- --file "$TMP/sync.c1z" "$@" ;;
	esac
	BATON_PRIVATE_KEY=priv-5e3c-4b2a "$PORTCULLIS" --config "$TMP/atlas.conf" \
		--app atlas "$@" >"$TMP/$n.out" 2>"$TMP/$n.err"
	echo $? > "$TMP/$n.rc"
}

