#!/bin/sh
# Negative tests of `policygen check`: each case breaks a copy of the golden content in
# one way and expects exit status 1 and a "path:line: message" naming the problem.
. "$(dirname "$0")/lib.sh"
PG=$BUILD/policygen
SRC=$TOP/tests/golden/content

fresh() {
	rm -rf "$TMP/c"
	cp -RL "$SRC" "$TMP/c"
}
# expect NAME 'expected text': runs check on $TMP/c.
expect() {
	"$PG" check --content "$TMP/c" --today 2026-11-21 >"$TMP/out" 2>&1
	rc=$?
	if [ $rc = 1 ] && grep -qF -- "$2" "$TMP/out"; then
		pass "$1"
	else
		fail "$1" "exit $rc, wanted 1 and '$2'; got: $(head -5 "$TMP/out")"
	fi
}
conduct=$TMP/c/policies/conduct
en=$conduct/2024-09-01.en.md
cy=$conduct/2024-09-01.cy.md

fresh
check valid_content_passes "$PG" check --content "$TMP/c" --today 2026-11-21

fresh; sed -i '/^title:/d' "$en"
expect missing_title "policies/conduct/2024-09-01.en.md:1: missing title"
fresh; sed -i '/^review:/d' "$en"
expect missing_review "2024-09-01.en.md:1: missing review"
fresh; sed -i 's/^owner:/colour: blue\nowner:/' "$en"
expect unknown_field "2024-09-01.en.md:5: unknown field 'colour'"
fresh; sed -i 's/^review: .*/review: Sprng 2025/' "$en"
expect malformed_review 'review date "Sprng 2025": not YYYY-MM-DD, YYYY-MM or a term such as "Spring 2026"'
fresh; sed -i 's/^review: .*/review: 2025-02-29/' "$en"
expect impossible_review_date '2025 is not a leap year'
fresh; sed -i 's/^owner:/effective: 2024-13-01\nowner:/' "$en"
expect bad_effective_date 'effective date "2024-13-01": month 13 does not exist'
fresh; sed -i 's/^review: .*/review: 2020-01-01/' "$en"
expect review_before_version 'is before the version date'
fresh; sed -i 's/^title:/approved_by: Y Corff Llywodraethu\ntitle:/' "$cy"
expect translation_disagrees 'approved_by disagrees with'
fresh; sed -i '/^declaration:/d' "$cy"
expect translation_lacks_declaration "2024-09-01.cy.md:1: missing declaration"
fresh; echo "notes" >"$conduct/notes.txt"
expect bad_file_name "notes.txt: file name is not <YYYY-MM-DD>.<language>.md"
fresh; cp "$cy" "$conduct/2024-09-01.fr.md"
expect unknown_language "language 'fr' is not one of the languages in site.yaml"
fresh; cp "$cy" "$conduct/2023-01-01.cy.md"
expect translation_without_default "2023-01-01.cy.md: no en file for this version"
fresh; sed -i 's/^audience: .*/audience: Parents/' "$en"
expect audience_not_list "audience must be a list"
fresh; sed -i 's/^owner: .*/owner: [unclosed/' "$en"
expect yaml_syntax_error "2024-09-01.en.md:6: YAML did not find expected"
fresh; sed -i '0,/^---$/!{0,/^---$/s/^---$/xx/}' "$en"
expect front_matter_not_closed "the front matter is never closed"
fresh; printf '\377\376bad' >>"$en"
expect invalid_utf8 "not valid UTF-8"
fresh; mv "$conduct" "$TMP/c/policies/Bad_Name"
expect bad_slug "a policy folder name uses only a-z, 0-9 and '-'"
fresh; sed -i 's/^resign: .*/resign: maybe/' "$conduct/2025-09-01.en.md"
expect resign_not_bool "resign must be true or false"
fresh; rm "$TMP/c/i18n/cy.yaml"; grep -v '^agreed:' "$SRC/i18n/cy.yaml" >"$TMP/c/i18n/cy.yaml"
expect i18n_missing_string "missing string 'agreed'"
fresh; sed -i 's/^previous: .*/previous: [2026-01-01]/' "$en"
expect previous_not_older "previous version 2026-01-01 is not older"
fresh; sed -i 's/^languages: .*/languages: [en]/' "$TMP/c/site.yaml"
expect language_removed_from_site "language 'cy' is not one of the languages"

