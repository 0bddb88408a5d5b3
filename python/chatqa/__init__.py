"""chatqa for Python: quality inspection of customer-service chats.

A thin layer over the C API of libchatqa (include/chatqa/chatqa.h) with
ctypes: no build step, nothing compiled. Rule sets, sessions, messages and
reports are the JSON documents of the chatqa formats, as Python dicts (or
JSON text).

    import chatqa
    rules = chatqa.RuleSet.from_file("rules/zh-CN/online-chat.json")
    report = rules.score({"id": "S-1", "agent": "A102", "messages": [...]})
    print(report["score"], [item["id"] for item in report["items"]])

    live = rules.live({"id": "S-2", "agent": "A102"})
    live.add({"role": "customer", "time": "2024-05-01T10:00:00+08:00", "text": "在吗?"})
    for warning in live.due(now=time.time()):      # deadlines about to be missed
        print(warning["explanation"])
    final = live.close()                            # == rules.score(whole session)

The library is loaded from the path in the CHATQA_LIBRARY environment
variable, else from beside this package (chatqa/libchatqa.so*), else by the
system's loader (libchatqa.so.2 installed in a library directory).

Thread safety: a RuleSet may be used from any number of threads at once (the
library call runs without the GIL); a Live session from one at a time.
"""

import ctypes
import glob
import json
import os

__all__ = ["RuleSet", "Live", "Error", "RuleSetError", "InputError", "library_version", "ABI_VERSION"]

ABI_VERSION = 2  # CHATQA_ABI_VERSION of chatqa.h: the SONAME libchatqa.so.2


class Error(Exception):
    """Base class of chatqa's exceptions."""


class RuleSetError(Error):
    """A rule set that does not compile. `diagnostics` lists every error and
    warning: dicts with severity, code, message, file, pointer, line, column
    and text (the one-line form "file:line:col: error[E0102]: ...")."""

    def __init__(self, message, diagnostics):
        super().__init__(message)
        self.diagnostics = diagnostics


class InputError(Error):
    """A session or message that cannot be read. `code` (E02xx, E07xx: see
    docs/diagnostics.md), `pointer` (JSON pointer inside the document) and
    `record` (the error record as `chatqa score` writes it) say what and where."""

    def __init__(self, record):
        error = record.get("error", {}) if isinstance(record, dict) else {}
        self.code = error.get("code", "")
        self.pointer = error.get("pointer", "")
        self.record = record
        message = error.get("message", "unreadable input")
        where = " at " + self.pointer if self.pointer else ""
        super().__init__("%s: %s%s" % (self.code, message, where) if self.code else message)


def _candidates():
    env = os.environ.get("CHATQA_LIBRARY")
    if env:
        return [env]
    here = os.path.dirname(os.path.abspath(__file__))
    beside = sorted(glob.glob(os.path.join(here, "libchatqa.so*")))
    return beside + ["libchatqa.so.%d" % ABI_VERSION]


def _load():
    errors = []
    for path in _candidates():
        try:
            lib = ctypes.CDLL(path)
        except OSError as e:
            errors.append("%s: %s" % (path, e))
            continue
        _declare(lib)
        return lib
    raise ImportError("cannot load libchatqa (set CHATQA_LIBRARY to its path): " + "; ".join(errors))


def _declare(lib):
    c_char_p, c_void_p, c_size_t = ctypes.c_char_p, ctypes.c_void_p, ctypes.c_size_t
    out_string = ctypes.POINTER(c_void_p)
    # Returned strings are c_void_p, not c_char_p: they are the caller's to free.
    signatures = {
        "chatqa_version": (c_char_p, []),
        "chatqa_last_error": (c_char_p, []),
        "chatqa_rules_compile": (c_void_p, [c_char_p, c_size_t, c_char_p, out_string]),
        "chatqa_rules_compile_file": (c_void_p, [c_char_p, out_string]),
        "chatqa_score": (c_void_p, [c_void_p, c_char_p, c_size_t]),
        "chatqa_live_open": (c_void_p, [c_void_p, c_char_p, c_size_t]),
        "chatqa_live_add": (c_void_p, [c_void_p, c_char_p, c_size_t]),
        "chatqa_live_due": (c_void_p, [c_void_p, ctypes.c_double]),
        "chatqa_live_close": (c_void_p, [c_void_p]),
        "chatqa_live_free": (None, [c_void_p]),
        "chatqa_rules_free": (None, [c_void_p]),
        "chatqa_string_free": (None, [c_void_p]),
    }
    for name, (restype, argtypes) in signatures.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes


_lib = _load()


def library_version():
    """The version of the loaded libchatqa ("MAJOR.MINOR.PATCH")."""
    return _lib.chatqa_version().decode()


