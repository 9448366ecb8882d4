#!/usr/bin/env python3
"""Malformed-file campaign: makes hundreds of damaged inputs from small files that calvaria itself writes (a demo
skull, a network-grid sample made from it by `calvaria dataset`, conversions of that sample, meshes of it, and the
committed DICOM test fixtures), runs each through `info` and `convert`, every third one (and the valid controls) through `mesh`, every
fifteenth through `design` (JVM start and a design cost seconds each), STL inputs also through `voxelize`, and prints a table of what went wrong:

  wrongly accepted  exit 0 on an input that is detectably corrupt (inputs whose damage may leave a valid file, such
                    as a flipped bit in raw voxel data or a misleading extension, may pass or fail)
  hangs             no exit within the timeout
  raw exceptions    a Java exception or error class name, or a stack frame, on stdout or stderr
  leftovers         any new file (hidden .part files included) in the output folder or beside the input after a failure
  no error line     a failure without a line starting with 'error:' (reported, not part of the goal)

Usage: nice -n 10 calvaria-core/src/test/fuzz/campaign.py [--work DIR] [--jar target/calvaria.jar] [--jobs 6] [--design-jobs 2] [--mesh-every 3] [--design-every 15] [--max-minutes M]
Exit status 0 when wrongly accepted, hangs, raw exceptions and leftovers are all zero.
"""
import argparse
import gzip
import json
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
RAW = re.compile(r"\b(?:java|javax|jdk|sun)\.[a-z]\w*\.|\b[A-Z]\w*(?:Exception|Error)\b|^\s+at [\w$.]+\(",
                 re.MULTILINE)


def run(cmd, timeout, cwd=None):
    env = dict(os.environ, TF_ENABLE_ONEDNN_OPTS="1", TF_CPP_MIN_LOG_LEVEL="2")
    t0 = time.time()
    try:
        p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, timeout=timeout)
        return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"), \
            time.time() - t0
    except subprocess.TimeoutExpired as e:
        return None, (e.stdout or b"").decode("utf-8", "replace"), (e.stderr or b"").decode("utf-8", "replace"), \
            time.time() - t0


class Worker:
    """One JVM running BatchRun.java: commands go in one line each, answers come back one line each."""

    def __init__(self, java_flags, jar):
        self.cmd = ["java"] + java_flags + ["-cp", jar, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                                      "BatchRun.java")]
        self.p = None

    def call(self, args, timeout):
        import base64
        if self.p is None or self.p.poll() is not None:
            env = dict(os.environ, TF_ENABLE_ONEDNN_OPTS="1", TF_CPP_MIN_LOG_LEVEL="2")
            self.p = subprocess.Popen(self.cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      stderr=subprocess.DEVNULL, env=env, text=True, encoding="utf-8")
        t0 = time.time()
        self.p.stdin.write("\t".join([str(timeout)] + args) + "\n")
        self.p.stdin.flush()
        line = self.p.stdout.readline()
        secs = time.time() - t0
        parts = line.rstrip("\n").split("\t")
        if len(parts) != 4:  # the JVM died (killed for memory?): count it as a hang, start a new one
            self.p = None
            return None, "", "worker JVM died", secs
        dec = lambda x: base64.b64decode(x).decode("utf-8", "replace")
        if parts[0] == "hang":
            self.p.wait()
            self.p = None
            return None, dec(parts[2]), dec(parts[3]), secs
        if parts[0] == "thrown":
            return 99, dec(parts[2]), dec(parts[3]), secs
        return int(parts[0]), dec(parts[2]), dec(parts[3]), secs

    def close(self):
        if self.p is not None and self.p.poll() is None:
            self.p.stdin.close()
            self.p.wait()


