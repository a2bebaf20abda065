"""How botocore reads INI files, for tests/ini_interop.rs to compare with.

  configparser_read.py FILE...
      A JSON array, one object per file:
      "configparser": configparser.RawConfigParser as botocore builds it
          (configloader.raw_config_parse): {"sections": [[name, [[key,
          value], ...]], ...]} with [DEFAULT]'s keys inherited as
          `cp.options`/`cp.get` give them, or {"error": type, "line": n}.
      "botocore": configloader.load_config: {"profiles": {...},
          "sso_sessions": {...}}, or {"error": message}.
"""
import configparser
import json
import sys

from botocore import configloader
from botocore.exceptions import ConfigParseError


def first_line(error):
    if isinstance(error, configparser.ParsingError) and not hasattr(error, "lineno"):
        return error.errors[0][0]
    return getattr(error, "lineno", None)


def read_configparser(path):
    cp = configparser.RawConfigParser()
    try:
        cp.read([path])
    except configparser.Error as e:
        return {"error": type(e).__name__, "line": first_line(e)}
    except UnicodeDecodeError as e:
        return {"error": type(e).__name__, "line": None}
    return {
        "sections": [
            [section, [[option, cp.get(section, option)] for option in cp.options(section)]]
            for section in cp.sections()
        ]
    }


def read_botocore(path):
    try:
        loaded = configloader.load_config(path)
    except ConfigParseError as e:
        return {"error": str(e)}
    return {"profiles": loaded["profiles"], "sso_sessions": loaded["sso_sessions"]}


def main():
    out = [{"configparser": read_configparser(p), "botocore": read_botocore(p)} for p in sys.argv[1:]]
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
