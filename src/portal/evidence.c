#include "evidence.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static const char *dup(struct arena *a, sqlite3_stmt *st, int i)
{
	return arena_strdup(a, db_col_text(st, i));
}

int evidence_load(struct db *db, struct arena *a, long long family_id, long long first_id,
                  struct evidence **out)
{
	/* The event columns first (DB_EVENT_COLUMNS, for db_event_hash_at), then what the
	 * page shows beside them. */
	static const char events_sql[] =
	    "SELECT e.*, coalesce(c.first_name, ''), coalesce(c.ref, ''),"
	    " coalesce(d.slug, ''), coalesce(d.title, ''), coalesce(d.version, ''),"
	    " coalesce(d.lang, ''), coalesce(d.sha256, ''), coalesce(f.ref, '')"
	    " FROM (SELECT " DB_EVENT_COLUMNS " FROM event"
	    "  WHERE family_id = ?1 AND detail = ?2 AND id >= ?3) e"
	    " LEFT JOIN child c ON c.id = e.child_id"
	    " LEFT JOIN document d ON d.id = e.document_id"
	    " LEFT JOIN family f ON f.id = e.family_id ORDER BY e.id";
	/* The entries of one submission event's data, with what the page shows beside them. */
	static const char items_sql[] =
	    "WITH e AS (" CONSENT_ITEMS_SQL("id = ?1 AND family_id = ?2") ")"
	    " SELECT e.kind, coalesce(e.purpose, ''), coalesce(e.answer, ''),"
	    " coalesce(c.first_name, ''), coalesce(c.ref, ''), coalesce(d.slug, ''),"
	    " coalesce(d.title, ''), coalesce(d.version, ''), coalesce(d.lang, ''),"
	    " coalesce(d.sha256, '') FROM e"
	    " LEFT JOIN child c ON c.id = e.child_id"
	    " LEFT JOIN document d ON d.id = e.document_id ORDER BY e.item";
	static const char size_sql[] = "SELECT coalesce(max(id), 0) FROM event";
	size_t i, n;
	char detail[48];
	struct evidence *ev;
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	*out = NULL;
	if ((ev = arena_alloc(a, sizeof *ev)) == NULL)
		return -1;
	memset(ev, 0, sizeof *ev);
	snprintf(detail, sizeof detail, "submission %lld", first_id);
	if ((st = db_stmt(db, events_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, family_id);
	sqlite3_bind_text(st, 2, detail, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, first_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct evidence_event *e;
		struct buf canon = BUF_INIT;
		char hash[DB_HASH_HEX + 1];
		if (ev->nevents == cap) {
			size_t c = cap ? cap * 2 : 8;
			struct evidence_event *p = arena_alloc(a, c * sizeof *p);
			if (p == NULL)
				break;
			if (ev->nevents)
				memcpy(p, ev->events, ev->nevents * sizeof *p);
			ev->events = p;
			cap = c;
		}
		e = &ev->events[ev->nevents];
		memset(e, 0, sizeof *e);
		if (ev->nevents == 0 && sqlite3_column_int64(st, 0) != first_id)
			break; /* first_id is not the submission's first event */
		ev->nevents++;
		e->id = sqlite3_column_int64(st, 0);
		e->at = dup(a, st, 1);
		e->kind = dup(a, st, 2);
		e->purpose = dup(a, st, 5);
		e->answer = dup(a, st, 6);
		e->prev = dup(a, st, 13);
		e->hash = dup(a, st, 14);
		e->version_no = db_event_hash_at(st, hash, &canon);
		e->hash_ok = strcmp(hash, db_col_text(st, 14)) == 0;
		e->canon = arena_strdup(a, buf_ok(&canon) && canon.len ? buf_str(&canon) : "");
		buf_free(&canon);
		e->child = dup(a, st, 18);
		e->child_ref = dup(a, st, 19);
		e->slug = dup(a, st, 20);
		e->title = dup(a, st, 21);
		e->version = dup(a, st, 22);
		e->lang = dup(a, st, 23);
		e->sha256 = dup(a, st, 24);
		if (ev->nevents == 1) {
			int h;
			snprintf(ev->ref, sizeof ev->ref, "%lld-", e->id);
			for (h = 0; h < 4 && e->hash[h]; h++)
				ev->ref[strlen(ev->ref)] = (char)toupper((unsigned char)e->hash[h]);
			ev->at = e->at;
			ev->signer = sqlite3_column_type(st, 8) == SQLITE_NULL ? NULL : dup(a, st, 8);
			ev->channel = dup(a, st, 10);
			ev->staff = sqlite3_column_type(st, 11) == SQLITE_NULL ? NULL : dup(a, st, 11);
			ev->family_ref = dup(a, st, 25);
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return -1;
	if (!arena_ok(a))
		return -1;
	if (ev->nevents == 0)
		return 1;
	/* Each submission event's entries after it, sharing its id and hash. */
	for (i = 0, n = ev->nevents; i < n; i++) {
		const struct evidence_event *s = &ev->events[i];
		if (strcmp(s->kind, "submission") != 0)
			continue;
		if ((st = db_stmt(db, items_sql)) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, s->id);
		sqlite3_bind_int64(st, 2, family_id);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			struct evidence_event *e;
			if (ev->nevents == cap) {
				size_t c = cap * 2;
				struct evidence_event *p = arena_alloc(a, c * sizeof *p);
				if (p == NULL)
					break;
				memcpy(p, ev->events, ev->nevents * sizeof *p);
				ev->events = p;
				cap = c;
				s = &ev->events[i];
			}
			e = &ev->events[ev->nevents++];
			*e = *s;
			e->item = 1;
			e->canon = "";
			e->kind = dup(a, st, 0);
			e->purpose = dup(a, st, 1);
			e->answer = dup(a, st, 2);
			e->child = dup(a, st, 3);
			e->child_ref = dup(a, st, 4);
			e->slug = dup(a, st, 5);
			e->title = dup(a, st, 6);
			e->version = dup(a, st, 7);
			e->lang = dup(a, st, 8);
			e->sha256 = dup(a, st, 9);
		}
		sqlite3_reset(st);
		if (rc != SQLITE_DONE || !arena_ok(a))
			return -1;
	}
	if (n != ev->nevents) { /* the entries in place after their events */
		struct evidence_event *p = arena_alloc(a, ev->nevents * sizeof *p);
		size_t o = 0, k;
		if (p == NULL)
			return -1;
		for (i = 0; i < n; i++) {
			p[o++] = ev->events[i];
			for (k = n; k < ev->nevents; k++)
				if (ev->events[k].id == ev->events[i].id)
					p[o++] = ev->events[k];
		}
		ev->events = p;
	}
	if ((st = db_stmt(db, size_sql)) == NULL)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		ev->log_size = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	*out = ev;
	return 0;
}
