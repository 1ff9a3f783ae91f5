#!/bin/sh
# Golden test of the site generator: tests/golden/content built with a fixed date must
# match tests/golden/expected (the site) and tests/golden/expected-portal (what the portal
# reads) byte for byte. Regenerate on purpose with `make golden`.
. "$(dirname "$0")/lib.sh"
PG=$BUILD/policygen
TODAY=2026-11-21
out=$TMP/site

# The golden content holds copies of the UI strings (content never comes through links).
for l in en cy; do
	check "golden_i18n_${l}_current" cmp "$TOP/content/i18n/$l.yaml" "$TOP/tests/golden/content/i18n/$l.yaml"
done
# pg CONTENT OUT [ARGS...]: policygen build into OUT, its portal folder OUT.portal and its
# state OUT.state.
pg() {
	c=$1 o=$2
	shift 2
	"$PG" build --content "$c" --templates "$TOP/templates" --out "$o" --portal "$o.portal" \
		--state "$o.state" "$@"
}

check golden_build pg "$TOP/tests/golden/content" "$out" --today $TODAY
# style.css is a verbatim copy of templates/style.css: compared with that instead.
check stylesheet_copied cmp "$TOP/templates/style.css" "$out/style.css"
if diff -ru -x style.css "$TOP/tests/golden/expected" "$out" >"$TMP/diff" 2>&1; then
	pass golden_matches_expected
else
	fail golden_matches_expected "$(head -60 "$TMP/diff")"
fi
if diff -ru "$TOP/tests/golden/expected-portal" "$out.portal" >"$TMP/diff" 2>&1; then
	pass golden_portal_matches_expected
else
	fail golden_portal_matches_expected "$(head -60 "$TMP/diff")"
fi

# The output folder is what gets published: only pages, feeds, the sitemap and the
# stylesheet, for the golden content and for the demo content (every file listed).
only_site() {
	(cd "$1" && find . ! -type d) | grep -vE '^\./(.*/)?index\.html$|^\./[a-z]{2,3}/feed\.xml$|^\./sitemap\.xml$|^\./style\.css$|^\./favicon\.svg$'
}
if extra=$(only_site "$out"); then fail output_only_site "$extra"; else pass output_only_site; fi
check demo_build pg "$TOP/content" "$TMP/demo" --today $TODAY
if extra=$(only_site "$TMP/demo"); then fail demo_output_only_site "$extra"; else
	pass demo_output_only_site; fi
check demo_signable_texts_for_portal test -s "$TMP/demo.portal/texts/code-of-conduct/2026-09-01.cy.html"
# Each signable text is the body the site's page of that version shows (site_body).
body_of_text() { sed -n '/^<h1>/,/^<p class="declaration">/p' "$1" | sed '1d;$d'; }
for lang in en cy; do
	site_body "$TMP/demo/$lang/policies/code-of-conduct/2026-09-01/index.html" >"$TMP/page-body"
	body_of_text "$TMP/demo.portal/texts/code-of-conduct/2026-09-01.$lang.html" >"$TMP/text-body"
	if [ -s "$TMP/page-body" ] && cmp -s "$TMP/page-body" "$TMP/text-body"; then
		pass "signable_text_is_site_body_$lang"
	else
		fail "signable_text_is_site_body_$lang" "$(diff "$TMP/page-body" "$TMP/text-body" | head -20)"
	fi
done
# What builds before left in the output (the state, the cache, the signable list and
# texts) is removed by the first build without a state; other files are left alone.
mkdir -p "$TMP/old/en/policies/conduct/2024-09-01"
for f in .policygen-state .policygen-cache signable.tsv en/policies/conduct/2024-09-01/text.html \
	keep.txt; do echo old >"$TMP/old/$f"; done
pg "$TOP/tests/golden/content" "$TMP/old" --today $TODAY 2>/dev/null
if left=$(cd "$TMP/old" && find . -name '.policygen-*' -o -name signable.tsv -o -name text.html | grep .); then
	fail older_output_cleaned "$left"
else pass older_output_cleaned; fi
check older_output_other_files_kept test -f "$TMP/old/keep.txt"
# Neither the portal's folder nor the state may be inside the published folder.
if "$PG" build --content "$TOP/tests/golden/content" --templates "$TOP/templates" --out "$TMP/o" \
	--portal "$TMP/o/portal" --state "$TMP/st" --today $TODAY >"$TMP/log" 2>&1; then
	fail portal_inside_output_refused "built: $(cat "$TMP/log")"