class Campaign:
    def __init__(self, a):
        self.a = a
        self.work = os.path.abspath(a.work)
        self.jar = os.path.abspath(a.jar)
        # Run the script itself under nice (the runs inherit it): nice -n 10 src/test/fuzz/campaign.py
        self.java = ["java", "-Xmx" + a.heap, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", self.jar]
        self.deadline = time.time() + 60 * a.max_minutes if a.max_minutes else None
        self.cds_flags = []
        import threading
        self.lock = threading.Lock()
        self.workers = []
        self.cases = []  # (name, path, kind, expect) kind: volume | stl | dicom; expect: fail | any
        self.rng = random.Random(20261130)

    # ------------------------------------------------------------------ base files, all made by calvaria
    def calvaria(self, *args, timeout=1800):
        rc, out, err, _ = run(self.java + list(args), timeout)
        if rc != 0:
            sys.exit("campaign: 'calvaria %s' failed (%s): %s" % (" ".join(args), rc, err[-2000:]))
        return out

    def make_bases(self):
        b = os.path.join(self.work, "base")
        if os.path.exists(os.path.join(b, "done")):
            return b
        for d in ("skulls", "ds", "v"):
            shutil.rmtree(os.path.join(b, d), ignore_errors=True)
        os.makedirs(os.path.join(b, "skulls"))
        print("campaign: making base files with calvaria demo / dataset build / convert / mesh ...", flush=True)
        if not os.path.exists(os.path.join(b, "demo", "report.json")):
            shutil.rmtree(os.path.join(b, "demo"), ignore_errors=True)
            self.calvaria("demo", "-o", os.path.join(b, "demo"), "--quiet")
        shutil.copy(os.path.join(b, "demo", "completed_skull.nrrd"), os.path.join(b, "skulls", "s.nrrd"))
        self.calvaria("dataset", "build", os.path.join(b, "skulls"), "-o", os.path.join(b, "ds"), "--per-skull", "1",
                      "--seed", "3", "--quiet")
        sample = None
        for dirpath, _, files in os.walk(os.path.join(b, "ds")):
            for f in sorted(files):
                if os.path.basename(dirpath) == "defective_skull" and f.endswith(".nrrd"):
                    sample = os.path.join(dirpath, f)
                    break
            if sample:
                break
        if not sample:
            sys.exit("campaign: calvaria dataset wrote no defective sample")
        v = os.path.join(b, "v")
        os.makedirs(v)
        self.calvaria("convert", sample, os.path.join(v, "skull.nrrd"), "--quiet")
        self.calvaria("convert", sample, os.path.join(v, "skull.nii"), "--quiet")
        self.calvaria("convert", sample, os.path.join(v, "skull.nii.gz"), "--quiet")
        self.calvaria("convert", sample, os.path.join(v, "skull-float.nrrd"), "--type", "float", "--quiet")
        os.makedirs(os.path.join(v, "detached"))
        self.calvaria("convert", sample, os.path.join(v, "detached", "skull.nhdr"), "--quiet")
        self.calvaria("mesh", sample, "-o", os.path.join(v, "skull.stl"), "--quiet")
        self.calvaria("mesh", sample, "-o", os.path.join(v, "skull-ascii.stl"), "--ascii", "--decimate", "0.05",
                      "--quiet")
        # A raw-encoded NRRD: the gzip one with its data inflated and the encoding line changed.
        data = open(os.path.join(v, "skull.nrrd"), "rb").read()
        end = data.index(b"\n\n") + 2
        head = data[:end].replace(b"encoding: gzip", b"encoding: raw")
        open(os.path.join(v, "skull-raw.nrrd"), "wb").write(head + gzip.decompress(data[end:]))
        open(os.path.join(b, "done"), "w").write("ok\n")
        return b

    # ------------------------------------------------------------------ mutations
    def add(self, name, data, kind, expect, ext):
        d = os.path.join(self.work, "inputs", name)
        os.makedirs(d, exist_ok=True)
        p = os.path.join(d, "input" + ext)
        with open(p, "wb") as f:
            f.write(data)
        self.cases.append((name, p, kind, expect))

    def add_folder(self, name, files, kind, expect, main=None):
        d = os.path.join(self.work, "inputs", name)
        os.makedirs(d, exist_ok=True)
        for fn, data in files.items():
            with open(os.path.join(d, fn), "wb") as f:
                f.write(data)
        self.cases.append((name, os.path.join(d, main) if main else d, kind, expect))

    def flips(self, data, lo, hi, n, tag, kind, expect, ext, label):
        for i in range(n):
            b = bytearray(data)
            at = self.rng.randrange(lo, hi)
            b[at] ^= 1 << self.rng.randrange(8)
            self.add("%s-flip%02d-%s" % (label, i, tag), bytes(b), kind, expect, ext)

    def truncations(self, data, kind, ext, label):
        for frac in (0.001, 0.01, 0.1, 0.5, 0.9, 0.99):
            self.add("%s-trunc%g" % (label, frac), data[:int(len(data) * frac)], kind, "fail", ext)
        # the last byte of a text format is its final newline
        self.add("%s-trunc-last" % label, data[:-1], kind, "any" if data.endswith(b"\n") else "fail", ext)

    def common(self, data, kind, ext, label):
        self.add(label + "-empty", b"", kind, "fail", ext)
        self.truncations(data, kind, ext, label)
        self.add(label + "-text", b"hello, this is not a skull\n", kind, "fail", ext)
        self.add(label + "-random", bytes(self.rng.randrange(256) for _ in range(4096)), kind, "fail", ext)
        self.add(label + "-zeros", bytes(4096), kind, "fail", ext)

    def gzip_damage(self, data, start, kind, ext, label):
        """data[start:] is one gzip member."""
        n = len(data)
        self.flips(data, start + 10, n - 8, 14, "deflate", kind, "fail", ext, label)
        for name, at in (("crc", n - 8), ("crc3", n - 5), ("isize", n - 4), ("isize3", n - 1)):
            b = bytearray(data)
            b[at] ^= 0x01
            self.add("%s-gz-%s" % (label, name), bytes(b), kind, "fail", ext)
        self.add(label + "-gz-no-trailer", data[:-8], kind, "fail", ext)
        self.add(label + "-gz-trailing-garbage", data + b"garbage!", kind, "any", ext)
        self.add(label + "-gz-flags", data[:start + 3] + bytes([data[start + 3] | 0x04]) + data[start + 4:], kind,
                 "fail", ext)  # FEXTRA set without an extra field

    def nrrd_edits(self, data, ext, label):
        end = data.index(b"\n\n") + 2
        head, body = data[:end].decode("latin-1"), data[end:]
        sizes = re.search(r"sizes: .*", head).group(0)
        edits = {
            "sizes-huge": (sizes, "sizes: 100000 100000 100000"),
            "sizes-1e9": (sizes, "sizes: 1000000000 1 1"),
            "sizes-negative": (sizes, "sizes: -112 112 40"),
            "sizes-zero": (sizes, "sizes: 0 112 40"),
            "sizes-text": (sizes, "sizes: a b c"),
            "sizes-two": (sizes, "sizes: 112 112"),
            "sizes-bigger": (sizes, "sizes: 113 112 40"),
            "dimension-4": ("dimension: 3", "dimension: 4"),
            "dimension-0": ("dimension: 3", "dimension: 0"),
            "type-complex": (re.search(r"type: .*", head).group(0), "type: complex"),
            "type-double": (re.search(r"type: .*", head).group(0), "type: double"),
            "type-missing": (re.search(r"type: .*\n", head).group(0), ""),
            "encoding-bzip3": (re.search(r"encoding: .*", head).group(0), "encoding: bzip3"),
            "endian-middle": ("endian: little", "endian: middle") if "endian:" in head else None,
            "directions-nan": (re.search(r"space directions: .*", head).group(0),
                               "space directions: (nan,0,0) (0,1,0) (0,0,1)"),
            "directions-1e308": (re.search(r"space directions: .*", head).group(0),
                                 "space directions: (1e308,0,0) (0,1e308,0) (0,0,1e308)"),
            "directions-zero": (re.search(r"space directions: .*", head).group(0),
                                "space directions: (0,0,0) (0,1,0) (0,0,1)"),
            "origin-1e38": (re.search(r"space origin: .*", head).group(0), "space origin: (1e38,1e38,1e38)"),
            "line-skip-huge": ("dimension: 3", "dimension: 3\nline skip: 999999999"),
            "byte-skip-negative": ("dimension: 3", "dimension: 3\nbyte skip: -5"),
            "data-file-outside": ("dimension: 3", "dimension: 3\ndata file: ../../../../etc/passwd"),
            "data-file-absolute": ("dimension: 3", "dimension: 3\ndata file: /etc/passwd"),
            "garbage-line": ("dimension: 3", "dimension: 3\nthis line is not a field"),
            "magic": ("NRRD0004", "NRRD9999"),
        }
        for name, e in edits.items():
            if e is None or e[0] not in head:
                continue
            self.add("%s-hdr-%s" % (label, name), head.replace(e[0], e[1], 1).encode("latin-1") + body, "volume",
                     "fail", ext)

    def nifti_edits(self, raw, ext, label, compress):
        def put(fmt, off, val):
            b = bytearray(raw)
            struct.pack_into("<" + fmt, b, off, val)
            return gzip.compress(bytes(b), mtime=0) if compress else bytes(b)
        edits = {
            "dim0-9": ("h", 40, 9), "dim1-zero": ("h", 42, 0), "dim1-negative": ("h", 42, -5),
            "dims-huge": None, "datatype-9999": ("h", 70, 9999), "datatype-complex": ("h", 70, 32),
            "bitpix-wrong": ("h", 72, 64), "pixdim-nan": ("f", 80, float("nan")), "pixdim-zero": ("f", 80, 0.0),
            "pixdim-1e38": ("f", 80, 1e38), "vox-offset-100": ("f", 108, 100.0),
            "vox-offset-huge": ("f", 108, 1e12), "vox-offset-nan": ("f", 108, float("nan")),
            "sizeof-hdr": ("i", 0, 349), "scl-slope-nan": ("f", 112, float("nan")),
            "srow-1e38": ("f", 280, 1e38), "magic": None,
        }
        for name, e in edits.items():
            if name == "dims-huge":
                b = bytearray(raw)
                struct.pack_into("<hhh", b, 42, 30000, 30000, 30000)
                data = gzip.compress(bytes(b), mtime=0) if compress else bytes(b)
            elif name == "magic":
                b = bytearray(raw)
                b[344:348] = b"xyz\0"
                data = gzip.compress(bytes(b), mtime=0) if compress else bytes(b)
            else:
                data = put(e[0], e[1], e[2])
            # calvaria's NIfTI files carry an exact sform (and qform): pixdim is then unused, a broken sform falls
            # back to the qform, a non-finite scl_slope means no scaling and bitpix defers to datatype, with a
            # warning (as other NIfTI readers do); these may pass
            lenient = name.startswith("pixdim") or name in ("srow-1e38", "scl-slope-nan", "bitpix-wrong")
            self.add("%s-hdr-%s" % (label, name), data, "volume", "any" if lenient else "fail", ext)
        # pixdim is used when neither sform nor qform is set: then damage must be refused
        for name, val in (("nan", float("nan")), ("zero", 0.0), ("negative", -1.0), ("1e38", 1e38)):
            b = bytearray(raw)
            struct.pack_into("<hh", b, 252, 0, 0)
            struct.pack_into("<f", b, 80, val)
            data = gzip.compress(bytes(b), mtime=0) if compress else bytes(b)
            self.add("%s-hdr-pixdim-used-%s" % (label, name), data, "volume", "fail", ext)

    def make_inputs(self, b):
        shutil.rmtree(os.path.join(self.work, "inputs"), ignore_errors=True)
        v = os.path.join(b, "v")
        rd = lambda p: open(os.path.join(v, p), "rb").read()
        nrrd, nrrd_raw, nrrd_float = rd("skull.nrrd"), rd("skull-raw.nrrd"), rd("skull-float.nrrd")
        nii, niigz = rd("skull.nii"), rd("skull.nii.gz")
        nhdr, nhdr_data = rd("detached/skull.nhdr"), rd("detached/skull.raw.gz")
        stl, stl_ascii = rd("skull.stl"), rd("skull-ascii.stl")

        # valid controls: must be accepted by every command
        for name, data, ext in (("ok-nrrd", nrrd, ".nrrd"), ("ok-nii", nii, ".nii"), ("ok-niigz", niigz, ".nii.gz")):
            self.add(name, data, "volume", "ok", ext)

        # NRRD, gzip
        end = nrrd.index(b"\n\n") + 2
        self.common(nrrd, "volume", ".nrrd", "nrrd")
        self.gzip_damage(nrrd, end, "volume", ".nrrd", "nrrd")
        self.flips(nrrd, 0, end, 4, "header", "volume", "any", ".nrrd", "nrrd")
        self.nrrd_edits(nrrd, ".nrrd", "nrrd")
        # NRRD, raw
        end_raw = nrrd_raw.index(b"\n\n") + 2
        self.truncations(nrrd_raw, "volume", ".nrrd", "nrrdraw")
        self.flips(nrrd_raw, end_raw, len(nrrd_raw), 4, "data", "volume", "any", ".nrrd", "nrrdraw")
        self.nrrd_edits(nrrd_raw, ".nrrd", "nrrdraw")
        # NRRD, float
        self.truncations(nrrd_float, "volume", ".nrrd", "nrrdfloat")
        self.gzip_damage(nrrd_float, nrrd_float.index(b"\n\n") + 2, "volume", ".nrrd", "nrrdfloat")
        self.nrrd_edits(nrrd_float, ".nrrd", "nrrdfloat")
        # NRRD, detached header + data file
        hname = "input.nhdr"
        dfield = re.search(rb"data file: (.*)", nhdr).group(1).decode()
        fixed = nhdr.replace(("data file: " + dfield).encode(), b"data file: input.raw.gz")
        dn = "input.raw.gz"
        self.add_folder("nhdr-ok", {hname: fixed, dn: nhdr_data}, "volume", "ok", hname)
        self.add_folder("nhdr-no-data", {hname: fixed}, "volume", "fail", hname)
        self.add_folder("nhdr-empty-data", {hname: fixed, dn: b""}, "volume", "fail", hname)
        for frac in (0.1, 0.5, 0.99):
            self.add_folder("nhdr-data-trunc%g" % frac, {hname: fixed, dn: nhdr_data[:int(len(nhdr_data) * frac)]},
                            "volume", "fail", hname)
        for i in range(10):
            bb = bytearray(nhdr_data)
            bb[self.rng.randrange(10, len(bb))] ^= 1 << self.rng.randrange(8)
            self.add_folder("nhdr-data-flip%02d" % i, {hname: fixed, dn: bytes(bb)}, "volume", "fail", hname)
        for name, repl in (("outside", b"data file: ../ok-nrrd/input.nrrd"), ("absolute", b"data file: /etc/passwd"),
                           ("list-outside", b"data file: LIST\ninput.raw.gz\n../x.raw"),
                           ("folder", b"data file: ."), ("self", b"data file: input.nhdr")):
            self.add_folder("nhdr-" + name, {hname: fixed.replace(b"data file: input.raw.gz", repl),
                                             dn: nhdr_data}, "volume", "fail", hname)
        self.add_folder("nhdr-encoding-raw", {hname: fixed.replace(b"encoding: gzip", b"encoding: raw"),
                                              dn: nhdr_data}, "volume", "fail", hname)
        # NIfTI plain and gzip
        self.common(nii, "volume", ".nii", "nii")
        self.flips(nii, 352, len(nii), 4, "data", "volume", "any", ".nii", "nii")
        self.flips(nii, 0, 348, 4, "header", "volume", "any", ".nii", "nii")
        self.nifti_edits(nii, ".nii", "nii", False)
        self.common(niigz, "volume", ".nii.gz", "niigz")
        self.gzip_damage(niigz, 0, "volume", ".nii.gz", "niigz")
        self.nifti_edits(gzip.decompress(niigz), ".nii.gz", "niigz", True)
        self.add("niigz-not-gzip-inside", gzip.compress(b"plain text, no image\n" * 40, mtime=0), "volume", "fail",
                 ".nii.gz")
        self.add("niigz-named-nii", niigz, "volume", "any", ".nii")
        # wrong extensions and wrong types
        self.add("nrrd-named-nii", nrrd, "volume", "any", ".nii.gz")
        self.add("nrrd-named-stl", nrrd, "volume", "any", ".stl")
        self.add("nii-named-nrrd", nii, "volume", "any", ".nrrd")
        self.add("nii-named-dcm", nii, "volume", "any", ".dcm")
        self.add("stl-named-nrrd", stl, "volume", "fail", ".nrrd")
        self.add("stl-named-nii", stl, "volume", "fail", ".nii.gz")
        self.add("png-named-nrrd", open(os.path.join(b, "demo", "preview.png"), "rb").read(), "volume", "fail",
                 ".nrrd")
        self.add("json-named-nii", open(os.path.join(b, "demo", "report.json"), "rb").read(), "volume", "fail",
                 ".nii")
        self.add("jar-named-niigz", open(self.jar, "rb").read(1 << 16), "volume", "fail", ".nii.gz")
        # STL, binary and ASCII: a mesh is not a volume input for info/convert/mesh/design; voxelize reads it
        self.add("stl-ok", stl, "stl", "ok", ".stl")
        self.add("stl-ascii-ok", stl_ascii, "stl", "ok", ".stl")
        self.common(stl, "stl", ".stl", "stl")
        for name, val in (("count-huge", 0x7fffffff), ("count-more", struct.unpack_from("<I", stl, 80)[0] + 1),
                          ("count-zero", 0)):
            bb = bytearray(stl)
            struct.pack_into("<I", bb, 80, val)
            self.add("stl-" + name, bytes(bb), "stl", "fail", ".stl")
        for name, val in (("nan", float("nan")), ("inf", float("inf")), ("1e38", 3e38)):
            bb = bytearray(stl)
            struct.pack_into("<f", bb, 84 + 12, val)
            self.add("stl-vertex-" + name, bytes(bb), "stl", "fail" if name != "1e38" else "any", ".stl")
        txt = stl_ascii.decode("latin-1")
        self.truncations(stl_ascii, "stl", ".stl", "stlascii")
        self.add("stlascii-bad-number", txt.replace("vertex ", "vertex x", 1).encode(), "stl", "fail", ".stl")
        self.add("stlascii-nan", re.sub(r"vertex \S+", "vertex nan", txt, count=1).encode(), "stl", "fail", ".stl")
        self.add("stlascii-no-endsolid", txt[:txt.rindex("endsolid")].encode(), "stl", "fail", ".stl")
        self.add("stlascii-misspelt", txt.replace("vertex", "vertx", 1).encode(), "stl", "fail", ".stl")
        # DICOM: the committed fixtures (src/test/resources/dicom, made by make-fixtures.sh there)
        fix = os.path.join(ROOT, "src", "test", "resources", "dicom", "implicit")
        slices = {f: open(os.path.join(fix, f), "rb").read() for f in sorted(os.listdir(fix)) if f.endswith(".dcm")}
        names = sorted(slices)
        mid = names[len(names) // 2]
        self.add_folder("dicom-ok", dict(slices), "dicom", "ok")
        for name, fn in (("slice-trunc-half", lambda d: d[:len(d) // 2]), ("slice-trunc-200", lambda d: d[:200]),
                         ("slice-empty", lambda d: b""), ("slice-text", lambda d: b"not a dicom file\n" * 20),
                         ("slice-length-huge", lambda d: d[:136] + b"\xf0\xff\xff\xff" + d[140:]),
                         ("slice-no-dicm", lambda d: d[:128] + b"XXXX" + d[132:]),
                         ("slice-pixels-cut", lambda d: d[:-10])):
            s = dict(slices)
            s[mid] = fn(s[mid])
            self.add_folder("dicom-" + name, s, "dicom", "fail")
        for i in range(4):
            s = dict(slices)
            bb = bytearray(s[mid])
            bb[self.rng.randrange(132, min(len(bb), 700))] ^= 0xff
            s[mid] = bytes(bb)
            self.add_folder("dicom-header-flip%02d" % i, s, "dicom", "any")
        self.add_folder("dicom-all-empty", {n: b"" for n in names}, "dicom", "fail")
        self.add_folder("dicom-empty-folder", {}, "dicom", "fail")
        self.add("dicom-one-slice-cut", slices[mid][:300], "dicom", "fail", ".dcm")
        return b

    # ------------------------------------------------------------------ runs
    def commands(self, case, index):
        name, path, kind, expect = case
        out = os.path.join(self.work, "out", name)
        cmds = [("info", [path], 180), ("convert", [path, os.path.join(out, "convert", "out.nii.gz")], 180)]
        if index % self.a.mesh_every == 0 or expect == "ok":
            # a CT (the DICOM fixtures) is meshed at a bone level; masks as they are
            iso = ["--iso", "300"] if kind == "dicom" else []
            cmds.append(("mesh", [path, "-o", os.path.join(out, "mesh", "out.stl")] + iso, 300))
        # (the DICOM fixtures are tiny phantoms, not skulls: design refuses them rightly, so no design control)
        if index % self.a.design_every == 0 or expect == "ok" and kind == "volume":
            cmds.append(("design", [path, "-o", os.path.join(out, "design", "implant.stl"), "--report",
                                    os.path.join(out, "design", "report.json"), "--nrrd",
                                    os.path.join(out, "design", "implant.nrrd")], 600))
        if kind == "stl":
            cmds.append(("voxelize", [path, "--like", os.path.join(self.work, "base", "v", "skull.nrrd"), "-o",
                                      os.path.join(out, "voxelize", "out.nrrd")], 180))
        return out, cmds

    def cds(self, b):
        """A class-data-sharing archive of the jar's classes: each run starts about a third faster."""
        jsa = os.path.join(self.work, "calvaria.jsa")
        if not os.path.exists(jsa) or os.path.getmtime(jsa) < os.path.getmtime(self.jar):
            run(self.java[:1] + ["-XX:ArchiveClassesAtExit=" + jsa] + self.java[1:] + [
                "info", os.path.join(b, "v", "skull.nrrd")], 600)
        if os.path.exists(jsa):
            self.cds_flags = ["-XX:SharedArchiveFile=" + jsa, "-Xlog:cds=off", "-Xlog:cds+dynamic=off"]
            self.java = self.java[:1] + self.cds_flags + self.java[1:]

    def worker(self, design):
        import threading
        local = self.__dict__.setdefault("_local", threading.local())
        w = getattr(local, "worker", None)
        if w is None:
            flags = self.cds_flags + (["-Xmx" + self.a.design_heap] if design else
                                      ["-Xmx" + self.a.heap, "-XX:+UseSerialGC"])
            w = local.worker = Worker(flags, self.jar)
            with self.lock:
                self.workers.append(w)
        return w

    def one(self, case, index, phase):
        """Phase 1: every command but design (short runs, many at once); phase 2: design (long runs, few at once)."""
        name, path, kind, expect = case
        if self.deadline and time.time() > self.deadline + (60 * self.a.design_minutes if phase == 2 else 0):
            return []
        out, cmds = self.commands(case, index)
        cmds = [c for c in cmds if (c[0] == "design") == (phase == 2)]
        results = []
        in_dir = path if os.path.isdir(path) else os.path.dirname(path)
        for cmd, args, timeout in cmds:
            d = os.path.join(out, cmd)
            shutil.rmtree(d, ignore_errors=True)
            os.makedirs(d)
            before = set(os.listdir(in_dir)) if os.path.isdir(in_dir) else set()
            # design runs long: the full JIT and a larger heap
            java = self.java if cmd != "design" else ["java"] + self.cds_flags + ["-Xmx" + self.a.design_heap,
                                                                                 "-jar", self.jar]
            if self.a.fork:
                rc, so, se, secs = run(java + [cmd] + args + ["--quiet"], timeout)
            else:
                rc, so, se, secs = self.worker(cmd == "design").call([cmd] + args + ["--quiet"], timeout)
            after = set(os.listdir(in_dir)) if os.path.isdir(in_dir) else set()
            new_out = sorted(os.listdir(d))
            # a mesh/volume given to the wrong command must fail whatever its state
            must_fail = expect == "fail" or (kind == "stl" and cmd != "voxelize")
            r = {"case": name, "command": cmd, "rc": rc, "seconds": round(secs, 1), "expect":
                 "fail" if must_fail else expect}
            r["hang"] = rc is None
            r["wrongly_accepted"] = rc == 0 and must_fail
            r["wrongly_refused"] = rc not in (0, None) and expect == "ok" and not must_fail
            m = RAW.search(so + "\n" + se)
            r["raw_exception"] = m.group(0).strip() if m else None
            left = (new_out + sorted(after - before)) if rc not in (0,) else sorted(after - before)
            r["leftover"] = left
            r["no_error_line"] = rc not in (0, None) and not re.search(r"^error: ", se, re.MULTILINE)
            r["error"] = next((l for l in se.splitlines() if l.startswith("error: ")), "")[:300]
            results.append(r)
            if r["hang"] or r["wrongly_accepted"] or r["raw_exception"] or r["leftover"] or r["wrongly_refused"]:
                print("  FINDING %s %s: rc=%s %s %s %s" % (name, cmd, rc, r["raw_exception"] or "", left or "",
                                                            (r["error"] or se.strip()[-300:])), flush=True)
        return results

    def main(self):
        os.makedirs(self.work, exist_ok=True)
        b = self.make_bases()
        self.make_inputs(b)
        self.cds(b)
        cases = self.cases
        if self.a.only:
            cases = [c for c in cases if re.search(self.a.only, c[0])]
        print("campaign: %d inputs (%d must be refused, %d may pass, %d valid controls)" % (
            len(cases), sum(c[3] == "fail" for c in cases), sum(c[3] == "any" for c in cases),
            sum(c[3] == "ok" for c in cases)), flush=True)
        shutil.rmtree(os.path.join(self.work, "out"), ignore_errors=True)
        results = []
        t0 = time.time()
        for phase, jobs in ((1, self.a.jobs), (2, self.a.design_jobs)):
            self.__dict__.pop("_local", None)  # phase 2 starts its own (larger) JVMs
            with ThreadPoolExecutor(jobs) as pool:
                futures = [pool.submit(self.one, c, i, phase) for i, c in enumerate(cases)]
                for i, f in enumerate(futures):
                    results.extend(f.result())
                    if (i + 1) % 25 == 0:
                        print("campaign: phase %d, %d/%d inputs, %d runs, %.0f s" % (
                            phase, i + 1, len(cases), len(results), time.time() - t0), flush=True)
        for w in self.workers:
            w.close()
        skipped = len(cases) - len({r["case"] for r in results})
        if skipped:
            print("campaign: time limit reached, %d inputs not run" % skipped)
        planned = sum(1 for i, c in enumerate(cases) for x in self.commands(c, i)[1] if x[0] == "design")
        done = sum(r["command"] == "design" for r in results)
        if done < planned:
            print("campaign: time limit reached, %d of %d planned designs run" % (done, planned))
        with open(os.path.join(self.work, "results.json"), "w") as f:
            json.dump(results, f, indent=1)
        self.table(cases, results)
        bad = sum(r["wrongly_accepted"] or r["hang"] or bool(r["raw_exception"]) or bool(r["leftover"])
                  for r in results)
        return 1 if bad else 0

    @staticmethod
    def table(cases, results):
        cmds = ["info", "convert", "mesh", "design", "voxelize"]
        rows = []
        for c in cmds + ["all"]:
            rs = [r for r in results if c == "all" or r["command"] == c]
            if not rs:
                continue
            rows.append((c, len({r["case"] for r in rs}), len(rs),
                         sum(r["expect"] == "fail" for r in rs), sum(r["wrongly_accepted"] for r in rs),
                         sum(r["hang"] for r in rs), sum(bool(r["raw_exception"]) for r in rs),
                         sum(bool(r["leftover"]) for r in rs), sum(r["no_error_line"] for r in rs),
                         sum(r["wrongly_refused"] for r in rs)))
        print()
        print("| command | inputs | runs | must be refused | wrongly accepted | hangs | raw exceptions | leftovers"
              " | failures without an error: line | valid inputs refused |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for r in rows:
            print("| " + " | ".join(str(x) for x in r) + " |")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", default=os.path.join(ROOT, "target", "campaign"))
    ap.add_argument("--jar", default=os.path.join(ROOT, "target", "calvaria.jar"))
    ap.add_argument("--jobs", type=int, default=6)
    ap.add_argument("--heap", default="1g")
    ap.add_argument("--design-heap", default="3g")
    ap.add_argument("--design-jobs", type=int, default=2)
    ap.add_argument("--design-every", type=int, default=15, help="design every Nth input (default 15)")
    ap.add_argument("--mesh-every", type=int, default=3, help="mesh every Nth input (default 3)")
    ap.add_argument("--max-minutes", type=float, help="start no new input after this many minutes (designs: after"
                    " this plus --design-minutes)")
    ap.add_argument("--design-minutes", type=float, default=10)
    ap.add_argument("--fork", action="store_true", help="one JVM per command (slow); by default each of --jobs JVMs"
                    " runs many commands through Main.run (BatchRun.java), the entry point main() calls")
    ap.add_argument("--only", help="regular expression: run only the inputs whose name matches")
    sys.exit(Campaign(ap.parse_args()).main())


if __name__ == "__main__":
    main()
