"""Run the real `kameng bot` as a subprocess against the fake Bot API server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.fake_telegram import FakeTelegram

KAMENG = str(Path(sys.executable).with_name("kameng"))
TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijklmnop"
SALES_ID = 555


class BotProcess:
    def __init__(self, framework: str, api: FakeTelegram, db: Path, *,
                 extra_env: dict[str, str] | None = None, args: tuple[str, ...] = ()) -> None:
        self.framework = framework
        self.api = api
        self.log_path = db.with_suffix(f".{framework}.log")
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE": api.base_url,
            "KAMENG_DB": str(db),
            "KAMENG_FRAMEWORK": framework,
            "SALES_IDS": str(SALES_ID),
            "LOG_LEVEL": "DEBUG",
            "PYTHONWARNINGS": "ignore",
            **(extra_env or {}),
        }
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen([KAMENG, "bot", *args], env=env, stdout=self.log,
                                        stderr=subprocess.STDOUT, cwd=db.parent)

    def wait_polling(self, timeout: float = 30) -> None:
        if not self.api.polling.wait(timeout):
            raise RuntimeError(f"the bot never polled:\n{self.output()}")

    def stop(self, timeout: float = 20) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self.log.close()
        return code

    def kill(self) -> None:
        """In a test's `finally`: a bot a failed check left running must not poll on."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def output(self) -> str:
        if not self.log.closed:
            self.log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_exit(self, timeout: float = 30) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return int(self.process.returncode)
            time.sleep(0.05)
        raise TimeoutError("the bot did not exit")
