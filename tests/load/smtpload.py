#!/usr/bin/python3
# tests/load/smtpload.py: the SMTP load test's client and its accounting.
#   send:  N messages from C parallel clients (one process each), several
#          per SMTP session, half of the clients from 127.0.0.1 and half from
#          127.0.0.2; every reply is written to a JSON results file.
#   check: reads the queue files themselves (todo, intd, mess, pid) and the
#          qmail-smtpd log against those results; prints "ok - " / "FAIL - ".
# Loopback only; every socket operation has a timeout, the run a deadline.

import argparse
import base64
import collections
import json
import multiprocessing
import os
import random
import re
import smtplib
import sys
import time

DOMAIN_FROM = 'load.example.com'
DOMAIN_TO = 'example.org'


def eicar():
    # in two halves, so that this file is not itself an EICAR file
    return ('X5O!P%@AP[4\\PZX54(P^)7CC)7}$' + 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*').encode()


def kind_of(i):
    # exactly one message in ten is infected, alternately in the body and
    # as a base64 attachment
    if i % 10:
        return 'clean'
    return 'eicar' if i % 20 == 0 else 'attach'


def ip_of_client(c, clients):
    return '127.0.0.1' if c < clients // 2 else '127.0.0.2'


def msgid(run, seed, i):
    return '%s-%d-%05d' % (run, seed, i)


def envelope(mid):
    return 'load-%s@%s' % (mid, DOMAIN_FROM), 'rcpt-%s@%s' % (mid, DOMAIN_TO)


def lines_of(rng, n):
    words = ['queue', 'scan', 'message', 'clean', 'mail', 'server', 'line', 'of',
             'text', 'the', 'a', 'load', 'test', 'qmail', 'envelope', 'header']
    out = []
    for _ in range(n):
        out.append(' '.join(rng.choice(words) for _ in range(rng.randint(4, 14))))
    return '\n'.join(out) + '\n'


def message(run, seed, i):
    """The message with number i, as bytes with LF line ends, as it should
    reach the queue. The same (run, seed, i) always gives the same bytes."""
    rng = random.Random('%s/%d/%d' % (run, seed, i))
    mid = msgid(run, seed, i)
    kind = kind_of(i)
    sender, rcpt = envelope(mid)
    h = ('From: <%s>\nTo: <%s>\nSubject: load test %s (%s)\n'
         'Date: Wed, 1 Jan 2025 00:00:00 +0000\nMessage-ID: <%s@%s>\nX-Load-ID: %s\n'
         % (sender, rcpt, mid, kind, mid, DOMAIN_FROM, mid))
    attach = None
    if kind == 'attach':
        attach = ('eicar.com', 'application/octet-stream', eicar())
    elif kind == 'clean' and rng.random() < 0.15:
        attach = ('data.bin', 'application/octet-stream', rng.randbytes(rng.randint(2000, 8000)))
    text = lines_of(rng, rng.randint(10, 60))
    if kind == 'eicar':
        text += 'The test string follows.\n' + eicar().decode() + '\n'
    if attach is None:
        return (h + '\n' + text).encode()
    b64 = base64.encodebytes(attach[2]).decode()
    return (h + 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="ld-%s"\n\n'
            'This is a multi-part message in MIME format.\n\n--ld-%s\n'
            'Content-Type: text/plain; charset=us-ascii\n\n%s\n--ld-%s\n'
            'Content-Type: %s; name="%s"\nContent-Transfer-Encoding: base64\n'
            'Content-Disposition: attachment; filename="%s"\n\n%s\n--ld-%s--\n'
            % (mid, mid, text, mid, attach[1], attach[0], attach[0], b64, mid)).encode()


def wire(msg):
    # CRLF line ends and dot-stuffing, then the final dot
    out = []
    for line in msg.split(b'\n')[:-1]:
        out.append(b'.' + line if line.startswith(b'.') else line)
    return b'\r\n'.join(out) + b'\r\n.\r\n'


def qp_of(text):
    m = re.search(r'\bqp (\d+)\b', text)
    return int(m.group(1)) if m else None


# ---------------------------------------------------------------- send

class Stop(Exception):
    pass


def worker(c, a, mine, ready, go, outdir):
    """One SMTP client: its messages in sessions of a.per messages each."""
    ip = ip_of_client(c, a.clients)
    msgs = [(i, wire(message(a.run, a.seed, i))) for i in mine]
    recs = []
    sessions = []               # seconds from connect to the EHLO reply
    ever_connected = False
    ready.release()
    go.wait()
    deadline = a.t0 + a.limit
    k = 0
    try:
        while k < len(msgs):
            if time.time() > deadline:
                raise Stop('time limit')
            s = None
            tries = 0
            t_conn = time.time()
            while s is None:
                try:
                    s = smtplib.SMTP('127.0.0.1', a.port, local_hostname='client%d.load.example' % c,
                                     timeout=a.timeout, source_address=(ip, 0))
                except ConnectionRefusedError:
                    # only while the server may still be starting up
                    tries += 1
                    if ever_connected or tries > 50 or time.time() > deadline:
                        raise
                    time.sleep(0.2)
            ever_connected = True
            code, text = s.ehlo()
            if code != 250:
                raise Stop('ehlo: %d %s' % (code, text))
            sessions.append(time.time() - t_conn)
            for _ in range(a.per):
                if k >= len(msgs) or time.time() > deadline:
                    break
                i, data = msgs[k]
                k += 1
                sender, rcpt = envelope(msgid(a.run, a.seed, i))
                rec = {'i': i, 'client': c, 'ip': ip, 'kind': kind_of(i)}
                t_msg = time.time()
                recs.append(rec)
                code, text = s.mail(sender)
                if code == 250:
                    code, text = s.rcpt(rcpt)
                if code == 250:
                    code, text = s.docmd('DATA')
                    if code == 354:
                        s.send(data)
                        code, text = s.getreply()
                        rec['stage'] = 'final'
                    else:
                        rec['stage'] = 'data'
                else:
                    rec['stage'] = 'envelope'
                    s.rset()
                text = text.decode('ascii', 'replace')
                rec['code'], rec['reply'] = code, text
                rec['qp'] = qp_of(text)
                rec['secs'] = time.time() - t_msg
            s.quit()
            s = None
    except (Stop, OSError, smtplib.SMTPException) as e:
        if recs and 'code' not in recs[-1]:
            recs[-1]['code'], recs[-1]['reply'] = 0, 'error: %s' % e
        recs.append({'client': c, 'error': '%s: %s' % (type(e).__name__, e)})
    t_end = time.time()
    with open(os.path.join(outdir, 'client.%d' % c), 'w') as f:
        json.dump({'t_end': t_end, 'recs': recs, 'sessions': sessions}, f)


def pct(xs, p):
    return xs[min(len(xs) - 1, len(xs) * p // 100)]


def cmd_send(a):
    # a fixed shuffle, so that the infected messages are spread over all clients
    order = list(range(a.n))
    random.Random(a.seed).shuffle(order)
    per_client = [order[c::a.clients] for c in range(a.clients)]
    outdir = a.out + '.d'
    os.makedirs(outdir, exist_ok=True)
    ctx = multiprocessing.get_context('fork')
    ready = ctx.Semaphore(0)
    go = ctx.Event()
    a.t0 = time.time()
    procs = [ctx.Process(target=worker, args=(c, a, per_client[c], ready, go, outdir))
             for c in range(a.clients)]
    for p in procs:
        p.start()
    for _ in procs:
        if not ready.acquire(timeout=120):
            break
    t_go = time.time()
    # the deadline counts from here, now that the messages are made
    a.t0 = t_go
    go.set()
    for p in procs:
        p.join(max(1.0, t_go + a.limit + 2 * a.timeout + 10 - time.time()))
    killed = 0
    for p in procs:
        if p.is_alive():
            p.kill()
            p.join(10)
            killed += 1
    recs, errors, t_end, sessions = [], [], t_go, []
    for c in range(a.clients):
        try:
            with open(os.path.join(outdir, 'client.%d' % c)) as f:
                d = json.load(f)
        except OSError:
            errors.append('client %d left no results' % c)
            continue
        t_end = max(t_end, d['t_end'])
        sessions += d['sessions']
        for r in d['recs']:
            if 'error' in r:
                errors.append('client %d: %s' % (c, r['error']))
            else:
                recs.append(r)
    answered = sum(1 for r in recs if r.get('code', 0) > 0)
    elapsed = t_end - t_go
    res = {'run': a.run, 'seed': a.seed, 'n': a.n, 'clients': a.clients, 'per': a.per,
           'elapsed': elapsed, 'answered': answered, 'errors': errors, 'killed': killed,
           'rate': answered / elapsed if elapsed > 0 else 0.0, 'recs': recs}
    with open(a.out, 'w') as f:
        json.dump(res, f)
    for c in range(a.clients):
        try:
            os.unlink(os.path.join(outdir, 'client.%d' % c))
        except OSError:
            pass
    os.rmdir(outdir)
    print('%s: %d messages, %d answered, %d clients, %.2f s, %.1f messages/s'
          % (a.run, a.n, answered, a.clients, elapsed, res['rate']))
    lat = sorted(r['secs'] for r in recs if 'secs' in r)
    if lat and sessions:
        sessions.sort()
        print('%s: seconds per message (MAIL to the reply after the data): median %.3f, 90%% %.3f, 99%% %.3f, max %.3f;'
              ' per connection (connect to EHLO reply): median %.3f, max %.3f'
              % (a.run, pct(lat, 50), pct(lat, 90), pct(lat, 99), lat[-1], pct(sessions, 50), sessions[-1]))
    for e in errors:
        print('# %s' % e)
    return 0


# ---------------------------------------------------------------- check

def check_result(name, ok, detail=''):
    print('%s - %s%s' % ('ok' if ok else 'FAIL', name, '' if ok or not detail else ': ' + detail))
    return ok


def some(xs, k=5):
    xs = list(xs)
    return ' '.join(str(x) for x in xs[:k]) + (' ...' if len(xs) > k else '')


def read_queue(qdir):
    """Every file of the queue: {inode: {...}} plus the loose ends."""
    def names(d):
        return sorted(os.listdir(os.path.join(qdir, d)))
    mess = {}
    splits = [d for d in os.listdir(os.path.join(qdir, 'mess')) if d.isdigit()]
    misplaced = []
    for d in splits:
        for f in os.listdir(os.path.join(qdir, 'mess', d)):
            p = os.path.join(qdir, 'mess', d, f)
            st = os.stat(p)
            if not f.isdigit() or int(f) % len(splits) != int(d) or st.st_ino != int(f):
                misplaced.append(p)
            mess[f] = p
    return {'split': len(splits), 'mess': mess, 'misplaced': misplaced,
            'todo': names('todo'), 'intd': names('intd'), 'pid': names('pid')}


def parse_env(b):
    fields = b.split(b'\0')
    # u<uid> p<pid> F<sender> T<rcpt>... then the empty field(s) of the end
    env = {'u': None, 'p': None, 'F': None, 'T': [], 'bad': False}
    for x in fields:
        if not x:
            continue
        t, v = chr(x[0]), x[1:].decode('ascii', 'replace')
        if t in 'up' and env[t] is None and v.isdigit():
            env[t] = int(v)
        elif t == 'F' and env['F'] is None:
            env['F'] = v
        elif t == 'T':
            env['T'].append(v)
        else:
            env['bad'] = True
    return env


LOGRE = re.compile(r' qhpsi: qp=(\d+) ip=(\S+) from=\S+ rcpts=\d+ rcpt=\S+ msgid=\S+ size=\d+ '
                   r'route=(\S+) verdict=(\S+) signature=(\S+) action=(\S+)')


def read_log(logdir):
    lines = []
    if not logdir:
        return lines
    files = sorted(f for f in os.listdir(logdir) if f.startswith('@')) + ['current']
    for f in files:
        try:
            with open(os.path.join(logdir, f), errors='replace') as fh:
                for line in fh:
                    m = LOGRE.search(line)
                    if m:
                        lines.append(m.groups())
        except OSError:
            pass
    return lines


def cmd_check(a):
    with open(a.results) as f:
        res = json.load(f)
    run, seed, n = res['run'], res['seed'], res['n']
    scan = a.mode == 'scan'
    recs = {r['i']: r for r in res['recs']}
    ok = True

    ok &= check_result('%s: every client ran to its end' % run,
                       not res['errors'] and not res['killed'], some(res['errors'], 3))
    ok &= check_result('%s: all %d messages answered by the server' % (run, n),
                       len(recs) == n and res['answered'] == n,
                       '%d sent, %d answered' % (len(recs), res['answered']))

    # what each message should have had as a reply
    def wanted(r):
        if scan and r['kind'] != 'clean' and r['ip'] == '127.0.0.2':
            return 554
        return 250
    badreply = [(i, r.get('code'), r.get('reply', '')[:60]) for i, r in sorted(recs.items())
                if r.get('code') != wanted(r) or r.get('stage') != 'final']
    ok &= check_result('%s: every reply after the data as wanted (250, or 554 for infected from .2)'
                       % run, not badreply, '%d wrong: %s' % (len(badreply), some(badreply, 3)))
    if scan:
        novirus = [i for i, r in recs.items() if r.get('code') == 554 and 'virus' not in r['reply']]
        ok &= check_result('%s: each 554 says virus' % run, not novirus, some(novirus))
    noqp = [i for i, r in recs.items() if r.get('code') == 250 and r.get('qp') is None]
    ok &= check_result('%s: each 250 names its qp' % run, not noqp, some(noqp))

    # the queue itself
    q = read_queue(a.queue)
    ok &= check_result('%s: queue/pid is empty' % run, not q['pid'], some(q['pid']))
    todo, intd, mess = set(q['todo']), set(q['intd']), set(q['mess'])
    ok &= check_result('%s: every intd has its todo and every todo its intd' % run,
                       todo == intd, 'intd only: %s; todo only: %s' % (some(intd - todo), some(todo - intd)))
    ok &= check_result('%s: every todo has its mess and every mess its todo' % run,
                       todo == mess, 'mess only: %s; todo only: %s' % (some(mess - todo), some(todo - mess)))
    ok &= check_result('%s: each mess file is mess/<inode %% %d>/<inode>' % (run, q['split']),
                       not q['misplaced'], some(q['misplaced']))
    notlinked = [x for x in todo & intd
                 if not os.path.samefile(os.path.join(a.queue, 'todo', x), os.path.join(a.queue, 'intd', x))]
    ok &= check_result('%s: todo/<inode> is a link of intd/<inode>' % run, not notlinked, some(notlinked))

    found = collections.defaultdict(list)   # message number -> inodes
    strangers, badenv, badfirst, badrecv, badbytes, badqp, extraverdict = [], [], [], [], [], [], []
    idre = re.compile(rb'^X-Load-ID: (\S+)$', re.M)
    for ino in sorted(todo & mess):
        with open(q['mess'][ino], 'rb') as f:
            m = f.read()
        ids = idre.findall(m)
        mid = ids[0].decode('ascii', 'replace') if len(ids) == 1 else None
        parts = mid.split('-') if mid else []
        if (len(parts) != 3 or parts[0] != run or parts[1] != str(seed) or not parts[2].isdigit()
                or int(parts[2]) >= n):
            strangers.append(ino)
            continue
        i = int(parts[2])
        found[i].append(ino)
        r = recs.get(i, {})
        with open(os.path.join(a.queue, 'todo', ino), 'rb') as f:
            env = parse_env(f.read())
        sender, rcpt = envelope(mid)
        if env['bad'] or env['u'] != a.uid or env['F'] != sender or env['T'] != [rcpt]:
            badenv.append(i)
        if env['p'] != r.get('qp'):
            badqp.append(i)
        lines = m.split(b'\n', 2)
        if scan:
            first = lines[0].decode('ascii', 'replace')
            if r.get('kind') == 'clean':
                good = first == 'X-QHPSI: clean'
            else:
                good = first.startswith('X-QHPSI: virus found (%s' % a.signature) and first.endswith(')')
            if not good:
                badfirst.append((i, first[:50]))
            recv = lines[1] if len(lines) > 1 else b''
        else:
            recv = lines[0]
        if not recv.startswith(b'Received: (qmail %d invoked from network); ' % (env['p'] or 0)):
            badrecv.append(i)
        # one verdict, ours, in the header; none at all without scanning
        header = m.split(b'\n\n', 1)[0]
        if len(re.findall(rb'^X-QHPSI:', header, re.M)) != (1 if scan else 0):
            extraverdict.append(i)
        if not m.endswith(message(run, seed, i)):
            badbytes.append(i)

    accepted = {i for i, r in recs.items() if wanted(r) == 250}
    refused = set(recs) - accepted
    lost = sorted(i for i in accepted if i not in found)
    doubled = sorted(i for i, v in found.items() if len(v) > 1)
    leaked = sorted(i for i in refused if i in found)
    nqueued = sum(len(v) for v in found.values())
    kinds = collections.Counter((recs[i]['kind'] != 'clean', recs[i]['ip']) for i in recs)
    print('# %s: %d clean and %d infected from 127.0.0.1, %d clean and %d infected from 127.0.0.2;'
          ' %d queued, %d refused'
          % (run, kinds[(False, '127.0.0.1')], kinds[(True, '127.0.0.1')],
             kinds[(False, '127.0.0.2')], kinds[(True, '127.0.0.2')], nqueued, len(refused)))
    print('# %s: lost %d, doubled %d, refused but queued %d' % (run, len(lost), len(doubled), len(leaked)))
    ok &= check_result('%s: both addresses sent clean and infected mail' % run, min(kinds.values()) > 0
                       and len(kinds) == 4, str(dict(kinds)))
    ok &= check_result('%s: every queued message is one of this run' % run, not strangers, some(strangers))
    ok &= check_result('%s: zero lost (every message that got 250 is queued)' % run, not lost,
                       '%d lost: %s' % (len(lost), some(lost)))
    ok &= check_result('%s: zero doubled' % run, not doubled, '%d doubled: %s' % (len(doubled), some(doubled)))
    if scan:
        ok &= check_result('%s: infected from 127.0.0.2 refused and absent from the queue' % run,
                           not leaked, some(leaked))
        ok &= check_result('%s: first line X-QHPSI: clean, or virus found (%s...) for infected'
                           % (run, a.signature), not badfirst, '%d: %s' % (len(badfirst), some(badfirst, 3)))
    else:
        ok &= check_result('%s: without scanning, infected mail queued too' % run, not refused)
    ok &= check_result('%s: exactly %d messages in the queue' % (run, len(accepted)),
                       nqueued == len(accepted) and len(todo) == len(accepted), '%d' % len(todo))
    ok &= check_result('%s: envelopes (uid %d, sender and recipient of the message)' % (run, a.uid),
                       not badenv, some(badenv))
    ok &= check_result('%s: the qp of each 250 is the pid in its envelope' % run, not badqp, some(badqp))
    ok &= check_result("%s: qmail's Received line with that qp %s" % (run, 'second' if scan else 'first'),
                       not badrecv, some(badrecv))
    ok &= check_result('%s: %s' % (run, 'one X-QHPSI line in the header' if scan else 'no X-QHPSI line'),
                       not extraverdict, some(extraverdict))
    ok &= check_result('%s: each queued message ends with the exact bytes sent' % run,
                       not badbytes, some(badbytes))

    if scan and a.log:
        # one log line per scanned message; multilog may lag a little
        want = collections.Counter()
        for i, r in recs.items():
            infected = r['kind'] != 'clean'
            action = 'refuse' if wanted(r) == 554 else 'queue'
            want[(r.get('qp') if action == 'queue' else None, r['ip'],
                  'infected' if infected else 'clean', action)] += 1
        for _ in range(a.logwait * 10):
            got, routes = collections.Counter(), collections.Counter()
            for qp, ip, route, verdict, sig, action in read_log(a.log):
                if ip in ('127.0.0.1', '127.0.0.2'):
                    got[(int(qp) if action == 'queue' else None, ip, verdict, action)] += 1
                    routes[route] += 1
            if got == want:
                break
            time.sleep(0.1)
        print('# %s: routes in the log: %s' % (run, ', '.join('%s %d' % x for x in sorted(routes.items()))))
        diff = (want - got) + (got - want)
        ok &= check_result('%s: one log line per message, with its qp, client, verdict and action'
                           % run, not diff, '%d differ: %s' % (sum(diff.values()), some(diff.items(), 3)))
    return 0 if ok else 1


def main():
    p = argparse.ArgumentParser(description=__doc__)
    sub = p.add_subparsers(dest='cmd', required=True)
    s = sub.add_parser('send')
    s.add_argument('--port', type=int, required=True)
    s.add_argument('--n', type=int, default=10000)
    s.add_argument('--clients', type=int, default=16)
    s.add_argument('--per', type=int, default=20, help='messages per SMTP session')
    s.add_argument('--run', default='scan')
    s.add_argument('--seed', type=int, default=1)
    s.add_argument('--timeout', type=float, default=60.0, help='seconds for any socket operation')
    s.add_argument('--limit', type=float, default=1800.0, help='seconds for the whole run')
    s.add_argument('--out', required=True)
    c = sub.add_parser('check')
    c.add_argument('--queue', required=True)
    c.add_argument('--results', required=True)
    c.add_argument('--mode', choices=['scan', 'noscan'], required=True)
    c.add_argument('--uid', type=int, required=True)
    c.add_argument('--log', help='the qmail-smtpd multilog directory')
    c.add_argument('--logwait', type=int, default=10)
    c.add_argument('--signature', default='Eicar-Test-Signature')
    a = p.parse_args()
    if a.cmd == 'send':
        if a.clients < 2 or a.clients % 2 or a.n < 20:
            p.error('an even number of clients, at least 2, and at least 20 messages')
        return cmd_send(a)
    return cmd_check(a)


if __name__ == '__main__':
    sys.exit(main())
