#!/usr/bin/env python3
"""portal-profile.py: the FastCGI client of bench/portal-profile.sh.

    portal-profile.py SIGN DATA OUT FAMILIES ROUNDS [COMMAND...]

Starts SIGN (sign.fcgi, one thread, sandbox off) with a listening UNIX socket as its
standard input, as a FastCGI server would, behind COMMAND (valgrind ...) when given, on
DATA/db, DATA/portal and DATA/tokens.csv. For each of the last FAMILIES families it reads
the answer form once, then makes ROUNDS rounds of submissions: in each, every family's
check page (every declaration ticked, every question answered yes or no at random from a
fixed seed, by "Bench Carer A" or "B" in turn) and the confirm it leads to, which must be
a 303 with a reference. Then a few other pages: a submission leaving questions blank, its
confirmation page, a family page, a check page and three confirms sent back with errors,
a confirm with a wrong once-only value. Every response is written into OUT/pages/, the
once-only values masked.

Environment: PROFILE_ZERO=N runs `callgrind_control -z` after the first N submissions
(so that the counts leave out the carers' first signatures); with COMMAND, the program's
counters are dumped (`callgrind_control -d`) at the end. PROFILE_PRELOAD: a library to
preload into SIGN (bench/portal-fixed.c's)."""
import html
import os
import random
import re
import socket
import struct
import subprocess
import sys
import time
import urllib.parse

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def record(kind, content):
    return struct.pack(">BBHHBx", 1, kind, 1, len(content), 0) + content


def pair(name, value):
    def length(n):
        return bytes([n]) if n < 128 else struct.pack(">I", n | 0x80000000)
    return length(len(name)) + length(len(value)) + name + value


class Server:
    def __init__(self, sign, data, out, command):
        self.path = os.path.join(out, "sock")
        if os.path.exists(self.path):
            os.unlink(self.path)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(self.path)
        listener.listen(8)
        env = {"PATH": os.environ["PATH"], "TZ": "UTC", "CONSENT_SIGN_THREADS": "1",
               "CONSENT_SANDBOX": "0", "CONSENT_DB": os.path.join(data, "db"),
               "CONSENT_PORTAL": os.path.join(data, "portal"),
               "CONSENT_CONTENT": os.path.join(TOP, "content"),
               "CONSENT_TEMPLATES": os.path.join(TOP, "templates")}
        if os.environ.get("PROFILE_PRELOAD"):
            env["LD_PRELOAD"] = os.environ["PROFILE_PRELOAD"]
        self.proc = subprocess.Popen(command + [sign], stdin=listener.fileno(), env=env)
        listener.close()

    def request(self, method, uri, body=b""):
        for _ in range(300):
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(self.path)
                break
            except OSError:
                time.sleep(0.1)
        params = {"REQUEST_METHOD": method, "REQUEST_URI": uri,
                  "QUERY_STRING": uri.partition("?")[2], "REMOTE_ADDR": "192.0.2.10",
                  "SERVER_PROTOCOL": "HTTP/1.1", "GATEWAY_INTERFACE": "CGI/1.1",
                  "CONTENT_LENGTH": str(len(body)) if method == "POST" else "",
                  "CONTENT_TYPE": "application/x-www-form-urlencoded" if method == "POST" else ""}
        p = b"".join(pair(k.encode(), v.encode()) for k, v in params.items())
        msg = record(1, struct.pack(">HB5x", 1, 0)) + record(4, p) + record(4, b"")
        for i in range(0, len(body), 65535):
            msg += record(5, body[i:i + 65535])
        s.sendall(msg + record(5, b""))
        out, buf = b"", b""
        while True:
            d = s.recv(65536)
            if not d:
                break
            buf += d
            while len(buf) >= 8:
                _, kind, _, n, pad = struct.unpack(">BBHHB", buf[:7])
                if len(buf) < 8 + n + pad:
                    break
                if kind == 6:
                    out += buf[8:8 + n]
                elif kind == 3:
                    s.close()
                    return out
                buf = buf[8 + n + pad:]
        s.close()
        return out


def split(response):
    head, _, body = response.partition(b"\r\n\r\n")
    return head.decode(), body


