"""A PEP 517 build backend for the chatqa package, standard library only.

The package is a folder of Python files (and, if one was put there, the
library it loads: chatqa/libchatqa.so*), so a wheel is a zip of that folder
plus its metadata; building it needs no setuptools and no network.
"""

import base64
import hashlib
import os
import zipfile

NAME = "chatqa"
VERSION = "0.1.0"
SUMMARY = "Quality inspection of customer-service chats (Python bindings to libchatqa)"
TAG = "py3-none-any"
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _metadata():
    return (
        "Metadata-Version: 2.1\n"
        "Name: %s\n"
        "Version: %s\n"
        "Summary: %s\n"
        "Requires-Python: >=3.7\n" % (NAME, VERSION, SUMMARY)
    )


def _wheel_info():
    return "Wheel-Version: 1.0\nGenerator: chatqa_build\nRoot-Is-Purelib: true\nTag: %s\n" % TAG


def _package_files():
    root = os.path.join(HERE, NAME)
    out = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith((".pyc", ".pyo")):
                continue
            path = os.path.join(folder, name)
            out.append((path, os.path.relpath(path, HERE).replace(os.sep, "/")))
    return out


def _record_line(arcname, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d\n" % (arcname, digest, len(data))


def _write_wheel(wheel_directory, extra=()):
    dist_info = "%s-%s.dist-info" % (NAME, VERSION)
    wheel_name = "%s-%s-%s.whl" % (NAME, VERSION, TAG)
    record = []
    with zipfile.ZipFile(os.path.join(wheel_directory, wheel_name), "w", zipfile.ZIP_DEFLATED) as wheel:

        def add(arcname, data, mode=0o644):
            info = zipfile.ZipInfo(arcname, date_time=(2024, 1, 1, 0, 0, 0))
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            wheel.writestr(info, data)
            record.append(_record_line(arcname, data))

        for path, arcname in _package_files():
            with open(path, "rb") as f:
                add(arcname, f.read(), 0o755 if os.access(path, os.X_OK) else 0o644)
        for arcname, data in extra:
            add(arcname, data)
        add(dist_info + "/METADATA", _metadata().encode())
        add(dist_info + "/WHEEL", _wheel_info().encode())
        record_name = dist_info + "/RECORD"
        wheel.writestr(zipfile.ZipInfo(record_name, date_time=(2024, 1, 1, 0, 0, 0)),
                       "".join(record) + record_name + ",,\n")
    return wheel_name


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    dist_info = "%s-%s.dist-info" % (NAME, VERSION)
    os.makedirs(os.path.join(metadata_directory, dist_info), exist_ok=True)
    with open(os.path.join(metadata_directory, dist_info, "METADATA"), "w") as f:
        f.write(_metadata())
    with open(os.path.join(metadata_directory, dist_info, "WHEEL"), "w") as f:
        f.write(_wheel_info())
    return dist_info


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _write_wheel(wheel_directory)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    """`pip install -e ./python`: a .pth file pointing at this folder."""
    dist_info = "%s-%s.dist-info" % (NAME, VERSION)
    wheel_name = "%s-%s-%s.whl" % (NAME, VERSION, TAG)
    pth = (HERE + "\n").encode()
    record = [_record_line("_chatqa_editable.pth", pth)]
    with zipfile.ZipFile(os.path.join(wheel_directory, wheel_name), "w") as wheel:
        wheel.writestr("_chatqa_editable.pth", pth)
        for arcname, data in ((dist_info + "/METADATA", _metadata().encode()),
                              (dist_info + "/WHEEL", _wheel_info().encode())):
            wheel.writestr(arcname, data)
            record.append(_record_line(arcname, data))
        wheel.writestr(dist_info + "/RECORD", "".join(record) + dist_info + "/RECORD,,\n")
    return wheel_name