elif [ -e "$TMP/o/portal" ]; then fail portal_inside_output_refused "made $TMP/o/portal"
else pass portal_inside_output_refused; fi
if "$PG" build --content "$TOP/tests/golden/content" --templates "$TOP/templates" --out "$TMP/o" \
	--portal "$TMP/p" --state "$TMP/o/../o/state" --today $TODAY >"$TMP/log" 2>&1; then
	fail state_inside_output_refused "built: $(cat "$TMP/log")"
else pass state_inside_output_refused; fi

# No raw HTML or javascript: link from the Markdown reaches any page.
if grep -rlE '<script|javascript:|onclick=' "$out" >"$TMP/bad"; then
	fail no_script_in_output "$(cat "$TMP/bad")"
else
	pass no_script_in_output
fi

# An unchanged rebuild writes nothing.
pg "$TOP/tests/golden/content" "$out" --today $TODAY 2>"$TMP/log"
check rebuild_writes_nothing grep -q ' 0 written' "$TMP/log"
# The state outlives the output: an emptied output folder, or another one, is built whole.
rm -rf "$out"
pg "$TOP/tests/golden/content" "$out" --today $TODAY 2>"$TMP/log"
check emptied_output_built_whole diff -r -x style.css "$TOP/tests/golden/expected" "$out"
"$PG" build --content "$TOP/tests/golden/content" --templates "$TOP/templates" --out "$TMP/other" \
	--portal "$TMP/other.portal" --state "$out.state" --today $TODAY 2>/dev/null
check other_output_built_whole diff -r -x style.css "$TOP/tests/golden/expected" "$TMP/other"
rm -rf "$out.portal"
pg "$TOP/tests/golden/content" "$out" --today $TODAY 2>"$TMP/log"
check emptied_portal_built_whole diff -r "$TOP/tests/golden/expected-portal" "$out.portal"

# A version whose effective date is in the future is not published.
check future_version_not_published test ! -e "$out/en/policies/future"

# Older versions are kept; the Welsh page of an English-only policy falls back.
check every_version_has_a_page test -f "$out/cy/policies/conduct/2024-09-01/index.html"
check changes_page test -f "$out/en/policies/conduct/2025-09-01/changes/index.html"
check welsh_fallback_marks_english contains "$out/cy/policies/photos/index.html" '<div class="body" lang="en">'
check welsh_dates contains "$out/cy/policies/conduct/index.html" '1 Medi 2025'
check language_switcher_current contains "$out/cy/index.html" 'lang="cy" aria-current="true"'
# Incremental builds: after an edit, only that policy is rebuilt, and the result is the
# same as a fresh build; a removed policy's pages go; a template change rebuilds all.
cp -RL "$TOP/tests/golden/content" "$TMP/c"
pg "$TMP/c" "$TMP/inc" --today $TODAY 2>/dev/null
echo "A sentence added later." >>"$TMP/c/policies/photos/2025-01-15.en.md"
pg "$TMP/c" "$TMP/inc" --today $TODAY 2>"$TMP/log"
check edit_rebuilds_one_policy grep -q '4 policies, 1 rebuilt' "$TMP/log"
pg "$TMP/c" "$TMP/fresh" --today $TODAY 2>/dev/null
check incremental_equals_fresh diff -r "$TMP/inc" "$TMP/fresh"
check incremental_portal_equals_fresh diff -r "$TMP/inc.portal" "$TMP/fresh.portal"
check edit_shows grep -q 'A sentence added later.' "$TMP/inc/en/policies/photos/index.html"
sed -i 's/^title: Photographs at School Events/title: Photographs at Events/' "$TMP/c/policies/photos/2025-01-15.en.md"
pg "$TMP/c" "$TMP/inc" --today $TODAY 2>/dev/null
check title_change_reaches_index grep -q 'Photographs at Events' "$TMP/inc/en/index.html"
check title_change_reaches_feed grep -q 'Photographs at Events' "$TMP/inc/en/feed.xml"
rm -r "$TMP/c/policies/photos"
pg "$TMP/c" "$TMP/inc" --today $TODAY 2>/dev/null
check removed_policy_pages_go test ! -e "$TMP/inc/en/policies/photos"
check removed_policy_texts_go test ! -e "$TMP/inc.portal/texts/photos"
cp -R "$TOP/templates" "$TMP/t"
echo "<!-- changed -->" >>"$TMP/t/foot.html"
pgt() { "$PG" build --content "$TMP/c" --templates "$TMP/t" --out "$TMP/inc" --portal "$TMP/inc.portal" \
	--state "$TMP/inc.state" "$@"; }