def _take(ptr):
    """The text of a string the library returned, which is then freed."""
    if not ptr:
        raise MemoryError(_lib.chatqa_last_error().decode("utf-8", "replace") or "chatqa: no result")
    try:
        return ctypes.string_at(ptr).decode("utf-8")
    finally:
        _lib.chatqa_string_free(ptr)


def _json_bytes(document):
    if isinstance(document, bytes):
        return document
    if isinstance(document, str):
        return document.encode("utf-8")
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _report_or_raise(text):
    report = json.loads(text)
    if "error" in report and "session" not in report:
        raise InputError(report)
    return report


class RuleSet:
    """A compiled rule set (see docs/rules.md).

    RuleSet(json_text, base_dir=None): compiles rule-set JSON (text or a
    dict); lexicon files named in it resolve relative to base_dir (default:
    the current directory). RuleSet.from_file(path) compiles a rule file.
    Both raise RuleSetError with the diagnostics if it has errors;
    `warnings` keeps the warnings of a rule set that compiled.
    """

    def __init__(self, json_text, base_dir=None, _handle=None, _diagnostics=None):
        if _handle is None:
            data = _json_bytes(json_text)
            diagnostics = ctypes.c_void_p()
            base = os.fsencode(base_dir) if base_dir is not None else None
            _handle = _lib.chatqa_rules_compile(data, len(data), base, ctypes.byref(diagnostics))
            _diagnostics = self._diagnostics(_handle, diagnostics)
        self._handle = _handle
        self.warnings = [d for d in _diagnostics if d.get("severity") != "error"]

    @staticmethod
    def _diagnostics(handle, diagnostics):
        listed = json.loads(_take(diagnostics.value)) if diagnostics.value else []
        if not handle:
            raise RuleSetError(_lib.chatqa_last_error().decode("utf-8", "replace"), listed)
        return listed

    @classmethod
    def from_file(cls, path):
        diagnostics = ctypes.c_void_p()
        handle = _lib.chatqa_rules_compile_file(os.fsencode(path), ctypes.byref(diagnostics))
        listed = cls._diagnostics(handle, diagnostics)
        return cls(None, _handle=handle, _diagnostics=listed)

    def score_json(self, session):
        """The report of a session (dict, JSON text or bytes) as one line of
        JSON text, byte-identical to what `chatqa score` writes for it; an
        error record if the session cannot be read."""
        data = _json_bytes(session)
        return _take(_lib.chatqa_score(self._handle, data, len(data)))

    def score(self, session):
        """The report of a session (dict or JSON text) as a dict. Raises
        InputError if the session cannot be read."""
        return _report_or_raise(self.score_json(session))

    def live(self, header):
        """Opens a live session. `header`: id, and optionally agent, team,
        meta and the messages exchanged so far."""
        data = _json_bytes(header)
        handle = _lib.chatqa_live_open(self._handle, data, len(data))
        if not handle:
            problem = _lib.chatqa_last_error().decode("utf-8", "replace")
            try:
                record = json.loads(problem)
            except ValueError:
                record = {"error": {"code": "", "message": problem}}
            raise InputError(record)
        return Live(handle)

    def close(self):
        """Frees the rule set now (live sessions opened from it keep working)."""
        if self._handle:
            _lib.chatqa_rules_free(self._handle)
            self._handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        if getattr(self, "_handle", None) and _lib is not None:
            self.close()


class Live:
    """A chat scored while it runs (RuleSet.live). Not for several threads
    at once."""

    def __init__(self, handle):
        self._handle = handle

    def _check(self):
        if not self._handle:
            raise ValueError("the live session was freed")

    def add(self, message):
        """Adds a message ({"role","time","text"}) and returns the report so
        far: items that are decided when the chat ends are "pending". Raises
        InputError if the message cannot be read (it is then not added)."""
        self._check()
        data = _json_bytes(message)
        return _report_or_raise(_take(_lib.chatqa_live_add(self._handle, data, len(data))))

    def due(self, now):
        """Deadlines due by `now` (epoch seconds) or already missed, earliest
        first: dicts with item, kind, message, since, deadline, limit_seconds,
        remaining_seconds and explanation."""
        self._check()
        return json.loads(_take(_lib.chatqa_live_due(self._handle, float(now))))

    def close(self):
        """Ends the chat: the final report, as RuleSet.score on the whole session."""
        self._check()
        return _report_or_raise(_take(_lib.chatqa_live_close(self._handle)))

    def close_json(self):
        """The final report as JSON text, byte-identical to `chatqa score`."""
        self._check()
        return _take(_lib.chatqa_live_close(self._handle))

    def free(self):
        if self._handle:
            _lib.chatqa_live_free(self._handle)
            self._handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.free()

    def __del__(self):
        if getattr(self, "_handle", None) and _lib is not None:
            self.free()
