# tests/bench/messages.sh: sourced by the benchmarks. bench_messages DIR
# writes the two messages they time: DIR/msg4k, a 4 KB text mail, and
# DIR/msg100k, a 100 KB mail with a base64 attachment.
bench_messages() {
  { printf 'From: a@example.org\nTo: b@example.org\nSubject: bench\n\n'
    i=0; while [ $i -lt 60 ]; do printf 'line %02d of a plain text message that is about four kilobytes long.\n' $i; i=$((i+1)); done
  } > "$1/msg4k" &&
  { printf 'From: a@example.org\nTo: b@example.org\nSubject: bench\nMIME-Version: 1.0\n'
    printf 'Content-Type: multipart/mixed; boundary="b1"\n\n--b1\nContent-Type: text/plain\n\nSee the attachment.\n\n--b1\n'
    printf 'Content-Type: application/octet-stream; name="data.bin"\nContent-Transfer-Encoding: base64\n\n'
    head -c 73000 /dev/urandom | base64
    printf '\n--b1--\n'
  } > "$1/msg100k"
}
