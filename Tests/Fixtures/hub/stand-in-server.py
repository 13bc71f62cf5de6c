#!/usr/bin/env python3
"""A loopback stand-in for the Hugging Face Hub and a dataset host, for HubTests (standard library only).

    stand-in-server.py serve CONFIG.json LOG.jsonl   prints "PORT <n>" once listening on 127.0.0.1
    stand-in-server.py tar OUT.tar.gz NAME=PATH...    writes a gzip tarball with entries named NAME

CONFIG: {"repos": {"owner/name": {"commit": "<40 hex>", "files": {"config.json": "/path", ...}}},
         "datasets": {"/food-101.tar.gz": "/path"},
         "faults": {"<file name>": {"cut_once": true} | {"stall_once": true} | {"corrupt": true} |
                                   {"status_once": 429, "retry_after": "1"} | {"status_always": 503}}}
A repository with "gated": true answers its revision with 401, as the hub does without a token.

It speaks what huggingface_hub reads: GET /api/models/{repo}/revision/{rev}?blobs=true (sha, siblings with
size and lfs.sha256); HEAD and GET /{repo}/resolve/{rev}/{file} with X-Repo-Commit and the ETag (a small
file's git blob sha1), and for *.safetensors (stored in LFS on the hub) a 302 to the other host name
(localhost for 127.0.0.1 and back) with X-Linked-Etag (sha256) and X-Linked-Size. Bodies honour
`Range: bytes=N-`. Every request is logged as a JSON line: method, path, Host, Authorization, Range.
"""
import hashlib
import http.server
import io
import json
import sys
import tarfile
import threading
import time

LOCK = threading.Lock()


def git_blob_sha1(data):
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class StandIn(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    config = {}
    log_path = ""
    fired = set()  # faults that fire once and have fired

    def log_message(self, *args):
        pass

    def do_HEAD(self):
        self.answer(head=True)

    def do_GET(self):
        self.answer(head=False)

    def answer(self, head):
        with LOCK, open(self.log_path, "a") as log:
            log.write(json.dumps({"method": self.command, "path": self.path, "host": self.headers.get("Host", ""),
                                  "authorization": self.headers.get("Authorization"), "range": self.headers.get("Range")}) + "\n")
        path = self.path.split("?")[0]
        if path.startswith("/api/models/"):
            return self.revision(path[len("/api/models/"):])
        if path.startswith("/lfs/"):
            return self.lfs_body(path[len("/lfs/"):], head)
        if path in self.config.get("datasets", {}):
            return self.body(path.rsplit("/", 1)[-1], read(self.config["datasets"][path]), {}, head)
        parts = path.lstrip("/").split("/")
        if len(parts) >= 5 and parts[2] == "resolve":
            return self.resolve("/".join(parts[:2]), parts[3], "/".join(parts[4:]), head)
        self.status(404)

    def repo(self, repo_id, revision):
        repo = self.config.get("repos", {}).get(repo_id)
        if repo is None or revision not in ("main", repo["commit"]):
            return None
        return repo

    def revision(self, rest):
        repo_id, _, revision = rest.partition("/revision/")
        repo = self.repo(repo_id, revision)
        if repo is None:
            return self.status(404, b'{"error":"Repository not found"}')
        if repo.get("gated"):
            return self.status(401, b'{"error":"Access to this repository is restricted"}')
        siblings = []
        for name, file in sorted(repo["files"].items()):
            data = read(file)
            sibling = {"rfilename": name, "size": len(data), "blobId": git_blob_sha1(data)}
            if name.endswith(".safetensors"):
                sibling["lfs"] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data), "pointerSize": 134}
            siblings.append(sibling)
        self.send(200, json.dumps({"id": repo_id, "sha": repo["commit"], "siblings": siblings}).encode(),
                  {"Content-Type": "application/json"}, False)

    def resolve(self, repo_id, revision, name, head):
        repo = self.repo(repo_id, revision)
        if repo is None or name not in repo["files"]:
            return self.status(404, b'{"error":"Entry not found"}')
        data = read(repo["files"][name])
        headers = {"X-Repo-Commit": repo["commit"]}
        if name.endswith(".safetensors"):
            sha256 = hashlib.sha256(data).hexdigest()
            host, port = self.headers.get("Host", "127.0.0.1").rsplit(":", 1)
            other = "localhost" if host == "127.0.0.1" else "127.0.0.1"
            headers.update({"X-Linked-Etag": '"%s"' % sha256, "X-Linked-Size": str(len(data)),
                            "ETag": '"%s"' % git_blob_sha1(b"pointer"),
                            "Location": "http://%s:%s/lfs/%s?name=%s" % (other, port, sha256, name)})
            return self.send(302, b"", headers, head)
        headers["ETag"] = '"%s"' % git_blob_sha1(data)
        self.body(name, data, headers, head)

    def lfs_body(self, sha256, head):
        for repo in self.config.get("repos", {}).values():
            for name, file in repo["files"].items():
                data = read(file)
                if hashlib.sha256(data).hexdigest() == sha256:
                    return self.body(name, data, {}, head)
        self.status(404)

    def body(self, name, data, headers, head):
        fault = self.config.get("faults", {}).get(name, {})
        if not head and "status_always" in fault:
            return self.send(fault["status_always"], b"unavailable", {}, False)
        if not head and "status_once" in fault and self.fire(name + "/status"):
            return self.send(fault["status_once"], b"slow down", {"Retry-After": fault.get("retry_after", "1")}, False)
        if not head and fault.get("corrupt"):
            data = bytes([data[0] ^ 0xFF]) + data[1:]
        start = 0
        requested = self.headers.get("Range", "")
        if requested.startswith("bytes=") and requested.endswith("-"):
            start = int(requested[len("bytes="):-1])
            headers["Content-Range"] = "bytes %d-%d/%d" % (start, len(data) - 1, len(data))
        status = 206 if start else 200
        cut = not head and fault.get("cut_once") and self.fire(name + "/cut")
        stall = not head and fault.get("stall_once") and self.fire(name + "/stall")
        if cut or stall:
            # Promise the whole body, send half of it, and drop the connection (or go silent).
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data) - start))
            self.end_headers()
            self.wfile.write(data[start:start + (len(data) - start) // 2])
            self.wfile.flush()
            if stall:
                time.sleep(30)
            self.close_connection = True
            return
        self.send(status, data[start:], headers, head)

    def fire(self, key):
        with LOCK:
            if key in self.fired:
                return False
            self.fired.add(key)
            return True

    def status(self, code, body=b"not found"):
        self.send(code, body, {}, False)

    def send(self, code, body, headers, head):
        self.send_response(code)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)


def read(path):
    with open(path, "rb") as file:
        return file.read()


def main():
    if sys.argv[1] == "tar":
        with tarfile.open(sys.argv[2], "w:gz") as archive:
            for item in sys.argv[3:]:
                name, _, path = item.partition("=")
                info = tarfile.TarInfo(name)  # the name exactly as given (add() would strip a leading "/")
                data = read(path)
                info.size, info.mode = len(data), 0o644
                archive.addfile(info, io.BytesIO(data))
        return
    with open(sys.argv[2]) as file:
        StandIn.config = json.load(file)
    StandIn.log_path = sys.argv[3]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    print("PORT %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
