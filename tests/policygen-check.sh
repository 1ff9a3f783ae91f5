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
expect malformed_review 'review date "Sprng 2025": not a date this understands; write a date (2027-09-01 or 1 September 2027), a month (September 2027, Sept 2027, Medi 2027 or 2027-09) or a term (Spring 2027, Summer term 2027, Gwanwyn 2027 or Tymor yr Haf 2027)'
# Dates as schools write them pass, in either language; Welsh and English must agree.
fresh; sed -i 's/^review: .*/review: August 2025/' "$en"
check month_name_review_passes "$PG" check --content "$TMP/c" --today 2026-11-21
fresh; sed -i 's/^review: .*/review: Sept 2027/' "$en"; sed -i 's/^title:/review: Medi 2027\ntitle:/' "$cy"
check welsh_month_agrees_with_english "$PG" check --content "$TMP/c" --today 2026-11-21
fresh; sed -i 's/^review: .*/review: Summer term 2025/' "$en"; sed -i 's/^title:/review: Tymor yr Haf 2025\ntitle:/' "$cy"
check welsh_term_agrees_with_english "$PG" check --content "$TMP/c" --today 2026-11-21
fresh; sed -i 's/^review: .*/review: October 2027/' "$en"; sed -i 's/^title:/review: Hydref 2027\ntitle:/' "$cy"
expect welsh_review_disagrees 'review "Hydref 2027" (due 31 December 2027) disagrees with "October 2027" (due 31 October 2027)'
expect welsh_review_disagrees_hint 'the month is "mis Hydref"'
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
# Front-matter mistakes in plain words, at the field's line, not the YAML library's text.
fresh; sed -i 's/^title: .*/title: Photos: our rules/' "$en"
expect unquoted_colon_in_title '2024-09-01.en.md:2: title contains a colon followed by a space, which YAML reads as the start of another field; put the value in quotes: title: "Photos: our rules"'
if grep -qE 'YAML (mapping|did|could|found)' "$TMP/out"; then fail unquoted_colon_no_yaml_text "$(cat "$TMP/out")"; else pass unquoted_colon_no_yaml_text; fi
fresh; sed -i 's/^title: .*/title: "Photos: our rules"/' "$en"
check quoted_colon_in_title_passes "$PG" check --content "$TMP/c" --today 2026-11-21
fresh; sed -i 's/^title: .*/title: Rules: "Photos" at school/' "$en"
expect colon_and_quotes_suggests_single "title: 'Rules: \"Photos\" at school'"
fresh; sed -i 's/^summary: .*/summary: How we ask parents\nto behave online./' "$cy"
line=$(grep -n '^summary:' "$cy" | cut -d: -f1)
expect multi_line_summary "2024-09-01.cy.md:$line: summary runs onto line $((line + 1)), which is not a field of its own: write summary on one line (or indent the lines that continue it)"
if grep -qE 'YAML (mapping|did|could|found)' "$TMP/out"; then fail multi_line_summary_no_yaml_text "$(cat "$TMP/out")"; else pass multi_line_summary_no_yaml_text; fi
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

# Content is read only from ordinary files and folders: a link, a FIFO or a device is
# refused with a clear error (never read through, never waited on), and so is a policy
# file over the size limit. Each case would otherwise publish a file from outside
# content/, fill the disk or hang the build.
echo "Secret from outside the content folder." >"$TMP/outside.md"
fresh; rm "$cy"; ln -s "$TMP/outside.md" "$cy"
expect symlinked_policy_file_refused "2024-09-01.cy.md: is a symbolic link"
fresh; ln -s /dev/zero "$conduct/2026-01-01.en.md"
expect symlink_to_device_refused "2026-01-01.en.md: is a symbolic link"
fresh; mkfifo "$conduct/2026-01-01.en.md"
if timeout 10 "$PG" check --content "$TMP/c" --today 2026-11-21 >"$TMP/out" 2>&1; then
	fail fifo_refused "check passed"
elif grep -qF "2026-01-01.en.md: is a FIFO (named pipe), not an ordinary file" "$TMP/out"; then
	pass fifo_refused
else
	fail fifo_refused "$(head -5 "$TMP/out")"
fi
fresh; mv "$conduct" "$TMP/conduct-elsewhere"; ln -s "$TMP/conduct-elsewhere" "$conduct"
expect symlinked_policy_folder_refused "policies/conduct: is a symbolic link, not a folder"
fresh; rm "$TMP/c/i18n/cy.yaml"; ln -s "$TOP/content/i18n/cy.yaml" "$TMP/c/i18n/cy.yaml"
expect symlinked_i18n_refused "i18n/cy.yaml: is a symbolic link"
fresh; mkdir "$TMP/c/demo"; ln -s /etc/passwd "$TMP/c/demo/families.csv"
expect link_elsewhere_in_content_refused "demo/families.csv: is a symbolic link, not an ordinary file"
fresh; echo "not a policy" >"$TMP/c/policies/readme.txt"
expect file_among_policy_folders_refused "policies/readme.txt: is an ordinary file, not a folder"
fresh; head -c 98000 /dev/zero | tr '\0' 'a' >>"$en"
expect oversized_policy_refused "2024-09-01.en.md: is 98"
expect oversized_policy_says_limit "over the limit of 98304 bytes (96 KiB) for one policy file"
# A build refuses them too, and writes nothing from outside.
fresh; rm "$cy"; ln -s "$TMP/outside.md" "$cy"
if "$PG" build --content "$TMP/c" --out "$TMP/out-link" --today 2026-11-21 2>/dev/null; then
	fail build_refuses_symlink "build succeeded"
elif grep -rqs "Secret from outside" "$TMP/out-link"; then
	fail build_refuses_symlink "published the linked file"
else
	pass build_refuses_symlink
fi

# The accessibility statement's facts are checked; without them the check warns.
fresh; sed -i 's/^  tested: .*/  tested: 2026-02-30/' "$TMP/c/site.yaml"
expect a11y_bad_tested_date 'site.yaml:9: accessibility: tested "2026-02-30": February 2026 has 28 days'
fresh; sed -i 's/^  status: .*/  status: mostly/' "$TMP/c/site.yaml"
expect a11y_bad_status 'accessibility: status must be full (the site meets the standard) or partial'
fresh; sed -i '/^  email: /d' "$TMP/c/site.yaml"
expect a11y_needs_a_way_to_ask 'accessibility: give an email or a phone'
fresh; sed -i 's/^  formats: .*/  formats: {en: large print}/' "$TMP/c/site.yaml"
expect a11y_formats_per_language 'accessibility: formats needs one line of text in cy'
fresh; sed -i '/^  problems:/,$d' "$TMP/c/site.yaml"
expect a11y_partial_lists_problems 'accessibility: problems needs a list in en'

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
fresh; sed -i '/^accessibility:/,$d' "$TMP/c/site.yaml"
warns no_statement_warns "site.yaml: warning: no accessibility: section, so the site has no accessibility statement"

# A build with errors writes nothing.
fresh; sed -i '/^title:/d' "$en"
if "$PG" build --content "$TMP/c" --out "$TMP/out-site" --portal "$TMP/out-portal" \
	--state "$TMP/out-state" --today 2026-11-21 2>/dev/null; then
	fail build_refuses_errors "build succeeded"
elif [ -e "$TMP/out-site" ] || [ -e "$TMP/out-portal" ] || [ -e "$TMP/out-state" ]; then
	fail build_refuses_errors "an output, portal or state folder was created"
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
