#!/usr/bin/python3
# Writes libsodium-vectors.txt (next to this file): known answers of libsodium's crypto_box and
# crypto_secretbox, for BoxTest. Needs PyNaCl (Debian: python3-nacl). Seeded, so a rerun with the same
# libsodium writes the same file: /usr/bin/python3 make-libsodium-vectors.py > libsodium-vectors.txt
import random
import nacl.bindings as b
from nacl.exceptions import RuntimeError as SodiumError

rnd = random.Random(20261203)
def rb(n): return bytes(rnd.getrandbits(8) for _ in range(n))

print("# Known answers from libsodium 1.0.18 (Debian 12 libsodium23, through PyNaCl 1.5.0), made by make-libsodium-vectors.py:")
print("# box <secret key a> <public key b> <nonce> <message> -> <public key a> <shared key> <tag||ciphertext>")
print("# secretbox <key> <nonce> <message> -> <tag||ciphertext>")
print("# refused <secret key a> <public key b>: libsodium refuses the shared key (a point of small order)")
lengths = [0, 1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 255, 256, 1000, 4103]
def box_line(ska, pkb, n):
    pka = b.crypto_scalarmult_base(ska)
    k = b.crypto_box_beforenm(pkb, ska)
    nonce = rb(24); m = rb(n)
    c = b.crypto_box_afternm(m, nonce, k)
    assert c == b.crypto_box(m, nonce, pkb, ska)
    print("box", ska.hex(), pkb.hex(), nonce.hex(), m.hex() or "-", "->", pka.hex(), k.hex(), c.hex())
for n in lengths:
    ska = rb(32); skb = rb(32)
    box_line(ska, b.crypto_scalarmult_base(skb), n)
for n in lengths:
    key = rb(32); nonce = rb(24); m = rb(n)
    c = b.crypto_secretbox(m, nonce, key)
    print("secretbox", key.hex(), nonce.hex(), m.hex() or "-", "->", c.hex())
# public keys with the top bit set (no honest key has it): libsodium, like libzmq, ignores that bit
for n in [0, 50, 300]:
    pkb = bytearray(b.crypto_scalarmult_base(rb(32))); pkb[31] |= 0x80
    box_line(rb(32), bytes(pkb), n)
# the points of small order (libsodium's list), as they are and with the top bit set
small = ["00" * 32, "01" + "00" * 31,
         "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
         "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
         "ec" + "ff" * 30 + "7f", "ed" + "ff" * 30 + "7f", "ee" + "ff" * 30 + "7f"]
for h in small:
    for top in (0, 0x80):
        pk = bytearray(bytes.fromhex(h)); pk[31] |= top
        ska = rb(32)
        try:
            b.crypto_box_beforenm(bytes(pk), ska)
            raise SystemExit("libsodium accepted small-order point " + bytes(pk).hex())
        except SodiumError:
            print("refused", ska.hex(), bytes(pk).hex())
