"""Damages every entry of a kiln-run cache folder for the cache tests.

  damage_cache.py FOLDER truncate   # cut each entry to half its size
  damage_cache.py FOLDER flip       # flip one bit in the middle of each entry
"""
import glob
import os
import sys


def main():
    folder, how = sys.argv[1], sys.argv[2]
    entries = glob.glob(os.path.join(folder, "*.so"))
    if not entries:
        sys.exit("no cache entries in " + folder)
    for path in entries:
        size = os.path.getsize(path)
        if how == "truncate":
            os.truncate(path, size // 2)
        elif how == "flip":
            with open(path, "r+b") as entry:
                entry.seek(size // 2)
                byte = entry.read(1)[0]
                entry.seek(size // 2)
                entry.write(bytes([byte ^ 0x10]))
        else:
            sys.exit("unknown damage " + how)


if __name__ == "__main__":
    main()
