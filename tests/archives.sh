# tests/archives.sh: sourced after tests/lib.sh and tests/clamd.sh; the
# archives the engines do not see whole, and messages carrying them.
#
# archive_samples DIR   writes into DIR, each NAME.zip (or .gz) also as
#                       NAME.eml, a mail with it attached in base64:
#   bomb      71 KB zip, one member: 70 MB of zeros, then EICAR
#   lying     the same, both headers declaring the member 100 bytes
#   gzbomb    the member of bomb as a gzip attachment
#   zip64     ZIP64 records, one member: 10 MB of zeros, then EICAR
#   plain10   the same member without ZIP64 (the engine finds this one)
#   encrypted zip -e: EICAR, encrypted
#   cleanzip  a zip of some text (nothing to find)
#   uubomb    (.eml only) bomb.zip uuencoded in a text/plain body
# shipped_limits        the limit and alert lines of service/clamd/clamd.conf

archive_samples() {
  _a=$1
  mkdir -p "$_a" || return 1
  eicar >"$_a/eicar.txt" || return 1
  "$PYTHON" - "$_a" <<'EOF2' || return 1
import gzip, os, struct, sys, zipfile, zlib
d = sys.argv[1]
e = open(os.path.join(d, 'eicar.txt'), 'rb').read()
big = b'\0' * (70 << 20) + e
def mk(name, member, data):
    with zipfile.ZipFile(os.path.join(d, name), 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr(member, data)
ten = big[-(10 << 20) - len(e):]
for zi in [('bomb.zip', 'zeros.bin', big), ('plain10.zip', 'ten.bin', ten),
           ('cleanzip.zip', 'notes.txt', b'nothing to see here\n' * 500)]:
    mk(*zi)
# ZIP64 written out here (zipfile's form changes between Python releases):
# both headers' sizes 0xffffffff with the real ones in a ZIP64 extra field,
# a ZIP64 end record and its locator, as streaming zip writers make them
co = zlib.compressobj(9, zlib.DEFLATED, -15)
cd = co.compress(ten) + co.flush()
crc, n = zlib.crc32(ten), b'ten.bin'
x = struct.pack('<HHQQ', 1, 16, len(ten), len(cd))
lh = struct.pack('<IHHHHHIIIHH', 0x04034b50, 45, 0, 8, 0, 0x21, crc, 0xffffffff, 0xffffffff, len(n), len(x)) + n + x
ce = struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 45, 45, 0, 8, 0, 0x21, crc, 0xffffffff, 0xffffffff,
                 len(n), len(x), 0, 0, 0, 0, 0) + n + x
at = len(lh) + len(cd)
e64 = struct.pack('<IQHHIIQQQQ', 0x06064b50, 44, 45, 45, 0, 0, 1, 1, len(ce), at)
loc = struct.pack('<IIQI', 0x07064b50, 0, at + len(ce), 1)
end = struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, 1, 1, len(ce), at, 0)
open(os.path.join(d, 'zip64.zip'), 'wb').write(lh + cd + ce + e64 + loc + end)
# lying: the local header's and the central directory's size fields say 100
b = bytearray(open(os.path.join(d, 'bomb.zip'), 'rb').read())
assert b[0:4] == b'PK\3\4'
struct.pack_into('<I', b, 22, 100)
c = b.rindex(b'PK\1\2')
struct.pack_into('<I', b, c + 24, 100)
open(os.path.join(d, 'lying.zip'), 'wb').write(b)
with open(os.path.join(d, 'gzbomb.gz'), 'wb') as f:
    f.write(gzip.compress(big, 9))
EOF2
  (cd "$_a" && rm -f encrypted.zip && zip -q -e -P secret encrypted.zip eicar.txt) || return 1
  for _f in bomb lying zip64 plain10 encrypted cleanzip; do
    _attach "$_f" "$_f.zip" application/zip "$_a/$_f.zip" >"$_a/$_f.eml" || return 1
  done
  _attach gzbomb gzbomb.gz application/gzip "$_a/gzbomb.gz" >"$_a/gzbomb.eml" || return 1
  { _headers uubomb; printf 'MIME-Version: 1.0\nContent-Type: text/plain\n\nThe file:\n\n'
    "$PYTHON" -c 'import binascii, sys
d = open(sys.argv[1], "rb").read()
print("begin 644 bomb.zip")
for i in range(0, len(d), 45):
    sys.stdout.write(binascii.b2a_uu(d[i:i + 45], backtick=True).decode())
print("`\nend")' "$_a/bomb.zip"; } >"$_a/uubomb.eml"
}

shipped_limits() {
  grep -E '^(Max|Alert|Heuristic|Scan)' "$TOP/service/clamd/clamd.conf"
}
