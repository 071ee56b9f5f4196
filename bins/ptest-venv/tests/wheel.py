#!/usr/bin/env python3
"""Builds a tiny pure-Python wheel, for tests that must not reach an index.

    wheel.py OUTDIR NAME VERSION [--dep REQ]... [--script NAME=MODULE:FUNC]...

The package has one module, NAME (dashes as underscores), whose `VERSION`
is the version and whose `main()` prints `NAME VERSION sys.prefix`.
"""
import base64, hashlib, sys, zipfile, os


def build(out, name, version, deps, scripts):
    mod = name.replace("-", "_").lower()
    dist = f"{mod}-{version}.dist-info"
    files = {
        f"{mod}/__init__.py": (
            f"VERSION = {version!r}\n"
            "def main():\n"
            "    import sys\n"
            f"    print({name!r}, VERSION, sys.prefix)\n"
        ),
    }
    meta = [f"Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    meta += [f"Requires-Dist: {d}" for d in deps]
    files[f"{dist}/METADATA"] = "\n".join(meta) + "\n\nA test package.\n"
    files[f"{dist}/WHEEL"] = "Wheel-Version: 1.0\nGenerator: ptest-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    if scripts:
        files[f"{dist}/entry_points.txt"] = "[console_scripts]\n" + "".join(
            f"{k} = {v}\n" for k, v in scripts
        )
    record = []
    for path, text in files.items():
        data = text.encode()
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    record.append(f"{dist}/RECORD,,")
    files[f"{dist}/RECORD"] = "\n".join(record) + "\n"
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, f"{mod}-{version}-py3-none-any.whl")
    with zipfile.ZipFile(path, "w") as z:
        for p, text in files.items():
            z.writestr(p, text)
    return path


def main(argv):
    out, name, version = argv[:3]
    deps, scripts = [], []
    rest = argv[3:]
    while rest:
        flag, value = rest[0], rest[1]
        rest = rest[2:]
        if flag == "--dep":
            deps.append(value)
        elif flag == "--script":
            k, v = value.split("=", 1)
            scripts.append((k, v))
        else:
            raise SystemExit(f"unknown option {flag}")
    print(build(out, name, version, deps, scripts))


if __name__ == "__main__":
    main(sys.argv[1:])
