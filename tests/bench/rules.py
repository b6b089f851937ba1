#!/usr/bin/python3
# rules.py: the bench's Python baseline. rules.py gen N: N qmfilt-style
# rules on stdout. rules.py match SRC MSG N: N times, every regex of SRC
# compiled (re.M | re.I) and searched over the message, timed in the process
# (interpreter start excluded; re's compile cache purged each time, as in a
# fresh process); prints the median in µs.
import random, re, sys, time

def gen(n):
    random.seed(12)
    words = ("viagra casino lottery winner invoice payment urgent account verify password bank "
             "transfer bitcoin wallet prize claim offer discount pharmacy replica watches loan "
             "credit refund delivery parcel tracking suspended confirm security update").split()
    heads = ["Subject", "From", "X-Mailer", "Reply-To", "Content-Type", "Received", "Message-ID", "To"]
    exts = ["scr", "pif", "bat", "com", "cpl", "exe", "vbs", "js", "lnk", "hta"]
    for i in range(n):
        w = random.sample(words, 3)
        k = i % 6
        if k == 0: rx = "%s %s" % (w[0], w[1])
        elif k == 1: rx = "^%s: .*?(%s|%s)" % (random.choice(heads), w[0], w[1])
        elif k == 2: rx = "(%s|%s|%s)\\s+now%d" % (w[0], w[1], w[2], i)
        elif k == 3: rx = '^Content-Type: [a-z]+/[a-z-]+;\\s+name=".*?\\.(%s|%s)%d"' % (random.choice(exts), random.choice(exts), i)
        elif k == 4: rx = "^%s: %s[0-9]{3,}" % (random.choice(heads), w[2])
        else: rx = "%s.{0,20}%s%d" % (w[0], w[1], i)
        mn = "" if i % 3 else "1000"
        mx = "" if i % 5 else "10000000"
        print("bench%03d::%s::%s::%s::%s::" % (i, ["drop", "block", "trap", ""][i % 4], rx, mn, mx))

def match(src, msgfn, n):
    pats = [l.split("::")[2] for l in open(src, encoding="utf-8") if l.strip() and not l.startswith("#")]
    msg = open(msgfn, "rb").read().decode("latin-1")
    t = []
    for _ in range(n):
        re.purge()
        t0 = time.perf_counter()
        hits = 0
        for p in pats:
            if re.compile(p, re.M | re.I).search(msg): hits += 1
        t.append((time.perf_counter() - t0) * 1e6)
    t.sort()
    print("total %.1f matched %d" % (t[len(t) // 2], hits))

if sys.argv[1] == "gen": gen(int(sys.argv[2]))
else: match(sys.argv[2], sys.argv[3], int(sys.argv[4]))