pgt --today $TODAY 2>"$TMP/log"
check template_change_rebuilds_all grep -q '3 policies, 3 rebuilt' "$TMP/log"
sed -i '/^accessibility:/,$d' "$TMP/c/site.yaml"
pgt --today $TODAY 2>/dev/null
check statement_goes_with_its_section test ! -e "$TMP/inc/en/accessibility/index.html"
check no_statement_no_footer_link lacks "$TMP/inc/en/policies/conduct/index.html" '/accessibility/'
pgt --today 2099-06-01 2>"$TMP/log"
check new_day_publishes_future_version test -e "$TMP/inc/en/policies/future/index.html"

# Many policies are built by one worker process per core: the same site as one process.
mkdir -p "$TMP/many/policies"
cp -RL "$TOP/tests/golden/content/site.yaml" "$TOP/tests/golden/content/i18n" "$TMP/many/"
for i in $(seq 10 49); do cp -R "$TOP/tests/golden/content/policies/conduct" "$TMP/many/policies/p$i"; done
POLICYGEN_JOBS=1 pg "$TMP/many" "$TMP/one" --today $TODAY 2>/dev/null
POLICYGEN_JOBS=3 pg "$TMP/many" "$TMP/three" --today $TODAY 2>"$TMP/log"
check parallel_build_same_as_serial diff -r "$TMP/one" "$TMP/three"
check parallel_build_same_portal diff -r "$TMP/one.portal" "$TMP/three.portal"
check parallel_build_complete test -f "$TMP/three/cy/policies/p49/2024-09-01/index.html"
# The summary counts each file once: the workers report only what they wrote themselves.
nfiles=$(find "$TMP/three" "$TMP/three.portal" -type f | wc -l)
check parallel_build_counts_files grep -q " $nfiles files in .*: $nfiles written, 0 unchanged" "$TMP/log"

# The reader's site: contents on the long policy in both languages, honest languages on
# the lists, the details that changed, the statement, the favicon and the page titles.
for l in en cy; do
	check "contents_$l" contains "$out/$l/policies/community/index.html" '<nav class="contents" id="contents" aria-labelledby="contents-heading">'
	check "back_to_contents_$l" contains "$out/$l/policies/community/index.html" '<p class="to-contents"><a href="#contents">'
	check "statement_$l" test -f "$out/$l/accessibility/index.html"
	check "footer_links_statement_$l" contains "$out/$l/policies/conduct/index.html" "<a href=\"/$l/accessibility/\">"
done
check readable_welsh_id contains "$out/cy/policies/community/index.html" '<h2 id="ŵyr-wyresau-ar-teulu-ehangach">'
check short_policy_no_contents lacks "$out/en/policies/photos/index.html" 'nav class="contents"'
check welsh_index_marks_english_only contains "$out/cy/index.html" '<a href="/en/policies/photos/" hreflang="en" lang="en">Photographs at School Events</a> <span class="tag">Saesneg yn unig</span>'
check welsh_feed_marks_english_only contains "$out/cy/feed.xml" '<category term="en-only" label="Saesneg yn unig"/>'
check english_index_marks_welsh contains "$out/en/index.html" '<a href="/cy/policies/community/" hreflang="cy" lang="cy">Cymraeg</a>'
check review_month_in_welsh contains "$out/cy/policies/community/index.html" '<dd>Awst 2027</dd>'
check changes_show_owner contains "$out/en/policies/conduct/2025-09-01/changes/index.html" '<tr><th scope="row">Responsible</th><td>Headteacher</td><td>School Improvement Committee</td></tr>'
check changes_show_review contains "$out/cy/policies/conduct/2025-09-01/changes/index.html" '<tr><th scope="row">Adolygiad nesaf</th><td>Tymor yr Haf 2025</td><td>Gorffennaf 2026</td></tr>'
check favicon_linked contains "$out/en/index.html" '<link rel="icon" href="/favicon.svg" type="image/svg+xml">'
check favicon_copied cmp "$TOP/templates/favicon.svg" "$out/favicon.svg"
check policy_title_pattern contains "$out/en/policies/conduct/index.html" '<title>Code of Conduct for Parents – Test School</title>'
check landing_title_pattern contains "$out/index.html" '<title>Policies for parents and carers – Test School · Polisïau ar gyfer rhieni a gofalwyr – Ysgol Brawf</title>'
check welsh_terms_translated contains "$out/cy/policies/conduct/index.html" 'Corff Llywodraethu Llawn'
check english_term_marked contains "$out/cy/policies/photos/index.html" '<div class="body" lang="en">'
finish
