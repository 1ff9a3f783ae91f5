#!/usr/bin/env python3
"""A second, independent check of a consentctl checkpoint (C2SP signed-note, Ed25519),
with PyNaCl and hashlib only: checkpoint_check.py VERIFIER_KEY_FILE CHECKPOINT_FILE.
Prints "ok <origin> <size> <hash hex>" and exits 0 when the signature verifies; exits 1
with the reason otherwise."""
import base64
import hashlib
import sys

import nacl.exceptions
import nacl.signing


def main():
    vkey = open(sys.argv[1], encoding="utf-8").read().strip()
    note = open(sys.argv[2], "rb").read()
    name, keyid_hex, b64 = vkey.split("+", 2)
    raw = base64.b64decode(b64, validate=True)
    if len(raw) != 33 or raw[0] != 0x01:
        sys.exit("not an Ed25519 verifier key")
    pk = raw[1:]
    keyid = hashlib.sha256(name.encode() + b"\n\x01" + pk).digest()[:4]
    if keyid.hex() != keyid_hex:
        sys.exit("the verifier key's id does not match SHA-256(name || 0x0A || 0x01 || key)")
    text, sep, sigs = note.partition(b"\n\n")
    if not sep:
        sys.exit("no blank line")
    body = text + b"\n"
    for line in sigs.decode("utf-8").splitlines():
        if not line.startswith("\u2014 "):
            continue
        who, sig64 = line[2:].rsplit(" ", 1)
        sig = base64.b64decode(sig64, validate=True)
        if who != name or sig[:4] != keyid:
            continue
        try:
            nacl.signing.VerifyKey(pk).verify(body, sig[4:])
        except nacl.exceptions.BadSignatureError:
            sys.exit("bad signature")
        origin, size, root = body.decode().splitlines()[:3]
        if origin != name:
            sys.exit("origin is not the key's name")
        print("ok", origin, int(size), base64.b64decode(root).hex())
        return
    sys.exit("no signature by " + name)


main()
