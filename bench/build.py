"""Which build a benchmark measures: start-up cost depends on it more than
on anything else (glibc probes the CPU at every start, musl does not), so
every benchmark prints it beside its numbers.

    import build; print(build.describe("target/.../ptest-port"))
"""
import struct


def kind(path):
    """'dynamic glibc', 'static glibc' or 'static musl', read from the ELF
    file itself: a PT_INTERP program header means dynamically linked; a
    static binary is glibc when it carries glibc's own version banner."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 2:
        return "not a 64-bit ELF file"
    endian = "<" if data[5] == 1 else ">"
    (phoff,) = struct.unpack_from(endian + "Q", data, 0x20)
    phentsize, phnum = struct.unpack_from(endian + "HH", data, 0x36)
    for i in range(phnum):
        (p_type,) = struct.unpack_from(endian + "I", data, phoff + i * phentsize)
        if p_type == 3:  # PT_INTERP
            interp = "musl" if b"ld-musl" in data else "glibc"
            return f"dynamic {interp}"
    return "static glibc" if b"GNU C Library" in data else "static musl"


def describe(*paths):
    """One line naming the build of each binary (one kind when all agree)."""
    kinds = {kind(p) for p in paths}
    return "build measured: " + ", ".join(sorted(kinds))