def masked(b):
    return re.sub(rb'name="once" value="[^"]*"', b'name="once" value="X"', b)


def main():
    sign, data, out = sys.argv[1], sys.argv[2], sys.argv[3]
    nfam, rounds, command = int(sys.argv[4]), int(sys.argv[5]), sys.argv[6:]
    zero = int(os.environ.get("PROFILE_ZERO", "0"))
    os.makedirs(os.path.join(out, "pages"), exist_ok=True)
    srv = Server(sign, data, out, command)
    tokens = [line.strip().split(",")[1].rsplit("/", 1)[1]
              for line in open(os.path.join(data, "tokens.csv")) if line.strip()]
    posters = tokens[-nfam:]
    rng = random.Random(7)
    forms = {}
    for t in posters:
        page = split(srv.request("GET", "/sign/%s/answer" % t))[1].decode()
        forms[t] = (re.search(r'name="csrf" value="([0-9a-f]*)"', page).group(1),
                    re.search(r'name="lang" value="([a-z]*)"', page).group(1),
                    sorted(set(re.findall(r'name="(a\.[0-9]+\.[a-z0-9_-]+)"', page))),
                    sorted(set(re.findall(r'name="(agree\.[0-9]+)"', page))))

    def save(name, data):
        with open(os.path.join(out, "pages", name), "wb") as f:
            f.write(data)

    def submission(n, t, carer, blank=0):
        csrf, lang, names, agrees = forms[t]
        fields = [("csrf", csrf), ("lang", lang)] + [(a, "yes") for a in agrees]
        fields += [(q, rng.choice(["yes", "no"])) for q in names[blank:]]
        fields.append(("name", "Bench Carer " + carer))
        head, body = split(srv.request("POST", "/sign/%s/check" % t,
                                       urllib.parse.urlencode(fields).encode()))
        page = body.decode()
        action = re.search(r'<form method="post" action="([^"]*/confirm)"', page).group(1)
        hidden = re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', page)
        confirm = urllib.parse.urlencode([(html.unescape(k), html.unescape(v))
                                          for k, v in hidden]).encode()
        head2 = split(srv.request("POST", action, confirm))[0]
        loc = re.search(r"Location: (\S+)", head2)
        if not loc or "ref=" not in loc.group(1):
            sys.exit("portal-profile: a confirm was not acknowledged:\n" + head2)
        save("%04d-check.html" % n, masked(body))
        save("%04d-confirm.txt" % n, (head2 + "\n").encode())
        return loc.group(1)

    n = 0
    for rnd in range(rounds):
        for i, t in enumerate(posters):
            submission(n, t, "A" if (rnd + i) % 2 == 0 else "B")
            n += 1
            if n == zero and command:
                subprocess.run(["callgrind_control", "-z", str(srv.proc.pid)], check=True,
                               stdout=subprocess.DEVNULL)
    save("done.html", masked(srv.request("GET", submission(n, posters[0], "A", blank=3))))
    save("family.html", srv.request("GET", "/sign/%s" % posters[1]))
    csrf, lang, names, agrees = forms[posters[2]]
    form = [("csrf", csrf), ("lang", lang)] + [(a, "yes") for a in agrees]
    unnamed = form + [(q, "yes") for q in names[2:]]
    for name, uri, fields in [
            ("check-noname.html", "check", unnamed),
            ("confirm-noname.html", "confirm", unnamed + [("once", "x")]),
            ("confirm-blank.html", "confirm", form[:2] + [("name", "New Carer")]),
            ("confirm-answered-noname.html", "confirm",
             form + [(q, "no") for q in names] + [("once", "x")]),
            ("confirm-badonce.html", "confirm",
             form + [(q, "no") for q in names] + [("name", "Zed"), ("once", "bad")])]:
        save(name, masked(srv.request("POST", "/sign/%s/%s" % (posters[2], uri),
                                      urllib.parse.urlencode(fields).encode())))
    if command:
        subprocess.run(["callgrind_control", "-d", str(srv.proc.pid)], check=True,
                       stdout=subprocess.DEVNULL)
    srv.proc.terminate()
    srv.proc.wait()
    print("submissions %d" % (n + 1))


main()
