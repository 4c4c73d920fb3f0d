#!/usr/bin/env python3
"""record.py LISTEN_PORT SERVER_PORT OUT [SECONDS]: a relay that records each read of either side.

Run a real server on SERVER_PORT, point a real client at LISTEN_PORT, and every chunk the relay reads
is written to OUT.<n> (one file per client connection, n from 0) as one line: 'C <hex>' (client to
server) or 'S <hex>' (server to client). The parser tests replay these transcripts (Transcript.java)
with the same chunking, byte by byte, coalesced and truncated. Stops after SECONDS (default 20).
"""
import select, socket, sys, threading

listen_port, server_port, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 20


def relay(c, n):
    s = socket.create_connection(("127.0.0.1", server_port))
    with open(f"{out}.{n}", "w") as f:
        peers = {c: (s, "C"), s: (c, "S")}
        while True:
            r, _, _ = select.select([c, s], [], [])
            for sock in r:
                data = sock.recv(65536)
                other, tag = peers[sock]
                if not data:
                    c.close()
                    s.close()
                    return
                f.write(f"{tag} {data.hex()}\n")
                f.flush()
                other.sendall(data)


ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", listen_port))
ls.listen(64)
ls.settimeout(seconds)
n = 0
try:
    while True:
        c, _ = ls.accept()
        threading.Thread(target=relay, args=(c, n), daemon=True).start()
        n += 1
except socket.timeout:
    pass
