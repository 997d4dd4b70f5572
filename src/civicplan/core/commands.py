"""What the export commands share: their file goes to a path, or to standard output as bytes."""

from __future__ import annotations

from typing import Any


def write_to_stdout(command: Any, data: bytes) -> None:
    """Bytes to a real stdout (whatever its encoding); text to a stream given by call_command(stdout=...)."""
    buffer = getattr(command.stdout, "buffer", None)
    if buffer is not None:
        command.stdout.flush()
        buffer.write(data)
        buffer.flush()
    else:
        command.stdout.write(data.decode("utf-8"), ending="")