# Warnings do not fail the check, but are reported.
warns() {
	"$PG" check --content "$TMP/c" --today 2026-11-21 >"$TMP/out" 2>&1
	rc=$?
	if [ $rc = 0 ] && grep -qF -- "$2" "$TMP/out"; then pass "$1"; else fail "$1" "exit $rc; got: $(head -5 "$TMP/out")"; fi
}
fresh; sed -i 's/^owner: .*/owner: Deputy Head/' "$TMP/c/policies/conduct/2025-09-01.en.md"
warns untranslated_term_warns "'Deputy Head' has no cy translation: add it under terms: in i18n/cy.yaml"
fresh
warns out_of_date_translation_warns "cy translation is out of date: the latest is 2024-09-01, the current version is 2025-09-01"
warns missing_translation_warns "photos/2025-01-15.en.md: warning: no cy translation"
warns overdue_review_warns "warning: review overdue: was due by 2026-07"

# A build with errors writes nothing.
fresh; sed -i '/^title:/d' "$en"
if "$PG" build --content "$TMP/c" --out "$TMP/out-site" --today 2026-11-21 2>/dev/null; then
	fail build_refuses_errors "build succeeded"
elif [ -e "$TMP/out-site" ]; then
	fail build_refuses_errors "output folder was created"
else
	pass build_refuses_errors
fi

# reviewed: (re-adoption without change) and changes: (summary of changes).
photos=$TMP/c/policies/photos/2025-01-15.en.md
fresh; sed -i 's/review: Spring 2028/review: Sprung 2028/' "$photos"
expect reviewed_bad_review 'reviewed: review date "Sprung 2028"'
fresh; sed -i 's/{date: 2026-03-03, /{date: 2025-01-01, /' "$photos"
expect reviewed_before_version 'reviewed: date 2025-01-01 is not after the version date 2025-01-15'
fresh; sed -i 's/approved_by: Full Governing Body, //' "$photos"
expect reviewed_needs_approver 'reviewed: missing approved_by'
fresh; sed -i 's/minute: FGB 2026\/11}/minuet: x}/' "$photos"
expect reviewed_unknown_field "reviewed: unknown field 'minuet'"
fresh; sed -i 's/^  - {date.*/  - 2026-03-03/' "$photos"
expect reviewed_not_mapping 'each item of reviewed is {date: YYYY-MM-DD'
fresh; sed -i 's/^approved_on: .*/approved_on: 2025-03-01/' "$photos"
expect approved_on_after_effective 'approved_on 2025-03-01 is after the date the version takes effect, 2025-02-01'
fresh; sed -i 's/^changes: .*/changes: [a, b]/' "$TMP/c/policies/conduct/2025-09-01.en.md"
expect changes_not_text 'changes must be'
fresh; sed -i 's/^title:/reviewed: []\ntitle:/' "$cy"
expect reviewed_only_in_default "reviewed is given here but not in"

# review: exit 1 when a review is overdue, 0 otherwise.
fresh
"$PG" review --content "$TMP/c" --today 2026-11-21 >"$TMP/review" 2>&1
rc=$?
if [ $rc = 1 ] && grep -q 'conduct .* overdue' "$TMP/review"; then pass review_overdue_exit_1; else fail review_overdue_exit_1 "exit $rc: $(cat "$TMP/review")"; fi
"$PG" review --content "$TMP/c" --today 2026-06-15 --within 60 >"$TMP/review" 2>&1
rc=$?
if [ $rc = 0 ] && grep -q 'conduct .* due soon' "$TMP/review"; then pass review_due_soon_exit_0; else fail review_due_soon_exit_0 "exit $rc: $(cat "$TMP/review")"; fi
"$PG" review --content "$TMP/c" --today 2026-06-15 --within abc >/dev/null 2>&1
check_rc=$?
if [ $check_rc = 2 ]; then pass review_bad_within_usage; else fail review_bad_within_usage "exit $check_rc"; fi
finish
