# The CGI shell tests again with every program they start replaced by a wrapper script:
# shared by asan.sh and valgrind.sh. Source it after lib.sh, define
#   wrapper NAME BIN   prints the wrapper script that runs BIN (the program NAME)
# then call wrap_programs and run_wrapped. Reports go to $REPORTS.
REPORTS=$TMP/reports
WRAP=$TMP/bin
mkdir -p "$REPORTS" "$WRAP"

# wrap_programs LABEL FIND: $WRAP/NAME for each program the tests start, BIN being what
# the function FIND prints for NAME; when one is not built LABEL_setup fails.
wrap_programs() {
	_names="sign.fcgi office.fcgi consentctl policygen sign-fixture"
	# shellcheck disable=SC2046
	need_programs "$1_setup" $(for _prog in $_names; do $2 "$_prog"; done)
	for _prog in $_names; do
		wrapper "$_prog" "$($2 "$_prog")" >"$WRAP/$_prog"
		chmod +x "$WRAP/$_prog"
	done
}

# run_wrapped LABEL TEST...: runs each tests/TEST.sh with the wrappers and passes each
# line on with "LABEL:" in front of its name; a test that exits non-zero without a FAIL
# line fails too.
run_wrapped() {
	_label=$1
	shift
	for _t in "$@"; do
		if [ ! -f "$TOP/tests/$_t.sh" ]; then
			fail "$_label:$_t" "no tests/$_t.sh"
			continue
		fi
		SIGN=$WRAP/sign.fcgi OFFICE=$WRAP/office.fcgi CONSENTCTL=$WRAP/consentctl \
			POLICYGEN=$WRAP/policygen SIGN_FIXTURE=$WRAP/sign-fixture \
			sh "$TOP/tests/$_t.sh" >"$TMP/$_t.out" 2>&1
		_rc=$?
		sed -n "s/^\(PASS\|FAIL\|SKIP\) /\1 $_label:/p" "$TMP/$_t.out"
		_nfail=$(grep -c '^FAIL' "$TMP/$_t.out")
		failures=$((failures + _nfail))
		if [ "$_rc" != 0 ] && [ "$_nfail" = 0 ]; then
			fail "$_label:$_t" "exit status $_rc: $(tail -n 5 "$TMP/$_t.out")"
		fi
	done
}
