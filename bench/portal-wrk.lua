-- portal-wrk.lua: the wrk script of bench/portal.sh, the same for every kind of request so
-- that wrk does the same work per request whatever it measures.
--
--   wrk ... -s bench/portal-wrk.lua URL -- DATA WANT
--
-- DATA has one request per line, taken in turn:
--   GET PATH
--   POST PATH BODY        (BODY urlencoded, without the carer's name)
-- Each wrk thread starts at its own place in the list and goes round it. A POST's body gets
-- "&name=Bench+Carer+A" or "+B" appended, in turn: each family has two bench carers, whose
-- first submission signs the declarations and answers for every child and purpose, and
-- whose later ones change every answer (the carers per family, so the work per request,
-- stay the same however long the benchmark runs).
-- WANT is the status every response must have (200, or 303 for a submission).
--
-- A submission (a POST to .../confirm) needs the once-only value that the check page
-- issues, so each one is two requests: a POST of the form to .../check, whose page gives
-- the hidden fields with the once-only value, then the POST to .../confirm with them. A
-- thread sends a waiting confirm first, else a new check. Check pages are not counted in
-- ok or bad; wrk's request rate counts both requests.
--
-- At the end it prints one line:
--   portal: ok=N bad=N first_bad=STATUS
-- ok counts responses with the wanted status (for a POST, a 303 whose Location carries a
-- reference), bad the others (first_bad the first such status, 0 for none). For a POST,
-- the reference of every acknowledged submission is appended to DATA.refs, one per line,
-- so that the caller can check each one is stored.

local threads = {}

function setup(thread)
	thread:set("tid", #threads + 1)
	table.insert(threads, thread)
end

function init(args)
	datafile = args[1]
	want = tonumber(args[2])
	reqs = {}
	is_post = 0
	for line in io.lines(datafile) do
		local method, path, body = string.match(line, "^(%u+) (%S+) ?(.*)$")
		if method then
			reqs[#reqs + 1] = { method, path, body }
			if method == "POST" then
				is_post = 1
			end
		end
	end
	assert(#reqs > 0, datafile .. ": no requests")
	headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
	pos = math.floor((tid - 1) * #reqs / 8) % #reqs
	n, ok, bad, first_bad = 0, 0, 0, 0
	refs = {}
end

ready = {} -- confirms whose check page came back: { path, body }

local function urlenc(s)
	return (string.gsub(s, "[^%w%.%-_]", function(c)
		return c == " " and "+" or string.format("%%%02X", string.byte(c))
	end))
end

local function unescape(s)
	s = string.gsub(s, "&#39;", "'")
	s = string.gsub(s, "&quot;", '"')
	s = string.gsub(s, "&lt;", "<")
	s = string.gsub(s, "&gt;", ">")
	return (string.gsub(s, "&amp;", "&"))
end

function request()
	if #ready > 0 then
		local c = table.remove(ready, 1)
		return wrk.format("POST", c[1], headers, c[2])
	end
	pos = pos % #reqs + 1
	local r = reqs[pos]
	if r[1] == "POST" then
		n = n + 1
		return wrk.format("POST", (string.gsub(r[2], "/confirm$", "/check")), headers,
			r[3] .. (n % 2 == 0 and "&name=Bench+Carer+A" or "&name=Bench+Carer+B"))
	end
	return wrk.format("GET", r[2])
end

function response(status, hdrs, body)
	local ref
	if is_post == 1 and status == 200 and body and string.find(body, 'name="once"', 1, true) then
		-- A check page: its form, hidden fields and all, is the confirm to send.
		local action = string.match(body, '<form method="post" action="([^"]*/confirm)"')
		local fields = {}
		for name, value in string.gmatch(body, '<input type="hidden" name="([^"]*)" value="([^"]*)">') do
			fields[#fields + 1] = urlenc(unescape(name)) .. "=" .. urlenc(unescape(value))
		end
		if action then
			ready[#ready + 1] = { action, table.concat(fields, "&") }
			return
		end
	end
	if status == want and is_post == 1 then
		ref = string.match(hdrs["Location"] or hdrs["location"] or "", "ref=([0-9]+%-[0-9A-Fa-f]+)")
	end
	if status == want and (is_post == 0 or ref) then
		ok = ok + 1
		if ref then
			refs[#refs + 1] = ref
		end
	else
		bad = bad + 1
		if first_bad == 0 then
			first_bad = status
		end
	end
end

function done(summary, latency, requests)
	local tok, tbad, tfirst, all = 0, 0, 0, {}
	for _, t in ipairs(threads) do
		tok = tok + t:get("ok")
		tbad = tbad + t:get("bad")
		if tfirst == 0 then
			tfirst = t:get("first_bad")
		end
		if t:get("is_post") == 1 then
			for _, r in ipairs(t:get("refs")) do
				all[#all + 1] = r
			end
		end
	end
	if #all > 0 then
		local f = assert(io.open(threads[1]:get("datafile") .. ".refs", "a"))
		f:write(table.concat(all, "\n"), "\n")
		f:close()
	end
	io.write(string.format("portal: ok=%d bad=%d first_bad=%d\n", tok, tbad, tfirst))
end
